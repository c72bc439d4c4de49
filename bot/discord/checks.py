"""Slash-command checks shared by the cogs: the ask cooldown and the admin (Manage Server or owner) check.

Kept apart from :mod:`.client` so that cogs and views need the bot class only for type hints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import discord
from discord import app_commands

if TYPE_CHECKING:
    from .client import NewsBot


class NotManager(app_commands.CheckFailure):
    """The user may not run an admin command."""


def ask_cooldown_check(interaction: discord.Interaction) -> bool:
    """``/ask`` shares the per-user cooldown with mentions (state lives on the bot, not the module)."""
    bot = cast("NewsBot", interaction.client)
    retry_after = bot.cooldown.hit(interaction.user.id)
    if retry_after:
        raise app_commands.CommandOnCooldown(app_commands.Cooldown(bot.cooldown.rate, bot.cooldown.per), retry_after)
    return True


async def manager_check(interaction: discord.Interaction) -> bool:
    """Manage Server in this guild, or the application's owner anywhere."""
    if interaction.permissions.manage_guild:
        return True
    if await interaction.client.is_owner(interaction.user):  # type: ignore[attr-defined]
        return True
    raise NotManager()
