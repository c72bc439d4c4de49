"""Start-up on an ingested store: serve from the persisted index, rescan the seeds without blocking."""

from __future__ import annotations

import asyncio
import os
from dataclasses import replace

import pytest

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings

from .test_cli import newsbot

ZEBRA = "Zebra patrol counts record herd\n\nThe zebra patrol counted 2,000 zebras crossing the river at dawn on Monday.\n"


async def _ingested(settings: Settings) -> None:
    service = await NewsService.open(settings)
    await service.close()


async def test_background_open_answers_at_once_and_picks_up_new_files_when_the_rescan_ends(settings, seeds_copy):
    await _ingested(settings)
    (seeds_copy / "zebra.txt").write_text(ZEBRA)
    service = await NewsService.open(settings, background=True)
    try:
        assert service.rescan_task is not None
        answer = await service.ask("What did Microsoft pitch to the DEA?")  # the stored coverage answers meanwhile
        assert not answer.abstained
        report = await service.rescan_task
        assert report.added == ["seeds/zebra.txt"] and len(report.unchanged) == 5
        zebra = await service.ask("How many zebras did the zebra patrol count?")
        assert not zebra.abstained and "2,000" in zebra.text
    finally:
        await service.close()


async def test_background_open_of_an_empty_store_ingests_before_answering(settings):
    service = await NewsService.open(settings, background=True)
    try:
        assert service.rescan_task is None
        assert await service.story_count() >= 40  # all five seeds and the stories they list
    finally:
        await service.close()


async def test_closing_during_a_background_rescan_stops_it_and_keeps_the_store_whole(settings, seeds_copy, monkeypatch):
    await _ingested(settings)
    (seeds_copy / "zebra.txt").write_text(ZEBRA)
    started = asyncio.Event()
    original = ingest_module.Ingestor._apply_batch

    async def slow_apply(self, *args, **kwargs):
        started.set()
        await asyncio.sleep(30)  # closing must not wait for this
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(ingest_module.Ingestor, "_apply_batch", slow_apply)
    service = await NewsService.open(settings, background=True)
    await asyncio.wait_for(started.wait(), 10)
    task = service.rescan_task
    await asyncio.wait_for(service.close(), 10)
    assert task.cancelled()
    monkeypatch.undo()
    reopened = await NewsService.open(settings)  # the interrupted file is simply found again
    try:
        assert not (await reopened.ask("How many zebras did the zebra patrol count?")).abstained
    finally:
        await reopened.close()


async def test_a_failing_background_rescan_is_logged_and_the_service_keeps_answering(settings, monkeypatch, caplog):
    await _ingested(settings)

    def broken(roots):
        raise OSError("disk went away")

    monkeypatch.setattr(ingest_module, "discover", broken)
    monkeypatch.setattr(ingest_module, "quick_listing", broken)  # both listings fail
    service = await NewsService.open(settings, background=True)
    try:
        assert await service.rescan_task is None
        assert "background rescan of the seeds failed" in caplog.text
        assert not (await service.ask("What did Microsoft pitch to the DEA?")).abstained
    finally:
        await service.close()


async def test_rescanning_unchanged_files_reads_none_of_them(settings, monkeypatch):
    await _ingested(settings)

    def must_not_prepare(*args, **kwargs):
        raise AssertionError("an unchanged file was opened")

    monkeypatch.setattr(ingest_module, "_prepare", must_not_prepare)
    service = await NewsService.open(settings)
    try:
        assert service.ingestor  # opened, and the rescan found all five files unchanged from their listing
    finally:
        await service.close()


async def test_a_file_changed_in_place_is_still_found_by_the_rescan(settings, seeds_copy):
    await _ingested(settings)
    path = next(seeds_copy.glob("002_*.txt"))
    stat = path.stat()
    path.write_text(ZEBRA)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # a different mtime is all the listing sees
    service = await NewsService.open(settings)
    try:
        assert "2,000" in (await service.ask("How many zebras did the zebra patrol count?")).text
    finally:
        await service.close()


def test_rescan_can_be_turned_off_by_environment_or_flag(tmp_path):
    assert Settings.from_env({"NEWSBOT_RESCAN": "0"}, dotenv=None).rescan is False
    assert Settings.from_env({}, dotenv=None).rescan is True
    assert Settings.from_env({"NEWSBOT_RESCAN": "0"}, rescan=True, dotenv=None).rescan is True


def test_compiled_search_can_be_turned_off_by_environment():
    assert Settings.from_env({}, dotenv=None).jit is True
    assert Settings.from_env({"NEWSBOT_JIT": "0"}, dotenv=None).jit is False


def test_cli_no_rescan_answers_from_the_store_as_it_is(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Giraffe news\n\nThe giraffe keeper fed 12 giraffes on Tuesday at the city zoo.\n")
    db = tmp_path / "n.db"
    assert newsbot("--seeds", str(folder), "ingest", db=db).returncode == 0
    (folder / "zebra.txt").write_text(ZEBRA)
    question = "How many zebras did the zebra patrol count?"
    stale = newsbot("--seeds", str(folder), "--no-rescan", "ask", question, db=db)
    assert stale.returncode == 0 and "2,000" not in stale.stdout
    fresh = newsbot("--seeds", str(folder), "ask", question, db=db)
    assert fresh.returncode == 0 and "2,000" in fresh.stdout


@pytest.mark.parametrize("value", ["0", "off"])
def test_settings_rescan_is_part_of_the_settings(value):
    settings = Settings.from_env({"NEWSBOT_RESCAN": value}, dotenv=None)
    assert replace(settings, rescan=True).rescan and not settings.rescan
