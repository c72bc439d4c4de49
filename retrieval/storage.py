"""The store interface the ingest, the index and the service use, and the choice of implementation.

Two stores keep the same tables with the same meaning: :class:`~retrieval.store.Store` (SQLite, a file,
the default) and :class:`~retrieval.pgstore.PostgresStore` (a PostgreSQL database shared by several
processes). ``open_store`` picks one from the ``NEWSBOT_DB`` setting: a ``postgresql://`` URL or a path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .locations import POSTGRES_SCHEMES as POSTGRES_SCHEMES  # re-exported
from .locations import is_postgres_url
from .models import Facet, Passage, Story
from .store import FileChange, FilesReplaced, FileState, SkippedState, Store


@runtime_checkable
class NewsStore(Protocol):
    """What the code asks of a store: files and ingest, index support, reading, and room for the bot's tables.

    Guarantees every implementation keeps: a file's stories and passages are replaced in one
    transaction (fully old or fully new); a committed transaction survives a crash; passage ids only
    grow, in commit order (the index's deltas rely on it); browsing reads committed rows only.
    """

    reset: bool
    """True when the store was opened over an older layout and the articles must be ingested again."""
    local_reads: bool
    """True when :meth:`read_passages` reads local storage (microseconds, fine on the event loop);
    False when it is a network round trip (callers run it in a worker thread)."""

    async def close(self) -> None: ...

    # files and ingest
    async def file_states(self, *, folders: Sequence[str] = (), paths: Sequence[str] = ()) -> dict[str, FileState]: ...
    async def skipped_files(
        self, *, folders: Sequence[str] = (), paths: Sequence[str] = ()
    ) -> dict[str, SkippedState]: ...
    async def remember_skipped(self, skipped: Sequence[tuple[str, SkippedState]], forget: Sequence[str]) -> None: ...
    async def touch_files(self, states: Sequence[tuple[str, FileState]]) -> None: ...
    def bulk_writes(self) -> AbstractAsyncContextManager[None]:
        """Tune the store for the many batches of an ingest while the context lasts (or do nothing)."""
        ...
    async def replace_files(self, changes: Sequence[FileChange], removals: Sequence[str]) -> FilesReplaced:
        """Also records every story key stored for the first time (``story_seen``, kept when the derived
        tables are rebuilt) and returns those keys: the new stories."""
        ...
    async def listing_digest(self) -> str | None: ...
    async def set_listing_digest(self, digest: str | None) -> None: ...

    # index support
    async def set_watermark(self, watermark: int) -> None: ...
    async def watermark(self) -> int: ...
    async def tombstones(self, watermark: int) -> list[int]: ...
    async def passages_after(self, watermark: int) -> list[tuple[int, list[str]]]: ...
    def iter_all_terms(
        self, batch: int = 20_000, *, up_to: int | None = None
    ) -> Iterator[tuple[int, list[str]]]: ...
    async def max_passage_id(self) -> int: ...
    async def count_passages(self, low: int, high: int) -> int: ...

    # reading
    def read_passages(self, ids: Sequence[int]) -> dict[int, tuple[Passage, Story]]: ...
    async def story(self, story_id: int) -> Story | None: ...
    async def story_passages(self, story_id: int) -> list[Passage]: ...
    async def passages(self, passage_ids: Sequence[int]) -> dict[int, Passage]: ...
    async def leading_passages(self, story_ids: Sequence[int], per_story: int = 3) -> dict[int, list[Passage]]: ...
    async def related_of(self, story_id: int) -> list[Story]: ...
    async def listed_in(self, story_key: str) -> list[Story]: ...
    async def latest(
        self, *, topic: str | None = None, outlet: str | None = None, limit: int = 10, offset: int = 0,
        since: datetime | None = None, until: datetime | None = None,
    ) -> list[Story]: ...
    async def stories_on_day(
        self, month: int, day: int, year: int | None = None, *, limit: int = 200
    ) -> list[Story]: ...
    async def facets(self, column: str) -> list[Facet]: ...
    async def story_count(self) -> int: ...
    async def counts(self) -> tuple[int, int, int]: ...

    # new stories (for announcing them)
    async def stories_by_key(self, keys: Sequence[str]) -> list[Story]: ...
    async def story_terms(self, story_ids: Sequence[int]) -> dict[int, set[str]]: ...
    async def first_seen(self, keys: Sequence[str]) -> dict[str, datetime]: ...

    # extension API: the bot's own tables (query log, feedback…) in the same database
    dialect: str
    """``sqlite`` (``?`` placeholders) or ``postgresql`` (``%s``)."""

    async def create_tables(self, ddl: str) -> None: ...
    def transaction(self) -> AbstractAsyncContextManager[Any]: ...
    async def committed(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

async def open_store(location: str | Path) -> NewsStore:
    """The store at ``location``: a PostgreSQL URL opens :class:`~retrieval.pgstore.PostgresStore`
    (psycopg is then required), anything else is a SQLite file path."""
    if is_postgres_url(location):
        from .pgstore import PostgresStore  # psycopg is only needed for PostgreSQL

        return await PostgresStore.open(str(location))
    return await Store.open(Path(location))


def database_errors() -> tuple[type[BaseException], ...]:
    """The drivers' error base classes, for adapters that report a failing database in one line."""
    errors: list[type[BaseException]] = [sqlite3.Error]
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is installed with the postgres extra
        pass
    else:
        errors.append(psycopg.Error)
    return tuple(errors)
