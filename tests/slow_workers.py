"""Stand-ins for the ingest's worker function, importable by spawned worker processes.

A worker process imports this module by name, so the behaviour is chosen by environment variables
set before the pool starts: ``NEWSBOT_TEST_WORKER_DIR`` (a folder where each call leaves a marker)
and ``NEWSBOT_TEST_WORKER_SLEEP_S`` (how long each batch takes).
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from retrieval.ingest import _Candidate, _Prepared
from retrieval.store import FileState

MARKER_DIR = "NEWSBOT_TEST_WORKER_DIR"
SLEEP_S = "NEWSBOT_TEST_WORKER_SLEEP_S"


def slow_prepare(candidates: Sequence[_Candidate], known: dict[str, FileState]) -> _Prepared:
    """Leave a marker, then fail at once for a batch holding a file named ``…fail…``; any other batch
    sleeps (a worker busy with a long batch) and returns nothing to write."""
    Path(os.environ[MARKER_DIR], f"{os.getpid()}-{time.monotonic_ns()}").touch()
    if any("fail" in Path(candidate.key).name for candidate in candidates):
        raise RuntimeError("this batch cannot be parsed")
    time.sleep(float(os.environ[SLEEP_S]))
    return _Prepared()


def use_slow_workers(monkeypatch: Any, markers: Path, batch_s: float) -> None:
    """Make every ingest parallel, in batches of two files, on workers that run :func:`slow_prepare`
    (each taking ``batch_s`` a batch and leaving a marker in ``markers``)."""
    import retrieval.ingest as ingest_module

    monkeypatch.setenv(MARKER_DIR, str(markers))
    monkeypatch.setenv(SLEEP_S, str(batch_s))
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 2)
    monkeypatch.setattr(ingest_module, "_prepare_in_worker", slow_prepare)
    monkeypatch.setattr(ingest_module.os, "cpu_count", lambda: 2)  # a pool even on a one-core machine
