"""The event loop keeps answering while worker processes parse, and when a parallel rescan fails or is
cancelled: the bot must acknowledge an interaction within Discord's 3 s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings

from . import slow_workers
from .articles import write_articles

WORKER_BATCH_S = 2.0
"""How long a stand-in worker takes over a batch: the old code froze the loop this long or more."""
MAX_LOOP_GAP_S = WORKER_BATCH_S / 2
"""Far below Discord's 3 s acknowledgement deadline, and half of what waiting for one busy worker costs;
the margin keeps a loaded 2-core machine's scheduling hiccups (0.5 s seen) from failing the test."""


class LoopTicker:
    """Wakes up every few milliseconds and records the longest time the loop kept it waiting."""

    def __init__(self, interval_s: float = 0.01) -> None:
        self.interval_s = interval_s
        self.max_gap_s = 0.0

    async def run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(self.interval_s)
            now = time.perf_counter()
            self.max_gap_s = max(self.max_gap_s, now - last - self.interval_s)
            last = now


@asynccontextmanager
async def ticking() -> AsyncIterator[LoopTicker]:
    ticker = LoopTicker()
    task = asyncio.create_task(ticker.run())
    try:
        yield ticker
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@pytest.fixture
def slow_pool(tmp_path: Path, monkeypatch) -> Path:
    """A parallel ingest of small batches whose workers take WORKER_BATCH_S a batch; returns the folder
    where each worker call leaves a marker."""
    markers = tmp_path / "markers"
    markers.mkdir()
    slow_workers.use_slow_workers(monkeypatch, markers, WORKER_BATCH_S)
    return markers


async def _service(tmp_path: Path, corpus: Path) -> NewsService:
    settings = Settings(seeds=(corpus,), db_path=tmp_path / "db" / "newsbot.db")
    return await NewsService.open(settings, ingest=False)


async def test_a_failing_parallel_rescan_does_not_wait_for_busy_workers_on_the_loop(tmp_path, slow_pool):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 8)
    # sorted first, so batch 0 fails while workers are busy with the batches read ahead
    (corpus / "000-fail.md").write_text("---\ntitle: Fails\n---\nThe worker given this batch raises.\n")
    service = await _service(tmp_path, corpus)
    try:
        async with ticking() as ticker:
            with pytest.raises(RuntimeError, match="cannot be parsed"):
                await service.ingest()
            await asyncio.sleep(0.05)  # the ticker gets its turn after the failure
        assert ticker.max_gap_s < MAX_LOOP_GAP_S, f"the loop froze for {ticker.max_gap_s:.2f}s"
    finally:
        await service.close()


async def test_a_cancelled_parallel_rescan_does_not_wait_for_busy_workers_on_the_loop(tmp_path, slow_pool):
    corpus = tmp_path / "corpus"
    write_articles(corpus, 8)
    service = await _service(tmp_path, corpus)
    try:
        async with ticking() as ticker:
            rescan = asyncio.create_task(service.ingest())
            deadline = time.monotonic() + 20
            while not any(slow_pool.iterdir()):  # a worker is busy with a batch
                assert time.monotonic() < deadline, "no worker started"
                await asyncio.sleep(0.02)
            cancelled_at = time.perf_counter()
            rescan.cancel()
            await asyncio.gather(rescan, return_exceptions=True)
            stopped_s = time.perf_counter() - cancelled_at
            await asyncio.sleep(0.05)
        assert rescan.cancelled()
        assert ticker.max_gap_s < MAX_LOOP_GAP_S, f"the loop froze for {ticker.max_gap_s:.2f}s"
        assert stopped_s < MAX_LOOP_GAP_S
    finally:
        await service.close()


async def test_a_parallel_rescan_keeps_the_loop_responsive_while_workers_parse(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 50)
    corpus = tmp_path / "corpus"
    write_articles(corpus, 400)
    service = await _service(tmp_path, corpus)
    try:
        async with ticking() as ticker:
            report = await service.ingest()
        assert len(report.added) == 400
        assert ticker.max_gap_s < MAX_LOOP_GAP_S, f"the loop froze for {ticker.max_gap_s:.2f}s"
    finally:
        await service.close()


async def test_a_large_delta_is_built_off_the_loop(tmp_path, monkeypatch):
    """Up to a tenth of the main segment goes to a delta without a rebuild: building it must not stall
    the loop (a stand-in build that takes two seconds, like 100k passages at a million)."""
    corpus = tmp_path / "corpus"
    write_articles(corpus, 20)
    service = await _service(tmp_path, corpus)
    original_add = service.index.add

    def slow_add(docs):
        time.sleep(WORKER_BATCH_S)
        original_add(docs)

    try:
        monkeypatch.setattr(service.index, "add", slow_add)
        async with ticking() as ticker:
            report = await service.ingest()
        assert len(report.added) == 20 and service.index.search(["zebra"], k=1)
        assert ticker.max_gap_s < MAX_LOOP_GAP_S, f"the loop froze for {ticker.max_gap_s:.2f}s"
    finally:
        await service.close()
