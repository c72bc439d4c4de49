"""Two bot processes sharing one PostgreSQL store (two services in one test process, each with its own
index folder): one leads and ingests, the other's index follows within seconds, and when the leader
dies the other takes the lead over."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import psycopg
import pytest

from bot.service import NewsService
from bot.settings import Settings
from retrieval.ingest import IngestError

from .conftest import PROJECT_ROOT

FOLLOW_S = 5.0
"""A change made by the leader is in every replica within this (LEAD_CHECK_S is 1 s; NOTIFY is faster)."""


def _article(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"# {title}\n\n{body}\n")
    return path


async def _within(seconds: float, condition: Callable[[], Awaitable[bool]]) -> float:
    """Seconds until ``condition`` holds; fails the test after ``seconds``."""
    started = time.perf_counter()
    while not await condition():
        assert time.perf_counter() - started < seconds, f"not within {seconds}s"
        await asyncio.sleep(0.02)
    return time.perf_counter() - started


async def _finds(service: NewsService, query: str, title: str) -> bool:
    return any(result.story.title == title for result in await service.search(query))


def _kill_leader_connection(url: str, leader: NewsService) -> int:
    """What the server sees when the leading process dies: its connection holding the lock ends."""
    key = leader.store.coordination.leader_lock  # type: ignore[attr-defined]
    with psycopg.connect(url, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objid = %s",
            ((key >> 32) & 0xFFFFFFFF, key & 0xFFFFFFFF),
        ).fetchall()
    return len(rows)


@pytest.fixture
def two_processes(tmp_path, seeds_copy, postgres_url) -> tuple[Settings, Settings]:
    def settings(name: str) -> Settings:
        return Settings(seeds=(seeds_copy,), db_url=postgres_url, index_path=tmp_path / f"{name}.index")

    return settings("first"), settings("second")


async def test_one_leader_ingests_and_the_follower_answers_what_it_ingested(two_processes, seeds_copy):
    first, second = two_processes
    async with await NewsService.open(first, background=True) as leader, \
            await NewsService.open(second, background=True) as follower:
            assert leader.cluster and leader.cluster.leading
            assert follower.cluster and not follower.cluster.leading
            assert follower.index.n_docs == leader.index.n_docs > 0  # built from the store, not the files
            with pytest.raises(IngestError, match="another newsbot process leads"):
                await follower.ingest()

            title = "Ostravia council approves a harbour bridge"
            _article(seeds_copy, "bridge.md", title, "The Ostravia city council approved a harbour bridge on Tuesday.")
            await leader.ingest()
            await _within(FOLLOW_S, lambda: _finds(follower, "Ostravia harbour bridge", title))
            term = follower.analyzer.terms("Ostravia")[0]
            assert follower.index.doc_freq(term) > 0

            (seeds_copy / "bridge.md").unlink()
            await leader.ingest()
            await _within(FOLLOW_S, lambda: _indexes(follower, term, 0))
            assert follower.index.n_docs == leader.index.n_docs


async def _indexes(service: NewsService, term: str, count: int) -> bool:
    """The index (not the store: reading skips passages the store no longer has) holds ``count``
    passages with ``term``."""
    return service.index.doc_freq(term) == count


async def test_when_the_leader_dies_the_follower_takes_over_the_ingest(two_processes, seeds_copy, postgres_url):
    first, second = two_processes
    leader = await NewsService.open(first, background=True)
    follower = await NewsService.open(second, background=True)
    try:
        assert leader.cluster and leader.cluster.leading and follower.cluster and not follower.cluster.leading
        title = "Ostravia opens a night ferry"
        _article(seeds_copy, "ferry.md", title, "Ostravia opened a night ferry across the harbour on Friday.")
        assert leader.cluster_task is not None
        leader.cluster_task.cancel()  # the leader's process stops running…
        await asyncio.gather(leader.cluster_task, return_exceptions=True)
        assert _kill_leader_connection(postgres_url, leader) == 1  # …and its connections end, as after kill -9
        took = await _within(FOLLOW_S, lambda: _leads(follower))
        await _within(FOLLOW_S, lambda: _finds(follower, "Ostravia night ferry", title))  # it rescanned
        assert took < FOLLOW_S
    finally:
        await follower.close()
        await leader.close()


async def _leads(service: NewsService) -> bool:
    return bool(service.cluster and service.cluster.leading)


async def test_a_follower_started_later_catches_up_from_its_saved_index(two_processes, seeds_copy):
    """The follower was down while files changed (no notification reached it): on start-up it compares
    its saved index with the store and drops and adds what changed."""
    first, second = two_processes
    async with await NewsService.open(first, background=True) as leader:
        async with await NewsService.open(second, ingest=False):
            pass  # the follower's index is saved with the seeds
        removed = next(iter(sorted(seeds_copy.iterdir())))
        removed.unlink()
        _article(seeds_copy, "ferry.md", "Ostravia opens a night ferry", "Ostravia opened a night ferry on Friday.")
        await leader.ingest()
        async with await NewsService.open(second, ingest=False) as follower:
            assert sorted(follower.index.indexed_keys().tolist()) == [
                pid for pid, _ in leader.store.iter_all_terms()
            ]


async def test_both_processes_ride_out_a_database_restart(two_processes, seeds_copy, postgres_url):
    """Every connection of both processes ends (what a restart of the server does to them): both keep
    answering, exactly one leads again, and what it ingests reaches the other."""
    first, second = two_processes
    async with await NewsService.open(first, background=True) as one, \
            await NewsService.open(second, background=True) as two:
        question = "What did Microsoft pitch to the DEA?"
        before = (await two.ask(question)).text
        application = postgres_url.rsplit("application_name=", 1)[1]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = %s AND pid <> pg_backend_pid()",
                (application,),
            ).fetchall()
        assert len(ended) >= 6  # writers, readers, listeners and the leader's lock
        logged = [await service.log_query(await service.ask(question)) for service in (one, two)]
        assert len(set(logged)) == 2  # the first write after the restart: BEGIN finds the connection gone
        assert (await two.ask(question)).text == before
        assert (await one.ask(question)).text == before
        await _within(FOLLOW_S, lambda: _one_leads(one, two))
        leader, follower = (one, two) if one.cluster and one.cluster.leading else (two, one)
        title = "Ostravia opens a night ferry"
        _article(seeds_copy, "ferry.md", title, "Ostravia opened a night ferry across the harbour on Friday.")
        await leader.ingest()
        await _within(FOLLOW_S, lambda: _finds(follower, "Ostravia night ferry", title))


async def _one_leads(*services: NewsService) -> bool:
    return sum(bool(s.cluster and s.cluster.leading) for s in services) == 1


async def _true(value: object) -> bool:
    return bool(value)


class _Process:
    """A ``tests.cluster_driver`` process and the last state it printed."""

    def __init__(self, url: str, seeds: Path, index_dir: Path) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "tests.cluster_driver", url, str(seeds), str(index_dir)],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.state: dict = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.state = json.loads(line)

    async def until(self, seconds: float, **expected: object) -> float:
        async def matches() -> bool:
            return all(self.state.get(key) == value for key, value in expected.items())

        return await _within(seconds, matches)


async def test_kill_9_of_the_leader_process_hands_the_ingest_to_the_other(tmp_path, seeds_copy, postgres_url):
    """Two real processes: the first leads and ingests the seeds; after ``kill -9`` of it, the second
    takes the lead within seconds and ingests what changed, once."""
    first = _Process(postgres_url, seeds_copy, tmp_path / "first.index")
    second = None
    try:
        await _within(60, lambda: _true(first.state.get("leading") and first.state["docs"] > 0))
        docs = first.state["docs"]
        second = _Process(postgres_url, seeds_copy, tmp_path / "second.index")
        await second.until(60, leading=False, docs=docs)
        _article(seeds_copy, "ferry.md", "Ostravia opens a night ferry", "Ostravia opened a night ferry on Friday.")
        first.popen.kill()  # SIGKILL: no clean-up, the server sees the connections end
        first.popen.wait(10)
        await second.until(FOLLOW_S, leading=True)
        await second.until(FOLLOW_S, docs=docs + 1)  # the new leader rescanned the seeds
        async with await NewsService.open(
            Settings(seeds=(seeds_copy,), db_url=postgres_url, index_path=tmp_path / "check.index"), ingest=False
        ) as check:
            assert (await check.store.counts())[:1] == (len(list(seeds_copy.iterdir())),)
    finally:
        for process in (first, second):
            if process is not None and process.popen.poll() is None:
                process.popen.kill()
                process.popen.wait(10)


async def test_stores_in_two_schemas_of_one_database_lead_and_notify_apart(postgres_url):
    """Advisory locks and channels belong to the database: each store derives its own from its schema."""
    from retrieval.pgstore import PostgresStore

    schema = postgres_url.rsplit("application_name=", 1)[1]
    other_schema = f"{schema}_other"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {other_schema}")
    other_url = postgres_url.replace(f"search_path%3D{schema}", f"search_path%3D{other_schema}")
    first, second = await PostgresStore.open(postgres_url), await PostgresStore.open(other_url)
    try:
        assert await first.try_lead() and await second.try_lead()
        assert first.coordination.channel != second.coordination.channel
    finally:
        await first.close()
        await second.close()
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {other_schema} CASCADE")


async def test_a_process_told_not_to_rescan_takes_the_lead_without_scanning(two_processes, seeds_copy):
    first, second = two_processes
    leader = await NewsService.open(first, background=True)
    follower = await NewsService.open(second, ingest=False, background=True)  # NEWSBOT_RESCAN=0
    try:
        _article(seeds_copy, "ferry.md", "Ostravia opens a night ferry", "Ostravia opened a night ferry on Friday.")
        await leader.close()  # a clean stop releases the lead at once
        await _within(FOLLOW_S, lambda: _leads(follower))
        await asyncio.sleep(0.5)
        assert not await follower.search("Ostravia night ferry")
    finally:
        await follower.close()
