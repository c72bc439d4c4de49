"""Fixtures: a Discord emulator on 127.0.0.1 and real discord.py clients pointed at it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from emulator import DiscordEmulator


@pytest_asyncio.fixture
async def emulator(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    emu.patch_discord(monkeypatch)
    logging.getLogger("discord").setLevel(logging.INFO)
    try:
        yield emu
    finally:
        await emu.stop()
