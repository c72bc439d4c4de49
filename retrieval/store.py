"""The aiosqlite store (WAL): ingested files, stories and passages (the bot keeps its own tables, the
query log and feedback, in the same file through :meth:`Store.create_tables`).

Files are the unit of change: every story and passage belongs to the file it came from, so replacing
or removing a file is one transaction. Deleted passages that the persisted index still contains are
recorded as tombstones by a trigger.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import aiosqlite

from .models import NO_OUTLET, Facet, Passage, Story, StoryKind

log = logging.getLogger(__name__)

SCHEMA_VERSION = 6
"""Bump when the derived tables' layout, the analyzer, parsing or sentence splitting changes: stored
articles are then re-ingested from their files, even unchanged ones (the query log and feedback are kept).
6: abbreviation-aware sentences; bylines, datelines and timestamps stripped at parse time."""
DERIVED_TABLES = ("tombstones", "index_state", "passages", "story_topics", "stories", "files", "skipped_files")
STORY_CACHE_SIZE = 4_096
INLINE_LEADING_STORIES = 4
"""The leading passages of this many stories or fewer (``ask`` reads those of its best story) are read on the
calling thread, like :meth:`Store.read_passages`: an indexed read of well under a millisecond, where the hop to a
worker thread and back costs about as much and, on a busy machine, waits for the thread to be scheduled."""
"""Stories each reader keeps between reads (about 1 KB each); answers keep citing the same few."""

SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS skipped_files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    parent_id INTEGER REFERENCES stories(id) ON DELETE CASCADE,
    story_key TEXT NOT NULL,
    url_key TEXT,
    title_key TEXT NOT NULL,
    title TEXT NOT NULL,
    excerpt TEXT,
    url TEXT,
    outlet TEXT,
    outlet_domain TEXT,
    published TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    quality INTEGER,
    image_url TEXT,
    own_url INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_by_key ON stories(story_key);
CREATE INDEX IF NOT EXISTS stories_by_url ON stories(url_key);
CREATE INDEX IF NOT EXISTS stories_by_title ON stories(title_key);
CREATE INDEX IF NOT EXISTS stories_by_file ON stories(file_path);
CREATE INDEX IF NOT EXISTS stories_by_parent ON stories(parent_id);
CREATE INDEX IF NOT EXISTS stories_by_date ON stories(published DESC);
CREATE INDEX IF NOT EXISTS stories_by_day ON stories(substr(published, 6, 5)) WHERE published IS NOT NULL;
CREATE INDEX IF NOT EXISTS stories_by_outlet ON stories(outlet COLLATE NOCASE);
-- the stories of a title that the enrichment reads (_enrich_plain_articles) and the ones that name an outlet
-- (_known_keys), without reading every story of the title: a title shared by many plain articles made
-- each ingest batch read them all, a cost that grew with the store
CREATE INDEX IF NOT EXISTS stories_with_url_by_title ON stories(title_key) WHERE own_url = 1;
CREATE INDEX IF NOT EXISTS stories_enriched_by_title ON stories(title_key) WHERE own_url = 0 AND url IS NOT NULL;
CREATE INDEX IF NOT EXISTS stories_with_outlet_by_title ON stories(title_key) WHERE outlet IS NOT NULL;
CREATE TABLE IF NOT EXISTS story_topics (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    topic TEXT NOT NULL COLLATE NOCASE
);
CREATE INDEX IF NOT EXISTS story_topics_by_topic ON story_topics(topic, story_id);
CREATE INDEX IF NOT EXISTS story_topics_by_story ON story_topics(story_id);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_story ON passages(story_id);
CREATE TABLE IF NOT EXISTS index_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (passage_id INTEGER PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS passage_tombstone AFTER DELETE ON passages
WHEN OLD.id <= COALESCE((SELECT CAST(value AS INTEGER) FROM index_state WHERE key = 'watermark'), 0)
BEGIN
    INSERT OR IGNORE INTO tombstones(passage_id) VALUES (OLD.id);
END;
CREATE TABLE IF NOT EXISTS story_seen (
    story_key TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL
);
"""

NEW_STORY_KEYS = (
    # the new stories by their ids (a range of the table), not by a scan of every story's key; in key
    # order, as that scan gave them
    "SELECT DISTINCT s.story_key FROM stories AS s NOT INDEXED WHERE s.id >= ?"
    " AND NOT EXISTS (SELECT 1 FROM story_seen k WHERE k.story_key = s.story_key) ORDER BY s.story_key"
)
"""The keys of the stories stored from an id on that were never seen before (:meth:`Store._remember_seen`)."""
KNOWN_KEYS = (
    "SELECT title_key, outlet, story_key FROM stories WHERE outlet IS NOT NULL"
    " AND title_key IN ({marks}) ORDER BY id DESC"
)
"""Stored stories naming an outlet, by title (:meth:`Store._known_keys`; ``marks``: the placeholders)."""
ENRICH_FROM_LISTED = """
UPDATE stories AS s SET
    url = m.url, url_key = m.url_key, outlet = m.outlet, outlet_domain = m.outlet_domain,
    published = m.published, story_key = m.story_key, quality = COALESCE(s.quality, m.quality)
FROM (
    SELECT title_key, url, url_key, outlet, outlet_domain, published, story_key, quality,
           ROW_NUMBER() OVER (PARTITION BY title_key ORDER BY quality DESC, id) AS rn
    FROM stories WHERE own_url = 1 AND title_key IN (SELECT title_key FROM temp.enrich_keys)
) AS m
WHERE s.own_url = 0 AND m.rn = 1 AND m.title_key = s.title_key
  AND s.title_key IN (SELECT title_key FROM temp.enrich_keys)
  AND (s.url IS NOT m.url OR s.story_key IS NOT m.story_key)
"""
"""URL-less articles take the URL, outlet and date of the best same-titled listed story (:meth:`Store._enrich_plain_articles`)."""
ENRICH_CLEAR = """
UPDATE stories SET url = NULL, url_key = NULL, outlet = NULL, outlet_domain = NULL, published = NULL,
       story_key = 'title:' || title_key || '|'
WHERE own_url = 0 AND url IS NOT NULL AND title_key IN (SELECT title_key FROM temp.enrich_keys)
  AND NOT EXISTS (SELECT 1 FROM stories m WHERE m.own_url = 1 AND m.title_key = stories.title_key)
"""
"""URL-less articles whose title no listed story has any more lose what they had taken."""


WAL_PAGES = 1_000
"""Pages the write-ahead log holds before SQLite copies them into the database (SQLite's default)."""
BULK_WAL_PAGES = 20_000
"""The same while an ingest writes (80 MB of 4 kB pages): a batch's commit (~1,000 pages) no longer
copies the log each time, and an index page that many batches change is copied once, not once a batch
(at a million passages the commits took ~19 s with the default, ~8.5 s with this)."""


STORY_COUNT = "SELECT COUNT(DISTINCT story_key) FROM stories"
"""The one definition of how many stories there are, for the ingest report, answers ("none of the 40
stories…"), the chat banner and the outlet counts alike: a story is a story key, so the same story
listed by several articles, or stored from two files (same canonical URL, or same title and outlet),
counts once, and so does an article whose story is one of its own related entries."""

_STORY_COLUMNS = (
    "id, story_key, title, kind, file_path, excerpt, url, outlet, outlet_domain, published, topics, quality, parent_id"
)


def _columns(alias: str) -> str:
    """The story columns qualified by a table alias (``s.id, s.story_key, …``)."""
    return ", ".join(f"{alias}.{name.strip()}" for name in _STORY_COLUMNS.split(","))



class StoreError(RuntimeError):
    """The database cannot be opened or used."""


@dataclass(frozen=True, slots=True)
class StoryRow:
    """A story ready to insert, with its passages (text, space-joined terms)."""

    ordinal: int
    kind: StoryKind
    parent_ordinal: int | None
    url_key: str | None
    title_key: str
    title: str
    excerpt: str | None
    url: str | None
    outlet: str | None
    outlet_domain: str | None
    published: datetime | None
    topics: tuple[str, ...]
    quality: int | None
    image_url: str | None
    passages: tuple[tuple[str, str], ...]


class FileState(NamedTuple):
    """What the store knows of an ingested file: its content hash, size and modification time.

    A named tuple rather than a dataclass: a rescan builds one per stored file (150k at a million
    passages), and tuples are built in C, ~10× faster."""

    sha256: str
    size: int
    mtime_ns: int


class SkippedState(NamedTuple):
    """A file skipped as unusable, remembered with the size and modification time it had and the reason,
    so that it is not read (nor reported as new) again until it changes."""

    size: int
    mtime_ns: int
    reason: str


@dataclass(frozen=True, slots=True)
class FileChange:
    """A new or changed file and the stories parsed from it."""

    path: str
    state: FileState
    stories: Sequence[StoryRow]


class FilesReplaced(NamedTuple):
    """What one ``replace_files`` transaction did."""

    removed_ids: list[int]
    """Passages deleted."""
    added: list[tuple[int, str]]
    """Passages inserted: ``(id, terms)``."""
    new_keys: list[str]
    """Story keys stored for the first time ever (see ``story_seen``): the new stories."""


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


async def _single_row(cursor: aiosqlite.Cursor) -> aiosqlite.Row:
    """The one row of a query that always returns one (an aggregate, a PRAGMA)."""
    row = await cursor.fetchone()
    if row is None:
        raise RuntimeError("SQLite returned no row for a query that always returns one")
    return row


def _parse_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None  # Python 3.11+ reads the "Z" suffix


def _story(row: Sequence) -> Story:
    return Story(
        id=row[0], key=row[1], title=row[2], kind=StoryKind(row[3]), source_file=row[4], excerpt=row[5],
        url=row[6], outlet=row[7], outlet_domain=row[8], published=_parse_iso(row[9]),
        topics=tuple(json.loads(row[10])) if row[10] and row[10] != "[]" else (), quality=row[11], parent_id=row[12],
    )


def first_per_key(rows: Iterable[Sequence[Any]], seen: set[str] | None = None) -> list[Story]:
    """The stories of ``rows`` in order, the first row of each story key only (``seen`` keys skipped)."""
    seen = set() if seen is None else seen
    out: list[Story] = []
    for row in rows:
        story = _story(row)
        if story.key not in seen:
            seen.add(story.key)
            out.append(story)
    return out


async def distinct_page(
    fetch: Callable[[int, int], Awaitable[list[tuple[Any, ...]]]], *, offset: int, limit: int
) -> list[Story]:
    """Stories ``offset`` to ``offset + limit`` counted one per story key, reading rows from
    ``fetch(batch, position)`` in batches until that many distinct stories are found."""
    wanted = offset + limit
    seen: set[str] = set()
    out: list[Story] = []
    batch, position = max(64, wanted * 3), 0
    while len(out) < wanted:
        rows = await fetch(batch, position)
        out.extend(first_per_key(rows, seen))
        if len(rows) < batch:
            break
        position += batch
    return out[offset:wanted]


def _passage(row: Sequence) -> Passage:
    """A passage from ``id, story_id, ordinal, text, terms``."""
    return Passage(row[0], row[1], row[2], row[3], terms=row[4])


def _now() -> str:
    return _iso(datetime.now(UTC)) or ""


def _now_precise() -> str:
    """Now to the microsecond: when a story was first seen and a subscription made are compared."""
    return datetime.now(UTC).isoformat()


class _Reader:
    """One thread's read-only connection and the stories it has read, forgotten whenever any other
    connection commits (SQLite's ``data_version`` tells), so a cached story is never stale."""

    __slots__ = ("connection", "data_version", "stories")

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection
        self.stories: dict[int, Story] = {}
        self.data_version = -1

    def fresh_stories(self) -> dict[int, Story]:
        """The cached stories, emptied first if the database changed since the last read."""
        version = self.connection.execute("PRAGMA data_version").fetchone()[0]
        if version != self.data_version:
            self.stories.clear()
            self.data_version = version
        return self.stories


class Store:
    """Async access to the SQLite database: one write connection, any number of readers.

    Every write (an ingest batch, touched files, the watermark, a logged query, a vote) is one
    transaction taken under :meth:`_transaction`'s lock. The ingest and the bot's question log share
    the write connection, and a transaction on a shared connection is not a coroutine's own: without
    the lock a question's ``INSERT`` could open a transaction that the next batch's ``BEGIN`` trips
    over, or its ``COMMIT`` could commit half a batch. A lock rather than a second write connection:
    SQLite lets one connection write at a time anyway, so a second one would wait on the database's
    file lock (busy timeouts, ``database is locked`` errors) where a lock queues writers in order.
    A logged question waits at most for the batch being written (one transaction of BATCH_FILES files).
    """

    local_reads = True
    """:meth:`read_passages` reads a local file: fast enough to run on the event loop."""

    def __init__(self, path: Path, db: aiosqlite.Connection, *, reset: bool = False) -> None:
        self.path = path
        self._db = db
        self.reset = reset
        """True when an older layout was found and the articles must be ingested again."""
        self._readers = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Store:
        """Open (creating if needed) the database at ``path`` in WAL mode."""
        path = Path(path)
        db: aiosqlite.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # The file is opened before aiosqlite's worker thread starts: when aiosqlite.connect() itself
            # fails, that thread posts its result after asyncio.run() has closed the loop, and prints a
            # second traceback ("Event loop is closed") after our one-line error.
            connection = await asyncio.to_thread(sqlite3.connect, path, check_same_thread=False)
            db = await aiosqlite.Connection(lambda: connection, iter_chunk_size=64)
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")
            reset = await cls._drop_outdated(db)
            await db.executescript(SCHEMA)
            await db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            await cls._backfill_seen(db)
            await db.commit()
        except (sqlite3.Error, OSError) as error:
            if db is not None:
                await db.close()  # aiosqlite's worker thread would otherwise keep the process alive
            raise StoreError(f"cannot open database {path}: {error}") from None
        return cls(path, db, reset=reset)

    @staticmethod
    async def _drop_outdated(db: aiosqlite.Connection) -> bool:
        """Drop the derived tables of a database written by another version; True if it did."""
        async with db.execute("PRAGMA user_version") as cursor:
            version = (await _single_row(cursor))[0]
        async with db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'files'") as cursor:
            has_tables = (await _single_row(cursor))[0] > 0
        if version == SCHEMA_VERSION or not has_tables:
            return False
        log.warning("database layout %s is not this version's (%s): re-ingesting its articles", version, SCHEMA_VERSION)
        await db.execute("DROP TRIGGER IF EXISTS passage_tombstone")
        for table in DERIVED_TABLES:
            await db.execute(f"DROP TABLE IF EXISTS {table}")
        return True

    @staticmethod
    async def _backfill_seen(db: aiosqlite.Connection) -> None:
        """A store written before stories were remembered as seen: its stories are not new (so a changed
        file does not announce them again)."""
        async with db.execute("SELECT 1 FROM story_seen LIMIT 1") as cursor:
            if await cursor.fetchone() is not None:
                return
        await db.execute(
            "INSERT OR IGNORE INTO story_seen(story_key, first_seen) SELECT DISTINCT story_key, ? FROM stories", (_now(),)
        )

    async def close(self) -> None:
        with self._readers_lock:
            connections, self._reader_connections = self._reader_connections, []
        for connection in connections:
            connection.close()
        await self._db.close()

    def _reader(self) -> _Reader:
        """This thread's read-only connection (WAL: readers never wait for the writer)."""
        reader = getattr(self._readers, "reader", None)
        if reader is None:
            connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            reader = self._readers.reader = _Reader(connection)
            with self._readers_lock:
                self._reader_connections.append(connection)
        return reader

    def _fetch_committed(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        return self._reader().connection.execute(sql, tuple(params)).fetchall()

    async def _committed(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of committed data only, read on a worker thread's read-only connection: what users
        browse never shows an ingest batch that is still being written (and may yet roll back), and,
        with WAL, never waits for it."""
        return await asyncio.to_thread(self._fetch_committed, sql, params)

    # ---- extension API: tables the bot keeps beside the core's ---------------------------------
    dialect = "sqlite"
    """SQL dialect of :meth:`transaction` and :meth:`committed` (``?`` placeholders)."""

    async def create_tables(self, ddl: str) -> None:
        """Create tables of the bot's own (``CREATE TABLE IF NOT EXISTS …``): kept across layout versions."""
        async with self._write_lock:
            await self._db.executescript(ddl)
            await self._db.commit()

    def transaction(self) -> AbstractAsyncContextManager[aiosqlite.Connection]:
        """A write transaction on the shared write connection (taking turns with ingest batches)."""
        return self._transaction()

    async def committed(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of committed data, read without waiting for a write in progress."""
        return await self._committed(sql, params)

    @asynccontextmanager
    async def _transaction(self, *, immediate: bool = False) -> AsyncIterator[aiosqlite.Connection]:
        """One write transaction, alone on the write connection: committed on success, rolled back
        whole on any error or cancellation. ``immediate`` takes SQLite's write lock at once."""
        async with self._write_lock:
            try:
                if immediate:
                    await self._db.execute("BEGIN IMMEDIATE")
                yield self._db
                await self._db.commit()
            except BaseException:
                await self._db.rollback()
                raise

    @asynccontextmanager
    async def bulk_writes(self) -> AsyncIterator[None]:
        """Let the write-ahead log hold :data:`BULK_WAL_PAGES` pages while an ingest writes its batches,
        then SQLite's default again (the log is copied into the database when it reaches that size)."""
        await self._db.execute(f"PRAGMA wal_autocheckpoint = {BULK_WAL_PAGES}")
        try:
            yield
        finally:
            await self._db.execute(f"PRAGMA wal_autocheckpoint = {WAL_PAGES}")

    # ---- files and ingest ---------------------------------------------------------------------
    async def file_states(
        self, *, folders: Sequence[str] = (), paths: Sequence[str] = ()
    ) -> dict[str, FileState]:
        """What is stored of the files below ``folders`` and of the given ``paths`` (no arguments: all).

        Each folder is a range scan of the primary key, so checking one new file in a large store
        reads one row, not every file.
        """
        rows = await self._rows_by_path("SELECT path, sha256, size, mtime_ns FROM files", folders, paths)
        return {row[0]: FileState._make(row[1:]) for row in rows}

    async def skipped_files(
        self, *, folders: Sequence[str] = (), paths: Sequence[str] = ()
    ) -> dict[str, SkippedState]:
        """The remembered unusable files below ``folders`` and among ``paths`` (no arguments: all)."""
        rows = await self._rows_by_path("SELECT path, size, mtime_ns, reason FROM skipped_files", folders, paths)
        return {row[0]: SkippedState._make(row[1:]) for row in rows}

    async def remember_skipped(self, skipped: Sequence[tuple[str, SkippedState]], forget: Sequence[str]) -> None:
        """Remember newly skipped files (replacing what was remembered of them) and forget files that are
        usable again or gone, in one transaction."""
        if not skipped and not forget:
            return
        async with self._transaction(immediate=True) as db:
            for group in chunks(sorted(set(forget)), 500):
                await db.execute(f"DELETE FROM skipped_files WHERE path IN ({','.join('?' * len(group))})", group)
            await db.executemany(
                "INSERT OR REPLACE INTO skipped_files(path, size, mtime_ns, reason) VALUES (?, ?, ?, ?)",
                [(path, *state) for path, state in skipped],
            )

    async def _rows_by_path(self, select: str, folders: Sequence[str], paths: Sequence[str]) -> list[Sequence]:
        """Rows of ``select`` (whose first column is ``path``) below ``folders`` and among ``paths``."""
        queries: list[tuple[str, Sequence]] = []
        if not folders and not paths:
            queries.append((select, ()))
        for folder in folders:
            prefix = folder.rstrip("/") + "/"
            queries.append((f"{select} WHERE path >= ? AND path < ?", (prefix, prefix[:-1] + "0")))  # "0" follows "/"
        for group in chunks(sorted(set(paths)), 500):
            queries.append((f"{select} WHERE path IN ({','.join('?' * len(group))})", group))
        rows: list[Sequence] = []
        for sql, params in queries:
            async with self._db.execute(sql, params) as cursor:
                rows.extend(await cursor.fetchall())
        return rows

    async def touch_files(self, states: Sequence[tuple[str, FileState]]) -> None:
        """Record new modification times of files whose content did not change."""
        if states:
            async with self._transaction() as db:
                await db.executemany(
                    "UPDATE files SET mtime_ns = ? WHERE path = ?", [(st.mtime_ns, path) for path, st in states]
                )

    async def replace_files(
        self, changes: Sequence[FileChange], removals: Sequence[str]
    ) -> FilesReplaced:
        """Apply new/changed files and removals in one transaction.

        Returns the ids of deleted passages, ``(id, terms)`` of inserted ones and the story keys stored for
        the first time ever. Rows are written with ``executemany`` and ids allocated up front (the
        transaction holds the write lock).
        """
        removed_ids: list[int] = []
        title_keys = {story.title_key for change in changes for story in change.stories}
        async with self._transaction(immediate=True) as db:
            for group in chunks([*removals, *(c.path for c in changes)], 500):
                marks = ",".join("?" * len(group))
                in_files = f"SELECT id FROM stories WHERE file_path IN ({marks})"
                async with db.execute(f"SELECT DISTINCT title_key FROM stories WHERE file_path IN ({marks})", group) as cursor:
                    title_keys.update(row[0] for row in await cursor.fetchall())
                async with db.execute(f"SELECT id FROM passages WHERE story_id IN ({in_files})", group) as cursor:
                    removed_ids.extend(row[0] for row in await cursor.fetchall())
                await db.execute(f"DELETE FROM passages WHERE story_id IN ({in_files})", group)
                await db.execute(f"DELETE FROM story_topics WHERE story_id IN ({in_files})", group)
                await db.execute(f"DELETE FROM stories WHERE file_path IN ({marks}) AND parent_id IS NOT NULL", group)
                await db.execute(f"DELETE FROM stories WHERE file_path IN ({marks})", group)
                await db.execute(f"DELETE FROM files WHERE path IN ({marks})", group)
            first_story = await self._next_id("stories")
            added = await self._insert(changes)
            await self._enrich_plain_articles(title_keys)
            new_keys = await self._remember_seen(first_story)
        return FilesReplaced(removed_ids, added, new_keys)

    async def _remember_seen(self, first_story: int) -> list[str]:
        """Record the keys of the stories inserted from ``first_story`` on as seen; return those never seen
        before (a story whose file changed, or that came back, or that another file holds, is not new)."""
        async with self._db.execute(NEW_STORY_KEYS, (first_story,)) as cursor:
            new_keys = [row[0] for row in await cursor.fetchall()]
        now = _now_precise()
        await self._db.executemany(
            "INSERT OR IGNORE INTO story_seen(story_key, first_seen) VALUES (?, ?)", [(k, now) for k in new_keys]
        )
        return new_keys

    async def _next_id(self, table: str) -> int:
        async with self._db.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)) as cursor:
            row = await cursor.fetchone()
        return (row[0] if row else 0) + 1

    async def _insert(self, changes: Sequence[FileChange]) -> list[tuple[int, str]]:
        if not changes:
            return []
        story_id = await self._next_id("stories")
        passage_id = await self._next_id("passages")
        keys = await self._known_keys({s.title_key for change in changes for s in change.stories if s.outlet})
        now = _now()
        files, story_rows, passage_rows, added = [], [], [], []
        topic_rows: list[tuple[int, str]] = []
        for change in changes:
            path, stories = change.path, change.stories
            files.append((path, change.state.sha256, change.state.size, change.state.mtime_ns, now))
            ids_by_ordinal: dict[int, int] = {}
            for story in stories:
                identity = (story.title_key, (story.outlet or "").casefold())
                key = keys.get(identity) if story.outlet else None
                if key is None:
                    key = story.url_key or f"title:{story.title_key}|{identity[1]}"
                    if story.outlet:
                        keys[identity] = key  # later copies in this batch join this story
                ids_by_ordinal[story.ordinal] = story_id
                parent = ids_by_ordinal.get(story.parent_ordinal) if story.parent_ordinal is not None else None
                story_rows.append((
                    story_id, path, story.ordinal, story.kind.value, parent, key, story.url_key, story.title_key,
                    story.title, story.excerpt, story.url, story.outlet, story.outlet_domain, _iso(story.published),
                    json.dumps(list(story.topics)), story.quality, story.image_url, int(story.url is not None),
                ))
                topic_rows.extend((story_id, topic) for topic in story.topics)
                for ordinal, (text, terms) in enumerate(story.passages):
                    passage_rows.append((passage_id, story_id, ordinal, text, terms))
                    added.append((passage_id, terms))
                    passage_id += 1
                story_id += 1
        await self._db.executemany("INSERT INTO files(path, sha256, size, mtime_ns, ingested_at) VALUES (?, ?, ?, ?, ?)", files
        )
        await self._db.executemany(
            "INSERT INTO stories(id, file_path, ordinal, kind, parent_id, story_key, url_key, title_key, title, excerpt,"
            " url, outlet, outlet_domain, published, topics, quality, image_url, own_url)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            story_rows,
        )
        await self._db.executemany("INSERT INTO story_topics(story_id, topic) VALUES (?, ?)", topic_rows)
        await self._db.executemany(
            "INSERT INTO passages(id, story_id, ordinal, text, terms) VALUES (?, ?, ?, ?, ?)", passage_rows
        )
        return added

    async def _known_keys(self, title_keys: set[str]) -> dict[tuple[str, str], str]:
        """Story keys of stored stories by (title key, outlet): the same title and outlet is the same story."""
        known: dict[tuple[str, str], str] = {}
        for group in chunks(sorted(title_keys), 500):
            marks = ",".join("?" * len(group))
            async with self._db.execute(
                KNOWN_KEYS.format(marks=marks),
                group,
            ) as cursor:
                for title, outlet, key in await cursor.fetchall():
                    known[(title, outlet.casefold())] = key
        return known

    async def _enrich_plain_articles(self, title_keys: Iterable[str]) -> None:
        """Give URL-less articles the URL, outlet and date of a same-titled story listed elsewhere.

        Only stories with the given title keys (those the transaction added or removed) can change.
        """
        await self._db.execute("CREATE TEMP TABLE IF NOT EXISTS enrich_keys (title_key TEXT PRIMARY KEY)")
        await self._db.execute("DELETE FROM temp.enrich_keys")
        await self._db.executemany("INSERT OR IGNORE INTO temp.enrich_keys VALUES (?)", [(k,) for k in title_keys])
        await self._db.execute(ENRICH_FROM_LISTED)
        await self._db.execute(ENRICH_CLEAR)

    # ---- index support ------------------------------------------------------------------------
    async def set_watermark(self, watermark: int) -> None:
        """Record the main segment's watermark and drop the tombstones it made obsolete."""
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO index_state(key, value) VALUES ('watermark', ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(watermark),),
            )
            await db.execute("DELETE FROM tombstones WHERE passage_id <= ?", (watermark,))

    async def watermark(self) -> int:
        async with self._db.execute("SELECT value FROM index_state WHERE key = 'watermark'") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def listing_digest(self) -> str | None:
        """The digest of the file listing the stored files reflect (see :mod:`retrieval.listing`), or None."""
        async with self._db.execute("SELECT value FROM index_state WHERE key = 'listing_digest'") as cursor:
            row = await cursor.fetchone()
        return row[0] if row else None

    async def set_listing_digest(self, digest: str | None) -> None:
        """Record the digest of the listing the stored files now reflect; None forgets it (before a write)."""
        async with self._transaction() as db:
            if digest is None:
                await db.execute("DELETE FROM index_state WHERE key = 'listing_digest'")
            else:
                await db.execute(
                    "INSERT INTO index_state(key, value) VALUES ('listing_digest', ?)"
                    " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (digest,),
                )

    async def tombstones(self, watermark: int) -> list[int]:
        async with self._db.execute("SELECT passage_id FROM tombstones WHERE passage_id <= ?", (watermark,)) as cur:
            return [row[0] for row in await cur.fetchall()]

    async def passages_after(self, watermark: int) -> list[tuple[int, list[str]]]:
        async with self._db.execute("SELECT id, terms FROM passages WHERE id > ? ORDER BY id", (watermark,)) as cur:
            return [(pid, terms.split()) for pid, terms in await cur.fetchall()]

    def iter_all_terms(self, batch: int = 20_000, *, up_to: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """Every live passage's terms (up to id ``up_to``) in id order, from a separate read-only
        connection (for rebuilds)."""
        connection = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            cursor = connection.execute(
                "SELECT id, terms FROM passages WHERE id <= ? ORDER BY id", (2**63 - 1 if up_to is None else up_to,)
            )
            while rows := cursor.fetchmany(batch):
                for pid, terms in rows:
                    yield pid, terms.split()
        finally:
            connection.close()

    async def count_passages(self, low: int, high: int) -> int:
        """How many passages have ids from ``low`` to ``high`` (both included)."""
        async with self._db.execute("SELECT COUNT(*) FROM passages WHERE id BETWEEN ? AND ?", (low, high)) as cursor:
            return (await _single_row(cursor))[0]

    async def max_passage_id(self) -> int:
        async with self._db.execute("SELECT COALESCE(MAX(id), 0) FROM passages") as cursor:
            return (await _single_row(cursor))[0]

    # ---- reading ------------------------------------------------------------------------------
    def read_passages(self, ids: Sequence[int]) -> dict[int, tuple[Passage, Story]]:
        """Passages and their stories by passage id (missing ids are simply absent).

        Synchronous, on the calling thread's own read-only connection: ``ask`` runs it right after the
        search, in the same thread (a worker thread for long searches). Stories come from the reader's
        cache when it has them (see :class:`_Reader`)."""
        if not ids:
            return {}
        reader = self._reader()
        cached = reader.fresh_stories()
        rows = reader.connection.execute(
            f"SELECT id, story_id, ordinal, text, terms FROM passages WHERE id IN ({','.join('?' * len(ids))})",
            tuple(ids),
        ).fetchall()
        stories = {row[1]: cached.get(row[1]) for row in rows}
        missing = [story_id for story_id, story in stories.items() if story is None]
        if missing:
            for row in reader.connection.execute(
                f"SELECT {_STORY_COLUMNS} FROM stories WHERE id IN ({','.join('?' * len(missing))})", missing
            ):
                stories[row[0]] = cached[row[0]] = _story(row)
            for oldest in list(itertools.islice(cached, max(0, len(cached) - STORY_CACHE_SIZE))):
                del cached[oldest]
        # a passage whose story was deleted between the two statements is skipped like a deleted one
        return {row[0]: (_passage(row), story) for row in rows if (story := stories[row[1]]) is not None}

    async def story(self, story_id: int) -> Story | None:
        rows = await self._committed(f"SELECT {_STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,))
        return _story(rows[0]) if rows else None

    async def story_passages(self, story_id: int) -> list[Passage]:
        rows = await self._committed(
            "SELECT id, story_id, ordinal, text FROM passages WHERE story_id = ? ORDER BY ordinal", (story_id,)
        )
        return [Passage(*row) for row in rows]

    async def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """The stored passages among ``passage_ids`` (id → passage); ids no longer stored are absent."""
        out: dict[int, Passage] = {}
        for group in chunks(list(dict.fromkeys(passage_ids)), 500):
            rows = await self._committed(
                f"SELECT id, story_id, ordinal, text FROM passages WHERE id IN ({','.join('?' * len(group))})", group
            )
            out.update((row[0], Passage(*row)) for row in rows)
        return out

    async def leading_passages(self, story_ids: Sequence[int], per_story: int = 3) -> dict[int, list[Passage]]:
        """The first ``per_story`` passages of each story, in one query (story id → passages in order)."""
        out: dict[int, list[Passage]] = {story_id: [] for story_id in story_ids}
        for group in chunks(list(story_ids), 500):
            sql = (f"SELECT id, story_id, ordinal, text, terms FROM passages WHERE story_id IN ({','.join('?' * len(group))})"
                   " AND ordinal < ? ORDER BY story_id, ordinal")
            if len(group) <= INLINE_LEADING_STORIES:  # as read_passages: this thread's read-only connection
                rows = self._fetch_committed(sql, (*group, per_story))
            else:
                rows = await self._committed(sql, (*group, per_story))
            for row in rows:
                out[row[1]].append(_passage(row))
        return out

    async def related_of(self, story_id: int) -> list[Story]:
        rows = await self._committed(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE parent_id = ? ORDER BY published DESC, id", (story_id,)
        )
        return [_story(row) for row in rows]

    async def listed_in(self, story_key: str) -> list[Story]:
        """The articles whose ``related`` lists name this story."""
        rows = await self._committed(
            f"SELECT {_columns('p')} FROM stories r"
            " JOIN stories p ON p.id = r.parent_id WHERE r.story_key = ? GROUP BY p.id ORDER BY p.published DESC",
            (story_key,),
        )
        return [_story(row) for row in rows]

    async def latest(
        self, *, topic: str | None = None, outlet: str | None = None, limit: int = 10, offset: int = 0,
        since: datetime | None = None, until: datetime | None = None,
    ) -> list[Story]:
        """Newest stories first (undated last), one per story key."""
        where = ["1 = 1"]
        params: list[str | None] = []
        if topic:
            where.append("s.id IN (SELECT story_id FROM story_topics WHERE topic = ?)")
            params.append(topic)
        if outlet:
            where.append("s.outlet = ? COLLATE NOCASE")
            params.append(outlet)
        if since:
            where.append("s.published >= ?")
            params.append(_iso(since))
        if until:
            where.append("s.published < ?")
            params.append(_iso(until))
        sql = (
            f"SELECT {_columns('s')} FROM stories s WHERE {' AND '.join(where)}"
            " ORDER BY s.published IS NULL, s.published DESC, s.kind = 'related', s.quality DESC, s.id LIMIT ? OFFSET ?"
        )
        return await distinct_page(
            lambda batch, position: self._committed(sql, (*params, batch, position)), offset=offset, limit=limit
        )

    async def stories_on_day(self, month: int, day: int, year: int | None = None, *, limit: int = 200) -> list[Story]:
        """Stories published on a calendar day (UTC; any year unless given), best quality first, one per key."""
        where, params = "substr(published, 6, 5) = ?", [f"{month:02d}-{day:02d}"]
        if year is not None:
            where += " AND substr(published, 1, 4) = ?"
            params.append(f"{year:04d}")
        rows = await self._committed(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE published IS NOT NULL AND {where}"
            " ORDER BY quality DESC, published DESC, id LIMIT ?",
            (*params, limit * 2),
        )
        return first_per_key(rows)[:limit]

    async def facets(self, column: str) -> list[Facet]:
        """Outlets (``column='outlet'``) or topics with their distinct-story counts. The outlets end with
        the stories that name none (:data:`~retrieval.models.NO_OUTLET`, ``named=False``)."""
        if column == "outlet":
            # each story under one outlet (its stored copies agree, or the first name wins), so the counts
            # add up to story_count(); stories without an outlet are the row named None
            sql = (
                "SELECT MIN(outlet), COUNT(*) FROM (SELECT MIN(outlet COLLATE NOCASE) AS outlet FROM stories"
                " GROUP BY story_key) GROUP BY outlet COLLATE NOCASE ORDER BY outlet IS NULL, 2 DESC, 1"
            )
        elif column == "topic":
            sql = (
                "SELECT MIN(t.topic), COUNT(DISTINCT s.story_key) FROM story_topics t JOIN stories s ON s.id = t.story_id"
                " GROUP BY t.topic ORDER BY 2 DESC, 1"
            )
        else:
            raise ValueError(column)
        return [
            Facet(name, count) if name is not None else Facet(NO_OUTLET, count, named=False)
            for name, count in await self._committed(sql)
        ]

    async def story_count(self) -> int:
        """How many stories are stored: see :data:`STORY_COUNT`."""
        return (await self._committed(STORY_COUNT))[0][0]

    async def counts(self) -> tuple[int, int, int]:
        """(files, stories, passages) stored; stories counted as :data:`STORY_COUNT` counts them."""
        async with self._db.execute(
            f"SELECT (SELECT COUNT(*) FROM files), ({STORY_COUNT}), (SELECT COUNT(*) FROM passages)"
        ) as cursor:
            files, stories, passages = await _single_row(cursor)
        return files, stories, passages

    async def stories_by_key(self, keys: Sequence[str]) -> list[Story]:
        """One story per key (its article row before the entries that list it, then the best quality),
        in the order of ``keys``; keys no longer stored are left out."""
        best: dict[str, Story] = {}
        for group in chunks(list(dict.fromkeys(keys)), 500):
            rows = await self._committed(
                f"SELECT {_STORY_COLUMNS} FROM stories WHERE story_key IN ({','.join('?' * len(group))})"
                " ORDER BY kind = 'related', quality IS NULL, quality DESC, id",
                group,
            )
            for row in rows:
                best.setdefault(row[1], _story(row))
        return [best[key] for key in keys if key in best]

    async def story_terms(self, story_ids: Sequence[int]) -> dict[int, set[str]]:
        """Every analyzed term of each story's passages (title and text), by story id."""
        out: dict[int, set[str]] = {story_id: set() for story_id in story_ids}
        for group in chunks(list(story_ids), 500):
            rows = await self._committed(
                f"SELECT story_id, terms FROM passages WHERE story_id IN ({','.join('?' * len(group))})", group
            )
            for story_id, terms in rows:
                out[story_id].update(terms.split())
        return out

    async def first_seen(self, keys: Sequence[str]) -> dict[str, datetime]:
        """When each story key was first stored (keys never stored are absent)."""
        out: dict[str, datetime] = {}
        for group in chunks(list(dict.fromkeys(keys)), 500):
            rows = await self._committed(
                f"SELECT story_key, first_seen FROM story_seen WHERE story_key IN ({','.join('?' * len(group))})",
                group,
            )
            out.update((key, datetime.fromisoformat(seen)) for key, seen in rows)
        return out


def chunks(items: Sequence, size: int) -> Iterable[Sequence]:
    """Slices of ``items`` of at most ``size`` (SQLite caps bound parameters)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
