"""Subscriptions and digests with the real discord.py client on the emulator: new stories are posted to the
subscribed channel once, in one message a burst, pinging nobody; restarts repost nothing; no backlog."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.discord import NewsBot

from ..live_articles import BUDGET, GLACIER, OTTERS, write_story
from .conftest import StartBot
from .emulator import EPHEMERAL, DiscordEmulator

pytestmark = pytest.mark.asyncio

QUIET_S = 0.3
"""How long a test waits to be sure that nothing more is posted (the burst window is 0.05 s)."""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    write_story(folder, *OTTERS, topics=("Wildlife",))
    return folder


async def live_bot(start_bot: StartBot, folder: Path, **overrides) -> NewsBot:
    bot = await start_bot(seeds=(folder,), **overrides)
    bot.notifier.burst_window_s = 0.05
    return bot


async def subscribe(emulator: DiscordEmulator, **options) -> dict:
    record = await emulator.slash("subscribe", user=emulator.moderator, **options)
    await emulator.wait_until(lambda: record.callbacks, what="the /subscribe reply")
    return record.callbacks[0]["data"]


async def posted(emulator: DiscordEmulator, count: int, channel_id: int | None = None) -> list[dict]:
    """Wait for ``count`` bot messages in the channel, then make sure no more come."""
    channel_id = channel_id or emulator.channel_id
    await emulator.wait_until(lambda: len(emulator.bot_messages(channel_id)) >= count, what=f"{count} posts")
    await asyncio.sleep(QUIET_S)
    messages = emulator.bot_messages(channel_id)
    assert len(messages) == count, [m["embeds"] for m in messages]
    return messages


def titles(message: dict) -> list[str]:
    return [embed["title"] for embed in message["embeds"]]


async def test_a_new_story_appears_in_the_subscribed_channel_once_and_pings_nobody(
    emulator: DiscordEmulator, start_bot: StartBot, folder: Path
) -> None:
    bot = await live_bot(start_bot, folder)
    reply = await subscribe(emulator, topic="Climate")
    assert reply["flags"] & EPHEMERAL and "topic Climate" in reply["content"]

    write_story(folder, "alert", "@everyone Alpine glacier loses a tenth of its ice", GLACIER[2], topics=("Climate",),
                outlet="Alpine Times")
    write_story(folder, *BUDGET, topics=("Politics",))  # not the subscribed topic
    await bot.service.ingest()
    [message] = await posted(emulator, 1)
    [embed] = message["embeds"]
    assert embed["title"].endswith("Alpine glacier loses a tenth of its ice")
    assert embed["url"] == "https://example.org/news/alert"
    assert embed["footer"]["text"].startswith("Alpine Times, 2026-11-29")
    assert embed["description"].startswith("The Rhone glacier lost a tenth")
    assert not emulator.pings_of(message) and message["allowed_mentions"] == {"parse": []}

    write_story(folder, "alert-copy", "Another file, the same story", GLACIER[2], topics=("Climate",))
    (folder / "alert-copy.md").write_text(
        (folder / "alert.md").read_text(encoding="utf-8"), encoding="utf-8"
    )  # a duplicate item: same URL, same story
    await bot.service.ingest()
    stories = await bot.service.latest(topic="Climate")
    await bot.notifier.deliver(stories)  # announced twice: still posted once
    await posted(emulator, 1)


async def test_a_burst_of_new_stories_is_one_message(emulator: DiscordEmulator, start_bot: StartBot, folder: Path) -> None:
    bot = await live_bot(start_bot, folder)
    bot.notifier.burst_window_s = 0.5
    await subscribe(emulator)
    write_story(folder, *GLACIER)
    await bot.service.ingest()
    write_story(folder, *BUDGET)
    write_story(folder, "harbour", "Harbour cranes return to work", "The harbour cranes were back at work on Monday.")
    await bot.service.ingest()  # a second ingest within the burst window
    [message] = await posted(emulator, 1)
    assert sorted(titles(message)) == sorted([GLACIER[1], BUDGET[1], "Harbour cranes return to work"])


async def test_stories_waiting_for_the_rest_of_a_burst_are_posted_before_a_shutdown(
    emulator: DiscordEmulator, start_bot: StartBot, folder: Path
) -> None:
    bot = await live_bot(start_bot, folder)
    bot.notifier.burst_window_s = 60.0
    await subscribe(emulator)
    write_story(folder, *GLACIER)
    await bot.service.ingest()
    await asyncio.sleep(0.05)
    assert emulator.bot_messages(emulator.channel_id) == []  # waiting for the rest of the burst
    await asyncio.wait_for(bot.close(), 5)
    [message] = emulator.bot_messages(emulator.channel_id)
    assert titles(message) == [GLACIER[1]]


async def test_a_rate_limited_post_is_retried_once_after_discords_wait(
    emulator: DiscordEmulator, start_bot: StartBot, folder: Path
) -> None:
    bot = await live_bot(start_bot, folder)
    await subscribe(emulator)
    emulator.rate_limit_next("POST", rf"^/channels/{emulator.channel_id}/messages$", retry_after=0.2)
    write_story(folder, *GLACIER)
    await bot.service.ingest()
    [message] = await posted(emulator, 1)
    assert titles(message) == [GLACIER[1]] and len(emulator.rate_limited) == 1
    assert emulator.requests.count(("POST", f"/channels/{emulator.channel_id}/messages")) == 2


async def test_a_flood_is_capped_split_within_discords_limits_and_points_to_the_digest(
    emulator: DiscordEmulator, start_bot: StartBot, folder: Path
) -> None:
    from bot.discord.notifier import MAX_STORIES_PER_BURST

    bot = await live_bot(start_bot, folder)
    await subscribe(emulator)
    for number in range(MAX_STORIES_PER_BURST + 5):
        write_story(folder, f"flood-{number}", f"Flood story {number:02d}: " + "a long headline " * 15,
                    "One sentence that is long enough to fill a card's excerpt" + ", and then some more" * 20 + ".")
    await bot.service.ingest()
    messages = await posted(emulator, 3)  # ~640 characters a card: 9 fit in Discord's 6,000
    assert [len(m["embeds"]) for m in messages] == [9, 9, 2]
    assert "5 more new stories" in messages[-1]["content"] and "/digest" in messages[-1]["content"]
    assert not any(emulator.pings_of(m) for m in messages)


async def test_a_restart_reposts_nothing_and_keeps_the_subscriptions(
    emulator: DiscordEmulator, start_bot: StartBot, folder: Path
) -> None:
    before = await live_bot(start_bot, folder)
    await subscribe(emulator, query="glacier melt")
    write_story(folder, *GLACIER)
    await before.service.ingest()
    await posted(emulator, 1)
    await before.close()

    write_story(folder, GLACIER[0], GLACIER[1], GLACIER[2] + " The glacier melt is expected to go on.")  # changed
    after = await live_bot(start_bot, folder)
    assert after.service.rescan_task is not None
    await after.service.rescan_task
    await after.notifier.deliver(await after.service.latest())  # even announced again, nothing is posted twice
    await posted(emulator, 1)

    write_story(folder, "melt", "Second glacier melt record", "Another glacier melt record was set this week, researchers said.")
    await after.service.ingest()
    await posted(emulator, 2)  # the subscription survived the restart


async def test_subscribing_does_not_replay_the_backlog(emulator: DiscordEmulator, start_bot: StartBot, folder: Path) -> None:
    bot = await live_bot(start_bot, folder)
    await bot.service.ingest()
    await subscribe(emulator)
    await bot.notifier.deliver(await bot.service.latest())  # stories stored before the subscription
    await posted(emulator, 0)


async def test_unsubscribe_stops_the_posts(emulator: DiscordEmulator, start_bot: StartBot, folder: Path) -> None:
    bot = await live_bot(start_bot, folder)
    await subscribe(emulator)
    listing = await emulator.slash("subscriptions", user=emulator.moderator)
    await emulator.wait_until(lambda: listing.callbacks, what="the list")
    description = listing.callbacks[0]["data"]["embeds"][0]["description"]
    assert f"<#{emulator.channel_id}>" in description and "every new story" in description
    [subscription] = await bot.service.subscriptions(guild_id=emulator.guild_id)

    stopped = await emulator.slash("unsubscribe", user=emulator.moderator, id=subscription.id)
    await emulator.wait_until(lambda: stopped.callbacks, what="the /unsubscribe reply")
    assert "stopped" in stopped.callbacks[0]["data"]["content"]
    write_story(folder, *GLACIER)
    await bot.service.ingest()
    await posted(emulator, 0)


async def test_subscribing_is_for_managers(emulator: DiscordEmulator, start_bot: StartBot, folder: Path) -> None:
    bot = await live_bot(start_bot, folder)
    record = await emulator.slash("subscribe", user=emulator.alice, topic="AI")
    await emulator.wait_until(lambda: record.callbacks, what="a refusal")
    assert "Manage Server" in record.callbacks[0]["data"]["content"]
    assert await bot.service.subscriptions() == []
    command = next(c for c in emulator.commands[emulator.guild_id] if c["name"] == "subscribe")
    assert command["default_member_permissions"] == str(1 << 5)


async def test_a_subscription_can_post_to_another_channel(emulator: DiscordEmulator, start_bot: StartBot, folder: Path) -> None:
    newsroom = emulator.add_text_channel("newsroom")
    bot = await live_bot(start_bot, folder)
    reply = await subscribe(emulator, outlet="Example News", channel=newsroom)
    assert f"<#{newsroom}>" in reply["content"]
    write_story(folder, *BUDGET)
    await bot.service.ingest()
    [message] = await posted(emulator, 1, newsroom)
    assert titles(message) == [BUDGET[1]]
    assert emulator.bot_messages(emulator.channel_id) == []


async def test_a_query_without_words_is_refused_privately(emulator: DiscordEmulator, start_bot: StartBot, folder: Path) -> None:
    bot = await live_bot(start_bot, folder)
    reply = await subscribe(emulator, query="the of and")
    assert reply["flags"] & EPHEMERAL and "no word to look for" in reply["content"]
    assert await bot.service.subscriptions() == []


async def test_the_watched_folder_feeds_the_subscribed_channel(
    emulator: DiscordEmulator, start_bot: StartBot, folder: Path
) -> None:
    bot = await live_bot(start_bot, folder, watch=True)
    assert bot.watcher is not None and await bot.watcher.wait_ready()
    await subscribe(emulator, query="glacier")
    write_story(folder, *GLACIER)
    [message] = await posted(emulator, 1)
    assert titles(message) == [GLACIER[1]]


# ---- /digest -------------------------------------------------------------------------------------
async def test_digest_lists_new_stories_by_topic_with_a_quoted_sentence_each(
    emulator: DiscordEmulator, newsbot: NewsBot
) -> None:
    record = await emulator.slash("digest", since="2020-06-01")
    await emulator.wait_until(lambda: record.callbacks, what="the digest")
    data = record.callbacks[0]["data"]
    assert data["content"].startswith("**New since 2020-06-01 00:00 UTC**")
    messages = [data, *record.followups]
    topics = [embed["title"] for message in messages for embed in message["embeds"]]
    assert topics and topics[-1] == "Other stories"
    first = data["embeds"][0]["description"]
    assert first.startswith("> ") and "](https://" in first
    assert not any(emulator.pings_of(m) for m in emulator.bot_messages(emulator.channel_id))


async def test_digest_with_nothing_new_and_with_a_bad_time(emulator: DiscordEmulator, newsbot: NewsBot) -> None:
    record = await emulator.slash("digest")
    await emulator.wait_until(lambda: record.callbacks, what="the digest")
    assert record.callbacks[0]["data"]["content"].startswith("Nothing published since")
    bad = await emulator.slash("digest", since="last tuesday")
    await emulator.wait_until(lambda: bad.callbacks, what="the refusal")
    data = bad.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL and data["content"].startswith("Can't read 'last tuesday' as a time")
