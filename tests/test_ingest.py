"""Incremental, crash-safe ingest with dedup and malformed-file reporting."""

from __future__ import annotations

import pytest

from bot.service import NewsService
from bot.settings import Settings
from retrieval.store import FileChange, FileState, Store

from .conftest import SEEDS


async def test_first_ingest_adds_every_seed_and_a_second_is_a_no_op(settings):
    service = await NewsService.open(settings, ingest=False)
    try:
        first = await service.ingest()
        assert sorted(first.added) == sorted(f"seeds/{p.name}" for p in SEEDS.iterdir())
        assert first.skipped == [] and first.stories == 40  # stories, not rows: see retrieval.store.STORY_COUNT
        second = await service.ingest()
        assert (second.added, second.updated, second.removed) == ([], [], [])
        assert len(second.unchanged) == 5 and second.passages == first.passages
    finally:
        await service.close()


async def test_changed_file_replaces_its_rows_and_removed_file_disappears(settings, seeds_copy):
    service = await NewsService.open(settings)
    try:
        plain = next(seeds_copy.glob("002_*.txt"))
        plain.write_text("Zebra crossings return\n\nThe city restored zebra crossings on Main Street in 2021.\n")
        report = await service.ingest()
        assert report.updated == [f"seeds/{plain.name}"]
        hits = await service.search("zebra crossings")
        assert hits and hits[0].story.title == "Zebra crossings return"
        assert not await service.search("Kade Crockford")  # the old body of that file is gone
        (seeds_copy / "003_2df267bf6da7e9c6.txt").unlink()
        report = await service.ingest()
        assert report.removed == ["003_2df267bf6da7e9c6.txt"]
        assert not await service.search("Matt Cagle")
    finally:
        await service.close()


async def test_new_article_is_answerable_without_rebuilding_the_index(settings, seeds_copy):
    service = await NewsService.open(settings)
    try:
        generation = (settings.index_dir / "CURRENT").read_text()
        (seeds_copy / "new.md").write_text(
            "---\ntitle: Zebra patrol\nwebUrl: https://example.org/zebra\npublishedDateTime: 2020-06-20T10:00:00Z\n"
            "provider:\n  name: Example News\n---\nThe zebra patrol counted 2,000 zebras crossing the river at dawn.\n"
        )
        report = await service.ingest()
        assert report.added == ["seeds/new.md"] and not report.index_rebuilt
        assert (settings.index_dir / "CURRENT").read_text() == generation
        answer = await service.ask("How many zebras did the zebra patrol count?")
        assert not answer.abstained and "2,000" in answer.text
        assert answer.citations[0].story.url == "https://example.org/zebra"
    finally:
        await service.close()


async def test_index_survives_restart_with_deltas_and_tombstones(settings, seeds_copy):
    service = await NewsService.open(settings)
    (seeds_copy / "new.txt").write_text("Zebra news\n\nZebras were seen in the park on Monday morning.\n")
    await service.ingest()
    (seeds_copy / "003_2df267bf6da7e9c6.txt").unlink()
    await service.ingest()
    await service.close()
    reopened = await NewsService.open(settings, ingest=False)
    try:
        assert (await reopened.search("zebras park"))[0].story.title == "Zebra news"
        assert not await reopened.search("Matt Cagle")
    finally:
        await reopened.close()


async def test_malformed_files_are_skipped_with_reasons_and_lose_nothing(settings, seeds_copy):
    service = await NewsService.open(settings)
    try:
        before = await service.store.counts()
        (seeds_copy / "broken.yaml").write_text("title: [unclosed\n")
        (seeds_copy / "empty.txt").write_text("")
        (seeds_copy / "image.txt").write_bytes(b"\x89PNG\x00\x00\x00binary")
        (seeds_copy / "notitle.md").write_text("---\nexcerpt: nothing else\n---\n")
        good = next(seeds_copy.glob("000_*.txt"))
        good.write_text("---\ntitle: [this edit broke the YAML\n---\n")  # a known file turns bad
        report = await service.ingest()
        reasons = {s.path.split("/")[-1]: s.reason for s in report.skipped}
        assert set(reasons) == {"broken.yaml", "empty.txt", "image.txt", "notitle.md", good.name}
        assert "invalid YAML" in reasons["broken.yaml"] and "empty" in reasons["empty.txt"]
        assert "binary" in reasons["image.txt"] and "missing title" in reasons["notitle.md"]
        assert await service.store.counts() == before  # the last good version of 000 is still stored
        assert (await service.search("Redmond Magazine DEA ACLU"))
    finally:
        await service.close()


async def test_a_crash_mid_ingest_leaves_the_previous_state_intact(settings, seeds_copy, monkeypatch):
    service = await NewsService.open(settings)
    try:
        before = await service.store.counts()
        next(seeds_copy.glob("002_*.txt")).write_text("Replaced\n\nA new body about zebras.\n")
        (seeds_copy / "extra.txt").write_text("Extra story\n\nSomething about giraffes and zebras.\n")
        original = Store._enrich_plain_articles

        async def crash(self, *args):
            await original(self, *args)
            raise RuntimeError("power cut")

        monkeypatch.setattr(Store, "_enrich_plain_articles", crash)
        with pytest.raises(RuntimeError, match="power cut"):
            await service.ingest()
        assert await service.store.counts() == before
        assert not await service.search("giraffes")
        monkeypatch.undo()
        report = await service.ingest()
        assert sorted(report.added + report.updated) == ["seeds/" + next(seeds_copy.glob("002_*.txt")).name, "seeds/extra.txt"]
    finally:
        await service.close()


async def test_same_story_in_two_files_is_one_story(settings, seeds_copy):
    (seeds_copy / "copy.txt").write_bytes(next(seeds_copy.glob("003_*.txt")).read_bytes())  # byte-identical copy
    service = await NewsService.open(settings)
    try:
        titles = [s.title for s in await service.latest(limit=100)]
        assert len(titles) == len(set(zip(titles, [s.url for s in await service.latest(limit=100)], strict=True)))
        assert titles.count("Now Microsoft is banning police from using its facial recognition tech, too") == 1
        # 004's own story is also its first related entry: still one story
        assert titles.count("Amazon bans police use of its facial recognition software for a year") == 1
        answer = await service.ask("What did Matt Cagle of the ACLU say about Microsoft?")
        assert len({c.story.key for c in answer.citations}) == len(answer.citations)
        assert len({c.story.url for c in answer.citations}) == len(answer.citations)
    finally:
        await service.close()


async def test_plain_text_article_is_enriched_from_the_related_story_that_lists_it(service):
    [story] = [s for s in await service.latest(limit=100) if s.title.startswith("Now Microsoft is banning police")]
    assert story.outlet == "Fast Company"
    assert story.url.startswith("https://www.fastcompany.com/90516127/")
    assert story.published.date().isoformat() == "2020-06-12"
    detail = await service.story(story.id)
    assert story.source_file.endswith("003_2df267bf6da7e9c6.txt")  # the full article represents the story
    assert any("Matt Cagle" in p.text for p in detail.passages)
    assert [s.outlet for s in detail.listed_in] == ["The Star"]  # seed 004 lists it among its related stories


async def test_enrichment_follows_the_listing_story_as_it_arrives_and_leaves(tmp_path, seeds_copy):
    plain, listing = seeds_copy / "003_2df267bf6da7e9c6.txt", seeds_copy / "004_eecef800dc1006f4.txt"
    settings = Settings(seeds=(plain,), db_path=tmp_path / "db" / "newsbot.db")
    title = "Now Microsoft is banning police from using its facial recognition tech, too"

    async def plain_story(service: NewsService):
        return next(s for s in await service.latest(limit=100) if s.title == title and s.source_file.endswith(plain.name))

    service = await NewsService.open(settings)
    try:
        assert (await plain_story(service)).outlet is None  # nothing lists it yet
        await service.ingest([listing])  # one file added to the store
        assert (await plain_story(service)).outlet == "Fast Company"
        listing.unlink()
        await service.ingest([seeds_copy])
        story = await plain_story(service)
        assert (story.outlet, story.url) == (None, None)  # the listing left, and its details with it
    finally:
        await service.close()


async def test_file_states_of_a_folder_leave_out_its_siblings(tmp_path):
    store = await Store.open(tmp_path / "db" / "newsbot.db")
    try:
        state = FileState("0" * 64, 1, 1)
        changes = [FileChange(path, state, []) for path in ("/x/seeds/a.txt", "/x/seeds/sub/c.txt", "/x/seeds2/b.txt", "/x/seeds.txt")]
        await store.replace_files(changes, [])
        assert sorted(await store.file_states(folders=["/x/seeds"])) == ["/x/seeds/a.txt", "/x/seeds/sub/c.txt"]
        assert sorted(await store.file_states(paths=["/x/seeds2/b.txt", "/nowhere"])) == ["/x/seeds2/b.txt"]
        assert len(await store.file_states()) == 4
    finally:
        await store.close()


async def test_unknown_seed_path_is_a_clear_error(tmp_path):
    from bot.settings import Settings
    from retrieval.ingest import IngestError

    with pytest.raises(IngestError, match="no such file or folder"):
        await NewsService.open(Settings(seeds=(tmp_path / "nope",), db_path=tmp_path / "x.db"))


async def test_bbc_style_latin1_and_readme_files(tmp_path):
    from bot.settings import Settings

    folder = tmp_path / "bbc" / "sport"
    folder.mkdir(parents=True)
    (folder / "199.txt").write_bytes("Transfer fee\n\nThe club paid \xa35m for the striker.".encode("latin-1"))
    (tmp_path / "bbc" / "README.md").write_text("# Not an article\n\nDataset notes.")
    service = await NewsService.open(Settings(seeds=(tmp_path / "bbc",), db_path=tmp_path / "b.db"))
    try:
        assert await service.story_count() == 1
        assert "£5m" in (await service.search("striker fee"))[0].passage
    finally:
        await service.close()


async def test_touched_but_identical_files_are_unchanged_and_not_reparsed(settings, seeds_copy, monkeypatch):
    import os

    import retrieval.ingest as ingest_module

    service = await NewsService.open(settings)
    try:
        path = next(seeds_copy.glob("001_*.txt"))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10_000_000_000))
        report = await service.ingest()
        assert report.unchanged and not report.updated and not report.added

        def must_not_parse(*args, **kwargs):
            raise AssertionError("an unchanged file was parsed")

        monkeypatch.setattr(ingest_module, "parse_bytes", must_not_parse)
        again = await service.ingest()  # the new mtime was recorded: no file is even read
        assert len(again.unchanged) == 5
    finally:
        await service.close()


async def test_a_database_from_another_version_is_re_ingested_and_keeps_its_query_log(settings):
    import sqlite3

    from bot.service import QueryOrigin

    service = await NewsService.open(settings)
    answer = await service.ask("What did Microsoft pitch to the DEA?")
    await service.log_query(answer, QueryOrigin(origin="cli"))
    stories = await service.story_count()
    await service.close()
    with sqlite3.connect(settings.db_path) as connection:
        connection.execute("PRAGMA user_version = 1")
        connection.execute("ALTER TABLE files DROP COLUMN mtime_ns")  # an older layout
    reopened = await NewsService.open(settings)
    try:
        assert reopened.store.reset
        assert await reopened.story_count() == stories
        assert not (await reopened.ask("What did Microsoft pitch to the DEA?")).abstained
        assert (await reopened.stats()).queries == 1
    finally:
        await reopened.close()


async def test_a_store_from_before_byline_stripping_re_parses_its_unchanged_files_once(
    settings, seeds_copy, monkeypatch
):
    """Version 5 stored bylines as sentences; opening it now re-ingests every file, though none changed."""
    import sqlite3

    from retrieval import parsing

    (seeds_copy / "ibm.txt").write_text(
        "IBM quits facial recognition\n\nBy Hanna Ziady, CNN Business IBM is getting out of the facial recognition "
        "business, citing concerns about mass surveillance and racial profiling.\n"
    )
    with monkeypatch.context() as old_parser:
        old_parser.setattr(parsing, "strip_heading_furniture", lambda text, outlets=(): text.strip())
        service = await NewsService.open(settings)
        await service.close()
    with sqlite3.connect(settings.db_path) as connection:
        assert any("By Hanna Ziady" in text for (text,) in connection.execute("SELECT text FROM passages"))
        connection.execute("PRAGMA user_version = 5")  # the last layout whose sentences kept bylines

    reopened = await NewsService.open(settings, ingest=False)
    try:
        assert reopened.store.reset
        report = await reopened.ingest()
        assert len(report.added) == 6 and report.unchanged == []
        with sqlite3.connect(settings.db_path) as connection:
            [(text,)] = connection.execute("SELECT text FROM passages WHERE text LIKE 'IBM quits%'").fetchall()
        assert text.split("\n")[1].startswith("IBM is getting out of the facial recognition business")
        again = await reopened.ingest()
        assert len(again.unchanged) == 6 and again.added == []  # once: the next rescan reads nothing
    finally:
        await reopened.close()
