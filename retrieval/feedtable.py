"""The subscribed feeds' table, and what a command needs of feeds without polling any.

:mod:`retrieval.feeds` polls (HTTP, feed parsing, page extraction); a process that only answers questions
opens the table here (it is created with the store) and never imports the poller.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

from .models import Feed, FeedStatus
from .storage import NewsStore, database_errors


class Clock(Protocol):
    """Where the poller reads the time (seconds since the epoch)."""

    def now(self) -> float: ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class FeedError(ValueError):
    """A feed cannot be added or found as given; the message says why (one line)."""


def validate_url(url: str) -> str:
    """An http(s) or file URL, stripped; FeedError otherwise."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.hostname:
        return url
    if parts.scheme == "file" and parts.path:
        return url
    raise FeedError(f"not a feed URL: {url!r} (expected http://, https:// or file://)")


FEED_KEY_PREFIX = "feed:"
"""Feed items are stored as pseudo-files keyed ``feed:<feed id>/<entry key>``: they go through the same
all-or-nothing ingest path as article files (see :meth:`retrieval.ingest.Ingestor.ingest_documents`)."""

_FEEDS_DDL = """
CREATE TABLE IF NOT EXISTS feeds (
    id {id},
    url TEXT NOT NULL UNIQUE,
    name TEXT,
    topic TEXT,
    title TEXT,
    status TEXT NOT NULL DEFAULT 'ok',
    reason TEXT,
    failures INTEGER NOT NULL DEFAULT 0,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    interval_s {real} NOT NULL DEFAULT 1800,
    next_poll {real} NOT NULL DEFAULT 0,
    last_polled {real},
    guid_unreliable INTEGER NOT NULL DEFAULT 0,
    added_at {real} NOT NULL,
    full_text INTEGER NOT NULL DEFAULT 0
);
"""
_FULL_TEXT_COLUMN = "full_text INTEGER NOT NULL DEFAULT 0"
"""Added after the first release: a feeds table created before it gains the column (see :meth:`FeedTable.create`)."""
_DIALECTS = {
    "sqlite": {"id": "INTEGER PRIMARY KEY AUTOINCREMENT", "real": "REAL", "position": "instr"},
    "postgresql": {"id": "BIGSERIAL PRIMARY KEY", "real": "DOUBLE PRECISION", "position": "strpos"},
}
_FEED_COLUMNS = (
    "id, url, name, topic, title, status, reason, failures, etag, last_modified, body_hash, interval_s, next_poll,"
    " last_polled, guid_unreliable, full_text"
)
_FEED_UPDATABLE = frozenset(_FEED_COLUMNS.replace(" ", "").split(",")) - {"id"}


def _feed_row(row: Sequence[Any], items: int = 0) -> Feed:
    return Feed(
        id=row[0], url=row[1], name=row[2], topic=row[3], title=row[4], status=FeedStatus(row[5]), reason=row[6],
        failures=row[7], etag=row[8], last_modified=row[9], body_hash=row[10], interval_s=row[11], next_poll=row[12],
        last_polled=row[13], guid_unreliable=bool(row[14]), full_text=bool(row[15]), items=items,
    )


class FeedTable:
    """The subscribed feeds, in the store's database (SQLite or PostgreSQL) through its extension API:
    kept across layout versions, like the query log."""

    def __init__(self, store: NewsStore) -> None:
        self.store = store
        self._dialect = _DIALECTS[store.dialect]

    def _sql(self, sql: str) -> str:
        """``?`` placeholders in the store's dialect."""
        return sql.replace("?", "%s") if self.store.dialect == "postgresql" else sql

    async def create(self) -> None:
        """Create the table if missing; after a layout change (the stored items were dropped with the
        derived rows) forget every feed's validators, so their current items come back on the next poll."""
        await self.store.create_tables(_FEEDS_DDL.format(**self._dialect))
        await self._add_missing_columns()
        if self.store.reset:
            async with self.store.transaction() as db:
                await db.execute("UPDATE feeds SET etag = NULL, last_modified = NULL, body_hash = NULL, next_poll = 0")

    async def _add_missing_columns(self) -> None:
        """Give a feeds table created by an earlier release the columns added since (defaults: as before)."""
        if self.store.dialect == "postgresql":  # under the store's migration lock: one process adds it
            await self.store.create_tables(f"ALTER TABLE feeds ADD COLUMN IF NOT EXISTS {_FULL_TEXT_COLUMN}")
            return
        columns = {row[0] for row in await self.store.committed("SELECT name FROM pragma_table_info('feeds')")}
        if "full_text" not in columns:
            try:
                await self.store.create_tables(f"ALTER TABLE feeds ADD COLUMN {_FULL_TEXT_COLUMN}")
            except database_errors() as error:  # another process added it meanwhile
                if "duplicate column" not in str(error):
                    raise

    async def add(
        self, url: str, *, name: str | None, topic: str | None, added_at: float, next_poll: float, full_text: bool = False
    ) -> Feed:
        """Subscribe to ``url``; KeyError if it is already subscribed."""
        async with self.store.transaction() as db:
            cursor = await db.execute(self._sql("SELECT id FROM feeds WHERE url = ?"), (url,))
            if await cursor.fetchone():
                raise KeyError(url)
            cursor = await db.execute(
                self._sql(
                    "INSERT INTO feeds(url, name, topic, added_at, next_poll, full_text) VALUES (?, ?, ?, ?, ?, ?)"
                    " RETURNING id"
                ),
                (url, name, topic, added_at, next_poll, int(full_text)),
            )
            row = await cursor.fetchone()
        feed = await self.get(int(row[0]))
        assert feed is not None
        return feed

    async def all(self) -> list[Feed]:
        """Every feed, with how many of its items are stored."""
        rows = await self.store.committed(f"SELECT {_FEED_COLUMNS} FROM feeds ORDER BY id")
        position = self._dialect["position"]
        counts = dict(await self.store.committed(self._sql(
            f"SELECT CAST(substr(path, 6, {position}(path, '/') - 6) AS INTEGER), COUNT(*) FROM files"
            " WHERE path >= ? AND path < ? GROUP BY 1"
        ), (FEED_KEY_PREFIX, FEED_KEY_PREFIX[:-1] + ";")))  # ";" follows ":"
        return [_feed_row(row, counts.get(row[0], 0)) for row in rows]

    async def due(self, by: float) -> list[Feed]:
        """The enabled feeds due to be polled by ``by``, longest waiting first."""
        rows = await self.store.committed(self._sql(
            f"SELECT {_FEED_COLUMNS} FROM feeds WHERE status != 'disabled' AND next_poll <= ? ORDER BY next_poll, id"
        ), (by,))
        return [_feed_row(row) for row in rows]

    async def get(self, feed_id: int) -> Feed | None:
        rows = await self.store.committed(self._sql(f"SELECT {_FEED_COLUMNS} FROM feeds WHERE id = ?"), (feed_id,))
        return _feed_row(rows[0]) if rows else None

    async def next_due(self) -> float | None:
        """When the next enabled feed is due (None: no enabled feed)."""
        return (await self.store.committed("SELECT MIN(next_poll) FROM feeds WHERE status != 'disabled'"))[0][0]

    async def update(self, feed_id: int, **changes: Any) -> None:
        """Set columns of one feed (validators, schedule, health)."""
        unknown = set(changes) - _FEED_UPDATABLE
        if unknown:
            raise ValueError(f"not feed columns: {sorted(unknown)}")
        values = [c.value if isinstance(c, FeedStatus) else c for c in changes.values()]
        async with self.store.transaction() as db:
            await db.execute(
                self._sql(f"UPDATE feeds SET {', '.join(f'{name} = ?' for name in changes)} WHERE id = ?"),
                (*values, feed_id),
            )

    async def delete(self, feed_id: int) -> None:
        async with self.store.transaction() as db:
            await db.execute(self._sql("DELETE FROM feeds WHERE id = ?"), (feed_id,))


