"""The search paths side by side on a benchmark store, interleaved in one process, their results compared.

    python -m benchmarks.search_paths --work W         # W: newsbot/ (a built store), questions.json

Paths: ``numpy`` (term-at-a-time with NumPy: the default install), ``compiled`` (term-at-a-time with the compiled
kernels: what a search uses once they are loaded) and ``max-score`` (the compiled document-at-a-time search,
``kernels.max_score``). Each question is searched on every path in turn (one warm-up, then the median of
``--runs``), at k = 10 on its analyzed terms (the retrieval benchmark) and at k = 40 on what ``ask`` searches (the
lexicon's words added); prints the CPU time per search (``time.process_time``) p50 / p95 / sum per path, and whether
every path found the same passages with the same scores. Needs Numba (the ``fast`` extra) for the compiled paths.
Nothing is written to the store.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.engines import _settings, load_questions, percentile  # noqa: E402
from retrieval import bm25, kernels  # noqa: E402

PATHS = ("numpy", "compiled", "max-score")


@contextlib.contextmanager
def search_path(name: str) -> Iterator[None]:
    """Searches in this block take the named path (the compiled ones need :func:`kernels.warm_up` first)."""
    compiled, terms = kernels._kernels, bm25._MAX_SCORE_TERMS
    if name != "numpy" and compiled is None:
        raise RuntimeError("the compiled search kernels are not loaded (pip install 'newsbot[fast]')")
    kernels._kernels = None if name == "numpy" else compiled
    bm25._MAX_SCORE_TERMS = 10**6 if name == "max-score" else 0
    try:
        yield
    finally:
        kernels._kernels, bm25._MAX_SCORE_TERMS = compiled, terms


@dataclass
class PathTimes:
    """CPU milliseconds per search, by path, and the queries whose results differed between paths."""

    ms: dict[str, list[float]] = field(default_factory=lambda: {name: [] for name in PATHS})
    differing: list[int] = field(default_factory=list)


def time_paths(index, queries: Sequence[Mapping[str, float]], k: int, *, runs: int = 5) -> PathTimes:
    """Each query on every path in turn: one warm-up search, then the median CPU time of ``runs``."""
    times = PathTimes()
    for number, query in enumerate(queries):
        found = []
        for name in PATHS:
            with search_path(name):
                found.append(index.search(query, k))
                spent = []
                for _ in range(runs):
                    started = time.process_time()
                    index.search(query, k)
                    spent.append((time.process_time() - started) * 1000)
            times.ms[name].append(statistics.median(spent))
        if any(result != found[0] for result in found[1:]):
            times.differing.append(number)
    return times


def report(label: str, times: PathTimes) -> None:
    for name in PATHS:
        ms = times.ms[name]
        print(f"{label:28} {name:10} p50 {percentile(ms, 50):6.2f} ms  p95 {percentile(ms, 95):6.2f} ms  "
              f"sum {sum(ms):8.1f} ms")
    print(f"{label:28} identical results on every path: {not times.differing} "
          f"({len(times.differing)} of {len(times.ms[PATHS[0]])} queries differ)")


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    from bot.service import SEARCH_PASSAGES, NewsService

    service = await NewsService.open(_settings(args.work), ingest=False, compile_search=False)
    try:
        if not kernels.warm_up():
            raise SystemExit("Numba is not installed: only the NumPy path can run (pip install 'newsbot[fast]')")
        questions = load_questions(args.work)
        retrieval = [Counter(service.analyzer.terms(q)) for q in questions]
        asked = [dict(service.understand(q).search) for q in questions]
        report("retrieval, k = 10", time_paths(service.index, [q for q in retrieval if q], 10, runs=args.runs))
        report(f"ask's searches, k = {SEARCH_PASSAGES}",
               time_paths(service.index, [q for q in asked if q], SEARCH_PASSAGES, runs=args.runs))
    finally:
        await service.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
