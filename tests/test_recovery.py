"""Paths that only large corpora, crashes and restarts take: parallel ingest, index recovery on load,
an ingest killed outright, tombstones replayed when the index loads."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import shutil
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings
from retrieval.models import StoryKind
from retrieval.store import FileChange, FileState, StoryRow

from .articles import article_text, write_articles
from .conftest import PROJECT_ROOT


def _stored_rows(db: Path) -> list[tuple]:
    """Every story and passage as stored, without ids (which depend on the order of writes)."""
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT f.path, f.sha256, s.ordinal, s.kind, s.story_key, s.title, s.url, p.ordinal, p.text, p.terms"
            " FROM files f JOIN stories s ON s.file_path = f.path JOIN passages p ON p.story_id = s.id"
            " ORDER BY f.path, s.ordinal, p.ordinal"
        ).fetchall()


async def test_worker_processes_ingest_exactly_what_the_serial_ingest_does(tmp_path, seeds_copy, monkeypatch):
    serial_db, parallel_db = tmp_path / "serial.db", tmp_path / "parallel.db"
    async with await NewsService.open(Settings(seeds=(seeds_copy,), db_path=serial_db)) as serial:
        serial_report = await serial.ingest()
    pools = []

    def recorded_pool(files: int):
        pool = original_pool(files)
        pools.append(pool)
        return pool

    original_pool = ingest_module._process_pool
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(ingest_module, "BATCH_FILES", 2)  # three batches, parsed ahead by the workers
    monkeypatch.setattr(ingest_module.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(ingest_module, "_process_pool", recorded_pool)
    async with await NewsService.open(Settings(seeds=(seeds_copy,), db_path=parallel_db), ingest=False) as parallel:
        report = await parallel.ingest()
        assert pools and pools[0] is not None, "the ingest did not use worker processes"
        assert sorted(report.added) == sorted(f"seeds/{p.name}" for p in seeds_copy.iterdir())
        assert (report.stories, report.passages) == (serial_report.stories, serial_report.passages) != (0, 0)
        answer = await parallel.ask("What did Microsoft pitch to the DEA?")
        assert not answer.abstained and "DEA" in answer.text
    assert _stored_rows(parallel_db) == _stored_rows(serial_db)


# ---- load_index: the three recovery branches ------------------------------------------------------

async def test_a_lost_index_is_rebuilt_from_the_store_on_load(settings):
    async with await NewsService.open(settings):
        pass
    shutil.rmtree(settings.index_dir)  # the store survived, its index did not
    async with await NewsService.open(settings, ingest=False) as reopened:
        assert (settings.index_dir / "CURRENT").exists()
        assert reopened.index.n_docs == (await reopened.store.counts())[2] > 0
        assert not (await reopened.ask("What did Microsoft pitch to the DEA?")).abstained


async def test_an_index_in_an_older_format_is_rebuilt_on_load_with_one_log_line(settings, caplog):
    async with await NewsService.open(settings):
        pass
    generation = (settings.index_dir / "CURRENT").read_text()
    meta_path = settings.index_dir / generation / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps(meta | {"format": 1}))  # as saved by a version before compact postings
    caplog.set_level(logging.INFO)
    async with await NewsService.open(settings, ingest=False) as reopened:
        current = (settings.index_dir / "CURRENT").read_text()
        assert json.loads((settings.index_dir / current / "meta.json").read_text())["format"] == 2
        assert {path.name for path in settings.index_dir.glob("gen-*")} == {current}  # nothing old is left
        assert reopened.index.n_docs == (await reopened.store.counts())[2] > 0
        assert not (await reopened.ask("What did Microsoft pitch to the DEA?")).abstained
    assert len([r for r in caplog.records if "older format" in r.getMessage()]) == 1


async def test_a_crash_between_index_switch_and_bookkeeping_is_repaired_on_load(settings, seeds_copy):
    async with await NewsService.open(settings) as service:
        watermark = service.index.watermark
        assert watermark > 0
        await service.store.set_watermark(0)  # the new index was switched in, the store never heard of it
    async with await NewsService.open(settings, ingest=False) as reopened:
        assert await reopened.store.watermark() == reopened.index.watermark == watermark
    # with the store's watermark right, deleting a file tombstones its passages in the main segment
    (seeds_copy / "003_2df267bf6da7e9c6.txt").unlink()
    async with await NewsService.open(settings) as rescanned:
        tombstoned = await rescanned.store.tombstones(watermark)
        assert tombstoned
    async with await NewsService.open(settings, ingest=False) as reloaded:
        hits = {pid for pid, _ in reloaded.index.search(reloaded.analyzer.terms("Matt Cagle ACLU"), k=50)}
        assert hits and not hits & set(tombstoned)


def _long_story(passages: int) -> StoryRow:
    return StoryRow(
        ordinal=0, kind=StoryKind.ARTICLE, parent_ordinal=None, url_key=None, title_key="bulk passages",
        title="Bulk passages", excerpt=None, url=None, outlet=None, outlet_domain=None, published=None,
        topics=(), quality=None, image_url=None,
        passages=tuple((f"Walrus count {n}.", f"walrus count n{n}") for n in range(passages)),
    )


async def test_more_passages_past_the_index_than_deltas_should_hold_are_compacted_on_load(settings):
    async with await NewsService.open(settings) as service:
        generation = (settings.index_dir / "CURRENT").read_text()
        # the store took a large batch and the process died before the index did
        limit = max(2_000, service.index.main_docs // 10)
        await service.store.replace_files(
            [FileChange("/bulk.txt", FileState("0" * 64, 1, 1), [_long_story(limit + 1)])], []
        )
        max_id = await service.store.max_passage_id()
    async with await NewsService.open(settings, ingest=False) as reopened:
        assert (settings.index_dir / "CURRENT").read_text() != generation
        assert reopened.index.watermark == max_id == await reopened.store.watermark()
        assert reopened.index.delta_docs == 0 and reopened.index.n_docs == (await reopened.store.counts())[2]
        assert reopened.index.search(["walrus"], k=1)


async def test_tombstones_are_replayed_when_the_index_loads(settings, seeds_copy):
    async with await NewsService.open(settings) as service:
        watermark = service.index.watermark
        terms = service.analyzer.terms("Matt Cagle ACLU Northern California")
        before = [pid for pid, _ in service.index.search(terms, k=5)]
    (seeds_copy / "003_2df267bf6da7e9c6.txt").unlink()
    async with await NewsService.open(settings) as rescanned:
        assert rescanned.index.watermark == watermark, "no rebuild: the deletions are tombstones"
        deleted = set(await rescanned.store.tombstones(watermark))
    assert deleted & set(before), "the query's best passages were in the deleted file"
    async with await NewsService.open(settings, ingest=False) as reloaded:
        hits = [pid for pid, _ in reloaded.index.search(terms, k=5)]
        assert len(hits) == 5 and not deleted & set(hits)  # every top-k slot holds a live passage


# ---- an ingest killed outright -------------------------------------------------------------------

KILLED_FILES = 100
KILLED_BATCH = 20


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="kill -9 is a POSIX signal")
async def test_an_ingest_killed_mid_batch_leaves_every_file_old_or_new_and_the_next_rescan_completes(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "db" / "newsbot.db"
    write_articles(corpus, KILLED_FILES, version="first")
    settings = Settings(seeds=(corpus,), db_path=db)
    async with await NewsService.open(settings):
        pass
    write_articles(corpus, KILLED_FILES, version="second")
    killed = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.kill_driver", str(db), str(corpus), str(KILLED_BATCH), "3",
        cwd=PROJECT_ROOT, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(killed.communicate(), 60)
    assert killed.returncode == -signal.SIGKILL, stderr.decode()

    versions = {}
    for path in sorted(corpus.iterdir()):
        number = int(path.stem.split("-")[1])
        versions[str(path)] = {_sha(article_text(number, v)): v for v in ("first", "second")}
    with sqlite3.connect(db) as connection:
        stored = connection.execute(
            "SELECT f.path, f.sha256, group_concat(s.title, '|') FROM files f"
            " LEFT JOIN stories s ON s.file_path = f.path GROUP BY f.path ORDER BY f.path"
        ).fetchall()
    assert [path for path, _, _ in stored] == list(versions), "every file is stored once, none lost"
    seen = []
    for path, sha, titles in stored:
        version = versions[path].get(sha)
        assert version is not None, f"{path}: stored content is neither version"
        assert titles and titles.endswith(f"({version} edition)"), f"{path}: rows of another version"
        seen.append(version)
    batch = KILLED_BATCH  # the first two batches committed, the third died before committing
    assert seen == ["second"] * (2 * batch) + ["first"] * (KILLED_FILES - 2 * batch)

    async with await NewsService.open(settings, ingest=False) as service:
        report = await service.ingest()
        assert len(report.updated) == KILLED_FILES - 2 * batch and report.skipped == []
        assert (await service.store.counts())[:2] == (KILLED_FILES, KILLED_FILES)
        answer = await service.search("report 77 census")
        assert answer and answer[0].story.title.endswith("(second edition)")
