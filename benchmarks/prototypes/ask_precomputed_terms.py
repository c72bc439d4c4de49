"""Prototype: what ``ask`` costs when answer composition does not re-analyze retrieved text.

``compose_answer`` re-runs the analyzer on every retrieved passage, every sentence of it and every
story title (≈100 analyzer calls per question). The proposal: compute per-sentence terms once at
ingest and keep them in the store's existing ``passages.terms`` column, one line per sentence (the
passage text is already its sentences joined by newlines, and ``str.split()`` — what the index build
uses — treats newlines as spaces, so the index is unchanged), then hydrate them with the passage.

This prototype simulates that with an analyzer whose results for retrieved text are looked up in a
dict filled beforehand (the cost of reading precomputed terms), and times ``NewsService.ask``
both ways on an ingested benchmark store.

    python -m benchmarks.prototypes.ask_precomputed_terms benchmarks/.work/100k
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import numpy as np

from bot import responder
from bot.service import NewsService
from bot.settings import Settings
from retrieval.analyzer import Analyzer


class LookupAnalyzer(Analyzer):
    """``terms`` served from a dict of precomputed results (falls back to analyzing)."""

    def __init__(self) -> None:
        super().__init__()
        self.table: dict[str, list[str]] = {}
        self.recording = True

    def terms(self, text: str) -> list[str]:
        found = self.table.get(text)
        if found is None:
            found = super().terms(text)
            if self.recording:
                self.table[text] = found
        return found


async def timed(service: NewsService, questions: list[str]) -> tuple[float, float]:
    for q in questions[:20]:
        await service.ask(q)
    latencies = []
    for q in questions:
        started = time.perf_counter()
        await service.ask(q)
        latencies.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(latencies, 50)), float(np.percentile(latencies, 95))


async def main(work: Path) -> None:
    questions = json.loads((work / "questions.json").read_text())
    settings = Settings(seeds=(work / "articles",), db_path=work / "newsbot" / "newsbot.db")
    service = await NewsService.open(settings, ingest=False)
    try:
        p50, p95 = await timed(service, questions)
        print(f"ask as is:                         p50 {p50:.2f} ms  p95 {p95:.2f} ms")
        lookup = LookupAnalyzer()
        original = responder.compose_answer

        def compose(question, signal, ranked, analyzer, **kwargs):
            return original(question, signal, ranked, lookup, **kwargs)

        responder_compose = compose
        import bot.service as service_module

        service_module.compose_answer = responder_compose
        for q in questions:  # record the retrieved texts' terms (what ingest would store)
            await service.ask(q)
        lookup.recording = False
        p50, p95 = await timed(service, questions)
        print(f"ask, retrieved text's terms stored: p50 {p50:.2f} ms  p95 {p95:.2f} ms")
        service_module.compose_answer = original
    finally:
        await service.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("benchmarks/.work/100k")))
