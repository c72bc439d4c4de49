"""``/feeds add|list|remove|enable``: the feeds the bot follows, for server managers only."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from retrieval.feeds import FeedError

from .. import embeds
from ..checks import manager_check

if TYPE_CHECKING:
    from ..client import NewsBot

log = logging.getLogger(__name__)


@app_commands.default_permissions(manage_guild=True)
@app_commands.guild_only()
class FeedsCog(commands.GroupCog, group_name="feeds", group_description="The RSS and Atom feeds the bot follows"):
    """Thin adapter over the service's feed methods; every reply is private to the manager."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await manager_check(interaction)

    def _now(self) -> float:
        return self.bot.service.clock.now()

    @app_commands.command(name="add", description="Follow a feed: its new stories join the coverage")
    @app_commands.describe(url="The feed's address (RSS or Atom)", name="The outlet its stories are listed under",
                           topic="A topic given to all its stories",
                           full_text="Fetch each new item's article page for its full text (default: the feed's text)")
    async def add(
        self, interaction: discord.Interaction, url: app_commands.Range[str, 1, 2000],
        name: app_commands.Range[str, 1, 100] | None = None, topic: app_commands.Range[str, 1, 100] | None = None,
        full_text: bool = False,
    ) -> None:
        async with self.bot.deferred(interaction, ephemeral=True):
            try:
                feed, outcomes = await self.bot.write(self.bot.service.add_feed(
                    url, name=name, topic=topic, full_text=full_text, poll=True
                ))
            except FeedError as error:
                await interaction.followup.send(str(error), ephemeral=True)
                return
            log.info("feed %s added by %s", feed.url, interaction.user.id)
            embed = embeds.poll_embed(f"Following {feed.label}", feed, outcomes, self._now())
            await interaction.followup.send(embed=embed, ephemeral=True)

    @app_commands.command(name="list", description="The feeds followed, their health and item counts")
    async def list_feeds(self, interaction: discord.Interaction) -> None:
        feeds = await self.bot.service.list_feeds()
        await interaction.response.send_message(embed=embeds.feeds_embed(feeds, self._now()), ephemeral=True)

    @app_commands.command(name="remove", description="Stop following a feed and remove its stories")
    @app_commands.describe(feed="The feed's number in /feeds list (or its address)")
    async def remove(self, interaction: discord.Interaction, feed: app_commands.Range[str, 1, 2000]) -> None:
        async with self.bot.deferred(interaction, ephemeral=True):
            try:
                removed, report = await self.bot.write(self.bot.service.remove_feed(feed))
            except FeedError as error:
                await interaction.followup.send(str(error), ephemeral=True)
                return
            log.info("feed %s removed by %s", removed.url, interaction.user.id)
            text = f"No longer following **{embeds.escape(removed.label)}**; its {len(report.removed)} stories were removed."
            await interaction.followup.send(text, ephemeral=True)

    @app_commands.command(name="enable", description="Re-enable a failing or disabled feed and poll it now")
    @app_commands.describe(feed="The feed's number in /feeds list (or its address)")
    async def enable(self, interaction: discord.Interaction, feed: app_commands.Range[str, 1, 2000]) -> None:
        async with self.bot.deferred(interaction, ephemeral=True):
            try:
                enabled, outcomes = await self.bot.write(self.bot.service.enable_feed(feed, poll=True))
            except FeedError as error:
                await interaction.followup.send(str(error), ephemeral=True)
                return
            embed = embeds.poll_embed(f"Re-enabled {enabled.label}", enabled, outcomes, self._now())
            await interaction.followup.send(embed=embed, ephemeral=True)

    @remove.autocomplete("feed")
    @enable.autocomplete("feed")
    async def _feed_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        current = current.casefold().strip().lstrip("#")
        return [
            app_commands.Choice(name=embeds.clip(f"#{f.id} {f.label}", embeds.CHOICE_LIMIT), value=str(f.id))
            for f in await self.bot.service.list_feeds()
            if not current or current in f"{f.id} {f.label} {f.url}".casefold()
        ][: embeds.MAX_CHOICES]

