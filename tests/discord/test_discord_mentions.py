"""Questions by mention: a thread per question, follow-ups with context, replies, DMs, and what is ignored."""

from __future__ import annotations

import asyncio
import datetime

import discord
import pytest

from .emulator import DiscordEmulator

pytestmark = pytest.mark.asyncio

QUIET_S = 0.3  # how long "no answer" is waited for


@pytest.fixture
def asked(newsbot, monkeypatch) -> list[tuple[str, tuple[str, ...]]]:
    """Every (question, context) the bot passed to the service."""
    calls: list[tuple[str, tuple[str, ...]]] = []
    real = newsbot.service.ask

    async def spy(question, *, context=()):
        calls.append((question, tuple(context)))
        return await real(question, context=context)

    monkeypatch.setattr(newsbot.service, "ask", spy)
    return calls


async def bot_reply(emulator: DiscordEmulator, channel_id: int, count: int = 1) -> dict:
    messages = await emulator.wait_until(
        lambda: len(emulator.bot_messages(channel_id)) >= count and emulator.bot_messages(channel_id),
        what=f"bot message #{count} in {channel_id}",
    )
    return messages[count - 1]


async def stays_quiet(emulator: DiscordEmulator) -> bool:
    before = sum(len(emulator.bot_messages(c)) for c in list(emulator.messages))
    await asyncio.sleep(QUIET_S)
    return sum(len(emulator.bot_messages(c)) for c in list(emulator.messages)) == before


async def test_a_mention_opens_a_thread_and_a_follow_up_keeps_context(emulator: DiscordEmulator, newsbot, asked) -> None:
    question = await emulator.say("what did IBM decide?", mention_bot=True)

    answer = await bot_reply(emulator, int(question["id"]))  # the thread's id is its starter message's id
    thread = emulator.threads[int(question["id"])]
    assert thread["name"] == "what did IBM decide?" and thread["parent_id"] == str(emulator.channel_id)
    assert answer["embeds"][0]["title"] == "what did IBM decide?"
    assert [c.get("label") or c["emoji"]["name"] for c in emulator.components(answer)] == ["Sources", "👍", "👎"]
    assert not emulator.bot_messages(emulator.channel_id), "the answer goes in the thread, not the channel"

    await emulator.say("and Amazon?", channel_id=int(thread["id"]), mention_bot=True)
    follow_up = await bot_reply(emulator, int(thread["id"]), count=2)
    assert asked == [("what did IBM decide?", ()), ("and Amazon?", ("what did IBM decide?",))]
    assert "Amazon" in follow_up["embeds"][0]["description"]
    assert follow_up["message_reference"]["message_id"], "follow-ups reply to the question"
    assert len(emulator.threads) == 1, "follow-ups stay in the thread"


async def test_a_reply_to_the_bot_in_its_thread_is_a_follow_up(emulator: DiscordEmulator, newsbot, asked) -> None:
    question = await emulator.say("what did IBM decide?", mention_bot=True)
    answer = await bot_reply(emulator, int(question["id"]))

    await emulator.say("and Microsoft?", channel_id=int(question["id"]), reply_to=answer)
    await bot_reply(emulator, int(question["id"]), count=2)
    assert asked[-1] == ("and Microsoft?", ("what did IBM decide?",))


async def test_without_the_content_intent_unaddressed_thread_messages_are_ignored(
    emulator: DiscordEmulator, newsbot, asked
) -> None:
    question = await emulator.say("what did IBM decide?", mention_bot=True)
    await bot_reply(emulator, int(question["id"]))

    await emulator.say("and Amazon?", channel_id=int(question["id"]))
    assert await stays_quiet(emulator)
    assert len(asked) == 1


async def test_with_the_content_intent_every_message_in_its_threads_is_answered(emulator: DiscordEmulator, start_bot) -> None:
    await start_bot(message_content=True)
    question = await emulator.say("what did IBM decide?", mention_bot=True)
    await bot_reply(emulator, int(question["id"]))

    await emulator.say("and Amazon?", channel_id=int(question["id"]))
    follow_up = await bot_reply(emulator, int(question["id"]), count=2)
    assert "Amazon" in follow_up["embeds"][0]["description"]
    # ...but a plain message elsewhere in the channel is not for the bot.
    await emulator.say("lunch anyone?")
    assert await stays_quiet(emulator)


async def test_direct_messages_are_answered_in_place(emulator: DiscordEmulator, newsbot, asked) -> None:
    message = await emulator.say("What did Microsoft pitch to the DEA?", dm=True)
    answer = await bot_reply(emulator, int(message["channel_id"]))
    assert "DEA" in answer["embeds"][0]["description"]
    assert not emulator.threads


async def test_a_bare_mention_gets_a_short_help_line(emulator: DiscordEmulator, newsbot, asked) -> None:
    await emulator.say("", mention_bot=True)
    reply = await bot_reply(emulator, emulator.channel_id)
    assert reply["content"].startswith("Ask me about the news:")
    assert "\n" not in reply["content"]
    assert asked == [] and not emulator.threads


async def test_its_own_and_other_bots_messages_are_ignored(emulator: DiscordEmulator, newsbot, asked) -> None:
    await emulator.say("what did IBM decide?", user=emulator.other_bot, mention_bot=True)
    await emulator.say("what did IBM decide?", user=emulator.bot_user, mention_bot=True)
    assert await stays_quiet(emulator)
    assert asked == []


async def test_an_over_long_mention_is_refused_with_the_reason(emulator: DiscordEmulator, newsbot, asked) -> None:
    await emulator.say("why " * 490, mention_bot=True)
    reply = await bot_reply(emulator, emulator.channel_id)
    assert "too long" in reply["content"]
    assert asked == [] and not emulator.threads


async def test_everyone_in_a_mention_never_pings(emulator: DiscordEmulator, newsbot, asked) -> None:
    question = await emulator.say("@everyone what did IBM decide?", mention_bot=True)
    answer = await bot_reply(emulator, int(question["id"]))
    assert answer["allowed_mentions"]["parse"] == []
    assert "@everyone" not in emulator.threads[int(question["id"])]["name"]
    assert "@everyone" not in answer["embeds"][0]["title"]


async def test_a_dm_follow_up_uses_the_users_recent_dm_questions(emulator: DiscordEmulator, newsbot, asked) -> None:
    first = await emulator.say("what did IBM decide?", dm=True)
    await bot_reply(emulator, int(first["channel_id"]))
    await emulator.say("and Amazon?", dm=True)
    await bot_reply(emulator, int(first["channel_id"]), count=2)
    assert asked == [("what did IBM decide?", ()), ("and Amazon?", ("what did IBM decide?",))]


async def test_an_error_while_answering_a_mention_is_reported_and_logged(
    emulator: DiscordEmulator, newsbot, monkeypatch, caplog
) -> None:
    async def broken(*args, **kwargs):
        raise RuntimeError("store on fire")

    real_ask = newsbot.service.ask
    monkeypatch.setattr(newsbot.service, "ask", broken)
    question = await emulator.say("what did IBM decide?", mention_bot=True)
    reply = await bot_reply(emulator, int(question["id"]))
    assert reply["content"] == "Sorry — something went wrong answering that. The error has been logged."
    assert any(r.exc_info and "store on fire" in str(r.exc_info[1]) for r in caplog.records)

    monkeypatch.setattr(newsbot.service, "ask", real_ask)
    again = await emulator.say("what did Amazon decide?", mention_bot=True)
    assert (await bot_reply(emulator, int(again["id"])))["embeds"], "the bot keeps running"


async def test_mention_spam_gets_one_answer_one_notice_and_reactions(emulator: DiscordEmulator, start_bot) -> None:
    await start_bot(ask_cooldown_rate=1, ask_cooldown_seconds=60.0)
    first = await emulator.say("what did IBM decide?", mention_bot=True)
    await bot_reply(emulator, int(first["id"]))
    spam = [await emulator.say(f"and Amazon? ({n})", mention_bot=True) for n in range(4)]

    await emulator.wait_until(lambda: all(m.get("bot_reactions") for m in spam[1:]), what="⏳ on the later mentions")
    notices = emulator.bot_messages(emulator.channel_id)
    assert len(notices) == 1 and "try again in" in notices[0]["content"], "at most one public notice per window"
    assert notices[0]["message_reference"]["message_id"] == spam[0]["id"]
    assert [m.get("bot_reactions") for m in spam] == [None, ["⏳"], ["⏳"], ["⏳"]]
    assert len(emulator.threads) == 1 and len(emulator.bot_messages(int(first["id"]))) == 1, "one answer"


def backdate(emulator: DiscordEmulator, channel_id: int, minutes: float) -> None:
    """Move a channel's messages ``minutes`` into the past (their snowflake ids carry the time)."""
    for message in emulator.messages[channel_id]:
        then = discord.utils.snowflake_time(int(message["id"])) - datetime.timedelta(minutes=minutes)
        message["id"] = str(discord.utils.time_snowflake(then) | (int(message["id"]) & 0x3FFFFF))
        message["timestamp"] = then.isoformat()


@pytest.mark.parametrize(
    ("minutes_ago", "context"), [(29, ("what did IBM decide?",)), (31, ())], ids=["within-30-min", "after-30-min"]
)
async def test_a_dm_follow_up_uses_only_the_last_half_hour_as_context(
    emulator: DiscordEmulator, newsbot, asked, minutes_ago: int, context: tuple[str, ...]
) -> None:
    first = await emulator.say("what did IBM decide?", dm=True)
    channel_id = int(first["channel_id"])
    await bot_reply(emulator, channel_id)
    backdate(emulator, channel_id, minutes=minutes_ago)

    await emulator.say("and Amazon?", dm=True)
    await bot_reply(emulator, channel_id, count=2)
    assert asked[-1] == ("and Amazon?", context)


async def test_when_a_thread_is_refused_the_answer_goes_in_the_channel(emulator: DiscordEmulator, newsbot, asked) -> None:
    emulator.threads_allowed = False  # no Create Public Threads permission
    question = await emulator.say("what did IBM decide?", mention_bot=True)

    answer = await bot_reply(emulator, emulator.channel_id)
    assert answer["embeds"] and answer["embeds"][0]["title"] == "what did IBM decide?"
    assert answer["message_reference"]["message_id"] == question["id"], "it replies to the question in place"
    assert not emulator.threads and asked == [("what did IBM decide?", ())]


async def test_answers_in_threads_and_dms_never_ping_the_asker(emulator: DiscordEmulator, newsbot, asked) -> None:
    question = await emulator.say("what did IBM decide?", mention_bot=True)
    thread_id = int(question["id"])
    first = await bot_reply(emulator, thread_id)
    await emulator.say("and Amazon?", channel_id=thread_id, mention_bot=True)
    follow_up = await bot_reply(emulator, thread_id, count=2)
    await emulator.say("and Microsoft?", channel_id=thread_id, reply_to=first)
    reply = await bot_reply(emulator, thread_id, count=3)
    dm = await emulator.say("what did IBM decide?", dm=True)
    dm_answer = await bot_reply(emulator, int(dm["channel_id"]))

    assert follow_up["message_reference"] and reply["message_reference"] and dm_answer["message_reference"]
    for answer in (first, follow_up, reply, dm_answer):
        assert not emulator.pings_of(answer), f"{answer['embeds'][0]['title']!r} pinged {emulator.pings_of(answer)}"
