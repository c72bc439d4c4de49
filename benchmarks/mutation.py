"""Mutation testing of the retrieval core, module by module, with a kill-rate table.

``python -m benchmarks.mutation`` runs mutmut (configured in pyproject's ``[tool.mutmut]``) over
``retrieval/`` one module at a time, most important first, so that a run cut short still covers the
modules that rank and parse. Each module is one ``nice -n 10 mutmut run --max-children 2
"retrieval.<module>.*"``; mutmut keeps its results in ``mutants/``, so a second run only tests what
changed. ``--report`` prints the table of the results already there without running anything.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("benchmarks.mutation")

ROOT = Path(__file__).resolve().parent.parent
# ranking first, then parsing and storage, then helpers and the compiled twins of NumPy code
PRIORITY = ("bm25", "index", "passages", "analyzer", "parsing", "store", "ingest", "text", "urls",
            "bylines", "spelling", "kernels")
# how each of mutmut's verdicts counts: a mutant a test (or the type checker, or a crash) caught is killed;
# one no selected test calls ("no tests") survived as surely as one every test passed
COLUMN_BY_STATUS = {"killed": "killed", "caught by type check": "killed", "segfault": "killed",
                    "survived": "survived", "no tests": "survived", "timeout": "timeout",
                    "not checked": "not checked"}


@dataclass(frozen=True, slots=True)
class ModuleResult:
    """What mutmut found for the mutants of one module."""

    module: str
    total: int
    killed: int
    survived: int
    timeout: int
    not_checked: int
    other: int  # suspicious, skipped or interrupted

    @property
    def kill_rate(self) -> float:
        checked = self.killed + self.survived + self.timeout + self.other
        return (self.killed + self.timeout) / checked if checked else 0.0


def module_result(module: str, root: Path = ROOT) -> ModuleResult:
    """Counts for ``retrieval/<module>.py`` from mutmut's result file (all zero before a run)."""
    meta = root / "mutants" / "retrieval" / f"{module}.py.meta"
    from mutmut.stats import status_by_exit_code

    codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"] if meta.exists() else {}
    kinds = Counter(COLUMN_BY_STATUS.get(status_by_exit_code[code], "other") for code in codes.values())
    return ModuleResult(module, len(codes), kinds["killed"], kinds["survived"], kinds["timeout"],
                        kinds["not checked"], kinds["other"])


def render(results: list[ModuleResult]) -> str:
    """A Markdown table, one row per module and a total."""
    lines = ["| module | mutants | killed | survived | timeout | other | not checked | killed % |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in [*results, _total(results)]:
        lines.append(f"| {r.module} | {r.total:,} | {r.killed:,} | {r.survived:,} | {r.timeout:,} | "
                     f"{r.other:,} | {r.not_checked:,} | {100 * r.kill_rate:.1f} |")
    return "\n".join(lines)


def _total(results: list[ModuleResult]) -> ModuleResult:
    return ModuleResult("**total**", *(sum(getattr(r, f) for r in results)
                                       for f in ("total", "killed", "survived", "timeout", "not_checked", "other")))


def run_module(module: str, max_children: int) -> int:
    """Run mutmut over one module's mutants at low CPU priority; its exit status."""
    command = ["nice", "-n", "10", sys.executable, "-m", "mutmut", "run", "--max-children", str(max_children),
               f"retrieval.{module}.*"]
    log.info("mutating retrieval/%s.py: %s", module, " ".join(command))
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default=",".join(PRIORITY),
                        help="comma-separated retrieval modules, in the order to run them (default: all, by priority)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel test runs (default 2)")
    parser.add_argument("--report", action="store_true", help="print the table of the last results only")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    modules = [m.strip() for m in args.modules.split(",") if m.strip()]
    unknown = [m for m in modules if not (ROOT / "retrieval" / f"{m}.py").is_file()]
    if unknown:
        print(f"error: no such retrieval module: {', '.join(unknown)}", file=sys.stderr)
        return 2
    try:
        import mutmut  # noqa: F401  (only to give a clear message when it is missing)
    except ImportError:
        print("error: mutmut is not installed: pip install mutmut", file=sys.stderr)
        return 2
    if not args.report:
        for module in modules:
            if run_module(module, args.max_children) not in (0, None):
                log.warning("mutmut stopped on retrieval/%s.py; the table shows what it finished", module)
                break
    print(render([module_result(m) for m in modules]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
