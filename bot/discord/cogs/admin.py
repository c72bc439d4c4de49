"""Administration and reference: ``/reindex`` and ``/settings`` (managers only), ``/sources``, ``/topics``, ``/help``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from .. import embeds
from ..checks import manager_check

if TYPE_CHECKING:
    from ..client import NewsBot

log = logging.getLogger(__name__)


class AdminCog(commands.Cog, name="Admin"):
    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="reindex", description="Re-read the article files now (Manage Server only)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(manager_check)
    async def reindex(self, interaction: discord.Interaction) -> None:
        async with self.bot.deferred(interaction, ephemeral=True):
            report = await self.bot.write(self.bot.service.ingest())  # a shutdown waits for it, never tears it
            log.info("reindex by %s: %s", interaction.user.id, report.summary())
            await interaction.followup.send(embed=embeds.ingest_embed(report), ephemeral=True)

    @app_commands.command(name="settings", description="How the bot answers in this server (Manage Server only)")
    @app_commands.describe(
        answer_mentions="Answer questions that mention the bot (off: only /ask answers)",
        answer_in_threads="Answer a mention in a new thread (off: in the channel)",
    )
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(manager_check)
    async def settings(
        self, interaction: discord.Interaction, answer_mentions: bool | None = None,
        answer_in_threads: bool | None = None,
    ) -> None:
        """Without options: show this server's settings; with some: change those (stored, shared by every process)."""
        assert interaction.guild_id is not None  # guild_only
        changing = answer_mentions is not None or answer_in_threads is not None
        if changing:
            settings = await self.bot.write(self.bot.service.update_guild_settings(
                interaction.guild_id, answer_mentions=answer_mentions, answer_in_threads=answer_in_threads,
                updated_by=interaction.user.id,
            ))
            log.info("settings of guild %s changed by %s: %s", interaction.guild_id, interaction.user.id, settings)
        else:
            settings = await self.bot.service.guild_settings(interaction.guild_id)
        await interaction.response.send_message(embed=embeds.settings_embed(settings, changed=changing), ephemeral=True)

    @app_commands.command(name="sources", description="The outlets in the coverage, with story counts")
    async def sources(self, interaction: discord.Interaction) -> None:
        facets = await self.bot.service.sources()
        await interaction.response.send_message(embed=embeds.facets_embed(facets, title="Outlets", noun="outlets"))

    @app_commands.command(name="topics", description="The topics in the coverage, with story counts")
    async def topics(self, interaction: discord.Interaction) -> None:
        facets = await self.bot.service.topics()
        await interaction.response.send_message(embed=embeds.facets_embed(facets, title="Topics", noun="topics"))

    @app_commands.command(name="help", description="What this bot can do")
    async def help(self, interaction: discord.Interaction) -> None:
        mention = self.bot.user.mention if self.bot.user else None
        await interaction.response.send_message(embed=embeds.help_embed(mention), ephemeral=True)
