"""Running the bot: `newsbot run` without a token, a rejected token, Ctrl-C, and a clean close."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Iterator

import discord
import pytest

import bot.discord as adapter
from bot.settings import Settings

from .conftest import PROJECT_ROOT, SEEDS
from .emulator import DiscordEmulator


def test_newsbot_run_without_a_token_fails_with_one_clear_line(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--db", str(tmp_path / "db.sqlite"), "run"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DISCORD_TOKEN is not set" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (discord.LoginFailure("Improper token has been passed."), "rejected DISCORD_TOKEN"),
        (discord.PrivilegedIntentsRequired(0), "Message Content intent"),
    ],
    ids=["bad-token", "intent-not-enabled"],
)
def test_start_up_failures_are_one_line(monkeypatch, capsys, error: Exception, expected: str) -> None:
    async def failing(settings):
        raise error

    monkeypatch.setattr(adapter, "serve", failing)
    assert adapter.run_bot(Settings(discord_token="x")) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and expected in err[0]


def test_ctrl_c_is_a_clean_exit(monkeypatch) -> None:
    async def interrupted(settings):
        raise KeyboardInterrupt

    monkeypatch.setattr(adapter, "serve", interrupted)
    assert adapter.run_bot(Settings(discord_token="x")) == 0


@pytest.mark.asyncio
async def test_a_bad_token_is_a_login_failure_against_the_emulator(emulator: DiscordEmulator, settings) -> None:
    with pytest.raises(discord.LoginFailure):
        await adapter.serve(Settings(discord_token="not-the-token", db_path=settings.db_path, seeds=settings.seeds))


@pytest.mark.asyncio
async def test_close_waits_for_pending_writes_then_closes_the_store(emulator: DiscordEmulator, start_bot) -> None:
    bot = await start_bot()
    service = bot.service
    record = await emulator.slash("ask", question="What did IBM decide?")
    await emulator.wait_until(lambda: record.followups, what="an answer")
    await bot.close()
    assert bot._service is None
    assert service.store._db._connection is None, "the store is closed"
    stats_after = await _reopen_stats(bot.settings)
    assert stats_after.queries == 1


async def _reopen_stats(settings: Settings):
    from bot.service import NewsService

    service = await NewsService.open(settings, ingest=False)
    try:
        return await service.stats()
    finally:
        await service.close()


@pytest.mark.asyncio
async def test_serve_connects_syncs_answers_and_stops_cleanly_when_cancelled(emulator: DiscordEmulator, settings) -> None:
    import asyncio

    task = asyncio.create_task(adapter.serve(settings, guild_ready_timeout=0.05))
    await emulator.wait_until(lambda: emulator.sessions and emulator.commands.get(emulator.guild_id), what="login and sync")
    record = await emulator.slash("ask", question="What did IBM decide?")
    await emulator.wait_until(lambda: record.followups, what="an answer")

    task.cancel()  # what Ctrl-C does to asyncio.run's main task
    with pytest.raises(asyncio.CancelledError):
        await task
    assert (await _reopen_stats(settings)).queries == 1


@pytest.mark.asyncio
async def test_the_content_intent_without_portal_approval_fails_clearly(emulator: DiscordEmulator, settings) -> None:
    import dataclasses

    emulator.privileged_intents_allowed = False  # the owner set NEWSBOT_MESSAGE_CONTENT=1 but not the portal switch
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await adapter.serve(dataclasses.replace(settings, message_content=True), guild_ready_timeout=0.05)


def test_newsbot_run_answers_then_ctrl_c_shuts_down_cleanly(tmp_path) -> None:
    """``newsbot run`` in its own process: connect, sync, answer, SIGINT → exit 0, store intact."""
    import json
    import sqlite3

    db = tmp_path / "newsbot.db"
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.discord.run_driver", "ctrl-c", str(db)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=150,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"answered": True, "exit_code": 0}
    assert "Traceback" not in result.stderr
    assert "synced 14 commands to guild" in result.stderr and "store closed" in result.stderr
    assert "PyNaCl" not in result.stderr, "no voice warnings for a text-only bot"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM queries").fetchone() == (1,)


@contextlib.contextmanager
def emulator_on_a_thread(monkeypatch) -> Iterator[DiscordEmulator]:
    """An emulator serving from its own thread and loop, so that ``run_bot`` can own the main thread's loop."""
    emulator = DiscordEmulator()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(emulator.start(), loop).result(10)
    emulator.patch_discord(monkeypatch)
    try:
        yield emulator
    finally:
        asyncio.run_coroutine_threadsafe(emulator.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@pytest.mark.parametrize("refusal", ["unknown-guild", "no-commands-scope"])
def test_a_refused_command_sync_is_one_line_saying_what_to_check(monkeypatch, capfd, tmp_path, refusal: str) -> None:
    with emulator_on_a_thread(monkeypatch) as emulator:
        guild_id = emulator.guild_id + 1 if refusal == "unknown-guild" else emulator.guild_id
        emulator.commands_scope = refusal != "no-commands-scope"
        settings = Settings(
            seeds=(SEEDS,), db_path=tmp_path / "newsbot.db", discord_token=emulator.token, guild_id=guild_id
        )
        code = adapter.run_bot(settings)
    err = capfd.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("newsbot: error:")]
    assert len(lines) == 1, err
    assert f"guild {guild_id}" in lines[0] and "Missing Access" in lines[0]
    assert "DISCORD_GUILD_ID" in lines[0] and "applications.commands" in lines[0]


def test_newsbot_run_shuts_down_cleanly_on_sigterm_telling_the_deferred_answer(tmp_path) -> None:
    """``docker stop`` sends SIGTERM: the deferred /ask is told, its store write completes, exit 0."""
    import json
    import sqlite3

    from bot.discord.client import RESTART_NOTICE

    db = tmp_path / "newsbot.db"
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tests.discord.run_driver", "sigterm", str(db)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=150, check=False,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary == {"deferred": True, "notice": RESTART_NOTICE, "followups": 0, "exit_code": 0}
    assert "Traceback" not in result.stderr
    assert "SIGTERM received" in result.stderr and "store closed" in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM queries").fetchone() == (1,), "the in-flight write finished"
