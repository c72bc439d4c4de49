"""Reading passages for answers: stories are cached per reader, and the cache never serves a stale story."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from retrieval import store as store_module
from retrieval.store import Store, StoreError


async def _first_passage_id(service, story_title_word: str) -> int:
    hits = await service.search(story_title_word)
    assert hits, f"the seeds mention {story_title_word!r}"
    story_id = hits[0].story.id
    return (await service.store.story_passages(story_id))[0].id


async def test_read_passages_returns_each_passage_with_its_story(service):
    passage_id = await _first_passage_id(service, "Microsoft DEA")
    rows = service.store.read_passages([passage_id, 10**9])
    assert list(rows) == [passage_id]  # an unknown id is simply absent
    passage, story = rows[passage_id]
    assert passage.story_id == story.id and passage.text and passage.terms is not None
    assert story == await service.store.story(story.id)


async def test_the_leading_passages_of_a_few_stories_are_read_without_a_thread_hop(service, monkeypatch):
    stories = [story.id for story in await service.latest(limit=10)]
    expected = {sid: (await service.store.story_passages(sid))[:2] for sid in stories}
    hops: list[str] = []
    real_to_thread = store_module.asyncio.to_thread

    async def counted(function, *args):
        hops.append(function.__name__)
        return await real_to_thread(function, *args)

    monkeypatch.setattr(store_module.asyncio, "to_thread", counted)
    few = stories[:2]  # ask reads one story's
    leading = await service.store.leading_passages(few, per_story=2)
    assert hops == []  # read on this thread, as read_passages reads
    assert {sid: [(p.id, p.text) for p in ps] for sid, ps in leading.items()} == {
        sid: [(p.id, p.text) for p in expected[sid]] for sid in few}
    many = await service.store.leading_passages(stories, per_story=2)  # more stories: on a worker thread
    assert hops == ["_fetch_committed"] and len(many) == len(stories) > len(few)
    assert all([p.id for p in many[sid]] == [p.id for p in expected[sid]] for sid in stories)


async def test_a_story_changed_by_another_connection_is_read_fresh(service):
    passage_id = await _first_passage_id(service, "Microsoft DEA")
    _, before = service.store.read_passages([passage_id])[passage_id]  # now cached by this thread's reader
    with sqlite3.connect(service.store.path) as other:  # another process editing the database
        other.execute("UPDATE stories SET title = 'Retitled by an editor' WHERE id = ?", (before.id,))
    _, after = service.store.read_passages([passage_id])[passage_id]
    assert after.id == before.id and after.title == "Retitled by an editor"


async def test_the_story_cache_keeps_at_most_its_bound(service, monkeypatch):
    monkeypatch.setattr(store_module, "STORY_CACHE_SIZE", 3)
    ids = []
    for story in await service.latest(limit=10):
        ids.extend(p.id for p in (await service.store.story_passages(story.id))[:1])
    rows = service.store.read_passages(ids)
    assert len({story.id for _, story in rows.values()}) > 3  # every passage still comes with its story
    assert len(service.store._reader().stories) <= 3


async def test_a_database_that_cannot_be_opened_starts_no_worker_thread(tmp_path, monkeypatch):
    """aiosqlite's worker thread, once started by a failing connect, posts to the event loop after
    ``asyncio.run`` closed it and prints "Event loop is closed" after the one-line error."""
    started: list[str] = []
    real_start = threading.Thread.start

    def recording_start(thread: threading.Thread) -> None:
        started.append(thread.name)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", recording_start)
    with pytest.raises(StoreError, match="cannot open database"):
        await Store.open(tmp_path)  # a folder, not a database file
    assert not [name for name in started if "_connection_worker_thread" in name]


async def test_browsing_never_shows_an_ingest_batch_before_it_commits(service):
    """/latest, /sources, /story and the counts read committed rows only: a batch still being written
    (which may yet roll back) is invisible to them, and they do not wait for it."""
    store = service.store
    newest = (await store.latest(limit=1))[0]
    count, outlets = await store.story_count(), await store.facets("outlet")
    async with store._transaction(immediate=True) as db:  # an ingest batch, half written
        await db.execute(
            "INSERT INTO files(path, sha256, size, mtime_ns, ingested_at) VALUES ('/half.md', '', 0, 0, '')"
        )
        await db.execute(
            "INSERT INTO stories(file_path, ordinal, kind, story_key, title_key, title, outlet, published, own_url)"
            " VALUES ('/half.md', 0, 'article', 'half', 'half', 'Half-written story', 'Nowhere Times',"
            " '2999-01-01T00:00:00+00:00', 0)"
        )
        assert (await store.latest(limit=1))[0] == newest
        assert await store.story_count() == count
        assert await store.facets("outlet") == outlets
    assert (await store.latest(limit=1))[0].title == "Half-written story"  # visible once committed
    assert await store.story_count() == count + 1


async def test_stories_of_a_calendar_day_are_found_through_the_day_index_not_a_scan(service):
    with sqlite3.connect(service.store.path) as db:
        plan = " ".join(row[-1] for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM stories WHERE published IS NOT NULL AND substr(published, 6, 5) = ?",
            ("06-11",)))
    assert "stories_by_day" in plan and "SCAN stories" not in plan
    assert [s.published.strftime("%m-%d") for s in await service.store.stories_on_day(6, 11)] == ["06-11"] * len(
        await service.store.stories_on_day(6, 11))


async def _wal_pages(store: Store) -> int:
    async with store._db.execute("PRAGMA wal_autocheckpoint") as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return row[0]


async def test_an_ingest_writes_its_batches_with_a_longer_write_ahead_log_then_restores_it(service, tmp_path, monkeypatch):
    store = service.store
    assert await _wal_pages(store) == store_module.WAL_PAGES
    seen: list[int] = []
    real_replace = store.replace_files

    async def replace_files(changes, removals):
        seen.append(await _wal_pages(store))
        return await real_replace(changes, removals)

    monkeypatch.setattr(store, "replace_files", replace_files)
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "story.txt").write_text("A headline\n\nThe body of the story, long enough to be kept.\n")
    await service.ingest([tmp_path / "new"])
    assert seen == [store_module.BULK_WAL_PAGES]
    assert await _wal_pages(store) == store_module.WAL_PAGES
