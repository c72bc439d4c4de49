"""Two bot processes (a leader and a follower) ride out a real restart of their PostgreSQL server: both
keep answering, nothing is lost, and no new story is posted twice to a subscribed channel.

The test runs a private PostgreSQL 15 cluster of its own (``initdb`` into a temporary folder, ``pg_ctl
start`` on a free port), so the shared test server is never touched; it is skipped, with the reason,
where the PostgreSQL binaries are not installed.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.settings import Settings
from retrieval.models import Story

from .test_cluster import FOLLOW_S, _article, _finds, _one_leads, _within

PG_BIN = Path(os.environ.get("NEWSBOT_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))
"""Where ``initdb`` and ``pg_ctl`` live (``NEWSBOT_TEST_PG_BIN`` to point elsewhere)."""


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster in a temporary folder, run as the ``postgres`` OS user when the test runs as root."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _run_as_owner(
            [str(PG_BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-l", str(self.folder / "log"),
             "-o", options, "-w", "-t", "30", *args]
        )


def _run_as_owner(command: list[str]) -> None:
    """Run a PostgreSQL tool; as root, as the ``postgres`` user (the server refuses to run as root)."""
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _why_no_private_cluster() -> str | None:
    missing = [tool for tool in ("initdb", "pg_ctl") if not (PG_BIN / tool).is_file()]
    if missing:
        return f"no PostgreSQL binaries ({', '.join(missing)}) under {PG_BIN}"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or _no_postgres_user()):
        return "running as root without a 'postgres' OS user (or runuser) to run the server as"
    return None


def _no_postgres_user() -> bool:
    import pwd

    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return True
    return False


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    reason = _why_no_private_cluster()
    if reason:
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="newsbot-pg-"))  # not pytest's tmp_path: the postgres user must reach it
    if os.geteuid() == 0:
        shutil.chown(folder, user="postgres")
    cluster = PrivateCluster(folder, _free_port())
    try:
        _run_as_owner([str(PG_BIN / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U", "postgres", "--no-sync"])
        cluster.pg_ctl("start")
        yield cluster
    finally:
        if (folder / "data" / "postmaster.pid").exists():
            cluster.pg_ctl("-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


async def test_a_restart_of_the_postgresql_server_is_ridden_out_by_leader_and_follower(
    private_cluster: PrivateCluster, tmp_path: Path, seeds_copy: Path
):
    def settings(name: str) -> Settings:
        return Settings(seeds=(seeds_copy,), db_url=private_cluster.url, index_path=tmp_path / f"{name}.index")

    async with await NewsService.open(settings("first"), background=True) as first, \
            await NewsService.open(settings("second"), background=True) as second:
        assert await _one_leads(first, second)
        question = "What did Microsoft pitch to the DEA?"
        answers = [(await service.ask(question)).text for service in (first, second)]
        logged_before = [await service.log_query(await service.ask(question)) for service in (first, second)]

        await asyncio.to_thread(private_cluster.pg_ctl, "-m", "fast", "restart")  # every connection ends

        assert [(await service.ask(question)).text for service in (first, second)] == answers
        logged_after = [await service.log_query(await service.ask(question)) for service in (first, second)]
        assert len(set(logged_before + logged_after)) == 4
        await _within(FOLLOW_S, lambda: _one_leads(first, second))
        assert first.cluster is not None
        await asyncio.sleep(2 * first.cluster.check_s)  # a second process taking the lock would show by now
        assert await _one_leads(first, second)
        leader, follower = (first, second) if first.cluster and first.cluster.leading else (second, first)

        title = "Ostravia opens a night ferry"
        _article(seeds_copy, "ferry.md", title, "Ostravia opened a night ferry across the harbour on Friday.")
        await leader.ingest()
        await _within(FOLLOW_S, lambda: _finds(leader, "Ostravia night ferry", title))
        await _within(FOLLOW_S, lambda: _finds(follower, "Ostravia night ferry", title))

        stored_files = (await follower.store.counts())[0]
        assert stored_files == len(list(seeds_copy.iterdir()))  # nothing lost: every file, the new one too
        logged = await follower.store.committed("SELECT id FROM queries ORDER BY id")
        assert {row[0] for row in logged} >= set(logged_before + logged_after)


@dataclass
class ChannelPoster:
    """One process's new-stories path without Discord, as :meth:`StoryNotifier.deliver` runs it: which
    subscribed channels want the stories (``deliveries``), then the claim in the store (``claim_posts``);
    ``posted`` records the (channel, story key) pairs this process won and would post."""

    service: NewsService
    posted: list[tuple[int, str]] = field(default_factory=list)

    async def announce(self, stories: Sequence[Story]) -> list[tuple[int, str]]:
        won: list[tuple[int, str]] = []
        for channel_id, matched in (await self.service.deliveries(stories)).items():
            won += [(channel_id, key) for key in await self.service.claim_posts(channel_id, [s.key for s in matched])]
        self.posted += won
        return won


async def _announced_by_ingest(leader: NewsService) -> list[Story]:
    """The stories the leader's ingest announces as new (what every process's notifier receives)."""
    announced: list[Story] = []

    async def listen(stories: list[Story]) -> None:
        announced.extend(stories)

    leader.new_stories.connect(listen)
    try:
        await leader.ingest()
    finally:
        leader.new_stories.disconnect(listen)
    return announced


async def test_a_subscribed_channel_gets_each_story_once_across_a_restart_and_two_processes(
    private_cluster: PrivateCluster, tmp_path: Path, seeds_copy: Path
):
    def settings(name: str) -> Settings:
        return Settings(seeds=(seeds_copy,), db_url=private_cluster.url, index_path=tmp_path / f"{name}.index")

    channel = 4242
    async with await NewsService.open(settings("first"), background=True) as first, \
            await NewsService.open(settings("second"), background=True) as second:
        assert await _one_leads(first, second)
        leader = first if first.cluster and first.cluster.leading else second
        posters = [ChannelPoster(first), ChannelPoster(second)]
        await second.subscribe(guild_id=1, channel_id=channel, query="Ostravia")

        async def both_announce(stories: Sequence[Story]) -> None:
            """Both processes see the same stories at once, as two notifiers would."""
            await asyncio.gather(*(poster.announce(stories) for poster in posters))

        _article(seeds_copy, "ferry.md", "Ostravia opens a night ferry", "Ostravia opened a night ferry on Friday.")
        ferry = await _announced_by_ingest(leader)
        assert [story.title for story in ferry] == ["Ostravia opens a night ferry"]
        await both_announce(ferry)
        assert sorted(len(poster.posted) for poster in posters) == [0, 1]  # claimed once, by one process
        before = [list(poster.posted) for poster in posters]

        await asyncio.to_thread(private_cluster.pg_ctl, "-m", "fast", "restart")  # every connection ends

        await _within(FOLLOW_S, lambda: _one_leads(first, second))
        leader = first if first.cluster and first.cluster.leading else second
        _article(seeds_copy, "ferry-again.md", "Ostravia opens a night ferry", "Ostravia opened a night ferry on Friday.")
        again = await _announced_by_ingest(leader)  # the same story a second time: a duplicate item
        await both_announce([*ferry, *again, *ferry])  # re-announced after the restart, twice in one batch
        assert [poster.posted for poster in posters] == before  # nothing claimed twice

        _article(seeds_copy, "bridge.md", "Ostravia approves a harbour bridge",
                 "The Ostravia council approved a harbour bridge on Tuesday.")
        bridge = await _announced_by_ingest(leader)
        assert [story.title for story in bridge] == ["Ostravia approves a harbour bridge"]
        await both_announce(bridge)
        await both_announce(bridge)
        new = [pair for poster, old in zip(posters, before, strict=True) for pair in poster.posted[len(old):]]
        assert new == [(channel, bridge[0].key)]  # the new story: claimed once, by exactly one process
