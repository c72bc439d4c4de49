"""Browsing: ``/latest``, ``/search`` and ``/story``, with paging and a story picker."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...service import MAX_QUESTION_CHARS
from .. import embeds
from ..views import Pages, load_page, send_story

if TYPE_CHECKING:
    from ..client import NewsBot

log = logging.getLogger(__name__)

PER_PAGE_MAX = 10


def choices(names: list[str]) -> list[app_commands.Choice[str]]:
    """Autocomplete choices within Discord's limits (25 choices, 100 characters each)."""
    out = []
    for name in names[: embeds.MAX_CHOICES]:
        if len(name) <= embeds.CHOICE_LIMIT:
            out.append(app_commands.Choice(name=name, value=name))
    return out


class BrowseCog(commands.Cog, name="Browse"):
    """Newest stories, ranked search and single stories."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="latest", description="The newest stories, optionally for one topic or outlet")
    @app_commands.describe(
        topic="Only stories with this topic", outlet="Only stories from this outlet", count="Stories per page (1–10)"
    )
    async def latest(
        self,
        interaction: discord.Interaction,
        topic: str | None = None,
        outlet: str | None = None,
        count: app_commands.Range[int, 1, PER_PAGE_MAX] = 5,
    ) -> None:
        pages = Pages("latest", interaction.user.id, count, topic=topic or "", outlet=outlet or "")
        await self._send_pages(interaction, pages)

    @latest.autocomplete("topic")
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(await self.bot.service.complete_topic(current, limit=embeds.MAX_CHOICES))

    @latest.autocomplete("outlet")
    async def _outlet_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(await self.bot.service.complete_outlet(current, limit=embeds.MAX_CHOICES))

    @app_commands.command(name="search", description="Stories ranked by relevance, with the matching passage")
    @app_commands.describe(query="Words to look for, e.g. facial recognition police")
    async def search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, MAX_QUESTION_CHARS]
    ) -> None:
        query = self.bot.service.validate_question(query)  # QuestionError → a private note
        await self._send_pages(interaction, Pages("search", interaction.user.id, query=query))

    @app_commands.command(name="story", description="One story in full, with its related coverage")
    @app_commands.describe(id="The story number shown as #id in /latest and /search")
    async def story(self, interaction: discord.Interaction, id: app_commands.Range[int, 1, 2**53]) -> None:
        await send_story(self.bot, interaction, id, ephemeral=False)

    async def _send_pages(self, interaction: discord.Interaction, pages: Pages) -> None:
        page = await load_page(self.bot, pages, 0)
        if page.single and page.empty:
            await interaction.response.send_message(embed=page.embed)
            return
        await interaction.response.send_message(embed=page.embed, view=page.view)
