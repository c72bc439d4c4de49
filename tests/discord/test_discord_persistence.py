"""Buttons and menus keep working after a restart: their custom ids carry what they need (issue 14)."""

from __future__ import annotations

import re

import pytest

from bot.discord import embeds, views
from bot.discord.views import Pages

from .conftest import StartBot
from .emulator import (
    CHANNEL_MESSAGE,
    EPHEMERAL,
    UPDATE_MESSAGE,
    DiscordEmulator,
    InteractionRecord,
)


async def response(emulator: DiscordEmulator, record: InteractionRecord) -> dict:
    await emulator.wait_until(lambda: record.callbacks, what="the interaction's response")
    return record.callbacks[0]


def numbers(message: dict) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", message["embeds"][0].get("description", ""), re.MULTILINE)]


def assert_dynamic_ids(emulator: DiscordEmulator, message: dict) -> None:
    for component in emulator.components(message):
        assert component["custom_id"].startswith("nb:") and len(component["custom_id"]) <= 100, component


async def test_answer_and_pager_controls_work_after_the_bot_restarts(emulator: DiscordEmulator, start_bot: StartBot) -> None:
    before = await start_bot()
    question = "Why did Amazon ban police use of its face recognition?"
    answered = await before.service.ask(question)
    asked = await emulator.slash("ask", question=question)
    await emulator.wait_until(lambda: asked.followups, what="the answer")
    answer = asked.followups[0]
    await response(emulator, await emulator.slash("latest", count=3))
    listing = emulator.bot_messages(emulator.channel_id)[-1]
    for message in (answer, listing):
        assert_dynamic_ids(emulator, message)
    await before.close()

    after = await start_bot()
    assert after is not before

    sources = await response(emulator, await emulator.click(answer, "Sources"))
    assert sources["type"] == CHANNEL_MESSAGE and sources["data"]["flags"] & EPHEMERAL
    expected = embeds.sources_embed(answered.citations).to_dict()
    assert sources["data"]["embeds"] == [expected], "the answer's sources and passages, rebuilt from the button's id"

    vote = await response(emulator, await emulator.click(answer, "👍", user=emulator.bob))
    assert vote["data"]["content"] == "Thanks for the feedback!"
    assert (await after.service.stats()).upvotes == 1

    turned = await response(emulator, await emulator.click(listing, "Next"))
    assert turned["type"] == UPDATE_MESSAGE and numbers(listing) == [4, 5, 6]
    refused = await response(emulator, await emulator.click(listing, "Next", user=emulator.bob))
    assert refused["data"]["content"] == views.NOT_YOUR_PAGES and numbers(listing) == [4, 5, 6]

    story_id = emulator.find_component(listing, type=3)["options"][0]["value"]
    opened = await response(emulator, await emulator.select(listing, [story_id], user=emulator.bob))
    assert opened["data"]["embeds"][0]["footer"]["text"] == f"Story #{story_id}"


async def test_pages_of_a_query_too_long_for_an_id_turn_until_a_restart_then_say_so(
    emulator: DiscordEmulator, start_bot: StartBot
) -> None:
    query = "facial recognition technology used by police departments and federal agencies like the DEA"
    before = await start_bot()
    await response(emulator, await emulator.slash("search", query=query))
    listing = emulator.bot_messages(emulator.channel_id)[-1]
    assert_dynamic_ids(emulator, listing)
    assert ":saved:" in emulator.find_component(listing, label="Next")["custom_id"], "kept in memory, not in the id"
    turned = await response(emulator, await emulator.click(listing, "Next"))
    assert turned["type"] == UPDATE_MESSAGE and listing["embeds"][0]["fields"][0]["name"].startswith("6. ")
    await before.close()

    await start_bot()
    gone = await response(emulator, await emulator.click(listing, "Previous"))
    assert gone["data"]["flags"] & EPHEMERAL and gone["data"]["content"] == views.PAGES_GONE


def button_row(custom_id: str, label: str = "Old") -> dict:
    return {"type": 1, "components": [{"type": 2, "style": 2, "label": label, "custom_id": custom_id}]}


@pytest.mark.parametrize(
    ("custom_id", "explanation"),
    [
        ("0123456789abcdef0123456789abcdef", views.STALE_CONTROL),
        ("nb:src:999999", views.SOURCES_GONE),
        ("nb:vote:999999:up", views.VOTE_GONE),
    ],
    ids=["older-bot-version", "sources-re-ingested", "query-not-logged"],
)
async def test_a_control_that_cannot_be_rebuilt_says_why_privately(
    emulator: DiscordEmulator, newsbot, custom_id: str, explanation: str
) -> None:
    message = emulator.post_as_bot({"content": "an old answer", "components": [button_row(custom_id)]})
    reply = await response(emulator, await emulator.click(message, "Old"))
    assert reply["type"] == CHANNEL_MESSAGE and reply["data"]["flags"] & EPHEMERAL
    assert reply["data"]["content"] == explanation


@pytest.mark.parametrize(
    "pages",
    [
        Pages("latest", 2**63 - 1, 10, topic="AI | ethics: 100%", outlet="Forbes"),
        Pages("latest", 1, 1),
        Pages("search", 987654321098765432, query="café «facial» recognition | DEA: 50% <@123>"),
    ],
    ids=["latest-with-separators", "latest-unfiltered", "search-with-unicode"],
)
def test_pages_survive_the_round_trip_through_a_custom_id(pages: Pages) -> None:
    custom_id = f"nb:page:7:{pages.encode()}"
    match = views.PageButton.__discord_ui_compiled_template__.fullmatch(custom_id)
    assert match is not None and match["page"] == "7"
    assert Pages.decode(match["kind"], match["owner"], match["per_page"], match["args"]) == pages
