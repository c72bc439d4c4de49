"""A CLI question loads only what it uses: never the Discord stack, the compiler or the feed poller (HTTP,
feed and page parsing), and, once the seeds are stored, neither the article parsers (nor the YAML library
behind them), the worker-process machinery, the typo matcher nor package metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import PROJECT_ROOT

NEVER_FOR_A_QUESTION = {
    "discord", "aiohttp", "numba", "llvmlite", "retrieval.feeds", "feedparser", "trafilatura", "bs4", "urllib.request",
    "bot.evaluation", "bot.cluster", "retrieval.replica",
}
"""Packages `newsbot ask` must not import, whatever it finds to ingest first (the last three: question sets,
and what a store shared by several processes needs)."""
NOT_WHEN_NOTHING_CHANGED = {"yaml", "retrieval.parsing", "multiprocessing", "rapidfuzz", "importlib.metadata"}
"""Modules a question against an up-to-date store has no use for (parsing files, worker processes,
matching typos when every word is known, reading the package's version)."""

_RUN_AND_LIST_MODULES = """
import json, os, sys
from bot.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w", encoding="utf-8") as out:
    json.dump({"code": code, "modules": sorted(sys.modules), "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")}, out)
"""


def _ask_in_a_fresh_interpreter(tmp_path: Path, seeds: Path, question: str) -> set[str]:
    """Run ``newsbot ask`` (its ``main``) in a new Python process; the modules it had loaded at the end.
    NumPy's BLAS was told to start no thread pool (nothing here multiplies matrices)."""
    listing = tmp_path / "modules.json"
    command = [
        sys.executable, "-c", _RUN_AND_LIST_MODULES, str(listing),
        "--db", str(tmp_path / "db" / "newsbot.db"), "--seeds", str(seeds), "ask", question,
    ]
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    completed = subprocess.run(
        command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60, check=False
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(listing.read_text(encoding="utf-8"))
    assert result["code"] == 0 and "DEA" in completed.stdout
    assert result["blas_threads"] == "1"
    return set(result["modules"])


def _loaded(modules: set[str], names: set[str]) -> set[str]:
    return {m for m in modules for name in names if m == name or m.startswith(name + ".")}


def test_a_cli_question_imports_neither_discord_nor_the_compiler_nor_what_it_does_not_use(tmp_path, seeds_copy):
    question = "What did Microsoft pitch to the DEA?"
    first = _ask_in_a_fresh_interpreter(tmp_path, seeds_copy, question)  # ingests the seeds first
    assert not _loaded(first, NEVER_FOR_A_QUESTION)
    assert "yaml" in first  # the seeds' front matter was parsed: the check above saw a real ingest

    again = _ask_in_a_fresh_interpreter(tmp_path, seeds_copy, question)  # the rescan finds nothing changed
    assert not _loaded(again, NEVER_FOR_A_QUESTION | NOT_WHEN_NOTHING_CHANGED)
