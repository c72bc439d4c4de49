"""The bot's side of live coverage in the store: channel subscriptions and what was posted where.

Like the query log (:mod:`bot.records`), these are the bot's tables, not retrieval's: they live in the
store's database (SQLite or PostgreSQL) through the stores' extension API and survive restarts and
re-ingests. ``posted(channel_id, story_key)`` is unique: a story is claimed for a channel in one
transaction, so it is posted there at most once, whatever announces it twice (a duplicate item, a
restart, a second process).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from retrieval.storage import NewsStore
from retrieval.store import _now

from .live import SubscriptionRow

SQLITE_TABLES = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id INTEGER,
    channel_id INTEGER NOT NULL,
    topic TEXT,
    query TEXT,
    outlet TEXT,
    created_by INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_by_guild ON subscriptions(guild_id, channel_id);
CREATE TABLE IF NOT EXISTS posted (
    channel_id INTEGER NOT NULL,
    story_key TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, story_key)
);
"""

POSTGRES_TABLES = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id BIGSERIAL PRIMARY KEY,
    guild_id BIGINT,
    channel_id BIGINT NOT NULL,
    topic TEXT,
    query TEXT,
    outlet TEXT,
    created_by BIGINT,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subscriptions_by_guild ON subscriptions(guild_id, channel_id);
CREATE TABLE IF NOT EXISTS posted (
    channel_id BIGINT NOT NULL,
    story_key TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (channel_id, story_key)
);
"""

_COLUMNS = "id, guild_id, channel_id, topic, query, outlet, created_by, created_at"


class SubscriptionBook:
    """Subscriptions and posted stories in ``store``'s database (either dialect)."""

    def __init__(self, store: NewsStore) -> None:
        self.store = store
        postgres = store.dialect == "postgresql"
        self._mark = "%s" if postgres else "?"
        self._same = "IS NOT DISTINCT FROM" if postgres else "IS"

    def _sql(self, sql: str) -> str:
        return sql.replace("?", self._mark)

    async def add(
        self, *, guild_id: int | None, channel_id: int, topic: str | None, query: str | None, outlet: str | None,
        created_by: int | None,
    ) -> SubscriptionRow:
        now = datetime.now(UTC)
        async with self.store.transaction() as db:
            cursor = await db.execute(
                self._sql(
                    "INSERT INTO subscriptions(guild_id, channel_id, topic, query, outlet, created_by, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"
                ),
                (guild_id, channel_id, topic, query, outlet, created_by, now.isoformat()),
            )
            row = await cursor.fetchone()
        if row is None:
            raise RuntimeError("the database returned no id for the new subscription")
        return SubscriptionRow(int(row[0]), guild_id, channel_id, topic, query, outlet, created_by, now)

    async def list(self, *, guild_id: int | None = None) -> builtins.list[SubscriptionRow]:
        """Every subscription, or one guild's, oldest first."""
        sql = f"SELECT {_COLUMNS} FROM subscriptions"
        params: tuple[int, ...] = ()
        if guild_id is not None:
            sql, params = sql + self._sql(" WHERE guild_id = ?"), (guild_id,)
        return [_subscription(row) for row in await self.store.committed(sql + " ORDER BY id", params)]

    async def remove(self, subscription_id: int, *, guild_id: int | None) -> bool:
        """Remove one of a guild's subscriptions; False if it has no such subscription."""
        async with self.store.transaction() as db:
            cursor = await db.execute(
                self._sql(f"DELETE FROM subscriptions WHERE id = ? AND guild_id {self._same} ?"),
                (subscription_id, guild_id),
            )
            return cursor.rowcount > 0

    async def claim(self, channel_id: int, keys: Sequence[str]) -> builtins.list[str]:
        """Mark stories as posted to a channel and return those not posted there before, in one transaction."""
        claimed: builtins.list[str] = []
        now = _now()
        async with self.store.transaction() as db:
            for key in dict.fromkeys(keys):
                cursor = await db.execute(
                    self._sql("INSERT INTO posted(channel_id, story_key, posted_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
                    (channel_id, key, now),
                )
                if cursor.rowcount:
                    claimed.append(key)
        return claimed


def _subscription(row: Sequence[Any]) -> SubscriptionRow:
    return SubscriptionRow(
        id=row[0], guild_id=row[1], channel_id=row[2], topic=row[3], query=row[4], outlet=row[5],
        created_by=row[6], created_at=datetime.fromisoformat(row[7]),
    )


async def open_subscriptions(store: NewsStore) -> SubscriptionBook:
    """The subscriptions in ``store``'s database, their tables created if missing."""
    await store.create_tables(POSTGRES_TABLES if store.dialect == "postgresql" else SQLITE_TABLES)
    return SubscriptionBook(store)
