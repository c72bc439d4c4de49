"""``newsbot run`` in a process of its own, pointed at an emulator that runs in the test process.

``python -m tests.discord.shard_driver API_BASE GATEWAY_URL [newsbot arguments…]``: discord.py is pointed
at the emulator's REST base and gateway, then the CLI runs with the given arguments (the token, guild,
database and seeds come from the environment). Used by ``test_discord_shards.py``.
"""

from __future__ import annotations

import sys

import discord.gateway
import discord.http
import yarl

from bot.cli import main as newsbot

if __name__ == "__main__":
    api_base, gateway_url, *arguments = sys.argv[1:]
    discord.http.Route.BASE = api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)
    sys.exit(newsbot(arguments))
