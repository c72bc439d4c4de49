"""/latest, /search and /story end to end: paging, autocomplete, the story picker, unknown ids."""

from __future__ import annotations

import re

import pytest

from .emulator import AUTOCOMPLETE_RESULT, CHANNEL_MESSAGE, EPHEMERAL, UPDATE_MESSAGE, DiscordEmulator

pytestmark = pytest.mark.asyncio


async def reply_to(emulator: DiscordEmulator, record):
    await emulator.wait_until(lambda: record.callbacks, what="the interaction's response")
    return record.callbacks[0]


def numbers(embed: dict) -> list[int]:
    """The leading ``n.`` of each listed story."""
    return [int(n) for n in re.findall(r"^(\d+)\. ", embed.get("description", ""), re.M)]


def button(emulator: DiscordEmulator, message: dict, label: str) -> dict:
    return emulator.find_component(message, label=label, type=2)


async def test_latest_pages_forward_and_back_for_the_invoking_user_only(emulator: DiscordEmulator, newsbot) -> None:
    first = await reply_to(emulator, await emulator.slash("latest", count=3))
    message = (await emulator.wait_until(lambda: emulator.bot_messages(emulator.channel_id), what="the /latest message"))[-1]
    assert first["type"] == CHANNEL_MESSAGE
    assert numbers(message["embeds"][0]) == [1, 2, 3]
    assert button(emulator, message, "Previous")["disabled"] is True
    assert button(emulator, message, "Next")["disabled"] is False
    page_one = message["embeds"][0]["description"]

    nxt = await reply_to(emulator, await emulator.click(message, "Next"))
    assert nxt["type"] == UPDATE_MESSAGE
    assert numbers(message["embeds"][0]) == [4, 5, 6], "the message itself is edited"
    assert button(emulator, message, "Previous")["disabled"] is False

    refused = await reply_to(emulator, await emulator.click(message, "Next", user=emulator.bob))
    assert refused["type"] == CHANNEL_MESSAGE and refused["data"]["flags"] & EPHEMERAL
    assert "Only the person who ran the command" in refused["data"]["content"]
    assert numbers(message["embeds"][0]) == [4, 5, 6]

    await reply_to(emulator, await emulator.click(message, "Previous"))
    assert message["embeds"][0]["description"] == page_one


async def test_latest_lists_newest_first_without_duplicates(emulator: DiscordEmulator, newsbot) -> None:
    await reply_to(emulator, await emulator.slash("latest", count=10))
    message = emulator.bot_messages(emulator.channel_id)[-1]
    seen: list[str] = []
    for _ in range(10):
        seen += re.findall(r"`#(\d+)`", message["embeds"][0]["description"])
        if button(emulator, message, "Next")["disabled"]:
            break
        await reply_to(emulator, await emulator.click(message, "Next"))
    assert len(seen) == len(set(seen)) == await newsbot.service.story_count()


async def test_latest_filters_by_outlet(emulator: DiscordEmulator, newsbot) -> None:
    await reply_to(emulator, await emulator.slash("latest", outlet="Forbes", count=10))
    embed = emulator.bot_messages(emulator.channel_id)[-1]["embeds"][0]
    lines = embed["description"].splitlines()
    assert len(lines) == 4 and all("— Forbes," in line for line in lines)
    assert "outlet: Forbes" in embed["title"]


async def test_topic_and_outlet_offer_autocomplete_within_25_choices(emulator: DiscordEmulator, newsbot) -> None:
    topics = await reply_to(emulator, await emulator.autocomplete("latest", "topic", topic="a"))
    assert topics["type"] == AUTOCOMPLETE_RESULT
    names = [c["name"] for c in topics["data"]["choices"]]
    assert names[0] == "AI" and "Microsoft AI" in names

    outlets = await reply_to(emulator, await emulator.autocomplete("latest", "outlet", outlet=""))
    assert len(await newsbot.service.sources()) > 25
    assert len(outlets["data"]["choices"]) == 25


async def test_search_shows_matching_passages_and_opens_a_story_from_the_menu(emulator: DiscordEmulator, newsbot) -> None:
    await reply_to(emulator, await emulator.slash("search", query="facial recognition DEA"))
    message = emulator.bot_messages(emulator.channel_id)[-1]
    embed = message["embeds"][0]
    assert embed["title"] == "Search: facial recognition DEA"
    assert embed["fields"][0]["name"].startswith("1. ")
    assert embed["fields"][0]["value"].startswith("> ")
    assert "DEA" in " ".join(f["name"] + f["value"] for f in embed["fields"][:3])

    menu = emulator.find_component(message, type=3)
    story_id = menu["options"][0]["value"]
    opened = await reply_to(emulator, await emulator.select(message, [story_id], user=emulator.bob))
    assert opened["data"]["flags"] & EPHEMERAL, "anyone may open a story, privately"
    assert opened["data"]["embeds"][0]["footer"]["text"] == f"Story #{story_id}"


async def test_story_shows_one_story_with_its_related_coverage(emulator: DiscordEmulator, newsbot) -> None:
    # Story 1 is the first seed's own article, which lists related coverage.
    detail = await newsbot.service.story(1)
    assert detail is not None and detail.related
    reply = await reply_to(emulator, await emulator.slash("story", id=1))
    embed = reply["data"]["embeds"][0]
    assert embed["title"] == detail.story.title
    assert embed["url"] == detail.story.url
    related = next(f for f in embed["fields"] if f["name"].startswith("Related coverage"))
    assert related["value"].count("\n") + 1 == len(detail.related)
    assert {f["name"] for f in embed["fields"]} >= {"Outlet", "Published"}


async def test_an_unknown_story_id_is_answered_plainly(emulator: DiscordEmulator, newsbot) -> None:
    reply = await reply_to(emulator, await emulator.slash("story", id=99999))
    assert reply["data"]["flags"] & EPHEMERAL
    assert reply["data"]["content"] == "There is no story #99999. Find ids with /latest or /search."


async def test_sources_topics_and_help(emulator: DiscordEmulator, newsbot) -> None:
    sources = await reply_to(emulator, await emulator.slash("sources"))
    assert sources["data"]["embeds"][0]["description"].startswith("**4** · Forbes")
    topics = await reply_to(emulator, await emulator.slash("topics"))
    assert "**3** · AI" in topics["data"]["embeds"][0]["description"]
    help_ = await reply_to(emulator, await emulator.slash("help"))
    assert help_["data"]["flags"] & EPHEMERAL
    assert "/ask" in help_["data"]["embeds"][0]["description"]
    assert emulator.command_names(emulator.guild_id) == [
        "ask", "digest", "feeds", "help", "latest", "reindex", "search", "settings", "sources", "story", "subscribe",
        "subscriptions", "topics", "unsubscribe",
    ]


MARKDOWN_TITLE = "Zebra *bold* _under_ `code` ~~gone~~ ||secret|| [x](https://evil.example)"
MARKDOWN_STORY = f"""---
title: '{MARKDOWN_TITLE}'
excerpt: "Zebras escaped the city zoo in a daring dawn breakout, keepers said."
publishedDateTime: 2020-06-20T10:00:00Z
type: article
provider:
  name: Zoo Times
  domain: zoo.example
topics:
  - Zebra *Watch*
---
Zebras escaped the city zoo in a daring dawn breakout, keepers said on Saturday.
"""


def unescaped_markdown(text: str) -> list[str]:
    """Markdown that would render: a marker character or a masked link not preceded by a backslash."""
    return re.findall(r"(?<!\\)(?:[*_`~|]|\[x\]\()", text)


@pytest.fixture
async def zebra_bot(start_bot, tmp_path):
    seeds = tmp_path / "markdown-seeds"
    seeds.mkdir()
    (seeds / "zebra.md").write_text(MARKDOWN_STORY, encoding="utf-8")
    return await start_bot(seeds=(seeds,))


async def test_latest_escapes_markdown_in_titles_and_filters(emulator: DiscordEmulator, zebra_bot) -> None:
    await reply_to(emulator, await emulator.slash("latest", topic="Zebra *Watch*"))
    embed = emulator.bot_messages(emulator.channel_id)[-1]["embeds"][0]
    assert "Zebra" in embed["description"] and "Watch" in embed["title"]
    line = embed["description"].split("](")[0]  # the linked title, before its URL
    assert unescaped_markdown(embed["title"]) == [] and unescaped_markdown(line) == []


async def test_search_and_story_escape_markdown_in_titles(emulator: DiscordEmulator, zebra_bot) -> None:
    await reply_to(emulator, await emulator.slash("search", query="zebras *zoo*"))
    embed = emulator.bot_messages(emulator.channel_id)[-1]["embeds"][0]
    assert embed["fields"][0]["name"].startswith("1. Zebra")
    assert unescaped_markdown(embed["fields"][0]["name"]) == [] and unescaped_markdown(embed["title"]) == []

    story = await reply_to(emulator, await emulator.slash("story", id=1))
    title = story["data"]["embeds"][0]["title"]
    assert title.startswith("Zebra") and unescaped_markdown(title) == []
