"""CI smoke run of ``benchmarks/postgres.py``: a tiny corpus end to end (no timing assertions)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import POSTGRES_URL, PROJECT_ROOT, SHARED, _postgres_unreachable

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpora" / "bbc").is_dir(), reason="seed corpora ../shared/corpora/bbc not available"
)


def test_postgres_benchmark_smoke_run(tmp_path: Path) -> None:
    if reason := _postgres_unreachable():
        pytest.skip(reason)
    out = tmp_path / "run.json"
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.postgres", "--size", "1k", "--questions", "5", "--seconds", "0.3",
         "--rounds", "2", "--workdir", str(tmp_path), "--json", str(out), "--url", POSTGRES_URL],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False, env=dict(os.environ),
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    assert "| ingest, passages/s |" in completed.stdout
    result = json.loads(out.read_text())
    assert result["ingest_postgres"]["passages"] == result["ingest_sqlite"]["passages"] > 500
    assert result["propagation"]["rounds"] == 2 and result["qps_postgres_2_processes"] > 0
