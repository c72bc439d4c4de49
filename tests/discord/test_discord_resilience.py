"""Faults: a dropped gateway connection is resumed and a REST 429 is waited out; nothing is lost. An interaction
that arrives too late to answer costs one warning, not a traceback and a futile retry."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.discord import NewsBot

from .emulator import DEFERRED_CHANNEL_MESSAGE, RESPONSE_DEADLINE_S, DiscordEmulator

pytestmark = pytest.mark.asyncio


async def test_heartbeats_are_sent_and_acknowledged(emulator: DiscordEmulator, newsbot) -> None:
    await emulator.wait_until(lambda: emulator.heartbeats >= 1, what="a heartbeat")
    assert newsbot.latency >= 0 and newsbot.latency != float("inf")


async def test_a_dropped_gateway_is_resumed_and_events_sent_meanwhile_are_replayed(emulator: DiscordEmulator, newsbot) -> None:
    resumed = asyncio.Event()

    async def on_resumed() -> None:
        resumed.set()

    newsbot.add_listener(on_resumed)
    await emulator.drop_gateway(code=4000)

    # While the bot is away, a user asks: the event waits in the session's history.
    record = await emulator.slash("ask", question="What did IBM decide?")
    message = await emulator.say("what did Amazon decide?", mention_bot=True)

    await asyncio.wait_for(resumed.wait(), 10)
    await emulator.wait_until(lambda: record.followups, what="the /ask answer after resuming")
    await emulator.wait_until(lambda: emulator.bot_messages(int(message["id"])), what="the mention answer after resuming")
    assert (emulator.identifies, emulator.resumes) == (1, 1), "a RESUME, not a new session"
    assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE]
    assert len(record.followups) == 1 and len(emulator.bot_messages(int(message["id"]))) == 1


async def test_a_rate_limited_follow_up_is_retried_after_retry_after(emulator: DiscordEmulator, newsbot) -> None:
    emulator.rate_limit_next("POST", r"^/webhooks/\d+/[^/]+$", retry_after=0.25)
    record = await emulator.slash("ask", question="What did IBM decide?")
    await emulator.wait_until(lambda: record.followups, what="the answer after the 429")
    assert len(emulator.rate_limited) == 1
    assert len(record.followups) == 1 and record.followups[0]["embeds"]


async def test_a_rate_limited_channel_message_is_retried(emulator: DiscordEmulator, newsbot) -> None:
    emulator.rate_limit_next("POST", r"^/channels/\d+/messages$", retry_after=0.25)
    message = await emulator.say("what did IBM decide?", mention_bot=True)
    answers = await emulator.wait_until(lambda: emulator.bot_messages(int(message["id"])), what="the thread answer")
    assert len(emulator.rate_limited) == 1
    assert len(answers) == 1


async def test_the_bot_runs_sharded(emulator: DiscordEmulator, start_bot, monkeypatch) -> None:
    async def no_identify_pause(self, shard_id, *, initial=False) -> None:
        """discord.py spaces shard IDENTIFYs 5 s apart for Discord's rate limit; not needed here."""

    monkeypatch.setattr(NewsBot, "before_identify_hook", no_identify_pause)
    emulator.shard_count = 2
    bot = await start_bot()
    assert bot.shard_count == 2 and len(emulator.sessions) == 2
    record = await emulator.slash("ask", question="What did IBM decide?")
    await emulator.wait_until(lambda: record.followups, what="an answer on the guild's shard")
    assert bot.get_guild(emulator.guild_id).shard_id == (emulator.guild_id >> 22) % 2


def bot_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.WARNING]


async def test_a_command_that_arrives_too_late_to_answer_is_one_warning_and_no_retry(
    emulator: DiscordEmulator, newsbot, caplog: pytest.LogCaptureFixture
) -> None:
    late = await emulator.slash("ask", question="What did IBM decide?", lag=RESPONSE_DEADLINE_S + 1)
    await emulator.wait_until(lambda: bot_records(caplog), what="the bot's warning")
    await asyncio.sleep(0.2)  # room for any further (wrong) reply attempt

    assert late.attempts == [("callback 5", 404)], "the deferral was refused and nothing else was tried"
    [record] = bot_records(caplog)
    assert record.levelname == "WARNING" and "expired" in record.getMessage()
    assert not any(r.exc_info for r in caplog.records), "no traceback"


async def test_a_button_clicked_too_late_to_answer_is_one_warning_and_no_retry(
    emulator: DiscordEmulator, newsbot, caplog: pytest.LogCaptureFixture
) -> None:
    asked = await emulator.slash("ask", question="What did IBM decide?")
    await emulator.wait_until(lambda: asked.followups, what="the answer")

    late = await emulator.click(asked.followups[0], "Sources", lag=RESPONSE_DEADLINE_S + 1)
    await emulator.wait_until(lambda: bot_records(caplog), what="the bot's warning")
    await asyncio.sleep(0.2)  # room for any further (wrong) reply attempt

    assert late.attempts == [("callback 4", 404)]
    [record] = bot_records(caplog)
    assert record.levelname == "WARNING" and "expired" in record.getMessage()
    assert not any(r.exc_info for r in caplog.records), "no traceback"
