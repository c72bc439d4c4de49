"""The emulator speaks enough Discord for the real discord.py client (checked with a tiny bot), and is as
strict as Discord: interactions expire, bodies over Discord's limits are refused, pings are computed."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import discord
import pytest
from discord.ext import commands

from .emulator import (
    DEFERRED_CHANNEL_MESSAGE,
    INVALID_WEBHOOK_TOKEN,
    RESPONSE_DEADLINE_S,
    TOKEN_LIFETIME_S,
    UNKNOWN_INTERACTION,
    DiscordEmulator,
)

pytestmark = pytest.mark.asyncio


class Echo(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message("again!", ephemeral=True)


async def start_tiny_bot(emulator: DiscordEmulator, errors: list[Exception] | None = None) -> commands.AutoShardedBot:
    """A minimal real discord.py bot: ``/echo`` defers then follows up; ``/shout`` answers with ``n`` x's.
    Errors the commands raise are appended to ``errors``."""
    bot = commands.AutoShardedBot(command_prefix=[], intents=discord.Intents.default(), guild_ready_timeout=0.05)

    @bot.tree.command()
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"echo: {text}", view=Echo())

    @bot.tree.command()
    async def shout(interaction: discord.Interaction, n: int) -> None:
        await interaction.response.send_message("x" * n)

    async def on_error(interaction: discord.Interaction, error: discord.app_commands.AppCommandError) -> None:
        if errors is not None:
            errors.append(getattr(error, "original", error))

    bot.tree.on_error = on_error  # type: ignore[method-assign]

    async def setup_hook() -> None:
        guild = discord.Object(emulator.guild_id)
        bot.tree.copy_global_to(guild=guild)
        await bot.tree.sync(guild=guild)

    bot.setup_hook = setup_hook  # type: ignore[method-assign]
    asyncio.get_running_loop().create_task(bot.start(emulator.token))
    await asyncio.wait_for(bot.wait_until_ready(), 5)
    return bot


async def test_real_client_logs_in_syncs_and_answers_a_deferred_command(emulator: DiscordEmulator) -> None:
    bot = await start_tiny_bot(emulator)
    try:
        assert emulator.command_names(emulator.guild_id) == ["echo", "shout"]
        assert bot.get_guild(emulator.guild_id) is not None
        record = await emulator.slash("echo", text="hi")
        await emulator.wait_until(lambda: record.followups, what="follow-up")
        assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE]
        assert record.followups[0]["content"] == "echo: hi"
        click = await emulator.click(record.followups[0], "Again")
        original = await emulator.wait_until(lambda: click.original, what="button answer")
        assert original["content"] == "again!"
        assert emulator.heartbeats >= 1
    finally:
        await bot.close()


# ------------------------------------------------------------------------------ expiry
async def test_an_interaction_answered_after_three_seconds_is_unknown(emulator: DiscordEmulator) -> None:
    errors: list[Exception] = []
    bot = await start_tiny_bot(emulator, errors)
    try:
        late = await emulator.slash("echo", text="hi", lag=RESPONSE_DEADLINE_S + 0.5)
        await emulator.wait_until(lambda: errors, what="the bot's error")
        assert isinstance(errors[0], discord.NotFound) and errors[0].code == UNKNOWN_INTERACTION
        assert late.attempts == [("callback 5", 404)] and not late.callbacks

        in_time = await emulator.slash("echo", text="hi", lag=RESPONSE_DEADLINE_S - 1.0)
        await emulator.wait_until(lambda: in_time.followups, what="the answer in time")
        assert in_time.callback_types == [DEFERRED_CHANNEL_MESSAGE]
    finally:
        await bot.close()


async def test_follow_ups_and_edits_work_for_fifteen_minutes_only(emulator: DiscordEmulator) -> None:
    bot = await start_tiny_bot(emulator)
    try:
        record = await emulator.slash("echo", text="hi")
        await emulator.wait_until(lambda: record.followups, what="the follow-up")
        url = f"{emulator.api_base}/webhooks/{emulator.app_id}/{record.token}/messages/@original"
        async with aiohttp.ClientSession() as http:
            emulator.advance(TOKEN_LIFETIME_S - 60)
            async with http.patch(url, json={"content": "still mine"}) as response:
                assert response.status == 200
            emulator.advance(120)
            async with http.patch(url, json={"content": "too late"}) as response:
                assert response.status == 401
                assert (await response.json())["code"] == INVALID_WEBHOOK_TOKEN
            async with http.post(url.rsplit("/messages", 1)[0], json={"content": "too late"}) as response:
                assert response.status == 401
        assert record.original is not None and record.original["content"] == "still mine"
    finally:
        await bot.close()


# ------------------------------------------------------------------------------ limits
def embed(**overrides: Any) -> dict[str, Any]:
    return {"title": "t", "description": "d", **overrides}


def button(custom_id: str = "b", label: str = "ok") -> dict[str, Any]:
    return {"type": 2, "style": 1, "custom_id": custom_id, "label": label}


def row(*components: dict[str, Any]) -> dict[str, Any]:
    return {"type": 1, "components": list(components)}


def menu(options: int = 1, text: str = "o", custom_id: str = "m") -> dict[str, Any]:
    return {"type": 3, "custom_id": custom_id, "options": [{"label": text, "value": f"{i}"} for i in range(options)]}


def fields(n: int, name: str = "n", value: str = "v") -> list[dict[str, Any]]:
    return [{"name": name, "value": value} for _ in range(n)]


OVER_THE_LIMIT = {
    "content over 2000": ({"content": "x" * 2001}, ["content"]),
    "11 embeds": ({"embeds": [embed()] * 11}, ["embeds"]),
    "title over 256": ({"embeds": [embed(title="x" * 257)]}, ["embeds", "0", "title"]),
    "description over 4096": ({"embeds": [embed(description="x" * 4097)]}, ["embeds", "0", "description"]),
    "26 fields": ({"embeds": [embed(fields=fields(26))]}, ["embeds", "0", "fields"]),
    "field name over 256": ({"embeds": [embed(fields=fields(1, name="x" * 257))]}, ["embeds", "0", "fields", "0", "name"]),
    "field value over 1024": ({"embeds": [embed(fields=fields(1, value="x" * 1025))]}, ["embeds", "0", "fields", "0", "value"]),
    "footer over 2048": ({"embeds": [embed(footer={"text": "x" * 2049})]}, ["embeds", "0", "footer", "text"]),
    "author over 256": ({"embeds": [embed(author={"name": "x" * 257})]}, ["embeds", "0", "author", "name"]),
    "embeds over 6000 in all": ({"embeds": [embed(description="x" * 3000), embed(description="x" * 3000)]}, ["embeds"]),
    "6 action rows": ({"components": [row(button(f"b{i}")) for i in range(6)]}, ["components"]),
    "6 buttons in a row": ({"components": [row(*(button(f"b{i}") for i in range(6)))]}, ["components", "0", "components"]),
    "custom_id over 100": ({"components": [row(button("x" * 101))]}, ["components", "0", "components", "0", "custom_id"]),
    "button label over 80": ({"components": [row(button(label="x" * 81))]}, ["components", "0", "components", "0", "label"]),
    "26 select options": ({"components": [row(menu(options=26))]}, ["components", "0", "components", "0", "options"]),
    "option label over 100": (
        {"components": [row(menu(text="x" * 101))]}, ["components", "0", "components", "0", "options", "0", "label"]
    ),
}

AT_THE_LIMIT = {
    "content": "x" * 2000,
    "embeds": [
        embed(title="x" * 256, description="x" * 3000, fields=fields(25, name="n", value="v")),
        *[embed(title="", description="x" * 250) for _ in range(9)],
    ],
    "components": [
        row(*(button(f"{r}-{i}" + "x" * 90, label="x" * 80) for i in range(5))) for r in range(4)
    ] + [row(menu(options=25, text="x" * 97))],
}


def error_at(errors: dict[str, Any], path: list[str]) -> list[dict[str, Any]]:
    node = errors
    for key in path:
        node = node[key]
    return node["_errors"]


@pytest.mark.parametrize(("body", "path"), OVER_THE_LIMIT.values(), ids=OVER_THE_LIMIT.keys())
async def test_a_message_over_a_discord_limit_is_refused_with_discords_error_shape(
    emulator: DiscordEmulator, body: dict[str, Any], path: list[str]
) -> None:
    headers = {"Authorization": f"Bot {emulator.token}"}
    url = f"{emulator.api_base}/channels/{emulator.channel_id}/messages"
    async with aiohttp.ClientSession(headers=headers) as http, http.post(url, json=body) as response:
        assert response.status == 400
        payload = await response.json()
    assert payload["code"] == 50035 and payload["message"] == "Invalid Form Body"
    assert error_at(payload["errors"], path)[0]["code"] in ("BASE_TYPE_MAX_LENGTH", "COMPONENT_LAYOUT_WIDTH_EXCEEDED")
    assert not emulator.bot_messages(emulator.channel_id), "nothing is posted"
    emulator.invalid_bodies.clear()  # refused on purpose


async def test_a_message_exactly_at_every_limit_is_accepted(emulator: DiscordEmulator) -> None:
    headers = {"Authorization": f"Bot {emulator.token}"}
    url = f"{emulator.api_base}/channels/{emulator.channel_id}/messages"
    async with aiohttp.ClientSession(headers=headers) as http, http.post(url, json=AT_THE_LIMIT) as response:
        assert response.status == 200, await response.text()


async def test_limits_apply_to_interaction_responses_and_follow_up_edits(emulator: DiscordEmulator) -> None:
    errors: list[Exception] = []
    bot = await start_tiny_bot(emulator, errors)
    try:
        too_long = await emulator.slash("shout", n=2001)
        await emulator.wait_until(lambda: errors, what="the refused response")
        assert isinstance(errors[0], discord.HTTPException) and errors[0].code == 50035
        assert "In data.content: Must be 2000 or fewer in length." in str(errors[0])
        assert too_long.attempts == [("callback 4", 400)] and not too_long.callbacks

        fits = await emulator.slash("shout", n=2000)
        await emulator.wait_until(lambda: fits.callbacks, what="the response at the limit")

        record = await emulator.slash("echo", text="hi")
        await emulator.wait_until(lambda: record.followups, what="the follow-up")
        url = f"{emulator.api_base}/webhooks/{emulator.app_id}/{record.token}/messages/@original"
        async with aiohttp.ClientSession() as http, http.patch(url, json={"embeds": [embed(title="x" * 257)]}) as response:
            assert response.status == 400
        emulator.invalid_bodies.clear()  # refused on purpose
    finally:
        await bot.close()


# ------------------------------------------------------------------------------- pings
async def post(emulator: DiscordEmulator, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Authorization": f"Bot {emulator.token}"}
    url = f"{emulator.api_base}/channels/{emulator.channel_id}/messages"
    async with aiohttp.ClientSession(headers=headers) as http, http.post(url, json=body) as response:
        assert response.status == 200
        return await response.json()


@pytest.mark.parametrize(
    ("allowed_mentions", "pinged"),
    [
        (None, {"alice", "bob", "role", "everyone"}),
        ({"parse": []}, set()),
        ({"parse": ["users"]}, {"alice", "bob"}),
        ({"parse": [], "users": ["{bob}"]}, {"bob"}),
        ({"parse": ["roles", "everyone"]}, {"role", "everyone"}),
    ],
    ids=["absent-everything-pings", "parse-none", "parse-users", "listed-user", "roles-and-everyone"],
)
async def test_pings_are_the_contents_mentions_filtered_by_allowed_mentions(
    emulator: DiscordEmulator, allowed_mentions: dict[str, Any] | None, pinged: set[str]
) -> None:
    alice, bob, role = emulator.alice.id, emulator.bob.id, 4242
    body: dict[str, Any] = {"content": f"<@{alice}> <@!{bob}> <@&{role}> @everyone"}
    if allowed_mentions is not None:
        body["allowed_mentions"] = {
            **allowed_mentions, "users": [str(bob) for _ in allowed_mentions.get("users", [])]
        }
    pings = emulator.pings_of(await post(emulator, body))
    names = {n for n, uid in (("alice", alice), ("bob", bob)) if uid in pings.users}
    names |= {"role"} if role in pings.roles else set()
    names |= {"everyone"} if pings.everyone else set()
    assert names == pinged


@pytest.mark.parametrize(
    ("allowed_mentions", "pings_author"),
    [(None, True), ({"parse": []}, False), ({"parse": [], "replied_user": True}, True), ({"parse": ["users"]}, False)],
    ids=["absent", "parse-none", "replied-user", "parse-users-without-replied-user"],
)
async def test_a_reply_pings_its_author_only_if_replied_user_allows(
    emulator: DiscordEmulator, allowed_mentions: dict[str, Any] | None, pings_author: bool
) -> None:
    question = await emulator.say("what did IBM decide?")
    body: dict[str, Any] = {"content": "IBM quit.", "message_reference": {"message_id": question["id"]}}
    if allowed_mentions is not None:
        body["allowed_mentions"] = allowed_mentions
    reply = await post(emulator, body)
    assert bool(emulator.pings_of(reply)) is pings_author
    assert (emulator.alice.id in emulator.pings_of(reply).users) is pings_author
    assert [int(u["id"]) for u in reply["mentions"]] == ([emulator.alice.id] if pings_author else [])
