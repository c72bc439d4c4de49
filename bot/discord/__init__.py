"""The Discord adapter: slash commands, mentions, threads and buttons over :class:`NewsService`.

``newsbot run`` calls :func:`run_bot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator
from typing import Any

import aiohttp
import discord

from ..settings import Settings
from .client import CommandSyncRefused, NewsBot

__all__ = ["NewsBot", "run_bot", "serve"]

log = logging.getLogger(__name__)


async def serve(settings: Settings, **options: Any) -> None:
    """Log in, open the service, sync commands and run until closed (Ctrl-C, SIGTERM or ``bot.close()``)."""
    if not settings.discord_token:
        raise discord.LoginFailure("no token")
    if settings.shard_count is not None:  # this process runs some of the shards: the others run elsewhere
        options.setdefault("shard_count", settings.shard_count)
        options.setdefault("shard_ids", list(settings.shard_ids or range(settings.shard_count)))
    async with NewsBot(settings, **options) as bot:
        with _shutdown_on_sigterm(bot):
            await bot.start(settings.discord_token)
            await bot.close()  # after SIGTERM: returns once the store is closed


@contextlib.contextmanager
def _shutdown_on_sigterm(bot: NewsBot) -> Iterator[None]:
    """SIGTERM (docker stop, systemctl stop) shuts the bot down as cleanly as Ctrl-C does."""
    loop = asyncio.get_running_loop()

    def on_sigterm() -> None:
        log.info("SIGTERM received; shutting down")
        bot.begin_shutdown()

    try:
        loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    except (NotImplementedError, RuntimeError):  # Windows, or not the main thread: the default action stays
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


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
