"""/settings: a server's managers choose whether mentions are answered and whether in a thread; the
bot reads the stored settings on each mention, so a change made by any process applies to the next."""

from __future__ import annotations

import asyncio

import pytest

from bot.guild_settings import DEFAULTS, GuildSettings, open_guild_settings
from retrieval.storage import open_store

from .emulator import CHANNEL_MESSAGE, EPHEMERAL, DiscordEmulator
from .test_discord_mentions import bot_reply, stays_quiet

pytestmark = pytest.mark.asyncio


async def _settings_reply(emulator: DiscordEmulator, user, **options) -> dict:
    record = await emulator.slash("settings", user=user, **options)
    await emulator.wait_until(lambda: record.callbacks, what="the /settings reply")
    assert record.callback_types == [CHANNEL_MESSAGE]
    data = record.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL
    return data


async def test_settings_show_the_defaults_privately_to_a_manager(emulator: DiscordEmulator, newsbot) -> None:
    embed = (await _settings_reply(emulator, emulator.moderator))["embeds"][0]
    assert embed["title"] == "Settings"
    assert "**answer_mentions**: on" in embed["description"]
    assert "**answer_in_threads**: on" in embed["description"]


async def test_settings_declare_manage_server_as_their_default_permission(emulator: DiscordEmulator, newsbot) -> None:
    command = next(c for c in emulator.commands[emulator.guild_id] if c["name"] == "settings")
    assert command["default_member_permissions"] == str(1 << 5)
    assert command["contexts"] == [0]  # guild only: not offered in DMs


async def test_a_plain_member_is_refused_and_nothing_changes(emulator: DiscordEmulator, newsbot) -> None:
    data = await _settings_reply(emulator, emulator.alice, answer_mentions=False)
    assert "Manage Server" in data["content"]
    assert await newsbot.service.guild_settings(emulator.guild_id) == DEFAULTS


async def test_a_manager_turns_mention_answers_off_and_a_mention_is_not_answered(
    emulator: DiscordEmulator, newsbot
) -> None:
    embed = (await _settings_reply(emulator, emulator.moderator, answer_mentions=False))["embeds"][0]
    assert embed["title"] == "Settings changed" and "**answer_mentions**: off" in embed["description"]

    question = await emulator.say("what did IBM decide?", mention_bot=True)
    assert await stays_quiet(emulator)
    assert int(question["id"]) not in emulator.threads

    record = await emulator.slash("ask", question="what did IBM decide?")  # /ask still answers
    await emulator.wait_until(lambda: record.followups, what="the /ask answer")

    await _settings_reply(emulator, emulator.owner, answer_mentions=True)
    question = await emulator.say("what did IBM decide?", mention_bot=True)
    await bot_reply(emulator, int(question["id"]))  # answered again, in its thread


async def test_with_threads_off_a_mention_is_answered_in_the_channel(emulator: DiscordEmulator, newsbot) -> None:
    await _settings_reply(emulator, emulator.moderator, answer_in_threads=False)
    question = await emulator.say("what did IBM decide?", mention_bot=True)

    answer = await bot_reply(emulator, emulator.channel_id)
    assert answer["message_reference"]["message_id"] == question["id"]
    assert answer["embeds"][0]["title"] == "what did IBM decide?"
    assert not emulator.threads


async def test_a_change_made_by_another_process_applies_to_the_next_mention(
    emulator: DiscordEmulator, newsbot, settings
) -> None:
    """Another process on the same store (here a second connection to the bot's database) turns
    mentions off: the bot caches nothing, so the very next mention is not answered."""
    other_process = await open_store(settings.db_location)
    try:
        book = await open_guild_settings(other_process)
        question = await emulator.say("what did IBM decide?", mention_bot=True)
        await bot_reply(emulator, int(question["id"]))  # answered while the setting is on
        assert await book.update(emulator.guild_id, answer_mentions=False) == GuildSettings(False, True)
        await emulator.say("and Amazon?", mention_bot=True)
        assert await stays_quiet(emulator)
    finally:
        await other_process.close()


async def test_help_tells_what_settings_do_and_who_may_change_them(emulator: DiscordEmulator, newsbot) -> None:
    record = await emulator.slash("help")
    await emulator.wait_until(lambda: record.callbacks, what="/help")
    description = record.callbacks[0]["data"]["embeds"][0]["description"]
    assert "**/settings [answer_mentions] [answer_in_threads]** — how I answer mentions" in description
    assert "Manage Server only" in description.split("/settings [answer_mentions]")[1].splitlines()[0]
    assert "turn mention answers or their threads off with /settings" in description


async def test_a_burst_of_mentions_reaches_the_cooldown_in_arrival_order_however_long_each_read_takes(
    emulator: DiscordEmulator, start_bot, monkeypatch
) -> None:
    """The first mention's settings read is the slow one: it is still the one answered, the second
    (over the limit of one question) the one told to wait."""
    bot = await start_bot(ask_cooldown_rate=1, ask_cooldown_seconds=60.0)
    read = bot.service.guild_settings
    delays = [0.2]

    async def first_read_slow(guild_id: int) -> GuildSettings:
        await asyncio.sleep(delays.pop() if delays else 0.0)
        return await read(guild_id)

    monkeypatch.setattr(bot.service, "guild_settings", first_read_slow)
    first = await emulator.say("what did IBM decide?", mention_bot=True)
    second = await emulator.say("and Amazon?", mention_bot=True)

    await bot_reply(emulator, int(first["id"]))  # answered, in its thread
    notice = await bot_reply(emulator, emulator.channel_id)
    assert "try again in" in notice["content"] and notice["message_reference"]["message_id"] == second["id"]
