"""Fresh-process figures for ``benchmarks.compare``: what a user waits for before the first answer.

- :func:`run_timed`: one command in a new process, its wall time, CPU time (user + sys) and peak RSS
  (``os.wait4`` in a small launcher: the child's own figures, not this process's);
- :func:`time_interleaved`: several commands, each run N times in turn (A B C A B C …: load that drifts
  hits them alike), the median of each;
- :func:`cli_commands`: ``newsbot ask`` on the bundled seeds and on the benchmark's store, with the
  default rescan and with ``--no-rescan``;
- :func:`importtime`: ``python -X importtime`` of ``newsbot ask``, parsed into a short summary;
- :func:`measure_install`: ``pip install --no-cache-dir -e .`` (and ``.[fast]``) into fresh venvs:
  wall and CPU time, the venv's size, whether the compiler (Numba, llvmlite) came with it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("benchmarks.coldstart")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEEDS_QUESTION = "What did Microsoft pitch to the DEA?"
"""A question the bundled seeds answer (the one the CLI import test asks too)."""
WATCHED_IMPORTS = ("discord", "aiohttp", "numba", "llvmlite", "yaml", "rapidfuzz", "multiprocessing")
"""Packages whose presence in ``newsbot ask``'s imports the summary reports (a question uses none of them)."""
INSTALL_VARIANTS = {"core": "", "fast": "[fast]"}
"""Fresh-venv installs measured by :func:`measure_install`: name → extra appended to the project path."""


@dataclass(frozen=True)
class ProcessRun:
    """One finished process: wall time, CPU time (user + sys, its waited-for children included) and peak RSS."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


BENCH_ONLY = frozenset({"PYTHONDONTWRITEBYTECODE"})
"""Settings of this machine a user's does not have: with it, a fresh process compiles every project module again
(no ``.pyc`` is kept for an editable install), as no second run on a user's machine does."""


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This process's environment without the bot's own settings (so the command line alone decides) and without
    :data:`BENCH_ONLY` (the untimed first round leaves the ``.pyc`` files a user's first run leaves)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_") and k not in BENCH_ONLY}
    env.update(extra or {})
    return env


_LAUNCHER = """
import json, os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
               "returncode": os.waitstatus_to_exitcode(status)}, out)
"""
"""Runs the command in a child of its own and reports that child's wall, CPU and peak RSS.

Linux keeps, across ``exec``, the peak RSS of the process image being replaced: a child forked (or
vforked, as ``subprocess`` does) from this big benchmark process would report this process's RSS as its
floor. Forked from a small interpreter instead, the floor is a few MB, below any Python program's own."""


def run_timed(
    command: Sequence[str], *, cwd: Path = ROOT, env: Mapping[str, str] | None = None, timeout: float | None = None
) -> ProcessRun:
    """Run ``command`` in a new process: its wall time, CPU time (user + sys) and peak RSS, and its output."""
    with tempfile.TemporaryDirectory() as tmp:
        figures = Path(tmp) / "figures.json"
        completed = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER, str(figures), *command],
            cwd=cwd, env=dict(env) if env is not None else clean_env(), stdin=subprocess.DEVNULL,
            capture_output=True, timeout=timeout, check=False,
        )
        if not figures.exists():
            raise RuntimeError(f"could not run {command[0]}: {completed.stderr.decode('utf-8', 'replace')[-500:]}")
        measured = json.loads(figures.read_text())
    return ProcessRun(
        wall_s=measured["wall_s"],
        cpu_s=measured["cpu_s"],
        peak_rss_mb=measured["maxrss_kb"] / 1024,  # KiB on Linux
        returncode=measured["returncode"],
        stdout=completed.stdout.decode("utf-8", "replace"),
        stderr=completed.stderr.decode("utf-8", "replace"),
    )


def summarize(runs: Sequence[ProcessRun]) -> dict:
    """Median wall, CPU and peak RSS of several runs of one command (with the wall range)."""
    walls = [r.wall_s for r in runs]
    return {
        "wall_s": statistics.median(walls),
        "cpu_s": statistics.median(r.cpu_s for r in runs),
        "peak_rss_mb": statistics.median(r.peak_rss_mb for r in runs),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "runs": len(runs),
    }


def time_interleaved(
    commands: Mapping[str, Sequence[str]], runs: int, *, warmup: bool = True, cwd: Path = ROOT
) -> dict[str, dict]:
    """Run each command ``runs`` times, in turn, and summarize each; a command that fails is left out (logged).

    With ``warmup`` every command first runs once untimed (the page cache holds the files, and a store whose
    folder listing was last settled by another process records it: what a user's second question meets).
    """
    results: dict[str, list[ProcessRun]] = {name: [] for name in commands}
    failed: set[str] = set()
    for sweep in range(runs + warmup):
        for name, command in commands.items():
            if name in failed:
                continue
            run = run_timed(command, cwd=cwd)
            if run.returncode != 0:
                log.warning("%s failed (exit %d): %s", name, run.returncode, run.stderr[-500:])
                failed.add(name)
                continue
            if sweep >= warmup:
                results[name].append(run)
    return {name: summarize(done) for name, done in results.items() if done and name not in failed}


def ask_command(db: Path, seeds: Path, question: str, *, rescan: bool = True, python: Sequence[str] = ()) -> list[str]:
    """``newsbot [--no-rescan] ask QUESTION`` against one store and seed folder (``python``: interpreter options)."""
    return [
        sys.executable, *python, "-m", "bot", "--db", str(db), "--seeds", str(seeds),
        *([] if rescan else ["--no-rescan"]), "ask", question,
    ]


def prime_seeds_store(db: Path, seeds: Path = SEEDS) -> ProcessRun:
    """A fresh store holding the seeds: the first ``newsbot ask`` ingests them (that run is returned)."""
    shutil.rmtree(db.parent, ignore_errors=True)
    db.parent.mkdir(parents=True)
    run = run_timed(ask_command(db, seeds, SEEDS_QUESTION))
    if run.returncode != 0:
        raise RuntimeError(f"newsbot ask on the seeds failed (exit {run.returncode}): {run.stderr[-500:]}")
    return run


def cli_commands(work: Path, question: str, *, seeds_db: Path, rescan: bool = True) -> dict[str, list[str]]:
    """The ``newsbot ask`` commands compared: on the seeds, and on the benchmark's store with and without the rescan;
    plus the interpreter with the CLI's imports alone."""
    db, articles = work / "newsbot" / "newsbot.db", work / "articles"
    commands = {
        "seeds": ask_command(seeds_db, SEEDS, SEEDS_QUESTION),
        "ask_no_rescan": ask_command(db, articles, question, rescan=False),
        "imports": [sys.executable, "-c", "import bot.cli, bot.commands"],
    }
    if rescan:
        commands["ask"] = ask_command(db, articles, question)
    return commands


# ---- python -X importtime --------------------------------------------------------------------------------
_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|( *)(\S.*)$")


@dataclass(frozen=True)
class ImportRecord:
    """One line of ``-X importtime``: a module, its own and cumulative import time, its nesting depth."""

    name: str
    self_us: int
    cumulative_us: int
    depth: int


def parse_importtime(stderr: str) -> list[ImportRecord]:
    """The ``import time:`` lines of ``python -X importtime`` stderr (the header and other lines are skipped)."""
    records = []
    for line in stderr.splitlines():
        match = _IMPORT_LINE.match(line)
        if match:
            self_us, cumulative_us, indent, name = match.groups()
            records.append(ImportRecord(name.strip(), int(self_us), int(cumulative_us), max(len(indent) - 1, 0) // 2))
    return records


def summarize_imports(records: Sequence[ImportRecord], top: int = 10) -> dict:
    """Module count, the sum of the modules' own times, the ``top`` modules by cumulative time, watched packages."""
    names = {r.name for r in records}
    ranked = sorted(records, key=lambda r: r.cumulative_us, reverse=True)[:top]
    return {
        "modules": len(records),
        "self_total_ms": sum(r.self_us for r in records) / 1000,
        "top": [
            {"name": r.name, "depth": r.depth, "cumulative_ms": r.cumulative_us / 1000, "self_ms": r.self_us / 1000}
            for r in ranked
        ],
        "watched_imported": sorted(
            w for w in WATCHED_IMPORTS if any(n == w or n.startswith(w + ".") for n in names)
        ),
    }


def importtime(command: Sequence[str], runs: int = 3, top: int = 10) -> dict:
    """``command`` (a ``python -X importtime …`` command line) run ``runs`` times; the summary of the fastest run
    (by the sum of the modules' own times: the least disturbed by other load), with every run's wall time."""
    best: tuple[float, list[ImportRecord]] | None = None
    walls = []
    for _ in range(max(runs, 1)):
        run = run_timed(command)
        if run.returncode != 0:
            raise RuntimeError(f"importtime run failed (exit {run.returncode}): {run.stderr[-500:]}")
        records = parse_importtime(run.stderr)
        total = sum(r.self_us for r in records)
        walls.append(run.wall_s)
        if best is None or total < best[0]:
            best = (total, records)
    assert best is not None
    return summarize_imports(best[1], top) | {"runs": len(walls), "wall_s": statistics.median(walls)}


def render_importtime(summary: dict) -> list[str]:
    """The importtime summary as Markdown lines."""
    watched = summary.get("watched_imported") or []
    lines = [
        f"`python -X importtime` of `newsbot ask` on the seeds (up-to-date store; fastest of {summary['runs']}): "
        f"{summary['modules']} modules, their own times add up to {summary['self_total_ms']:.0f} ms; "
        + (f"imported: {', '.join(watched)}" if watched else f"none of {', '.join(WATCHED_IMPORTS)} imported"),
        "",
        "```",
        "cumulative ms |  self ms | module",
    ]
    lines += [
        f"{m['cumulative_ms']:13.1f} | {m['self_ms']:8.1f} | {'  ' * m['depth']}{m['name']}" for m in summary["top"]
    ]
    return [*lines, "```"]


# ---- fresh-venv install ----------------------------------------------------------------------------------
def tree_bytes(path: Path) -> int:
    """Bytes of the regular files under ``path`` (symbolic links not followed)."""
    total = 0
    for folder, _, files in os.walk(path):
        for name in files:
            entry = Path(folder, name)
            if not entry.is_symlink():
                total += entry.stat().st_size
    return total


def measure_install(
    project: Path, work: Path, *, variants: Mapping[str, str] = INSTALL_VARIANTS, pip_args: Sequence[str] = (),
    keep: bool = False,
) -> dict[str, dict]:
    """For each variant, a fresh venv then ``pip install --no-cache-dir -e PROJECT[extra]`` in it, timed.

    The venv is created first (not timed with the install; reported apart). The figures: the install's wall and
    CPU time, the venv's size before and after, and whether Numba and llvmlite were installed (the compiler).
    """
    results: dict[str, dict] = {}
    for name, extra in variants.items():
        venv = work / f"venv-{name}"
        shutil.rmtree(venv, ignore_errors=True)
        created = run_timed([sys.executable, "-m", "venv", str(venv)], cwd=work)
        if created.returncode != 0:
            raise RuntimeError(f"venv {venv} failed: {created.stderr[-500:]}")
        python = venv / "bin" / "python"
        empty = tree_bytes(venv)
        log.info("install %s: pip install --no-cache-dir -e %s%s", name, project, extra)
        install = run_timed(
            [str(python), "-m", "pip", "install", "--no-cache-dir", "--quiet", "--disable-pip-version-check",
             *pip_args, "-e", f"{project}{extra}"],
            cwd=work,
        )
        if install.returncode != 0:
            raise RuntimeError(f"pip install -e {project}{extra} failed: {install.stderr[-1000:]}")
        probe = run_timed(
            [str(python), "-c", "import importlib.util as u; print(*(u.find_spec(m) is not None for m in "
             "('numba', 'llvmlite')))"],
            cwd=work,
        )
        numba, llvmlite = (word == "True" for word in probe.stdout.split())
        results[name] = {
            "install_s": install.wall_s,
            "install_cpu_s": install.cpu_s,
            "venv_s": created.wall_s,
            "venv_bytes": tree_bytes(venv),
            "empty_venv_bytes": empty,
            "numba": numba,
            "llvmlite": llvmlite,
        }
        if not keep:
            shutil.rmtree(venv, ignore_errors=True)
    return results
