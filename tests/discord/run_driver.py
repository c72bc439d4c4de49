"""Run ``newsbot run`` for real against the emulator, ask one question, then stop it with a signal.

Started as a subprocess by ``test_discord_run.py``: the emulator lives on its own thread and event loop;
the CLI runs in the main thread with the emulator's token in ``DISCORD_TOKEN``. Two ways to stop:

- ``ctrl-c``: SIGINT once the answer has arrived;
- ``sigterm``: SIGTERM (docker stop, systemctl stop) while the answer is deferred and its query-log
  write, slowed down on purpose, is in flight.

Prints a JSON summary last and exits with the CLI's exit code.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import discord.gateway
import discord.http
import yarl

from bot.cli import main as newsbot
from bot.service import NewsService

from .emulator import DiscordEmulator

WRITE_DELAY_S = 1.0
summary: dict[str, object] = {}
writing = threading.Event()


def slow_query_log() -> None:
    real = NewsService.log_query

    async def slow(self: NewsService, *args: Any, **kwargs: Any) -> int:
        writing.set()
        await asyncio.sleep(WRITE_DELAY_S)
        return await real(self, *args, **kwargs)

    NewsService.log_query = slow  # type: ignore[method-assign]


SYNC_WAIT_S = 45.0
"""How long the bot may take to connect and sync its commands (ingest of the seeds first): generous, because a
busy CI machine is slow, and a wait that runs out ends the run at once (see :func:`drive`) instead of hanging."""
ANSWER_WAIT_S = 30.0


def drive(emulator: DiscordEmulator, started: threading.Event, mode: str) -> None:
    async def script() -> None:
        await emulator.wait_until(lambda: emulator.sessions and emulator.commands.get(emulator.guild_id), SYNC_WAIT_S,
                                  "sync")
        record = await emulator.slash("ask", question="What did IBM decide?")
        if mode == "ctrl-c":
            await emulator.wait_until(lambda: record.followups, ANSWER_WAIT_S, "an answer")
            summary["answered"] = bool(record.followups[0]["embeds"])
            os.kill(os.getpid(), signal.SIGINT)
        else:
            await asyncio.to_thread(writing.wait, ANSWER_WAIT_S)
            summary["deferred"] = record.deferred
            os.kill(os.getpid(), signal.SIGTERM)
            await emulator.wait_until(lambda: record.original_edits, ANSWER_WAIT_S, "the restarting notice")
            summary["notice"] = (record.original or {}).get("content")
            summary["followups"] = len(record.followups)

    async def main() -> None:
        await emulator.start()
        discord.http.Route.BASE = emulator.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(emulator.gateway_url)
        started.set()
        try:
            await script()
        except Exception as error:  # noqa: BLE001 - any failure of the script is the run's failure
            # stop the bot now, with the cause in the summary: a bot left running would retry a vanished
            # emulator ("Cannot connect to host") until the test's subprocess timeout
            summary["driver_error"] = repr(error)
            os.kill(os.getpid(), signal.SIGINT)
        await asyncio.sleep(3)
        await emulator.stop()

    asyncio.run(main())


if __name__ == "__main__":
    mode, db = sys.argv[1], Path(sys.argv[2])
    if mode == "sigterm":
        slow_query_log()
    emulator = DiscordEmulator()
    started = threading.Event()
    threading.Thread(target=drive, args=(emulator, started, mode), daemon=True).start()
    if not started.wait(SYNC_WAIT_S):
        print(json.dumps({"driver_error": "the emulator did not start"}))
        sys.exit(3)
    os.environ.update(DISCORD_TOKEN=emulator.token, DISCORD_GUILD_ID=str(emulator.guild_id))
    code = newsbot(["--db", str(db), "run"])
    summary["exit_code"] = code
    print(json.dumps(summary))
    sys.exit(code)
