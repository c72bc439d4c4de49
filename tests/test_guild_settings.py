"""Per-guild settings in the store (SQLite and PostgreSQL): defaults until set, a change of one setting
keeps the others, and a change made through one process is what every other process reads next."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from bot.guild_settings import DEFAULTS, GuildSettings, GuildSettingsBook, open_guild_settings
from bot.settings import Settings
from retrieval.storage import open_store

GUILD, OTHER_GUILD = 1_100_000_000_000_000_001, 1_100_000_000_000_000_002  # snowflakes need 64 bits


@pytest_asyncio.fixture
async def two_processes(store_settings: Settings) -> AsyncIterator[tuple[GuildSettingsBook, GuildSettingsBook]]:
    """The settings as two processes sharing one store see them (two connections to one database)."""
    first, second = await open_store(store_settings.db_location), await open_store(store_settings.db_location)
    try:
        yield await open_guild_settings(first), await open_guild_settings(second)
    finally:
        await first.close()
        await second.close()


async def test_a_guild_never_set_has_the_defaults_which_are_the_bots_behaviour_so_far(two_processes):
    book, _ = two_processes
    assert await book.get(GUILD) == DEFAULTS == GuildSettings(answer_mentions=True, answer_in_threads=True)


async def test_changing_one_setting_keeps_the_others_and_other_guilds_untouched(two_processes):
    book, _ = two_processes
    assert await book.update(GUILD, answer_mentions=False, updated_by=7) == GuildSettings(False, True)
    assert await book.update(GUILD, answer_in_threads=False) == GuildSettings(False, False)
    assert await book.update(GUILD, answer_mentions=True) == GuildSettings(True, False)
    assert await book.get(GUILD) == GuildSettings(True, False)
    assert await book.get(OTHER_GUILD) == DEFAULTS


async def test_a_change_made_through_one_process_is_read_by_the_other_at_once(two_processes):
    first, second = two_processes
    assert await second.get(GUILD) == DEFAULTS  # read once before the change: nothing may keep it
    await first.update(GUILD, answer_mentions=False)
    assert await second.get(GUILD) == GuildSettings(answer_mentions=False, answer_in_threads=True)


async def test_two_processes_changing_different_settings_both_keep_their_change(two_processes):
    first, second = two_processes
    await first.update(GUILD, answer_mentions=False)
    await second.update(GUILD, answer_in_threads=False)
    assert await first.get(GUILD) == await second.get(GUILD) == GuildSettings(False, False)
