"""`newsbot db copy SQLITE_PATH postgresql://…`: a SQLite store moves whole into PostgreSQL."""

from __future__ import annotations

from bot.service import NewsService, QueryOrigin
from bot.settings import Settings

from .test_cli import assert_one_line_error, newsbot


async def test_a_copied_store_answers_browses_and_keeps_its_query_log(tmp_path, seeds_copy, postgres_url):
    sqlite = Settings(seeds=(seeds_copy,), db_path=tmp_path / "db" / "newsbot.db")
    async with await NewsService.open(sqlite) as service:
        answer = await service.ask("What did Microsoft pitch to the DEA?")
        query_id = await service.log_query(answer, QueryOrigin(origin="cli", user_id=7))
        await service.record_feedback(query_id, 7, 1)
        subscription = await service.subscribe(guild_id=1, channel_id=10, topic="AI")
        await service.claim_posts(10, ["posted-story"])
        chosen = await service.update_guild_settings(1, answer_in_threads=False, updated_by=7)
        expected = (await service.store.counts(), await service.latest(limit=100), await service.sources(),
                    await service.stats(), answer.text)

    result = newsbot("db", "copy", str(sqlite.db_path), postgres_url, db=sqlite.db_path)
    assert result.returncode == 0, result.stderr
    assert "62 passages" in result.stdout and "1 feedback" in result.stdout

    postgres = Settings(seeds=(seeds_copy,), db_url=postgres_url, index_path=tmp_path / "pg.index")
    async with await NewsService.open(postgres, ingest=False) as service:
        assert service.index.n_docs == expected[0][2]  # its own index, built from the copied passages
        copied = (await service.store.counts(), await service.latest(limit=100), await service.sources(),
                  await service.stats(), (await service.ask("What did Microsoft pitch to the DEA?")).text)
        assert copied == expected
        assert (await service.ingest()).unchanged  # the copied file states: nothing to re-read
        newer = await service.log_query(answer, QueryOrigin(origin="cli"))
        assert newer > query_id  # the id sequences continue after the copied rows
        assert await service.subscriptions() == [subscription]  # subscriptions and posts move too
        assert await service.claim_posts(10, ["posted-story", "new-story"]) == ["new-story"]
        assert (await service.subscribe(guild_id=1, channel_id=10)).id > subscription.id
        assert await service.guild_settings(1) == chosen  # and the guilds' settings
        first = await service.latest(limit=1)
        assert await service.store.first_seen([first[0].key]), "stories seen before the copy are not new"

    again = newsbot("db", "copy", str(sqlite.db_path), postgres_url, db=sqlite.db_path)
    assert_one_line_error(again, "already holds 5 files: copy into an empty one")


def test_a_missing_source_or_a_target_that_is_not_postgres_is_one_line(tmp_path, postgres_url):
    missing = newsbot("db", "copy", str(tmp_path / "none.db"), postgres_url, db=tmp_path / "x.db")
    assert_one_line_error(missing, "no SQLite database at")
    not_postgres = newsbot("db", "copy", str(tmp_path / "none.db"), str(tmp_path / "y.db"), db=tmp_path / "x.db")
    assert_one_line_error(not_postgres, "the target must be a postgresql:// URL")


def test_the_cli_answers_from_a_postgres_store_and_logs_to_it(tmp_path, postgres_url):
    """`--db postgresql://…` is the one setting: the CLI ingests (it leads, nobody else does), answers and
    keeps its query log in PostgreSQL; its index lives in NEWSBOT_INDEX_DIR."""
    env = {"NEWSBOT_INDEX_DIR": str(tmp_path / "index")}
    asked = newsbot("--db", postgres_url, "ask", "What did Microsoft pitch to the DEA?", db=tmp_path / "x.db", env=env)
    assert asked.returncode == 0 and "DEA" in asked.stdout, asked.stderr
    stats = newsbot("--db", postgres_url, "stats", "--json", db=tmp_path / "x.db", env=env)
    assert stats.returncode == 0 and '"queries": 1' in stats.stdout, stats.stderr
    assert (tmp_path / "index" / "CURRENT").exists() and not (tmp_path / "x.db").exists()


def test_an_unreachable_postgres_is_one_line(tmp_path):
    result = newsbot("--db", "postgresql://nobody@127.0.0.1:1/none", "ask", "who?", db=tmp_path / "x.db")
    assert_one_line_error(result, "cannot open database postgresql://nobody@127.0.0.1:1/none")


async def test_a_source_without_the_bots_newer_tables_copies_them_as_empty(tmp_path, postgres_url):
    from bot.dbcopy import copy_sqlite_to_postgres
    from retrieval.store import Store

    store = await Store.open(tmp_path / "core.db")  # the core's tables only, as an older bot left them
    await store.close()
    report = await copy_sqlite_to_postgres(tmp_path / "core.db", postgres_url)
    assert report.rows["subscriptions"] == report.rows["posted"] == report.rows["queries"] == 0
    assert report.rows["guild_settings"] == 0
