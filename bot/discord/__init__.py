"""The Discord adapter: slash commands, mentions, threads and buttons over :class:`NewsService`.

``newsbot run`` calls :func:`run_bot`.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

import aiohttp
import discord

from ..settings import Settings
from .client import CommandSyncRefused, NewsBot

__all__ = ["NewsBot", "run_bot", "serve"]

log = logging.getLogger(__name__)


async def serve(settings: Settings, **options: Any) -> None:
    """Log in, open the service, sync commands and run until closed (Ctrl-C or ``bot.close()``)."""
    if not settings.discord_token:
        raise discord.LoginFailure("no token")
    async with NewsBot(settings, **options) as bot:
        await bot.start(settings.discord_token)


def _fail(message: str) -> int:
    print(f"newsbot: error: {message}", file=sys.stderr)
    return 2


def run_bot(settings: Settings) -> int:
    """Run the bot until Ctrl-C; return the process exit code. Failures are one clear line on stderr."""
    if not settings.discord_token:
        return _fail("DISCORD_TOKEN is not set; put the bot token in .env or the environment (see .env.example)")
    level = getattr(logging, settings.log_level, logging.INFO)
    for name in ("bot", "discord"):
        logging.getLogger(name).setLevel(min(level, logging.getLogger(name).getEffectiveLevel()))
    try:
        asyncio.run(serve(settings))
    except KeyboardInterrupt:
        log.info("interrupted; shut down cleanly")
        return 0
    except discord.LoginFailure:
        return _fail("Discord rejected DISCORD_TOKEN (improper token); copy the bot token again from the Developer Portal")
    except discord.PrivilegedIntentsRequired:
        return _fail(
            "NEWSBOT_MESSAGE_CONTENT is on but the Message Content intent is not enabled for this bot in the "
            "Developer Portal (Bot → Privileged Gateway Intents)"
        )
    except CommandSyncRefused as error:
        return _fail(str(error))
    except (aiohttp.ClientConnectionError, discord.GatewayNotFound, OSError) as error:
        return _fail(f"cannot reach Discord: {error}")
    return 0
