"""/feeds add|list|remove|enable with the real discord.py client against the emulator, and a loopback
feed server: managers only, private replies, the reason a feed fails, background polling."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

import pytest
from aiohttp import web

from retrieval.feeds import DISABLED_AFTER

from ..feedserver import Item, Served, article_page, rss
from .emulator import (
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    EPHEMERAL,
    DiscordEmulator,
)

pytestmark = pytest.mark.asyncio

OTTERS = Item("Otters return to the river Tyne", text="Otters were seen in the Tyne for the first time in decades.",
              link="https://river.example/otters", guid="otters", published=datetime(2026, 11, 30, tzinfo=UTC))


async def test_feeds_are_refused_to_a_plain_member_and_declare_manage_server(emulator: DiscordEmulator, newsbot, server):
    command = next(c for c in emulator.commands[emulator.guild_id] if c["name"] == "feeds")
    assert command["default_member_permissions"] == str(1 << 5)
    assert {o["name"] for o in command["options"]} == {"add", "list", "remove", "enable"}
    record = await emulator.slash("feeds add", user=emulator.alice, url=server.url("/river.rss"))
    await emulator.wait_until(lambda: record.callbacks, what="a refusal")
    assert record.callback_types == [CHANNEL_MESSAGE] and record.callbacks[0]["data"]["flags"] & EPHEMERAL
    assert "Manage Server" in record.callbacks[0]["data"]["content"]
    assert await newsbot.service.list_feeds() == []


async def test_a_manager_adds_a_feed_whose_item_is_answerable_and_listed(emulator: DiscordEmulator, newsbot, server):
    server.serve("/river.rss", Served(rss([OTTERS], title="River Post")))
    record = await emulator.slash("feeds add", user=emulator.moderator, url=server.url("/river.rss"), topic="Nature")
    await emulator.wait_until(lambda: record.followups, what="the feed added")
    assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE] and record.callbacks[0]["data"]["flags"] & EPHEMERAL
    embed = record.followups[0]["embeds"][0]
    assert embed["title"] == "Following River Post" and embed["fields"][0]["value"] == "1 new, 0 updated"
    answer = await newsbot.service.ask("Where were otters seen for the first time in decades?")
    assert answer.citations and answer.citations[0].story.url == OTTERS.link

    listed = await emulator.slash("feeds list", user=emulator.moderator)
    await emulator.wait_until(lambda: listed.callbacks, what="the feed list")
    data = listed.callbacks[0]["data"]
    assert data["flags"] & EPHEMERAL and "River Post" in data["embeds"][0]["description"]
    assert "1 items — ok" in data["embeds"][0]["description"]

    removed = await emulator.slash("feeds remove", user=emulator.moderator, feed="1")
    await emulator.wait_until(lambda: removed.followups, what="the feed removed")
    assert "its 1 stories were removed" in removed.followups[0]["content"]
    assert await newsbot.service.list_feeds() == []


async def test_a_disabled_feed_shows_why_and_a_manager_re_enables_it(emulator: DiscordEmulator, newsbot, server):
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    server.serve("/river.rss", Served(handler=broken))
    feed, _ = await newsbot.service.add_feed(server.url("/river.rss"), name="River Post")
    for _ in range(DISABLED_AFTER):
        await newsbot.service.poll_feeds(force=True)
    listed = await emulator.slash("feeds list", user=emulator.moderator)
    await emulator.wait_until(lambda: listed.callbacks, what="the feed list")
    embed = listed.callbacks[0]["data"]["embeds"][0]
    assert re.search(r"disabled after \d+ failures: HTTP 500 Internal Server Error", embed["description"])
    assert "/feeds enable" in embed["footer"]["text"]

    server.serve("/river.rss", Served(rss([OTTERS])))
    enabled = await emulator.slash("feeds enable", user=emulator.owner, feed=str(feed.id))
    await emulator.wait_until(lambda: enabled.followups, what="the feed re-enabled")
    assert enabled.followups[0]["embeds"][0]["fields"][0]["value"] == "1 new, 0 updated"
    assert (await newsbot.service.list_feeds())[0].status.value == "ok"


async def test_a_bad_url_is_a_private_one_line_reply(emulator: DiscordEmulator, newsbot):
    record = await emulator.slash("feeds add", user=emulator.moderator, url="gopher://old.example/news")
    await emulator.wait_until(lambda: record.followups, what="the refusal")
    assert record.followups[0]["content"].startswith("not a feed URL")


async def test_the_running_bot_polls_feeds_in_the_background(emulator: DiscordEmulator, newsbot, server):
    server.serve("/river.rss", Served(rss([OTTERS])))
    assert newsbot.service.feeds_task is not None and not newsbot.service.feeds_task.done()
    await newsbot.service.add_feed(server.url("/river.rss"))  # not polled by the caller: the background task does

    async def covered() -> bool:
        return any(s.title == OTTERS.title for s in await newsbot.service.latest(limit=20))

    for _ in range(300):
        if await covered():
            break
        await asyncio.sleep(0.01)
    assert await covered()
    task = newsbot.service.feeds_task
    await newsbot.close()
    assert task.done()


async def test_a_manager_adds_a_feed_with_full_text_and_its_story_is_the_article_page(
    emulator: DiscordEmulator, newsbot, server
):
    page = article_page(OTTERS.title or "", "Otters were seen in the Tyne for the first time in decades.",
                        "A family of five otters has made its home under the Swing Bridge, the river trust said.")
    server.serve("/otters", Served(page, content_type="text/html"))
    otters = Item(OTTERS.title, text=OTTERS.text, link=server.url("/otters"), guid=OTTERS.guid, published=OTTERS.published)
    server.serve("/river.rss", Served(rss([otters], title="River Post")))
    record = await emulator.slash("feeds add", user=emulator.moderator, url=server.url("/river.rss"), full_text=True)
    # the first full-text fetch imports trafilatura and lxml: seconds on a loaded machine (Discord allows 15 min)
    await emulator.wait_until(lambda: record.followups, timeout=30.0, what="the feed added")
    embed = record.followups[0]["embeds"][0]
    assert "1 items — full text — ok" in embed["description"] and embed["fields"][0]["value"] == "1 new, 0 updated"
    (feed,) = await newsbot.service.list_feeds()
    assert feed.full_text and len(server.hits("/otters")) == 1
    answer = await newsbot.service.ask("Where have the otters made their home?")
    assert any("Swing Bridge" in s.text for s in answer.sentences)
