"""Where a serving process's time and memory go, on a benchmark store (companion to ``engines newsbot serve``).

    python -m benchmarks.serving --work W              # W: newsbot/ (a built store), questions.json
    NEWSBOT_JIT=0 python -m benchmarks.serving --work W

Prints, after each stage (imports, open, compile, a retrieval sweep, an ``ask`` sweep), the process's RSS, how
much of it is the index's memory-mapped arrays, and the mappings holding most of it (``/proc/self/smaps``: the
index's arrays, Numba's LLVM library, anonymous memory); then, per question, the CPU time
(``time.process_time``: every thread of the process) of retrieval, of ``ask`` and of composing the answer alone
from recorded inputs (median of three sweeps after a warm-up sweep), as p50 / p95 / mean / max in ms. CPU time
moves far less than wall time when the shared VM is loaded, so before/after pairs compare on it. Nothing is written to the store.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.engines import _search_terms, _settings, load_questions  # noqa: E402

log = logging.getLogger("benchmarks.serving")
SWEEPS = 3
TOP_MAPPINGS = 8


def memory(label: str) -> None:
    """Print RSS, peak RSS and the mappings holding the most resident memory."""
    by_mapping: Counter[str] = Counter()
    name = "[anon]"
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if fields and "-" in fields[0] and not fields[0].endswith(":"):
                name = fields[5] if len(fields) > 5 else "[anon]"
            elif fields and fields[0] == "Rss:":
                by_mapping[name] += int(fields[1])
    with open("/proc/self/status") as lines:
        status = dict(line.split(":", 1) for line in lines)
    rss, hwm = (int(status[key].split()[0]) / 1024 for key in ("VmRSS", "VmHWM"))
    index_kb = sum(kb for mapping, kb in by_mapping.items() if mapping.endswith(".npy"))
    print(f"== {label}: RSS {rss:.1f} MB, peak {hwm:.1f} MB; of it the index's mapped arrays {index_kb / 1024:.1f} MB",
          flush=True)
    for mapping, kb in by_mapping.most_common(TOP_MAPPINGS):
        print(f"   {kb / 1024:7.1f} MB  {Path(mapping).name if mapping.startswith('/') else mapping}")


def summary(name: str, per_question_ms: Sequence[float]) -> None:
    values = np.asarray(per_question_ms)
    print(f"{name:>10} CPU ms: p50 {np.percentile(values, 50):.2f}  p95 {np.percentile(values, 95):.2f}  "
          f"mean {values.mean():.2f}  max {values.max():.2f}  ({len(values)} questions)", flush=True)


async def cpu_times(run: Callable[[int], Awaitable[object]], count: int) -> list[float]:
    """Per item, the median over SWEEPS of its CPU time in ms, after one untimed sweep."""
    for number in range(count):
        await run(number)
    runs: list[list[float]] = [[] for _ in range(count)]
    for _ in range(SWEEPS):
        for number in range(count):
            started = time.process_time()
            await run(number)
            runs[number].append((time.process_time() - started) * 1000)
    return [statistics.median(r) for r in runs]


async def measure(work: Path) -> None:
    memory("start")
    from bot.answering.compose import compose_answer
    from bot.service import NewsService

    memory("imports")
    questions = load_questions(work)
    service = await NewsService.open(_settings(work), ingest=False, compile_search=True)
    memory("open")
    try:
        if service.compile_task is not None:
            await service.compile_task
            memory("compiled")
        index, analyzer = service.index, service.analyzer

        async def retrieve(number: int) -> object:
            return _search_terms(index, analyzer.terms(questions[number]))

        retrieval = await cpu_times(retrieve, len(questions))
        memory("retrieval sweeps")

        async def ask(number: int) -> object:
            return await service.ask(questions[number])

        asked = await cpu_times(ask, len(questions))
        memory("ask sweeps")
        inputs = []
        for question in questions:
            understood = service.understand(question)
            inputs.append((understood, await service._with_top_story(understood, await service._ranked_for(understood))))

        async def compose(number: int) -> object:
            return compose_answer(*inputs[number], analyzer, searched=1)

        composed = await cpu_times(compose, len(inputs))
    finally:
        await service.close()
    summary("retrieval", retrieval)
    summary("ask", asked)
    summary("compose", composed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, required=True, help="folder with newsbot/ (a built store) and questions.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(measure(args.work))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
