"""The watched folder: files added, changed or removed while the service runs are answerable within seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import watchfiles

from bot.service import NewsService
from bot.settings import Settings
from bot.watch import SeedWatcher, is_relevant
from retrieval.models import IngestReport

from .live_articles import BUDGET, GLACIER, OTTERS, write_story

WITHIN_S = 5.0


async def eventually(check: Callable[[], Awaitable[bool]], what: str, timeout: float = WITHIN_S) -> float:
    """Poll ``check`` until it holds; the seconds it took."""
    started = time.monotonic()
    while not await check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout} s: {what}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    write_story(folder, *OTTERS)
    return folder


@pytest.fixture
async def watched(tmp_path: Path, folder: Path) -> AsyncIterator[tuple[NewsService, SeedWatcher, list[IngestReport]]]:
    service = await NewsService.open(Settings(seeds=(folder,), db_path=tmp_path / "db" / "newsbot.db"))
    reports: list[IngestReport] = []
    watcher = SeedWatcher(service, debounce_ms=300, quiet_ms=50, on_report=reports.append)
    watcher.start()
    assert await watcher.wait_ready()
    try:
        yield service, watcher, reports
    finally:
        await watcher.stop()
        await service.close()


async def titles(service: NewsService) -> list[str]:
    return [s.title for s in await service.latest(limit=50)]


async def test_an_added_file_is_answerable_within_seconds(watched, folder: Path) -> None:
    service, _, _ = watched
    write_story(folder, *GLACIER)
    await eventually(lambda: _has(service, GLACIER[1]), "the new story listed by latest")
    answer = await service.ask("What did glaciologists report about the Rhone glacier?")
    assert not answer.abstained and any(c.story.title == GLACIER[1] for c in answer.citations)


async def test_a_changed_file_replaces_its_story_and_a_removed_one_leaves(watched, folder: Path) -> None:
    service, _, _ = watched
    write_story(folder, OTTERS[0], OTTERS[1], "Beavers, not otters, were seen on the Thames this week, rangers said.")

    async def changed() -> bool:
        return any("Beavers" in r.passage for r in await service.search("beavers rangers"))

    await eventually(changed, "the changed text searchable")
    (folder / "otters.md").unlink()
    await eventually(lambda: _lacks(service, OTTERS[1]), "the removed story gone from latest")


async def test_a_malformed_file_is_skipped_and_reported_and_watching_goes_on(watched, folder: Path) -> None:
    service, _, reports = watched
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    await eventually(lambda: _true(any(r.skipped for r in reports)), "a report of the skipped file")
    skipped = [s for r in reports for s in r.skipped]
    assert skipped[0].path.endswith("broken.md") and skipped[0].reason
    write_story(folder, *BUDGET)
    await eventually(lambda: _has(service, BUDGET[1]), "a later file still ingested")


async def test_a_burst_of_files_costs_one_or_two_rescans(watched, folder: Path) -> None:
    service, watcher, _ = watched
    for number in range(30):
        write_story(folder, f"burst-{number}", f"Burst story number {number} about harbour cranes", "A crane moved.")
    await eventually(lambda: _true(watcher.rescans > 0), "a rescan")
    await eventually(lambda: _count(service, 31), "all thirty files")
    assert watcher.rescans <= 2


async def test_files_that_cannot_change_the_coverage_trigger_nothing(watched, folder: Path) -> None:
    _, watcher, _ = watched
    (folder / ".draft.md.swp").write_text("x", encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    await asyncio.sleep(0.6)  # two watch groups' worth of time
    assert watcher.rescans == 0


def test_only_article_files_and_folders_are_relevant() -> None:
    added = watchfiles.Change.added
    assert is_relevant(added, "/n/a.md") and is_relevant(added, "/n/a.TXT") and is_relevant(added, "/n/sub")
    assert not is_relevant(added, "/n/.a.md") and not is_relevant(added, "/n/a.md~")
    assert not is_relevant(added, "/n/a.json")


async def _has(service: NewsService, title: str) -> bool:
    return title in await titles(service)


async def _lacks(service: NewsService, title: str) -> bool:
    return title not in await titles(service)


async def _count(service: NewsService, count: int) -> bool:
    return await service.story_count() == count


async def _true(value: bool) -> bool:
    return value


async def test_changes_that_arrive_during_a_rescan_make_one_more_rescan_not_one_each(tmp_path: Path) -> None:
    rescans: list[int] = []
    started = asyncio.Event()
    release = asyncio.Event()

    class SlowService:
        settings = Settings(seeds=(tmp_path,))

        async def ingest(self) -> IngestReport:
            rescans.append(len(rescans))
            started.set()
            await release.wait()
            return IngestReport()

    watcher = SeedWatcher(SlowService())  # type: ignore[arg-type]
    task = asyncio.create_task(watcher._rescan_on_changes())
    watcher._changes.put_nowait({(watchfiles.Change.added, "/n/a.md")})
    await started.wait()
    for number in range(5):  # five groups of changes while the first rescan runs
        watcher._changes.put_nowait({(watchfiles.Change.added, f"/n/b{number}.md")})
    release.set()
    await eventually(lambda: _true(watcher.rescans == 2 and watcher._changes.empty()), "the second rescan")
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert rescans == [0, 1]


async def test_a_process_that_may_not_ingest_notes_the_change_and_keeps_watching(tmp_path: Path, caplog) -> None:
    from retrieval.ingest import IngestError

    calls: list[int] = []

    class FollowerService:
        settings = Settings(seeds=(tmp_path,))

        async def ingest(self) -> IngestReport:
            calls.append(1)
            raise IngestError("another newsbot process leads this database and does the ingesting")

    watcher = SeedWatcher(FollowerService())  # type: ignore[arg-type]
    task = asyncio.create_task(watcher._rescan_on_changes())
    with caplog.at_level("INFO", logger="bot.watch"):
        for number in (1, 2):
            watcher._changes.put_nowait({(watchfiles.Change.added, f"/n/{number}.md")})
            await eventually(lambda: _true(len(calls) == number), "a rescan attempt")  # noqa: B023
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "WARNING")]
    assert any("another newsbot process leads" in r.getMessage() for r in caplog.records)
