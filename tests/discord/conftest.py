"""Fixtures: a Discord emulator on 127.0.0.1 and the real NewsBot (discord.py) connected to it."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.discord import NewsBot
from bot.settings import Settings

from .emulator import DiscordEmulator

PROJECT_ROOT = Path(__file__).resolve().parents[2]

SEEDS = PROJECT_ROOT / "seeds"

StartBot = Callable[..., Awaitable[NewsBot]]


@pytest_asyncio.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    """A fresh emulated Discord (one app, one guild, a few users); discord.py pointed at it."""
    emu = DiscordEmulator()
    await emu.start()
    emu.patch_discord(monkeypatch)
    logging.getLogger("discord").setLevel(logging.INFO)
    try:
        yield emu
    finally:
        await emu.stop()
    assert not emu.invalid_bodies, f"the bot sent bodies Discord would refuse (400 Invalid Form Body): {emu.invalid_bodies}"


@pytest.fixture
def settings(emulator: DiscordEmulator, tmp_path: Path) -> Settings:
    """Settings for a test bot: the project's seeds, a temporary database, the emulator's token and guild."""
    return Settings(
        seeds=(SEEDS,),
        db_path=tmp_path / "newsbot.db",
        discord_token=emulator.token,
        guild_id=emulator.guild_id,
        ask_cooldown_rate=100,
        ask_cooldown_seconds=60.0,
        watch=False,  # the tests that watch a folder turn it on (tests/discord/test_discord_live.py)
    )


@pytest_asyncio.fixture
async def start_bot(emulator: DiscordEmulator, settings: Settings) -> AsyncIterator[StartBot]:
    """``await start_bot(**setting_overrides)`` → a NewsBot that has logged in, synced and is READY."""
    started: list[tuple[NewsBot, asyncio.Task[None]]] = []

    async def start(**overrides: Any) -> NewsBot:
        bot = NewsBot(dataclasses.replace(settings, **overrides), guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(emulator.token))
        started.append((bot, task))
        ready = asyncio.create_task(bot.wait_until_ready())
        await asyncio.wait({ready, task}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            ready.cancel()
            task.result()  # raises the start-up error
        assert ready.done(), "the bot did not become ready"
        return bot

    yield start
    for bot, task in started:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 5)


@pytest_asyncio.fixture
async def newsbot(start_bot: StartBot) -> NewsBot:
    """The bot with default settings (message-content intent off)."""
    return await start_bot()
