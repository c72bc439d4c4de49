"""The rescan's quick listing, started before it is needed.

A fresh ``newsbot ask`` spends its first few hundred milliseconds importing modules and opening the index;
the rescan's ``stat`` of every article file (150,976 at a million passages) is independent of all that. An
:class:`EarlyListing` starts :func:`retrieval.listing.quick_listing` at once, in a child process forked
before the interpreter holds any thread (so the listing runs on another core, free of the interpreter
lock; the child shares a folder root's subfolders with one more process, see :mod:`retrieval.split_listing`),
or in a thread where forking is not safe. The ingest then takes the result instead of listing.

Correctness is the plain rescan's: the listing is taken after the command started, the ingest compares
its digest with the store's exactly as it compares one it made itself, and reads, adds or removes what
differs. A child that fails in any way (killed, an error, a result that cannot be read) costs only time:
the listing is then made in this process.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from .listing import QuickListing, quick_listing

log = logging.getLogger(__name__)


class EarlyListing:
    """The quick listing of ``roots``, under way since :meth:`start`; :meth:`result` waits for it (once)."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self.roots = tuple(Path(root) for root in roots)
        self._pid: int | None = None
        self._pipe: int | None = None
        self._thread: threading.Thread | None = None
        self._found: list[QuickListing | None] = []
        self._taken = False

    @classmethod
    def start(cls, roots: Sequence[Path], *, fork: bool | None = None) -> EarlyListing:
        """Start listing ``roots``: in a forked child where that is safe (Linux, no other thread running:
        ``fork`` None), else in a thread. ``fork`` True or False forces the choice (tests)."""
        listing = cls(roots)
        if fork is None:
            fork = sys.platform.startswith("linux") and threading.active_count() == 1
        if fork:
            try:
                listing._fork()
                log.debug("listing the seeds in a child process (%d)", listing._pid)
                return listing
            except OSError as error:  # no more processes or pipes: a thread does it
                log.debug("could not fork the listing (%s): listing in a thread", error)
        listing._thread = threading.Thread(target=listing._list, name="newsbot-listing", daemon=True)
        listing._thread.start()
        log.debug("listing the seeds in a thread")
        return listing

    @property
    def forked(self) -> bool:
        """True while the listing is being made by a child process."""
        return self._pid is not None

    def _list(self) -> None:
        self._found.append(quick_listing(self.roots))

    def _fork(self) -> None:
        read_end, write_end = os.pipe()
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if pid == 0:  # the child: list, send, leave (never return into the caller's code)
            status = 1
            try:
                os.close(read_end)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it with the command
                quiet = os.open(os.devnull, os.O_RDWR)  # it writes nothing, and holds no reader of the command's output
                for stream in (0, 1, 2):
                    os.dup2(quiet, stream)
                # the child holds no other thread: it may share the listing with one more process
                data = pickle.dumps(quick_listing(self.roots, split=True), protocol=pickle.HIGHEST_PROTOCOL)
                with open(write_end, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def result(self) -> QuickListing | None:
        """The quick listing (None: the tree needs the full listing), waiting for it; blocks, so call it
        off the event loop. Once only: the child's result is not kept."""
        if self._taken:
            raise RuntimeError("the early listing was already taken")
        self._taken = True
        if self._thread is not None:
            self._thread.join()
            if self._found:
                return self._found[0]
            log.debug("the early listing failed: listing again")
            return quick_listing(self.roots)
        data = self._receive()
        if data is not None:
            try:
                found = pickle.loads(data)
            except Exception:
                log.debug("the early listing's result could not be read: listing again", exc_info=True)
            else:
                if found is None or isinstance(found, QuickListing):
                    return found
        return quick_listing(self.roots)

    def _receive(self) -> bytes | None:
        """Everything the child wrote, if it ended well (None otherwise); the child is reaped."""
        assert self._pipe is not None and self._pid is not None
        pid, self._pid = self._pid, None
        with open(self._pipe, "rb") as pipe:
            self._pipe = None
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            log.debug("the early listing's process ended with status %d: listing again", status)
            return None
        return data

    def close(self) -> None:
        """Stop a child whose result was not taken and reap it (a thread is left to finish: it is a daemon)."""
        if self._pid is not None:
            pid, self._pid = self._pid, None
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # our own child, by its pid
            os.waitpid(pid, 0)
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
        self._taken = True
