"""Two bot processes (a leader and a follower) ride out a real restart of their PostgreSQL server.

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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.settings import Settings

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
