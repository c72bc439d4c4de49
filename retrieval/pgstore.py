"""The PostgreSQL store: the same tables and guarantees as the SQLite :class:`~retrieval.store.Store`, in a
database that several bot processes share.

Driver: psycopg 3. It has a synchronous and an asynchronous connection in one library: ``read_passages``
is synchronous (``ask`` calls it on the thread that searched), the rest are coroutines. It also brings
LISTEN/NOTIFY, server-side cursors and pipelined ``executemany``.

Connections: one for writes (transactions take turns under a lock, as in SQLite), one for browsing
(autocommit: committed rows only, never an ingest batch being written), and one per thread for the
passages ``ask`` reads (one batched round trip a question: passages joined with their stories). A
connection that broke (the server restarted) is opened again on its next use.

Layout: text columns use the "C" collation, so ordering and the path range scans are byte order as
in SQLite; SQLite's ``NOCASE`` comparisons are ``lower()`` here. Versions: the table ``newsbot_schema``
holds the layout version (:data:`~retrieval.store.SCHEMA_VERSION`); opening a database of another
version drops and rebuilds the derived tables in one transaction (the bot's own tables, such as the
query log, are kept), exactly as the SQLite store does.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg

from .models import NO_OUTLET, Facet, Passage, Story
from .store import (
    _STORY_COLUMNS,
    SCHEMA_VERSION,
    STORY_COUNT,
    FileChange,
    FilesReplaced,
    FileState,
    SkippedState,
    StoreError,
    _columns,
    _iso,
    _now,
    _passage,
    _story,
    distinct_page,
    first_per_key,
)

log = logging.getLogger(__name__)



@dataclass(frozen=True, slots=True)
class Coordination:
    """The advisory lock keys and the notification channel of one store. Advisory locks and channels are
    the database's, not a schema's: the names are derived from the schema the tables live in, so two
    stores in one database (two deployments, parallel test runs) never share a lead."""

    ingest_lock: int
    """Taken by every ingest write transaction: across processes, batches commit one at a time, so
    passage ids grow in commit order (a replica that has seen id N has seen every id below N)."""
    migration_lock: int
    """Held while a process checks and migrates the layout."""
    leader_lock: int
    """Held by the leader, on a connection of its own, for as long as it leads: the server releases it
    when that connection ends (the process died, or the network between them did)."""
    channel: str
    """Notified by an ingest transaction on commit, with the new generation as payload."""

    @classmethod
    def of(cls, schema: str) -> Coordination:
        def key(purpose: str) -> int:
            digest = hashlib.blake2b(f"newsbot:{schema}:{purpose}".encode(), digest_size=8).digest()
            return int.from_bytes(digest, "big", signed=True)

        return cls(key("ingest"), key("migrate"), key("lead"),
                   "newsbot_changes_" + hashlib.blake2b(schema.encode(), digest_size=6).hexdigest())


REMOVED_LOG_GENERATIONS = 10_000
"""How many generations of removed passage ids the store keeps for replicas to catch up with; a replica
further behind compares its index with the stored ids instead."""

DERIVED_TABLES = ("removed_passages", "tombstones", "index_state", "passages", "story_topics", "stories", "files", "skipped_files")
DERIVED_SEQUENCES = ("passages_id_seq", "stories_id_seq")

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT COLLATE "C" PRIMARY KEY,
    sha256 TEXT NOT NULL,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS skipped_files (
    path TEXT COLLATE "C" PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    reason TEXT NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS stories_id_seq;
CREATE TABLE IF NOT EXISTS stories (
    id BIGINT PRIMARY KEY DEFAULT nextval('stories_id_seq'),
    file_path TEXT COLLATE "C" NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT COLLATE "C" NOT NULL,
    parent_id BIGINT REFERENCES stories(id) ON DELETE CASCADE,
    story_key TEXT COLLATE "C" NOT NULL,
    url_key TEXT COLLATE "C",
    title_key TEXT COLLATE "C" NOT NULL,
    title TEXT COLLATE "C" NOT NULL,
    excerpt TEXT,
    url TEXT COLLATE "C",
    outlet TEXT COLLATE "C",
    outlet_domain TEXT,
    published TEXT COLLATE "C",
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
CREATE INDEX IF NOT EXISTS stories_by_day ON stories ((substr(published, 6, 5))) WHERE published IS NOT NULL;
CREATE INDEX IF NOT EXISTS stories_by_outlet ON stories(lower(outlet));
CREATE TABLE IF NOT EXISTS story_topics (
    story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    topic TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS story_topics_by_topic ON story_topics(lower(topic), story_id);
CREATE INDEX IF NOT EXISTS story_topics_by_story ON story_topics(story_id);
CREATE SEQUENCE IF NOT EXISTS passages_id_seq;
CREATE TABLE IF NOT EXISTS passages (
    id BIGINT PRIMARY KEY DEFAULT nextval('passages_id_seq'),
    story_id BIGINT NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    terms TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_story ON passages(story_id);
CREATE TABLE IF NOT EXISTS index_state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones (passage_id BIGINT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS removed_passages (passage_id BIGINT PRIMARY KEY, generation BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS removed_passages_by_generation ON removed_passages(generation);
CREATE OR REPLACE FUNCTION passage_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.id <= COALESCE((SELECT value::BIGINT FROM index_state WHERE key = 'watermark'), 0) THEN
        INSERT INTO tombstones(passage_id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
    END IF;
    RETURN OLD;
END $$;
DROP TRIGGER IF EXISTS passage_tombstone ON passages;
CREATE TRIGGER passage_tombstone AFTER DELETE ON passages FOR EACH ROW EXECUTE FUNCTION passage_tombstone();
CREATE TABLE IF NOT EXISTS newsbot_schema (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS story_seen (story_key TEXT COLLATE "C" PRIMARY KEY, first_seen TEXT NOT NULL);
"""

_READ_PASSAGES = (
    f"SELECT p.id, p.story_id, p.ordinal, p.text, p.terms, {_columns('s')}"
    " FROM passages p JOIN stories s ON s.id = p.story_id WHERE p.id = ANY(%s)"
)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What a replica's index lacks: the passages after the last one it holds, and the passages removed
    since the generation it last saw (None when the log no longer reaches that far back)."""

    generation: int
    added: list[tuple[int, list[str]]]
    removed: list[int] | None


async def _one(cursor: psycopg.AsyncCursor) -> tuple[Any, ...]:
    """The one row a statement returns (an aggregate, ``RETURNING``, ``setval``)."""
    row = await cursor.fetchone()
    if row is None:
        raise StoreError("the database returned no row where one was expected")
    return row


def _redacted(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the PostgreSQL URL"
    host, name = info.get("host", "localhost"), info.get("dbname", "")
    return f"postgresql://{info.get('user', '')}@{host}:{info.get('port', 5432)}/{name}"


class PostgresStore:
    """Async access to a PostgreSQL database: one write connection, one browsing connection, one
    connection per thread for the passages that answers read."""

    local_reads = False
    """:meth:`read_passages` is a network round trip: callers run it in a worker thread."""

    def __init__(
        self, url: str, db: psycopg.AsyncConnection, coordination: Coordination, *, reset: bool = False
    ) -> None:
        self.url = url
        self.coordination = coordination
        self._db = db
        self._browse: psycopg.AsyncConnection | None = None
        self._browse_lock = asyncio.Lock()
        self.reset = reset
        self._readers = threading.local()
        self._reader_connections: list[psycopg.Connection] = []
        self._readers_lock = threading.Lock()
        self._write_lock = asyncio.Lock()
        self._leader: psycopg.AsyncConnection | None = None
        self._listener: psycopg.AsyncConnection | None = None

    shared = True
    """Several processes may use this store at once: one leads (ingests), the others follow."""

    @classmethod
    async def open(cls, url: str) -> PostgresStore:
        """Connect, and create or migrate the layout (under an advisory lock: one process migrates)."""
        try:
            db = await psycopg.AsyncConnection.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as error:
            raise StoreError(f"cannot open database {_redacted(url)}: {' '.join(str(error).split())}") from None
        try:
            schema = (await _one(await db.execute("SELECT current_schema()")))[0]
            if schema is None:
                raise StoreError(f"cannot open database {_redacted(url)}: no schema on its search_path exists")
            coordination = Coordination.of(schema)
            async with db.transaction():
                await db.execute("SELECT pg_advisory_xact_lock(%s)", (coordination.migration_lock,))
                reset = await cls._drop_outdated(db)
                await db.execute(SCHEMA)
                # a store written before stories were remembered as seen: its stories are not new
                await db.execute(
                    "INSERT INTO story_seen(story_key, first_seen) SELECT DISTINCT story_key, %s FROM stories"
                    " WHERE NOT EXISTS (SELECT 1 FROM story_seen) ON CONFLICT DO NOTHING",
                    (_now(),),
                )
                await db.execute(
                    "INSERT INTO newsbot_schema(id, version) VALUES (1, %s)"
                    " ON CONFLICT (id) DO UPDATE SET version = excluded.version",
                    (SCHEMA_VERSION,),
                )
        except psycopg.Error as error:
            await db.close()
            raise StoreError(f"cannot open database {_redacted(url)}: {' '.join(str(error).split())}") from None
        except BaseException:
            await db.close()
            raise
        return cls(url, db, coordination, reset=reset)

    @staticmethod
    async def _drop_outdated(db: psycopg.AsyncConnection) -> bool:
        """Drop the derived tables of a database written by another layout version; True if it did."""
        row = await _one(await db.execute("SELECT to_regclass('newsbot_schema'), to_regclass('files')"))
        has_version, has_tables = row[0] is not None, row[1] is not None
        version = None
        if has_version:
            found = await (await db.execute("SELECT version FROM newsbot_schema WHERE id = 1")).fetchone()
            version = found[0] if found else None
        if version == SCHEMA_VERSION or not has_tables:
            return False
        log.warning("database layout %s is not this version's (%s): re-ingesting its articles", version, SCHEMA_VERSION)
        await db.execute(f"DROP TABLE IF EXISTS {', '.join(DERIVED_TABLES)} CASCADE")
        await db.execute(f"DROP SEQUENCE IF EXISTS {', '.join(DERIVED_SEQUENCES)}")
        return True

    async def close(self) -> None:
        with self._readers_lock:
            connections, self._reader_connections = self._reader_connections, []
        for connection in connections:
            connection.close()
        for own in (self._browse, self._leader, self._listener):
            if own is not None:
                await own.close()
        await self._db.close()

    # ---- connections --------------------------------------------------------------------------
    async def _writer(self) -> psycopg.AsyncConnection:
        """The write connection, opened again if the server dropped it."""
        if self._db.closed or self._db.broken:
            log.warning("database connection lost: reconnecting")
            self._db = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=10)
        return self._db

    @asynccontextmanager
    async def _transaction(self, *, ingest: bool = False) -> AsyncIterator[psycopg.AsyncConnection]:
        """One write transaction, alone on the write connection: committed on success, rolled back whole
        on any error or cancellation. ``ingest`` also takes the ingest lock (across processes)."""
        async with self._write_lock:
            db, transaction = await self._begin()
            try:
                if ingest:
                    await db.execute("SELECT pg_advisory_xact_lock(%s)", (self.coordination.ingest_lock,))
                yield db
            except BaseException as error:
                if not await transaction.__aexit__(type(error), error, error.__traceback__):
                    raise
            else:
                await transaction.__aexit__(None, None, None)

    # ---- extension API: tables the bot keeps beside the core's ---------------------------------
    dialect = "postgresql"
    """SQL dialect of :meth:`transaction` and :meth:`committed` (``%s`` placeholders)."""

    async def create_tables(self, ddl: str) -> None:
        """Create tables of the bot's own (``CREATE TABLE IF NOT EXISTS …``), under the migration lock."""
        async with self._transaction() as db:
            await db.execute("SELECT pg_advisory_xact_lock(%s)", (self.coordination.migration_lock,))
            await db.execute(ddl)

    def bulk_writes(self) -> AbstractAsyncContextManager[None]:
        """Nothing to tune: the server checkpoints on its own schedule."""
        return nullcontext()

    def transaction(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection]:
        """A write transaction on the write connection (reconnecting if the server restarted)."""
        return self._transaction()

    async def committed(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of committed data, on the browsing connection."""
        return await self._committed(sql, params)

    async def _begin(self) -> tuple[psycopg.AsyncConnection, AbstractAsyncContextManager[Any]]:
        """``BEGIN`` on the write connection. It is the transaction's first round trip, so when it finds the
        connection gone (the server restarted) nothing was done yet: connect again and begin once more."""
        for attempt in (1, 2):
            db = await self._writer()
            transaction = db.transaction()
            try:
                await transaction.__aenter__()
            except psycopg.OperationalError:
                if attempt == 2 or not db.broken:
                    raise
                log.warning("database connection lost: reconnecting")
            else:
                return db, transaction
        raise AssertionError("unreachable")

    async def _committed(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of committed data, read on the browsing connection (autocommit, so never a batch being
        written). A connection the server dropped is opened again and the read tried once more."""
        async with self._browse_lock:
            try:
                return await self._browse_rows(sql, params)
            except psycopg.OperationalError:
                if self._browse is None or not self._browse.broken:
                    raise
                log.warning("database connection lost: reconnecting")
                return await self._browse_rows(sql, params)

    async def _browse_rows(self, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        if self._browse is None or self._browse.closed or self._browse.broken:
            self._browse = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=10)
        cursor = await self._browse.execute(sql, tuple(params))
        return await cursor.fetchall()

    async def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows read on the write connection (sees the process's own writes, as the SQLite store's do)."""
        async with self._write_lock:
            for attempt in (1, 2):
                db = await self._writer()
                try:
                    cursor = await db.execute(sql, tuple(params))
                    return await cursor.fetchall()
                except psycopg.OperationalError:
                    if attempt == 2 or not db.broken:
                        raise
                    log.warning("database connection lost: reconnecting")
        raise AssertionError("unreachable")

    def _reader(self) -> psycopg.Connection:
        """This thread's connection for the passages answers read."""
        connection: psycopg.Connection | None = getattr(self._readers, "connection", None)
        if connection is None or connection.closed or connection.broken:
            connection = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            self._readers.connection = connection
            with self._readers_lock:
                self._reader_connections.append(connection)
        return connection

    # ---- files and ingest ---------------------------------------------------------------------
    async def file_states(
        self, *, folders: Sequence[str] = (), paths: Sequence[str] = ()
    ) -> dict[str, FileState]:
        """What is stored of the files below ``folders`` and of the given ``paths`` (no arguments: all)."""
        rows = await self._rows_by_path("SELECT path, sha256, size, mtime_ns FROM files", folders, paths)
        return {row[0]: FileState._make(row[1:]) for row in rows}

    async def skipped_files(
        self, *, folders: Sequence[str] = (), paths: Sequence[str] = ()
    ) -> dict[str, SkippedState]:
        """The remembered unusable files below ``folders`` and among ``paths`` (no arguments: all)."""
        rows = await self._rows_by_path("SELECT path, size, mtime_ns, reason FROM skipped_files", folders, paths)
        return {row[0]: SkippedState._make(row[1:]) for row in rows}

    async def _rows_by_path(self, select: str, folders: Sequence[str], paths: Sequence[str]) -> list[tuple]:
        """Rows of ``select`` (whose first column is ``path``) below ``folders`` and among ``paths``:
        each folder a range scan of the primary key (byte order: "0" follows "/")."""
        queries: list[tuple[str, Sequence]] = []
        if not folders and not paths:
            queries.append((select, ()))
        for folder in folders:
            prefix = folder.rstrip("/") + "/"
            queries.append((f"{select} WHERE path >= %s AND path < %s", (prefix, prefix[:-1] + "0")))
        if paths:
            queries.append((f"{select} WHERE path = ANY(%s)", (sorted(set(paths)),)))
        rows: list[tuple] = []
        for sql, params in queries:
            rows.extend(await self._rows(sql, params))
        return rows

    async def remember_skipped(self, skipped: Sequence[tuple[str, SkippedState]], forget: Sequence[str]) -> None:
        """Remember newly skipped files and forget files usable again or gone, in one transaction."""
        if not skipped and not forget:
            return
        async with self._transaction(ingest=True) as db:
            await db.execute("DELETE FROM skipped_files WHERE path = ANY(%s)", (sorted(set(forget)),))
            if skipped:
                async with db.cursor() as cursor:
                    await cursor.executemany(
                        "INSERT INTO skipped_files(path, size, mtime_ns, reason) VALUES (%s, %s, %s, %s)"
                        " ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
                        " reason = excluded.reason",
                        [(path, *state) for path, state in dict(skipped).items()],
                    )

    async def touch_files(self, states: Sequence[tuple[str, FileState]]) -> None:
        """Record new modification times of files whose content did not change."""
        if states:
            async with self._transaction(ingest=True) as db, db.cursor() as cursor:
                await cursor.executemany(
                    "UPDATE files SET mtime_ns = %s WHERE path = %s", [(st.mtime_ns, path) for path, st in states]
                )

    async def replace_files(
        self, changes: Sequence[FileChange], removals: Sequence[str]
    ) -> FilesReplaced:
        """Apply new/changed files and removals in one transaction; returns the ids of deleted passages,
        ``(id, terms)`` of inserted ones and the story keys stored for the first time ever."""
        title_keys = {story.title_key for change in changes for story in change.stories}
        paths = [*removals, *(c.path for c in changes)]
        async with self._transaction(ingest=True) as db:
            removed_ids: list[int] = []
            if paths:
                in_files = "SELECT id FROM stories WHERE file_path = ANY(%s)"
                cursor = await db.execute("SELECT DISTINCT title_key FROM stories WHERE file_path = ANY(%s)", (paths,))
                title_keys.update(row[0] for row in await cursor.fetchall())
                cursor = await db.execute(
                    f"DELETE FROM passages WHERE story_id IN ({in_files}) RETURNING id", (paths,)
                )
                removed_ids = sorted(row[0] for row in await cursor.fetchall())
                await db.execute(f"DELETE FROM story_topics WHERE story_id IN ({in_files})", (paths,))
                await db.execute("DELETE FROM stories WHERE file_path = ANY(%s) AND parent_id IS NOT NULL", (paths,))
                await db.execute("DELETE FROM stories WHERE file_path = ANY(%s)", (paths,))
                await db.execute("DELETE FROM files WHERE path = ANY(%s)", (paths,))
            added = await self._insert(db, changes)
            await self._enrich_plain_articles(db, sorted(title_keys))
            if removed_ids or added:
                await self._next_generation(db, removed_ids)
            new_keys: list[str] = []
            if changes:
                cursor = await db.execute(
                    "INSERT INTO story_seen(story_key, first_seen) SELECT DISTINCT story_key, %s FROM stories"
                    " WHERE file_path = ANY(%s) ON CONFLICT DO NOTHING RETURNING story_key",
                    (datetime.now(UTC).isoformat(), [c.path for c in changes]),
                )
                new_keys = [row[0] for row in await cursor.fetchall()]
        return FilesReplaced(removed_ids, added, new_keys)

    async def _next_generation(self, db: psycopg.AsyncConnection, removed_ids: list[int]) -> None:
        """Count one more generation of passages, log the removed ids under it, drop the log's oldest
        generations, and notify the replicas (PostgreSQL delivers it on commit, never on rollback)."""
        generation: int = (await _one(await db.execute(
            "INSERT INTO index_state(key, value) VALUES ('generation', '1') ON CONFLICT (key)"
            " DO UPDATE SET value = (index_state.value::BIGINT + 1)::TEXT RETURNING value::BIGINT"
        )))[0]
        if removed_ids:
            await db.execute(
                "INSERT INTO removed_passages(passage_id, generation) SELECT id, %s FROM unnest(%s::BIGINT[]) AS id"
                " ON CONFLICT (passage_id) DO UPDATE SET generation = excluded.generation",
                (generation, removed_ids),
            )
        oldest_kept = generation - REMOVED_LOG_GENERATIONS + 1
        if oldest_kept > 1:
            await db.execute("DELETE FROM removed_passages WHERE generation < %s", (oldest_kept,))
            await db.execute(
                "INSERT INTO index_state(key, value) VALUES ('log_from', %s) ON CONFLICT (key)"
                " DO UPDATE SET value = excluded.value",
                (str(oldest_kept),),
            )
        await db.execute("SELECT pg_notify(%s, %s)", (self.coordination.channel, str(generation)))

    @staticmethod
    async def _reserve_ids(db: psycopg.AsyncConnection, sequence: str, count: int) -> int:
        """The first of ``count`` consecutive ids taken from ``sequence`` (the ingest lock is held)."""
        if count == 0:
            return 0
        cursor = await db.execute(f"SELECT setval('{sequence}', nextval('{sequence}') + %s - 1)", (count,))
        last: int = (await _one(cursor))[0]
        return last - count + 1

    async def _insert(self, db: psycopg.AsyncConnection, changes: Sequence[FileChange]) -> list[tuple[int, str]]:
        if not changes:
            return []
        stories_total = sum(len(change.stories) for change in changes)
        passages_total = sum(len(story.passages) for change in changes for story in change.stories)
        story_id = await self._reserve_ids(db, "stories_id_seq", stories_total)
        passage_id = await self._reserve_ids(db, "passages_id_seq", passages_total)
        keys = await self._known_keys(db, {s.title_key for change in changes for s in change.stories if s.outlet})
        now = _now()
        files: list[tuple] = []
        story_rows: list[tuple] = []
        topic_rows: list[tuple[int, str]] = []
        passage_rows: list[tuple] = []
        added: list[tuple[int, str]] = []
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
        async with db.cursor() as cursor:
            # COPY: one stream a table, several times faster than row-by-row inserts
            for table, columns, rows in (
                ("files", "path, sha256, size, mtime_ns, ingested_at", files),
                ("stories", (
                    "id, file_path, ordinal, kind, parent_id, story_key, url_key, title_key, title, excerpt,"
                    " url, outlet, outlet_domain, published, topics, quality, image_url, own_url"
                ), story_rows),
                ("story_topics", "story_id, topic", topic_rows),
                ("passages", "id, story_id, ordinal, text, terms", passage_rows),
            ):
                if rows:
                    async with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            await copy.write_row(row)
        return added

    @staticmethod
    async def _known_keys(db: psycopg.AsyncConnection, title_keys: set[str]) -> dict[tuple[str, str], str]:
        """Story keys of stored stories by (title key, outlet): the same title and outlet is the same story."""
        known: dict[tuple[str, str], str] = {}
        if not title_keys:
            return known
        cursor = await db.execute(
            "SELECT title_key, outlet, story_key FROM stories WHERE outlet IS NOT NULL"
            " AND title_key = ANY(%s) ORDER BY id DESC",
            (sorted(title_keys),),
        )
        for title, outlet, key in await cursor.fetchall():
            known[(title, outlet.casefold())] = key
        return known

    @staticmethod
    async def _enrich_plain_articles(db: psycopg.AsyncConnection, title_keys: list[str]) -> None:
        """Give URL-less articles the URL, outlet and date of a same-titled story listed elsewhere (only
        stories with the given title keys, those the transaction added or removed, can change)."""
        if not title_keys:
            return
        await db.execute(
            """
            UPDATE stories AS s SET
                url = m.url, url_key = m.url_key, outlet = m.outlet, outlet_domain = m.outlet_domain,
                published = m.published, story_key = m.story_key, quality = COALESCE(s.quality, m.quality)
            FROM (
                SELECT title_key, url, url_key, outlet, outlet_domain, published, story_key, quality,
                       ROW_NUMBER() OVER (PARTITION BY title_key ORDER BY quality DESC NULLS LAST, id) AS rn
                FROM stories WHERE own_url = 1 AND title_key = ANY(%(keys)s)
            ) AS m
            WHERE s.own_url = 0 AND m.rn = 1 AND m.title_key = s.title_key AND s.title_key = ANY(%(keys)s)
              AND (s.url IS DISTINCT FROM m.url OR s.story_key IS DISTINCT FROM m.story_key)
            """,
            {"keys": title_keys},
        )
        await db.execute(
            """
            UPDATE stories SET url = NULL, url_key = NULL, outlet = NULL, outlet_domain = NULL, published = NULL,
                   story_key = 'title:' || title_key || '|'
            WHERE own_url = 0 AND url IS NOT NULL AND title_key = ANY(%(keys)s)
              AND NOT EXISTS (SELECT 1 FROM stories m WHERE m.own_url = 1 AND m.title_key = stories.title_key)
            """,
            {"keys": title_keys},
        )

    # ---- index support ------------------------------------------------------------------------
    async def set_watermark(self, watermark: int) -> None:
        """Record the main segment's watermark and drop the tombstones it made obsolete."""
        async with self._transaction(ingest=True) as db:
            await db.execute(
                "INSERT INTO index_state(key, value) VALUES ('watermark', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(watermark),),
            )
            await db.execute("DELETE FROM tombstones WHERE passage_id <= %s", (watermark,))

    async def watermark(self) -> int:
        rows = await self._rows("SELECT value FROM index_state WHERE key = 'watermark'")
        return int(rows[0][0]) if rows else 0

    async def listing_digest(self) -> str | None:
        """The digest of the file listing the stored files reflect (see :mod:`retrieval.listing`), or None."""
        rows = await self._rows("SELECT value FROM index_state WHERE key = 'listing_digest'")
        return rows[0][0] if rows else None

    async def set_listing_digest(self, digest: str | None) -> None:
        """Record the digest of the listing the stored files now reflect; None forgets it (before a write)."""
        async with self._transaction(ingest=True) as db:
            if digest is None:
                await db.execute("DELETE FROM index_state WHERE key = 'listing_digest'")
            else:
                await db.execute(
                    "INSERT INTO index_state(key, value) VALUES ('listing_digest', %s)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (digest,),
                )

    async def tombstones(self, watermark: int) -> list[int]:
        rows = await self._rows("SELECT passage_id FROM tombstones WHERE passage_id <= %s ORDER BY 1", (watermark,))
        return [row[0] for row in rows]

    async def passages_after(self, watermark: int) -> list[tuple[int, list[str]]]:
        rows = await self._rows("SELECT id, terms FROM passages WHERE id > %s ORDER BY id", (watermark,))
        return [(pid, terms.split()) for pid, terms in rows]

    def iter_all_terms(self, batch: int = 20_000, *, up_to: int | None = None) -> Iterator[tuple[int, list[str]]]:
        """Every live passage's terms (up to id ``up_to``) in id order, streamed by a server-side cursor on
        its own connection (one snapshot, for rebuilds)."""
        with (
            psycopg.connect(self.url, connect_timeout=10) as connection,
            connection.cursor(name="newsbot_all_terms") as cursor,
        ):
            cursor.itersize = batch
            cursor.execute(
                "SELECT id, terms FROM passages WHERE id <= %s ORDER BY id", (2**63 - 1 if up_to is None else up_to,)
            )
            for pid, terms in cursor:
                yield pid, terms.split()

    async def count_passages(self, low: int, high: int) -> int:
        """How many passages have ids from ``low`` to ``high`` (both included)."""
        return (await self._rows("SELECT COUNT(*) FROM passages WHERE id BETWEEN %s AND %s", (low, high)))[0][0]

    async def max_passage_id(self) -> int:
        return (await self._rows("SELECT COALESCE(MAX(id), 0) FROM passages"))[0][0]

    # ---- replicas and leadership ---------------------------------------------------------------
    async def changes_since(self, generation: int, after_id: int) -> ChangeSet:
        """What an index that saw ``generation`` and holds passages up to ``after_id`` lacks, read from one
        snapshot (the generation, removals and additions agree)."""
        async with self._browse_lock:
            if self._browse is None or self._browse.closed or self._browse.broken:
                self._browse = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=10)
            db = self._browse
            async with db.transaction():
                await db.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                state: dict[str, int] = dict(await (await db.execute(
                    "SELECT key, value::BIGINT FROM index_state WHERE key IN ('generation', 'log_from')"
                )).fetchall())
                current, log_from = state.get("generation", 0), state.get("log_from", 1)
                removed: list[int] | None = None
                if generation + 1 >= log_from:
                    rows = await (await db.execute(
                        "SELECT passage_id FROM removed_passages WHERE generation > %s ORDER BY 1", (generation,)
                    )).fetchall()
                    removed = [row[0] for row in rows]
                rows = await (await db.execute(
                    "SELECT id, terms FROM passages WHERE id > %s ORDER BY id", (after_id,)
                )).fetchall()
        return ChangeSet(current, [(pid, terms.split()) for pid, terms in rows], removed)

    async def generation(self) -> int:
        """How many ingest transactions changed passages (durable: a replica compares it on reconnect)."""
        rows = await self._committed("SELECT value::BIGINT FROM index_state WHERE key = 'generation'")
        return rows[0][0] if rows else 0

    async def live_passage_ids(self) -> list[int]:
        """Every stored passage id, in order (a replica that fell behind the removal log compares these)."""
        return [row[0] for row in await self._committed("SELECT id FROM passages ORDER BY id")]

    async def try_lead(self) -> bool:
        """Take the leader's lock if no other process holds it; True while this process holds it.

        The lock lives on a connection of its own: if that connection is lost, so is the lead (another
        process may have taken it meanwhile), and False is returned until the lock is taken again."""
        try:
            if self._leader is not None and not self._leader.closed and not self._leader.broken:
                await self._leader.execute("SELECT 1")  # still connected: still holding the lock
                return True
        except psycopg.OperationalError:
            log.warning("lost the connection that held the lead")
        await self._drop(self._leader)
        self._leader = None
        try:
            connection = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=10)
        except psycopg.OperationalError as error:
            log.warning("cannot reach the database to take the lead: %s", " ".join(str(error).split()))
            return False
        taken = (await _one(await connection.execute("SELECT pg_try_advisory_lock(%s)", (self.coordination.leader_lock,))))[0]
        if taken:
            self._leader = connection
        else:
            await connection.close()
        return bool(taken)

    async def resign(self) -> None:
        """Give the lead up (closing its connection releases the lock)."""
        await self._drop(self._leader)
        self._leader = None

    async def wait_for_changes(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for an ingest to commit; True if one was notified, or if the
        listening connection had to be opened (again): notifications sent meanwhile are lost, so the
        caller should check the generation."""
        reopened = False
        if self._listener is None or self._listener.closed or self._listener.broken:
            await self._drop(self._listener)
            self._listener = None
            try:
                self._listener = await psycopg.AsyncConnection.connect(self.url, autocommit=True, connect_timeout=10)
                await self._listener.execute(f"LISTEN {self.coordination.channel}")
            except psycopg.OperationalError as error:
                log.warning("cannot listen for changes: %s", " ".join(str(error).split()))
                await asyncio.sleep(timeout)
                return True
            reopened = True
        try:
            async for _ in self._listener.notifies(timeout=timeout, stop_after=1):
                return True
        except psycopg.OperationalError:
            log.warning("lost the connection listening for changes")
            return True
        return reopened

    @staticmethod
    async def _drop(connection: psycopg.AsyncConnection | None) -> None:
        if connection is not None and not connection.closed:
            with contextlib.suppress(psycopg.Error):
                await connection.close()

    # ---- reading ------------------------------------------------------------------------------
    def read_passages(self, ids: Sequence[int]) -> dict[int, tuple[Passage, Story]]:
        """Passages and their stories by passage id (missing ids are simply absent), in one round trip
        on this thread's connection. Synchronous: ``ask`` runs it in a worker thread."""
        if not ids:
            return {}
        for attempt in (1, 2):
            connection = self._reader()
            try:
                rows = connection.execute(_READ_PASSAGES, (list(ids),)).fetchall()
                break
            except psycopg.OperationalError:
                if attempt == 2 or not connection.broken:
                    raise
                log.warning("database connection lost: reconnecting")
        return {row[0]: (_passage(row[:5]), _story(row[5:])) for row in rows}

    async def story(self, story_id: int) -> Story | None:
        rows = await self._committed(f"SELECT {_STORY_COLUMNS} FROM stories WHERE id = %s", (story_id,))
        return _story(rows[0]) if rows else None

    async def story_passages(self, story_id: int) -> list[Passage]:
        rows = await self._committed(
            "SELECT id, story_id, ordinal, text FROM passages WHERE story_id = %s ORDER BY ordinal", (story_id,)
        )
        return [Passage(*row) for row in rows]

    async def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]:
        """The stored passages among ``passage_ids`` (id → passage); ids no longer stored are absent."""
        if not passage_ids:
            return {}
        rows = await self._committed(
            "SELECT id, story_id, ordinal, text FROM passages WHERE id = ANY(%s)", (list(dict.fromkeys(passage_ids)),)
        )
        return {row[0]: Passage(*row) for row in rows}

    async def leading_passages(self, story_ids: Sequence[int], per_story: int = 3) -> dict[int, list[Passage]]:
        """The first ``per_story`` passages of each story, in one query (story id → passages in order)."""
        out: dict[int, list[Passage]] = {story_id: [] for story_id in story_ids}
        if not story_ids:
            return out
        rows = await self._committed(
            "SELECT id, story_id, ordinal, text, terms FROM passages WHERE story_id = ANY(%s) AND ordinal < %s"
            " ORDER BY story_id, ordinal",
            (list(story_ids), per_story),
        )
        for row in rows:
            out[row[1]].append(_passage(row))
        return out

    async def related_of(self, story_id: int) -> list[Story]:
        rows = await self._committed(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE parent_id = %s ORDER BY published DESC NULLS LAST, id",
            (story_id,),
        )
        return [_story(row) for row in rows]

    async def listed_in(self, story_key: str) -> list[Story]:
        """The articles whose ``related`` lists name this story."""
        rows = await self._committed(
            f"SELECT {_columns('p')} FROM stories r JOIN stories p ON p.id = r.parent_id WHERE r.story_key = %s"
            " GROUP BY p.id ORDER BY p.published DESC NULLS LAST",
            (story_key,),
        )
        return [_story(row) for row in rows]

    async def latest(
        self, *, topic: str | None = None, outlet: str | None = None, limit: int = 10, offset: int = 0,
        since: datetime | None = None, until: datetime | None = None,
    ) -> list[Story]:
        """Newest stories first (undated last), one per story key."""
        where: list[str] = ["TRUE"]
        params: list[Any] = []
        if topic:
            where.append("s.id IN (SELECT story_id FROM story_topics WHERE lower(topic) = lower(%s))")
            params.append(topic)
        if outlet:
            where.append("lower(s.outlet) = lower(%s)")
            params.append(outlet)
        if since:
            where.append("s.published >= %s")
            params.append(_iso(since))
        if until:
            where.append("s.published < %s")
            params.append(_iso(until))
        sql = (
            f"SELECT {_columns('s')} FROM stories s WHERE {' AND '.join(where)}"
            " ORDER BY s.published IS NULL, s.published DESC, s.kind = 'related', s.quality DESC NULLS LAST, s.id"
            " LIMIT %s OFFSET %s"
        )
        return await distinct_page(
            lambda batch, position: self._committed(sql, (*params, batch, position)), offset=offset, limit=limit
        )

    async def stories_on_day(self, month: int, day: int, year: int | None = None, *, limit: int = 200) -> list[Story]:
        """Stories published on a calendar day (UTC; any year unless given), best quality first, one per key."""
        where, params = "substr(published, 6, 5) = %s", [f"{month:02d}-{day:02d}"]
        if year is not None:
            where += " AND substr(published, 1, 4) = %s"
            params.append(f"{year:04d}")
        rows = await self._committed(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE published IS NOT NULL AND {where}"
            " ORDER BY quality DESC NULLS LAST, published DESC, id LIMIT %s",
            (*params, limit * 2),
        )
        return first_per_key(rows)[:limit]

    async def facets(self, column: str) -> list[Facet]:
        """Outlets (``column='outlet'``) or topics with their distinct-story counts; the outlets end with
        the stories that name none (``named=False``). Case is folded as SQLite's NOCASE folds it."""
        if column == "outlet":
            sql = (
                "SELECT MIN(outlet), COUNT(*) FROM ("
                " SELECT (array_agg(outlet ORDER BY lower(outlet), outlet) FILTER (WHERE outlet IS NOT NULL))[1]"
                " AS outlet FROM stories GROUP BY story_key) AS per_story"
                " GROUP BY lower(outlet) ORDER BY lower(outlet) IS NULL, 2 DESC, MIN(outlet)"
            )
        elif column == "topic":
            sql = (
                "SELECT MIN(t.topic), COUNT(DISTINCT s.story_key) FROM story_topics t JOIN stories s ON s.id = t.story_id"
                " GROUP BY lower(t.topic) ORDER BY 2 DESC, MIN(t.topic)"
            )
        else:
            raise ValueError(column)
        return [
            Facet(name, count) if name is not None else Facet(NO_OUTLET, count, named=False)
            for name, count in await self._committed(sql)
        ]

    async def stories_by_key(self, keys: Sequence[str]) -> list[Story]:
        """One story per key (its article row first, then the best quality), in the order of ``keys``."""
        if not keys:
            return []
        rows = await self._committed(
            f"SELECT {_STORY_COLUMNS} FROM stories WHERE story_key = ANY(%s)"
            " ORDER BY kind = 'related', quality IS NULL, quality DESC, id",
            (list(dict.fromkeys(keys)),),
        )
        best: dict[str, Story] = {}
        for row in rows:
            best.setdefault(row[1], _story(row))
        return [best[key] for key in keys if key in best]

    async def story_terms(self, story_ids: Sequence[int]) -> dict[int, set[str]]:
        """Every analyzed term of each story's passages (title and text), by story id."""
        out: dict[int, set[str]] = {story_id: set() for story_id in story_ids}
        if story_ids:
            for story_id, terms in await self._committed(
                "SELECT story_id, terms FROM passages WHERE story_id = ANY(%s)", (list(story_ids),)
            ):
                out[story_id].update(terms.split())
        return out

    async def first_seen(self, keys: Sequence[str]) -> dict[str, datetime]:
        """When each story key was first stored (keys never stored are absent)."""
        if not keys:
            return {}
        rows = await self._committed(
            "SELECT story_key, first_seen FROM story_seen WHERE story_key = ANY(%s)", (list(dict.fromkeys(keys)),)
        )
        return {key: datetime.fromisoformat(seen) for key, seen in rows}

    async def story_count(self) -> int:
        """How many stories are stored: see :data:`~retrieval.store.STORY_COUNT`."""
        return (await self._committed(STORY_COUNT))[0][0]

    async def counts(self) -> tuple[int, int, int]:
        """(files, stories, passages) stored; stories counted as STORY_COUNT counts them."""
        rows = await self._rows(
            f"SELECT (SELECT COUNT(*) FROM files), ({STORY_COUNT}), (SELECT COUNT(*) FROM passages)"
        )
        files, stories, passages = rows[0]
        return files, stories, passages
