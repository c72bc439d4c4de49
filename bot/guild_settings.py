"""Per-guild settings a server's managers choose (``/settings``), in the store's database.

Like the query log (:mod:`bot.records`) and the subscriptions (:mod:`bot.subscriptions`), they are the
bot's table, not retrieval's: ``guild_settings`` lives in the store's database (SQLite or PostgreSQL)
through the stores' extension API. The bot reads a guild's row each time it needs it (one primary-key
read of committed data, well under a millisecond on either store) rather than caching it, so a change
made through any process applies in every process sharing the store at once. A guild without a row
has the defaults, which are the bot's behaviour before the settings existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.storage import NewsStore
from retrieval.store import _now

SQLITE_TABLES = """
CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id INTEGER PRIMARY KEY,
    answer_mentions INTEGER NOT NULL,
    answer_in_threads INTEGER NOT NULL,
    updated_by INTEGER,
    updated_at TEXT NOT NULL
);
"""

POSTGRES_TABLES = """
CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id BIGINT PRIMARY KEY,
    answer_mentions BOOLEAN NOT NULL,
    answer_in_threads BOOLEAN NOT NULL,
    updated_by BIGINT,
    updated_at TEXT NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class GuildSettings:
    """How the bot behaves in one guild."""

    answer_mentions: bool = True
    """Messages that @mention the bot (or reply to it, or follow up in its threads) are answered;
    when off, ``/ask`` is the only way to ask in this guild."""
    answer_in_threads: bool = True
    """A mention in a channel is answered in a new thread on the question; when off, in the channel."""


DEFAULTS = GuildSettings()


class GuildSettingsBook:
    """The guilds' settings in ``store``'s database (either dialect)."""

    def __init__(self, store: NewsStore) -> None:
        self.store = store
        self._mark = "%s" if store.dialect == "postgresql" else "?"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._mark)

    async def get(self, guild_id: int) -> GuildSettings:
        """The guild's settings as committed now (the defaults if none were ever set)."""
        rows = await self.store.committed(
            self._sql("SELECT answer_mentions, answer_in_threads FROM guild_settings WHERE guild_id = ?"), (guild_id,)
        )
        if not rows:
            return DEFAULTS
        return GuildSettings(answer_mentions=bool(rows[0][0]), answer_in_threads=bool(rows[0][1]))

    async def update(
        self, guild_id: int, *, answer_mentions: bool | None = None, answer_in_threads: bool | None = None,
        updated_by: int | None = None,
    ) -> GuildSettings:
        """Set the given settings (None: left as stored) in one statement, so two managers changing
        different settings at once, in any processes, both keep their change; returns the result."""
        async with self.store.transaction() as db:
            cursor = await db.execute(
                self._sql(
                    "INSERT INTO guild_settings(guild_id, answer_mentions, answer_in_threads, updated_by, updated_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET"
                    " answer_mentions = COALESCE(?, guild_settings.answer_mentions),"
                    " answer_in_threads = COALESCE(?, guild_settings.answer_in_threads),"
                    " updated_by = excluded.updated_by, updated_at = excluded.updated_at"
                    " RETURNING answer_mentions, answer_in_threads"
                ),
                (
                    guild_id,
                    DEFAULTS.answer_mentions if answer_mentions is None else answer_mentions,
                    DEFAULTS.answer_in_threads if answer_in_threads is None else answer_in_threads,
                    updated_by, _now(), answer_mentions, answer_in_threads,
                ),
            )
            row = await cursor.fetchone()
        if row is None:
            raise RuntimeError("the database returned no row for the guild's settings")
        return GuildSettings(answer_mentions=bool(row[0]), answer_in_threads=bool(row[1]))


async def open_guild_settings(store: NewsStore) -> GuildSettingsBook:
    """The guilds' settings in ``store``'s database, the table created if missing."""
    await store.create_tables(POSTGRES_TABLES if store.dialect == "postgresql" else SQLITE_TABLES)
    return GuildSettingsBook(store)
