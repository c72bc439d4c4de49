"""/reindex: refused for plain members, a private report for managers and the owner."""

from __future__ import annotations

import shutil

import pytest

from .emulator import CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, EPHEMERAL, PERM_MEMBER, DiscordEmulator

pytestmark = pytest.mark.asyncio


async def test_reindex_is_refused_for_a_plain_member(emulator: DiscordEmulator, newsbot, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(newsbot.service, "ingest", lambda *a, **k: calls.append(a))
    record = await emulator.slash("reindex", user=emulator.alice)
    await emulator.wait_until(lambda: record.callbacks, what="a refusal")
    assert record.callback_types == [CHANNEL_MESSAGE]
    data = record.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL
    assert "Manage Server" in data["content"]
    assert calls == []


async def test_reindex_declares_manage_server_as_its_default_permission(emulator: DiscordEmulator, newsbot) -> None:
    command = next(c for c in emulator.commands[emulator.guild_id] if c["name"] == "reindex")
    assert command["default_member_permissions"] == str(1 << 5)


@pytest.mark.parametrize("who", ["moderator", "owner"])
async def test_reindex_reports_privately_what_changed(emulator: DiscordEmulator, start_bot, tmp_path, who: str) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(emulator_seeds(), seeds)
    bot = await start_bot(seeds=(seeds,))
    (seeds / "004_eecef800dc1006f4.txt").unlink()

    record = await emulator.slash("reindex", user=getattr(emulator, who))
    await emulator.wait_until(lambda: record.followups, what="the reindex report")

    assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE]
    assert record.callbacks[0]["data"]["flags"] & EPHEMERAL
    embed = record.followups[0]["embeds"][0]
    assert embed["title"] == "Reindexed"
    assert "removed 1" in embed["description"]
    assert any(f["name"] == "Removed" and "004_eecef800dc1006f4.txt" in f["value"] for f in embed["fields"])
    assert bot.service is not None


def emulator_seeds():
    from .conftest import SEEDS

    return SEEDS


async def test_without_a_guild_id_commands_sync_globally_and_work(emulator: DiscordEmulator, start_bot) -> None:
    await start_bot(guild_id=None)
    assert emulator.command_names(None) and not emulator.commands.get(emulator.guild_id)
    record = await emulator.slash("help")
    await emulator.wait_until(lambda: record.callbacks, what="/help answered from a global command")
    assert record.callbacks[0]["data"]["embeds"][0]["title"] == "What I can do"


async def test_the_bots_owner_may_reindex_without_manage_server(emulator: DiscordEmulator, newsbot, monkeypatch) -> None:
    """The owner branch of the check: no Manage Server here, but the application's owner."""
    from retrieval.models import IngestReport

    emulator.owner.permissions = PERM_MEMBER
    ingests: list[str] = []

    async def ingest() -> IngestReport:
        ingests.append("ran")
        return IngestReport()

    monkeypatch.setattr(newsbot.service, "ingest", ingest)
    record = await emulator.slash("reindex", user=emulator.owner)
    await emulator.wait_until(lambda: record.followups, what="the owner's reindex report")
    assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE] and ingests == ["ran"]

    refused = await emulator.slash("reindex", user=emulator.bob)  # a plain member, not the owner
    await emulator.wait_until(lambda: refused.callbacks, what="a refusal")
    assert "Manage Server" in refused.callbacks[0]["data"]["content"] and ingests == ["ran"]


async def test_a_shutdown_during_reindex_tells_the_manager_and_lets_the_ingest_finish(
    emulator: DiscordEmulator, newsbot, monkeypatch
) -> None:
    import asyncio

    from bot.discord.client import RESTART_NOTICE
    from retrieval.models import IngestReport

    started, finished = asyncio.Event(), []

    async def slow_ingest() -> IngestReport:
        started.set()
        await asyncio.sleep(0.3)
        finished.append(True)
        return IngestReport()

    monkeypatch.setattr(newsbot.service, "ingest", slow_ingest)
    record = await emulator.slash("reindex", user=emulator.moderator)
    await asyncio.wait_for(started.wait(), 5)
    await newsbot.close()

    assert record.original is not None and record.original["content"] == RESTART_NOTICE
    assert record.original["flags"] & EPHEMERAL and not record.followups
    assert finished == [True], "the shutdown waited for the ingest instead of tearing it"
