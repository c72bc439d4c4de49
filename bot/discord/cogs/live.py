"""Live coverage: ``/subscribe``, ``/unsubscribe``, ``/subscriptions`` (managers) and ``/digest``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from ...live import SinceError, SubscriptionError, describe, parse_since
from ...service import MAX_SUBSCRIPTION_FILTER_CHARS, MAX_SUBSCRIPTION_QUERY_CHARS
from .. import embeds
from ..checks import manager_check
from ..notifier import NO_PINGS
from ..views import reply_ephemeral
from .browse import choices

if TYPE_CHECKING:
    from ..client import NewsBot

log = logging.getLogger(__name__)

DIGEST_MESSAGES = 3
"""A digest takes at most this many messages (30 topic embeds); a longer one says to narrow the time."""


class LiveCog(commands.Cog, name="Live"):
    """Channel subscriptions to new stories, and digests of what is new."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description="Post new stories that match to a channel (Manage Server only)")
    @app_commands.describe(
        topic="Only stories with this topic", query="Only stories that contain all these words",
        outlet="Only stories from this outlet", channel="Where to post (default: this channel)",
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(manager_check)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        topic: app_commands.Range[str, 1, MAX_SUBSCRIPTION_FILTER_CHARS] | None = None,
        query: app_commands.Range[str, 1, MAX_SUBSCRIPTION_QUERY_CHARS] | None = None,
        outlet: app_commands.Range[str, 1, MAX_SUBSCRIPTION_FILTER_CHARS] | None = None,
        channel: discord.TextChannel | None = None,
    ) -> None:
        channel_id = channel.id if channel is not None else interaction.channel_id
        if channel_id is None:
            await reply_ephemeral(interaction, "Pick the channel to post to.")
            return
        try:
            made = await self.bot.write(self.bot.service.subscribe(
                guild_id=interaction.guild_id, channel_id=channel_id, topic=topic, query=query, outlet=outlet,
                created_by=interaction.user.id,
            ))
        except SubscriptionError as error:
            await reply_ephemeral(interaction, f"Can't subscribe: {error}.")
            return
        log.info("subscription %s by %s: %s → channel %s", made.id, interaction.user.id, describe(made), channel_id)
        await reply_ephemeral(
            interaction,
            f"Subscribed <#{channel_id}> to {embeds.escape(describe(made))} (subscription `{made.id}`). "
            "New stories will be posted there from now on; earlier ones are in `/digest`.",
            allowed_mentions=NO_PINGS,
        )

    @subscribe.autocomplete("topic")
    async def _topic_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(await self.bot.service.complete_topic(current, limit=embeds.MAX_CHOICES))

    @subscribe.autocomplete("outlet")
    async def _outlet_choices(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return choices(await self.bot.service.complete_outlet(current, limit=embeds.MAX_CHOICES))

    @app_commands.command(name="unsubscribe", description="Stop a subscription (Manage Server only)")
    @app_commands.describe(id="The subscription's number, from /subscriptions")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(manager_check)
    async def unsubscribe(self, interaction: discord.Interaction, id: app_commands.Range[int, 1, 2**53]) -> None:
        removed = await self.bot.write(self.bot.service.unsubscribe(id, guild_id=interaction.guild_id))
        text = f"Subscription `{id}` stopped." if removed else f"This server has no subscription `{id}`: see `/subscriptions`."
        await reply_ephemeral(interaction, text)

    @app_commands.command(name="subscriptions", description="This server's subscriptions (Manage Server only)")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    @app_commands.check(manager_check)
    async def subscriptions(self, interaction: discord.Interaction) -> None:
        listed = await self.bot.service.subscriptions(guild_id=interaction.guild_id)
        await interaction.response.send_message(embed=embeds.subscriptions_embed(listed), ephemeral=True)

    @app_commands.command(name="digest", description="What was published since a time, one cited sentence a story")
    @app_commands.describe(since="e.g. 24h (default), 90m, 3d, 2w or a date like 2020-06-11")
    async def digest(self, interaction: discord.Interaction, since: app_commands.Range[str, 1, 40] | None = None) -> None:
        try:
            start = parse_since(since, datetime.now(UTC))
        except SinceError as error:
            await reply_ephemeral(interaction, f"{str(error)[:1].upper()}{str(error)[1:]}.")
            return
        digest = await self.bot.service.digest(start)
        messages = embeds.batches(embeds.digest_embeds(digest))
        heading = embeds.digest_heading(digest)
        if len(messages) > DIGEST_MESSAGES:
            shown = sum(len(batch) for batch in messages[:DIGEST_MESSAGES])
            messages = messages[:DIGEST_MESSAGES]
            heading += f"\n(the {shown} largest of {len(digest.groups)} topics; a later time narrows it)"
        await interaction.response.send_message(heading, embeds=messages[0] if messages else [], allowed_mentions=NO_PINGS)
        for batch in messages[1:]:
            await interaction.followup.send(embeds=batch, allowed_mentions=NO_PINGS)
