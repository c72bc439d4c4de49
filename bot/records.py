"""The bot's side of the store: the query log and feedback. They are what users asked and how they
voted, not retrieval concerns, so the retrieval core neither creates nor reads them; they live in the
same database (SQLite or PostgreSQL), in tables this module creates through the stores' extension API
(``create_tables``, ``transaction``, ``committed``), which other bot tables (feeds, subscriptions)
can use the same way.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from retrieval.storage import NewsStore
from retrieval.store import _now

SQLITE_TABLES = """
CREATE TABLE IF NOT EXISTS queries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    user_hash TEXT,
    question TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    cited TEXT NOT NULL,
    latency_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (query_id, user_hash)
);
"""

POSTGRES_TABLES = """
CREATE TABLE IF NOT EXISTS queries (
    id BIGSERIAL PRIMARY KEY,
    created_at TEXT NOT NULL,
    origin TEXT NOT NULL,
    guild_id BIGINT,
    channel_id BIGINT,
    user_hash TEXT,
    question TEXT NOT NULL,
    abstained INTEGER NOT NULL,
    cited TEXT NOT NULL,
    latency_ms DOUBLE PRECISION NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    query_id BIGINT NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    user_hash TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (query_id, user_hash)
);
"""


@dataclass(frozen=True, slots=True)
class QueryRecord:
    """One logged question: where it came from, whether it was answered, what it cited, how long it took."""

    origin: str
    question: str
    abstained: bool
    cited: Sequence[str]
    latency_ms: float
    guild_id: int | None = None
    channel_id: int | None = None
    user_hash: str | None = None

    def row(self) -> tuple[Any, ...]:
        return (
            _now(), self.origin, self.guild_id, self.channel_id, self.user_hash, self.question,
            int(self.abstained), json.dumps(list(self.cited)), self.latency_ms,
        )


_INSERT_COLUMNS = "created_at, origin, guild_id, channel_id, user_hash, question, abstained, cited, latency_ms"


class QueryLog(Protocol):
    """Logged questions and one vote per user and question."""

    async def log_query(self, record: QueryRecord) -> int:
        """Record a question; returns its id (for feedback)."""
        ...

    async def record_feedback(self, query_id: int, user_hash: str, vote: int) -> str:
        """``recorded``, ``changed`` or ``unchanged``; KeyError if no such query."""
        ...

    async def query_rows(self) -> list[tuple[str, int, float, int, int]]:
        """(question, abstained, latency_ms, upvotes, downvotes) for every logged query."""
        ...


class SQLiteQueryLog:
    """The query log in the SQLite store's file (writes take turns with ingest batches)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    async def log_query(self, record: QueryRecord) -> int:
        async with self.store.transaction() as db:
            cursor = await db.execute(
                f"INSERT INTO queries({_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", record.row()
            )
        if cursor.lastrowid is None:  # sqlite3 sets it after every single-row INSERT
            raise RuntimeError("SQLite returned no id for the logged query")
        return cursor.lastrowid

    async def record_feedback(self, query_id: int, user_hash: str, vote: int) -> str:
        async with self.store.transaction() as db:  # read and write in one transaction: two clicks count once
            async with db.execute("SELECT 1 FROM queries WHERE id = ?", (query_id,)) as cursor:
                if not await cursor.fetchone():
                    raise KeyError(query_id)
            async with db.execute(
                "SELECT vote FROM feedback WHERE query_id = ? AND user_hash = ?", (query_id, user_hash)
            ) as cursor:
                row = await cursor.fetchone()
            if row and row[0] == vote:
                return "unchanged"
            await db.execute(
                "INSERT INTO feedback(query_id, user_hash, vote, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(query_id, user_hash) DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (query_id, user_hash, vote, _now()),
            )
        return "changed" if row else "recorded"

    async def query_rows(self) -> list[tuple[str, int, float, int, int]]:
        return await self.store.committed(
            "SELECT q.question, q.abstained, q.latency_ms,"
            " COALESCE(SUM(f.vote = 1), 0), COALESCE(SUM(f.vote = -1), 0)"
            " FROM queries q LEFT JOIN feedback f ON f.query_id = q.id GROUP BY q.id"
        )


class PostgresQueryLog:
    """The query log in the shared PostgreSQL store: every process logs to it, votes count once."""

    def __init__(self, store: Any) -> None:
        self.store = store

    async def log_query(self, record: QueryRecord) -> int:
        async with self.store.transaction() as db:
            cursor = await db.execute(
                f"INSERT INTO queries({_INSERT_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                record.row(),
            )
            row = await cursor.fetchone()
        return int(row[0])

    async def record_feedback(self, query_id: int, user_hash: str, vote: int) -> str:
        """The query's row is locked for the transaction, so two clicks (in any processes) count once."""
        async with self.store.transaction() as db:
            cursor = await db.execute("SELECT 1 FROM queries WHERE id = %s FOR UPDATE", (query_id,))
            if not await cursor.fetchone():
                raise KeyError(query_id)
            cursor = await db.execute(
                "SELECT vote FROM feedback WHERE query_id = %s AND user_hash = %s", (query_id, user_hash)
            )
            row = await cursor.fetchone()
            if row and row[0] == vote:
                return "unchanged"
            await db.execute(
                "INSERT INTO feedback(query_id, user_hash, vote, created_at) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (query_id, user_hash) DO UPDATE SET vote = excluded.vote, created_at = excluded.created_at",
                (query_id, user_hash, vote, _now()),
            )
        return "changed" if row else "recorded"

    async def query_rows(self) -> list[tuple[str, int, float, int, int]]:
        return await self.store.committed(
            "SELECT q.question, q.abstained, q.latency_ms,"
            " COUNT(*) FILTER (WHERE f.vote = 1), COUNT(*) FILTER (WHERE f.vote = -1)"
            " FROM queries q LEFT JOIN feedback f ON f.query_id = q.id GROUP BY q.id ORDER BY q.id"
        )


async def open_query_log(store: NewsStore) -> QueryLog:
    """The query log in ``store``'s database, its tables created if missing."""
    if store.dialect == "postgresql":
        await store.create_tables(POSTGRES_TABLES)
        return PostgresQueryLog(store)
    await store.create_tables(SQLITE_TABLES)
    return SQLiteQueryLog(store)
