"""Store writers share one connection: questions logged during a rescan must not collide with its batches."""

from __future__ import annotations

import asyncio
from pathlib import Path

import retrieval.ingest as ingest_module
from bot.service import NewsService, QueryOrigin
from bot.settings import Settings

from .articles import write_articles

RESCAN_FILES = 3_000


async def test_questions_logged_throughout_a_rescan_never_break_its_batches(tmp_path: Path, monkeypatch):
    corpus = tmp_path / "corpus"
    write_articles(corpus, RESCAN_FILES)
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_FILES", 10**9)  # parse in a thread: the test is about the store
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 100)  # many batch transactions for questions to land in
    settings = Settings(seeds=(corpus,), db_path=tmp_path / "db" / "newsbot.db")
    service = await NewsService.open(settings, ingest=False)
    try:
        rescan = asyncio.create_task(service.ingest())
        logged = votes = 0
        while not rescan.done():
            answer = await service.ask("How many zebras did the census count?")
            query_id = await service.log_query(answer, QueryOrigin(origin="test", user_id=7))
            logged += 1
            votes += await service.record_feedback(query_id, user_id=7, vote=1) == "recorded"
            await asyncio.sleep(0)
        report = await rescan
        assert len(report.added) == RESCAN_FILES and report.skipped == []
        files, stories, _ = await service.store.counts()
        assert (files, stories) == (RESCAN_FILES, RESCAN_FILES)  # every file exactly once, with its one story
        stats = await service.stats()
        assert logged > 5 and (stats.queries, stats.upvotes) == (logged, votes)
    finally:
        await service.close()
