"""An ingest killed outright (``kill -9``) leaves no worker or helper process behind."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import retrieval.ingest as ingest_module

from .articles import write_articles
from .conftest import PROJECT_ROOT

ORPHAN_GRACE_S = 5.0


def _start_ingest(folder: Path, db: Path) -> subprocess.Popen:
    """``newsbot ingest FOLDER`` as a user runs it, in its own process."""
    environment = {**os.environ, "NEWSBOT_DB": str(db)}
    environment.pop("NEWSBOT_SEEDS", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(folder)], cwd=PROJECT_ROOT, env=environment,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _stored_files(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as connection:
            return connection.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def _workers_working(process: psutil.Process, db: Path, timeout_s: float = 30.0) -> list[psutil.Process]:
    """The process's descendants (the resource tracker and the workers) once the workers have parsed a
    batch that the ingest stored: killed now, the parent dies mid-ingest with its workers fully started."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        descendants = process.children(recursive=True)
        if len(descendants) >= 3 and _stored_files(db) > 0:
            return descendants
        time.sleep(0.02)
    pytest.fail(f"the ingest stored nothing with worker processes within {timeout_s:.0f}s")


def _alive(processes: list[psutil.Process]) -> list[psutil.Process]:
    """Those still running (a zombie waiting for PID 1 to reap it is dead)."""
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kill -9 is a POSIX signal")
def test_worker_processes_die_with_an_ingest_killed_mid_way(tmp_path):
    corpus = tmp_path / "corpus"
    write_articles(corpus, ingest_module.PARALLEL_MIN_FILES)  # large enough for worker processes
    db = tmp_path / "newsbot.db"
    ingest = _start_ingest(corpus, db)
    try:
        descendants = _workers_working(psutil.Process(ingest.pid), db)
        ingest.send_signal(signal.SIGKILL)
        ingest.wait(10)
        assert _stored_files(db) < ingest_module.PARALLEL_MIN_FILES, "killed mid-ingest"
        deadline = time.monotonic() + ORPHAN_GRACE_S
        while _alive(descendants) and time.monotonic() < deadline:
            time.sleep(0.05)
        survivors = _alive(descendants)
        assert not survivors, f"orphaned: {[(p.pid, p.cmdline()) for p in survivors]}"
    finally:
        ingest.kill()
        for process in _alive(descendants if "descendants" in locals() else []):
            process.kill()


def test_without_prctl_a_worker_notices_its_parent_is_gone_and_exits(tmp_path):
    """The portable fallback: a parent (killed with -9) starts a child that only polls for its parent."""
    child_code = "import sys; from retrieval.ingest import _exit_when_orphaned; _exit_when_orphaned(int(sys.argv[1]))"
    parent_code = (
        "import os, subprocess, sys, time\n"
        f"child = subprocess.Popen([sys.executable, '-c', {child_code!r}, str(os.getpid())])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code], cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True)
    child = psutil.Process(int(parent.stdout.readline()))
    try:
        time.sleep(0.3)
        assert _alive([child]), "the child must live while its parent does"
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + ingest_module.PARENT_POLL_S + 2.0
        while _alive([child]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive([child]), "the orphaned child kept running"
    finally:
        parent.kill()
        parent.stdout.close()
        for process in _alive([child]):
            process.kill()
