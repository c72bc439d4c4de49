"""Copy a SQLite store into PostgreSQL (``newsbot db copy SQLITE_PATH postgresql://…``).

Every stored row moves, ids included, in one PostgreSQL transaction: the target holds the whole copy or
nothing. The index is not copied: each process that opens the PostgreSQL store builds its own from the
passages (its watermark starts at 0), as it does when its index folder is missing.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from retrieval.pgstore import PostgresStore
from retrieval.store import SCHEMA_VERSION, StoreError

from .guild_settings import open_guild_settings
from .records import open_query_log
from .subscriptions import open_subscriptions

log = logging.getLogger(__name__)

COPIED_TABLES: tuple[tuple[str, str], ...] = (
    ("files", "path, sha256, size, mtime_ns, ingested_at"),
    ("skipped_files", "path, size, mtime_ns, reason"),
    ("stories", (
        "id, file_path, ordinal, kind, parent_id, story_key, url_key, title_key, title, excerpt, url,"
        " outlet, outlet_domain, published, topics, quality, image_url, own_url"
    )),
    ("story_topics", "story_id, topic"),
    ("passages", "id, story_id, ordinal, text, terms"),
    ("queries", "id, created_at, origin, guild_id, channel_id, user_hash, question, abstained, cited, latency_ms"),
    ("feedback", "query_id, user_hash, vote, created_at"),
    ("story_seen", "story_key, first_seen"),
    ("subscriptions", "id, guild_id, channel_id, topic, query, outlet, created_by, created_at"),
    ("posted", "channel_id, story_key, posted_at"),
    ("guild_settings", "guild_id, answer_mentions, answer_in_threads, updated_by, updated_at"),
)
"""Tables copied, parents before children: the core's, then the bot's (query log, feedback, subscriptions,
what was posted where, and the guilds' settings). Not copied: the index bookkeeping (``index_state``, ``tombstones``), which
belongs to the SQLite store's own index. A table the source lacks (written before it existed) copies as
empty."""
SEQUENCES = (
    ("stories", "stories_id_seq"), ("passages", "passages_id_seq"), ("queries", "queries_id_seq"),
    ("subscriptions", "subscriptions_id_seq"),
)


@dataclass(slots=True)
class CopyReport:
    """How many rows each table received."""

    rows: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return ", ".join(f"{count} {table}" for table, count in self.rows.items())


async def copy_sqlite_to_postgres(source: Path, url: str) -> CopyReport:
    """Copy the SQLite store at ``source`` into the (empty) PostgreSQL store at ``url``.

    Raises :class:`StoreError` (one line) for a missing or outdated source and a target that is not empty.
    """
    target = await PostgresStore.open(url)  # creates or migrates the layout
    try:
        await open_query_log(target)  # and the bot's tables
        await open_subscriptions(target)
        await open_guild_settings(target)
    finally:
        await target.close()
    return await asyncio.to_thread(_copy, Path(source), url)


def _copy(source: Path, url: str) -> CopyReport:
    if not source.is_file():
        raise StoreError(f"no SQLite database at {source}")
    try:
        reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        version = reader.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.Error as error:
        raise StoreError(f"cannot read {source}: {error}") from None
    try:
        if version != SCHEMA_VERSION:
            raise StoreError(
                f"{source} has layout {version}, this version writes {SCHEMA_VERSION}: open it once with this "
                f"version first (newsbot --db {source} ingest), then copy it"
            )
        report = CopyReport()
        with psycopg.connect(url, connect_timeout=10) as target, target.transaction():
            for table in ("files", "queries"):
                held = target.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
                if held and held[0]:
                    raise StoreError(f"the PostgreSQL store already holds {held[0]} {table}: copy into an empty one")
            present = {row[0] for row in reader.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            with target.cursor() as cursor:
                for table, columns in COPIED_TABLES:
                    if table not in present:
                        report.rows[table] = 0
                        continue
                    rows = reader.execute(f"SELECT {columns} FROM {table}")
                    count = 0
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        while batch := rows.fetchmany(10_000):
                            for row in batch:
                                copy.write_row(row)
                            count += len(batch)
                    report.rows[table] = count
                for table, sequence in SEQUENCES:
                    cursor.execute(
                        f"SELECT setval('{sequence}', GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}),"
                        f" (SELECT last_value FROM {sequence})))"
                    )
                cursor.execute("DELETE FROM index_state")
                cursor.execute("DELETE FROM tombstones")
        log.info("copied %s into PostgreSQL", report.summary())
        return report
    finally:
        reader.close()
