"""Run ``newsbot run`` for real against the emulator, ask one question, then press Ctrl-C (SIGINT).

Started as a subprocess by ``test_discord_run.py``: the emulator lives on its own thread and event
loop; the CLI runs in the main thread with the emulator's token in ``DISCORD_TOKEN``. Prints a JSON
summary last and exits with the CLI's exit code.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from pathlib import Path

import discord.gateway
import discord.http
import yarl

from bot.cli import main as newsbot

from .emulator import DiscordEmulator

summary: dict[str, object] = {}


def drive(emulator: DiscordEmulator, started: threading.Event) -> None:
    async def main() -> None:
        await emulator.start()
        discord.http.Route.BASE = emulator.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
        started.set()
        await emulator.wait_until(lambda: emulator.sessions and emulator.commands.get(emulator.guild_id), 20, "sync")
        record = await emulator.slash("ask", question="What did IBM decide?")
        await emulator.wait_until(lambda: record.followups, 10, "an answer")
        summary["answered"] = bool(record.followups[0]["embeds"])
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C
        await asyncio.sleep(3)
        await emulator.stop()

    asyncio.run(main())


if __name__ == "__main__":
    db = Path(sys.argv[1])
    emulator = DiscordEmulator()
    started = threading.Event()
    threading.Thread(target=drive, args=(emulator, started), daemon=True).start()
    started.wait(10)
    os.environ.update(DISCORD_TOKEN=emulator.token, DISCORD_GUILD_ID=str(emulator.guild_id))
    code = newsbot(["--db", str(db), "run"])
    summary["exit_code"] = code
    print(json.dumps(summary))
    sys.exit(code)
