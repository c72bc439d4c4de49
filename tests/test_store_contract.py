"""The store contract, run against both stores: SQLite, and a real PostgreSQL server (each test in its own
schema; skipped, with the reason, when no server is reachable)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.records import QueryRecord, open_query_log
from bot.service import NewsService
from bot.settings import Settings
from retrieval.storage import NewsStore, open_store


async def _open(settings: Settings, **options) -> NewsService:
    return await NewsService.open(settings, **options)


def _seed(seeds: Path, name: str) -> Path:
    return next(p for p in seeds.iterdir() if p.name.startswith(name))


async def _passage_ids_of(store: NewsStore, path: str) -> set[int]:
    """The ids of the passages stored from the file at ``path``."""
    stories = [s for s in await store.latest(limit=100) if s.source_file == path]
    ids: set[int] = set()
    for story in stories:
        ids.update(p.id for p in await store.story_passages(story.id))
    return ids


async def test_the_store_satisfies_the_interface(store_settings):
    async with await _open(store_settings, ingest=False) as service:
        assert isinstance(service.store, NewsStore)


async def test_a_failing_batch_leaves_every_file_fully_old(store_settings, monkeypatch):
    async with await _open(store_settings) as service:
        before = await service.store.counts()
        states = await service.store.file_states()
        seed = _seed(store_settings.seeds[0], "")
        seed.write_text(seed.read_text() + "\n\nA new closing paragraph about facial recognition audits.\n")
        extra = store_settings.seeds[0] / "extra.md"
        extra.write_text("# A brand new story\n\nSomething happened at the council meeting on Tuesday evening.\n")

        async def fail(*args, **kwargs):
            raise RuntimeError("disk full")

        monkeypatch.setattr(service.store, "_enrich_plain_articles", fail)  # after the rows were written
        with pytest.raises(RuntimeError, match="disk full"):
            await service.ingest()
        assert await service.store.counts() == before
        assert await service.store.file_states() == states


async def test_re_ingesting_a_changed_file_replaces_its_passages(store_settings):
    async with await _open(store_settings) as service:
        seed = _seed(store_settings.seeds[0], "")
        key = str(seed.resolve())
        old_ids = await _passage_ids_of(service.store, key)
        assert old_ids
        stories = await service.story_count()
        seed.write_text(seed.read_text() + "\n\nA closing paragraph added by an editor after publication.\n")
        report = await service.ingest()
        assert report.updated == [f"seeds/{seed.name}"] and not report.added
        new_ids = await _passage_ids_of(service.store, key)
        assert new_ids and min(new_ids) > max(old_ids)  # ids only grow
        assert not await service.store.passages(sorted(old_ids))
        assert await service.story_count() == stories
        assert (await service.ingest()).unchanged  # and a second scan changes nothing


async def test_removing_a_file_removes_its_stories_and_passages(store_settings):
    async with await _open(store_settings) as service:
        seed = _seed(store_settings.seeds[0], "")
        key = str(seed.resolve())
        ids = await _passage_ids_of(service.store, key)
        files, _, passages = await service.store.counts()
        seed.unlink()
        report = await service.ingest()
        assert report.removed == [seed.name]
        assert await service.store.file_states(paths=[key]) == {}
        assert not await service.store.passages(sorted(ids))
        files_after, _, passages_after = await service.store.counts()
        assert (files_after, passages_after) == (files - 1, passages - len(ids))
        assert not [pid for pid, _ in service.index.search(["microsoft"], k=100) if pid in ids]


async def test_latest_is_newest_first_one_per_story_with_filters_ignoring_case(store_settings):
    async with await _open(store_settings) as service:
        stories = await service.store.latest(limit=100)
        assert len({s.key for s in stories}) == len(stories) == await service.story_count()
        dated = [s.published for s in stories if s.published]
        assert dated == sorted(dated, reverse=True)
        assert all(s.published is None for s in stories[len(dated):])  # undated last
        assert [s.id for s in await service.store.latest(limit=3, offset=2)] == [s.id for s in stories[2:5]]
        forbes = await service.store.latest(outlet="forbes", limit=100)
        assert forbes and {s.outlet for s in forbes} == {"Forbes"}
        ai = await service.store.latest(topic="ai", limit=100)
        assert ai and all(any(t.casefold() == "ai" for t in s.topics) for s in ai)
        since = datetime(2020, 1, 1, tzinfo=UTC)
        assert all(s.published and s.published >= since for s in await service.store.latest(since=since, limit=100))


async def test_counts_and_facets_agree(store_settings):
    async with await _open(store_settings) as service:
        files, stories, passages = await service.store.counts()
        assert (files, stories) == (len(list(store_settings.seeds[0].iterdir())), await service.story_count())
        assert passages == service.index.n_docs > 0
        assert sum(f.count for f in await service.store.facets("outlet")) == stories
        assert [f.named for f in await service.store.facets("outlet")][-1] is False  # '(no outlet)' last
        with pytest.raises(ValueError):
            await service.store.facets("title")


async def test_the_query_log_and_feedback(store_settings):
    async with await _open(store_settings, ingest=False) as service:
        store = await open_query_log(service.store)  # the bot's tables, beside the core's
        first = await store.log_query(QueryRecord("cli", "who?", False, ["https://a.example/1"], 12.5, 1, 2, "u1"))
        second = await store.log_query(QueryRecord("discord", "why?", True, [], 30.0))
        assert second > first
        assert await store.record_feedback(first, "u1", 1) == "recorded"
        assert await store.record_feedback(first, "u1", 1) == "unchanged"
        assert await store.record_feedback(first, "u1", -1) == "changed"
        assert await store.record_feedback(first, "u2", -1) == "recorded"
        with pytest.raises(KeyError):
            await store.record_feedback(10**9, "u1", 1)
        rows = sorted(await store.query_rows())
        assert rows == [("who?", 0, 12.5, 0, 2), ("why?", 1, 30.0, 0, 0)]


async def test_watermark_tombstones_and_passages_after(store_settings):
    async with await _open(store_settings) as service:
        store = service.store
        watermark = await store.max_passage_id()
        assert await store.watermark() == service.index.watermark == watermark
        assert await store.passages_after(watermark) == []
        seed = _seed(store_settings.seeds[0], "")
        old_ids = await _passage_ids_of(store, str(seed.resolve()))
        seed.write_text(seed.read_text().replace("Microsoft", "Macrosoft"))
        await service.ingest()
        assert await store.tombstones(watermark) == sorted(old_ids)  # deleted from the persisted segment
        added = await store.passages_after(watermark)
        assert added and all(pid > watermark and terms for pid, terms in added)
        await store.set_watermark(await store.max_passage_id())
        assert await store.tombstones(await store.watermark()) == []
        assert [pid for pid, _ in store.iter_all_terms(batch=7)] == sorted(
            pid for pid, _ in store.iter_all_terms()
        )


async def test_the_listing_digest_is_kept_and_forgotten_and_settles_an_unchanged_rescan(store_settings, monkeypatch):
    async with await _open(store_settings) as service:
        store = service.store
        recorded = await store.listing_digest()
        assert recorded is not None  # the first ingest settled every seed
        await store.set_listing_digest("0" * 40)
        assert await store.listing_digest() == "0" * 40
        await store.set_listing_digest(None)
        assert await store.listing_digest() is None
        await service.ingest()  # the full comparison, which records the digest again
        assert await store.listing_digest() == recorded
        before = await store.counts()

        async def no_rows(**kwargs):
            raise AssertionError("an unchanged listing reads no file rows")

        monkeypatch.setattr(store, "file_states", no_rows)
        report = await service.ingest()
        assert not report.changed and report.unchanged and (await store.counts()) == before


async def test_a_reopened_store_replays_what_its_index_missed(store_settings):
    async with await _open(store_settings) as service:
        answer = await service.ask("What did Microsoft pitch to the DEA?")
        assert not answer.abstained
    seed = _seed(store_settings.seeds[0], "")
    seed.unlink()
    async with await _open(store_settings) as service:
        assert service.index.n_docs == (await service.store.counts())[2]
    async with await _open(store_settings, ingest=False) as service:  # the index was saved with the removal
        assert service.index.n_docs == (await service.store.counts())[2]


async def test_sqlite_and_postgres_hold_and_answer_the_same(tmp_path, seeds_copy, postgres_url):
    """The same seeds in both stores: the same counts, listings, facets, days and answers."""
    sqlite = Settings(seeds=(seeds_copy,), db_path=tmp_path / "db" / "newsbot.db")
    postgres = Settings(seeds=(seeds_copy,), db_url=postgres_url, index_path=tmp_path / "pg.index")
    seen = []
    for settings in (sqlite, postgres):
        async with await _open(settings) as service:
            def strip(stories):
                return [(s.key, s.title, s.outlet, s.published, s.topics, s.kind) for s in stories]

            latest = strip(await service.latest(limit=100))
            story = await service.story((await service.latest(limit=1))[0].id)
            seen.append((
                await service.store.counts(),
                latest,
                strip(await service.latest(topic="AI", limit=100)),
                await service.sources(),
                await service.topics(),
                strip(await service.store.stories_on_day(6, 11)),
                (await service.ask("What did Microsoft pitch to the DEA?")).text,
                (await service.ask("Who leads the ACLU of Massachusetts technology program?")).text,
                [r.story.title for r in await service.search("facial recognition", limit=10)],
                (story.story.title, len(story.passages), strip(story.related), strip(story.listed_in)),
            ))
    assert seen[0] == seen[1]


async def test_open_store_picks_the_implementation_from_the_location(tmp_path, postgres_url):
    sqlite = await open_store(tmp_path / "x.db")
    postgres = await open_store(postgres_url)
    try:
        assert type(sqlite).__name__ == "Store" and sqlite.local_reads
        assert type(postgres).__name__ == "PostgresStore" and not postgres.local_reads
    finally:
        await sqlite.close()
        await postgres.close()


async def test_the_query_log_is_the_bots_not_the_retrieval_cores(store_settings):
    """The core store neither creates nor serves the query log; the service adds it beside the core's tables."""
    store = await open_store(store_settings.db_location)
    try:
        assert not hasattr(store, "log_query") and not hasattr(store, "record_feedback")
        tables = "SELECT name FROM sqlite_master WHERE type = 'table'" if store.dialect == "sqlite" else (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
        )
        assert not {"queries", "feedback"} & {row[0] for row in await store.committed(tables)}
        await open_query_log(store)
        assert {"queries", "feedback"} <= {row[0] for row in await store.committed(tables)}
    finally:
        await store.close()


async def test_a_story_is_new_once_whatever_changes_after(store_settings):
    """New stories (announced to subscriptions) in both stores: first stored → new; changed, removed and
    back again → not new."""
    from .live_articles import GLACIER, write_story

    seeds = store_settings.seeds[0]
    async with await _open(store_settings) as service:
        heard: list[list[str]] = []

        async def listener(stories) -> None:
            heard.append([s.title for s in stories])

        service.new_stories.connect(listener)
        write_story(seeds, *GLACIER)
        assert (await service.ingest()).new_stories == ["example.org/news/glacier"]
        write_story(seeds, GLACIER[0], GLACIER[1], GLACIER[2] + " More was said.")
        (seeds / "glacier.md").unlink()
        await service.ingest()
        write_story(seeds, *GLACIER)
        assert (await service.ingest()).new_stories == []
        assert heard == [[GLACIER[1]]]
        [story] = await service.store.stories_by_key(["example.org/news/glacier"])
        terms = (await service.store.story_terms([story.id]))[story.id]
        assert {"glacier", "rhone"} <= terms
        assert (await service.store.first_seen([story.key]))[story.key] <= datetime.now(UTC)


async def test_subscriptions_and_posted_stories_in_both_stores(store_settings):
    async with await _open(store_settings, ingest=False) as service:
        made = await service.subscribe(guild_id=1, channel_id=10, topic="AI", query="face recognition")
        assert [s.id for s in await service.subscriptions(guild_id=1)] == [made.id]
        assert await service.subscriptions(guild_id=2) == []
        assert await service.claim_posts(10, ["a", "b", "a"]) == ["a", "b"]
        assert await service.claim_posts(10, ["b", "c"]) == ["c"]
        assert not await service.unsubscribe(made.id, guild_id=2)
        assert await service.unsubscribe(made.id, guild_id=1)
        none = await service.subscribe(guild_id=None, channel_id=11)
        assert await service.unsubscribe(none.id, guild_id=None)  # a subscription without a guild (a DM)
    async with await _open(store_settings, ingest=False) as reopened:  # kept across restarts
        assert await reopened.claim_posts(10, ["a", "d"]) == ["d"]
