"""The watched folder: while the bot or ``newsbot chat`` runs, changes under the seed folders are ingested.

``watchfiles`` (Rust ``notify``: inotify, FSEvents, ReadDirectoryChangesW) reports changes in a thread of
its own; each group of changes is handed to the event loop, and a rescan of the seeds (the ordinary
incremental ingest: same all-or-nothing per file, same skip reports) takes them in. Changes that arrive
while a rescan runs are taken by the next one, so a burst costs one or two rescans, never one each.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import watchfiles

from retrieval.ingest import IngestError
from retrieval.listing import ARTICLE_SUFFIXES
from retrieval.models import IngestReport

from .service import NewsService

log = logging.getLogger(__name__)

DEBOUNCE_MS = 1_000
"""Changes are grouped for at most this long before a rescan (a copy of many files is one group)."""
QUIET_MS = 100
"""A group ends early once this long passes without a change."""
STOP_CHECK_MS = 500
"""How often the watching thread looks whether it should stop."""

Changes = set[tuple[watchfiles.Change, str]]


def is_relevant(change: watchfiles.Change, path: str) -> bool:
    """Article files and folders (a folder removed or moved in takes its files with it); hidden entries,
    editor swap files and other suffixes cannot change the coverage."""
    name = Path(path).name
    if name.startswith(".") or name.endswith("~"):
        return False
    suffix = Path(name).suffix.lower()
    return suffix in ARTICLE_SUFFIXES or suffix == ""


class SeedWatcher:
    """Watches the seed folders and rescans them when article files change.

    ``start()`` in a running event loop; ``await stop()`` before the service closes. ``on_report`` is
    called with each rescan's report (the CLI prints it; the bot only logs).
    """

    def __init__(
        self, service: NewsService, paths: Sequence[Path] | None = None, *, debounce_ms: int = DEBOUNCE_MS,
        quiet_ms: int = QUIET_MS, on_report: Callable[[IngestReport], None] | None = None,
    ) -> None:
        self.service = service
        self.paths = [Path(p).expanduser() for p in (paths if paths is not None else service.settings.seeds)]
        self.debounce_ms = debounce_ms
        self.quiet_ms = quiet_ms
        self.on_report = on_report
        self.rescans = 0
        self._changes: asyncio.Queue[Changes] = asyncio.Queue()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._task: asyncio.Task[None] | None = None
        self.ready = threading.Event()
        """Set once the watching thread has started watching (changes before that are not seen)."""

    def start(self) -> None:
        watched = [str(p) for p in self.paths if p.exists()]
        if not watched:
            log.warning("not watching: none of the seed paths exists")
            return
        loop = asyncio.get_running_loop()
        self._thread = threading.Thread(
            target=self._watch, args=(watched, loop), name="newsbot-watch", daemon=True
        )
        self._thread.start()
        self._task = asyncio.create_task(self._rescan_on_changes(), name="newsbot-watch-rescan")
        log.info("watching %s for changed article files", ", ".join(watched))

    async def wait_ready(self, timeout: float = 5.0) -> bool:
        """Wait (off the loop) until the thread watches; False if it did not start within ``timeout``."""
        return await asyncio.to_thread(self.ready.wait, timeout)

    def _watch(self, paths: list[str], loop: asyncio.AbstractEventLoop) -> None:
        """The watching thread: each group of relevant changes goes to the event loop's queue."""
        try:
            for changes in watchfiles.watch(
                *paths, watch_filter=is_relevant, debounce=self.debounce_ms, step=self.quiet_ms,
                stop_event=self._stop, rust_timeout=STOP_CHECK_MS, yield_on_timeout=True,
                raise_interrupt=False, ignore_permission_denied=True,
            ):
                self.ready.set()
                if changes:
                    loop.call_soon_threadsafe(self._changes.put_nowait, changes)
        except RuntimeError:  # the loop closed while a change was on its way
            log.debug("watching stopped: the event loop is closed")
        except Exception:
            log.exception("watching the seed folders failed; changed files are picked up at the next start")
        finally:
            self.ready.set()

    async def _rescan_on_changes(self) -> None:
        while True:
            changes = await self._changes.get()
            while not self._changes.empty():  # changes that came during the last rescan: one more rescan
                changes |= self._changes.get_nowait()
            log.debug("seed changes: %s", sorted(path for _, path in changes))
            try:
                report = await self.service.ingest()
            except asyncio.CancelledError:
                raise
            except IngestError as error:  # e.g. another process leads a shared store: it ingests the change
                log.info("seed folders changed; not ingested here: %s", error)
                continue
            except Exception:
                log.exception("rescan after a change in the seed folders failed; the stored coverage is kept")
                continue
            self.rescans += 1
            if report.changed or any(not item.known for item in report.skipped):
                log.info("seed folders changed: %s", report.summary())
            if self.on_report is not None:
                self.on_report(report)

    async def stop(self) -> None:
        """Stop watching; a rescan under way is cancelled (its batch rolls back whole)."""
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, STOP_CHECK_MS / 1000 * 4)
            self._thread = None
