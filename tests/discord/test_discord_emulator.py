"""The emulator speaks enough Discord for the real discord.py client (checked with a tiny bot)."""

from __future__ import annotations

import asyncio

import discord
import pytest
from discord.ext import commands

from .emulator import DEFERRED_CHANNEL_MESSAGE, DiscordEmulator

pytestmark = pytest.mark.asyncio


class Echo(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Again")
    async def again(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.send_message("again!", ephemeral=True)


async def start_tiny_bot(emulator: DiscordEmulator) -> commands.AutoShardedBot:
    bot = commands.AutoShardedBot(command_prefix=[], intents=discord.Intents.default(), guild_ready_timeout=0.05)

    @bot.tree.command()
    async def echo(interaction: discord.Interaction, text: str) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send(f"echo: {text}", view=Echo())

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
        assert emulator.command_names(emulator.guild_id) == ["echo"]
        assert bot.get_guild(emulator.guild_id) is not None
        record = await emulator.slash("echo", text="hi")
        await emulator.wait_until(lambda: record.followups, what="follow-up")
        assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE]
        assert record.followups[0]["content"] == "echo: hi"
        click = await emulator.click(record.followups[0], "Again")
        await emulator.wait_until(lambda: click.original, what="button answer")
        assert click.original["content"] == "again!"
        assert emulator.heartbeats >= 1
    finally:
        await bot.close()
