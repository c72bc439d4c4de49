"""Incremental ingest: folders of article files → store rows → index.

Unchanged files (same SHA-256) are skipped, changed files replace their rows, vanished files are
removed, malformed files are skipped with a reason and never cost what is already stored. Files are
written in batches, each one SQLite transaction, so a crash leaves every file either fully old or
fully new.
"""

from __future__ import annotations

import asyncio
import errno
import gc
import hashlib
import logging
import os
import signal
import stat as stat_module
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import aclosing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .analyzer import Analyzer
from .index import LiveIndex
from .listing import (
    ARTICLE_SUFFIXES,
    IGNORED_NAMES,
    FolderChanges,
    ListedFile,
    QuickListing,
    changed_folders,
    is_article_name,
    quick_listing,
    recorded_digest,
)
from .models import Article, IngestReport, SkippedFile, Story, StoryKind
from .passages import chunk_passages
from .signals import Signal
from .store import FileChange, FileState, SkippedState, StoryRow
from .termcounts import CountedTerms, PostingsBuilder, count_terms
from .text import title_key
from .urls import canonical_url

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from .early_listing import EarlyListing
    from .storage import NewsStore

log = logging.getLogger(__name__)

TITLE_WEIGHT = 2
"""Title terms count this many times in every passage of the story (a boosted title field)."""
BATCH_FILES = 500
PARALLEL_MIN_FILES = 2_000
"""Folders with at least this many files are parsed by worker processes."""
DELTA_MIN_LIMIT = 2_000
"""An ingest adding more passages than this (or a tenth of the main segment, if more) rebuilds the index."""
STAT_THREADS = 4
"""Threads that ``stat`` the listed files while the folders are still being listed: the system call
releases the interpreter lock, so listing many files takes about half the time it takes one thread."""
STAT_CHUNK = 1_024
"""Files per ``stat`` task (handing a task over costs ~20 µs; a file takes ~2–5 µs to stat)."""
PARENT_POLL_S = 0.5
"""Where a worker cannot ask the kernel to end it with its parent, it checks this often that the parent lives."""
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_IGNORED_NAMES = IGNORED_NAMES

Progress = Callable[[int, int], None]


class IngestError(RuntimeError):
    """The ingest cannot start (for example, a configured path does not exist)."""


class _Candidate(NamedTuple):
    """An article file found by :func:`discover`: its path (the store's key), its name for reports, and
    the size and modification time seen while listing (-1: not known). ``problem``: why the entry cannot
    be read at all (a symbolic link loop, a folder that cannot be listed), found while listing; such an
    entry is reported as skipped and never opened, and the stored files below it are kept. A named
    tuple: a rescan lists every file of the corpus."""

    key: str
    display: str
    size: int = -1
    mtime_ns: int = -1
    problem: str | None = None


_Identity = tuple[int, int]
"""A file's or folder's device and inode: the same identity is the same file, whatever the path."""


def _identity(stat: os.stat_result) -> _Identity:
    return stat.st_dev, stat.st_ino


@dataclass(slots=True)
class _Listing:
    """What :func:`discover` has found so far, over every root: files by identity, folders listed."""

    files: dict[_Identity, tuple[bool, int, str, _Candidate]] = field(default_factory=dict)
    """(reached through a link, root number, path relative to the root, candidate) by identity."""
    folders: set[_Identity] = field(default_factory=set)
    problems: list[tuple[int, str, _Candidate]] = field(default_factory=list)

    def problem(self, entry: os.DirEntry, root: int, relative: str, display: str, reason: str) -> None:
        """A link that cannot be followed, with the link's own size and modification time (to remember it by)."""
        try:
            stat = entry.stat(follow_symlinks=False)
            candidate = _Candidate(entry.path, display, stat.st_size, stat.st_mtime_ns, reason)
        except OSError:
            candidate = _Candidate(entry.path, display, problem=reason)
        self.problems.append((root, relative, candidate))

    def add_file(self, identity: _Identity, through_link: bool, root: int, relative: str, candidate: _Candidate) -> None:
        """Keep one path per file: a path through no symbolic link wins, then the first in sorted order."""
        found = (through_link, root, relative, candidate)
        previous = self.files.setdefault(identity, found)
        if previous[3] is not candidate and (through_link, root, relative.split("/")) < (
            previous[0], previous[1], previous[2].split("/")
        ):
            self.files[identity] = found

    def candidates(self) -> list[_Candidate]:
        """The files sorted like sorted paths, root by root, then the entries that cannot be read."""
        # "\0" sorts before any character of a name: as sorting the lists of path components, ~2× faster
        files = sorted(self.files.values(), key=lambda item: (item[1], item[2].replace("/", "\0")))
        problems = sorted(self.problems, key=lambda item: (item[0], item[1].split("/")))
        return [item[3] for item in files] + [item[2] for item in problems]


_Listed = tuple[str, str, str, int, bool]
"""A regular article file as listed: (path, path relative to its root, display name, root number,
reached through a link)."""


def _stat_each(paths: Sequence[str]) -> list[os.stat_result | None]:
    """``os.stat`` of each path, None for one removed since it was listed (runs in a stat thread)."""
    stats: list[os.stat_result | None] = []
    for path in paths:
        try:
            stats.append(os.stat(path))
        except OSError:
            stats.append(None)
    return stats


class _Stats:
    """The regular article files listed so far, ``stat``-ed by a few threads while the listing goes on."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self.pool = pool
        self.pending: list[_Listed] = []
        self.batches: list[tuple[list[_Listed], Future[list[os.stat_result | None]]]] = []

    def submit(self) -> None:
        """Hand the files listed since the last call to a stat thread."""
        files, self.pending = self.pending, []
        self.batches.append((files, self.pool.submit(_stat_each, [file[0] for file in files])))

    def into(self, listing: _Listing) -> None:
        """Wait for every stat and add the files still there to ``listing``; a second path to a file
        already listed is settled by :meth:`_Listing.add_file`, whatever the order."""
        if self.pending:
            self.submit()
        files_by_identity = listing.files
        for files, stats in self.batches:
            for (path, relative, display, root, through_link), stat in zip(files, stats.result(), strict=True):
                if stat is None:  # removed while listed: gone, like a file never seen
                    continue
                candidate = _Candidate(path, display, stat.st_size, stat.st_mtime_ns)
                found = (through_link, root, relative, candidate)
                identity = (stat.st_dev, stat.st_ino)
                if files_by_identity.setdefault(identity, found) is not found:  # a second path to it
                    listing.add_file(identity, *found)
        self.batches.clear()


_LOOP = "symbolic link loop (it cannot be resolved)"
_FOLDER_LOOP = "symbolic link loop (it leads back to a folder that contains it)"
_BROKEN_LINK = "broken symbolic link (its target is missing)"


_is_article = is_article_name


def _walk(root: str, prefix: str, number: int, listing: _Listing, stats: _Stats) -> None:
    """Add the article files below the folder ``root`` to ``listing``, via ``os.scandir`` (one ``stat`` a
    file, no ``Path``s). Hidden files and folders and READMEs are left out.

    Symbolic links are followed, safely: every folder is listed once, by identity (device and inode), so
    a folder link into a folder already listed adds nothing, and one that leads back into its own
    ancestors (``a -> .``, ``b/c -> ..``) is reported as a loop. Real folders are listed before any
    folder link, and a file reached by several paths (a file link beside its target, a folder link to a
    sibling) is kept once, under a path through no link when it has one. A link that cannot be resolved
    (a file link to itself, a chain too long) is reported as skipped, and so is a folder that cannot be
    listed (its stored files are kept, not removed); nothing aborts the listing. Regular files are
    handed to ``stats``, which stats them in threads.
    """
    root_stat = os.stat(root)
    if _identity(root_stat) in listing.folders:
        return
    listing.folders.add(_identity(root_stat))
    # (relative path, path, identities of the folder and its ancestors, reached through a link)
    stack: list[tuple[str, str, tuple[_Identity, ...], bool]] = [("", root, (_identity(root_stat),), False)]
    linked: list[tuple[str, str, tuple[_Identity, ...], _Identity]] = []  # folder links, listed last
    while stack or linked:
        if not stack:
            linked.sort(key=lambda item: item[0].split("/"), reverse=True)
            relative, directory, ancestors, target = linked.pop()
            if target in listing.folders:  # listed since (another link to it, or a real path)
                log.debug("%s/%s: a second path to a folder already listed", prefix, relative)
                continue
            listing.folders.add(target)
            stack.append((relative, directory, ancestors, True))
            continue
        relative, directory, ancestors, through_link = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as error:  # its files stay as stored: see _Candidate.problem
            reason = f"unreadable folder: {error.strerror or error}"
            unlisted = _Candidate(directory, f"{prefix}/{relative}".rstrip("/"), problem=reason)
            listing.problems.append((number, relative, unlisted))
            continue
        folder_rel = f"{relative}/" if relative else ""
        folder_display = f"{prefix}/{folder_rel}"
        pending = stats.pending
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            # the entry's type comes with the listing: no stat yet (the stat threads stat regular files)
            if entry.is_file(follow_symlinks=False):  # the common case first: one call for a regular file
                lower = name.lower()
                if lower[lower.rfind(".") :] in ARTICLE_SUFFIXES and not lower.startswith(_IGNORED_NAMES):
                    pending.append((entry.path, folder_rel + name, folder_display + name, number, through_link))
                continue
            rel = folder_rel + name
            if entry.is_dir(follow_symlinks=False):
                try:
                    identity = _identity(entry.stat(follow_symlinks=False))
                except OSError:  # removed while listed
                    continue
                if identity not in listing.folders:  # a bind mount or a second root may list it already
                    listing.folders.add(identity)
                    stack.append((rel, entry.path, (*ancestors, identity), through_link))
                continue
            if not entry.is_symlink():  # neither file, folder nor link (a socket, a pipe): not an article
                continue
            try:
                stat = entry.stat()  # follows the link, like reading the file will
            except OSError as error:
                if error.errno == errno.ELOOP:
                    listing.problem(entry, number, rel, f"{prefix}/{rel}", _LOOP)
                elif _is_article(name):
                    listing.problem(entry, number, rel, f"{prefix}/{rel}", _BROKEN_LINK)
                continue
            if stat_module.S_ISDIR(stat.st_mode):
                identity = _identity(stat)
                if identity in ancestors:
                    listing.problem(entry, number, rel, f"{prefix}/{rel}", _FOLDER_LOOP)
                else:
                    linked.append((rel, entry.path, (*ancestors, identity), identity))
            elif stat_module.S_ISREG(stat.st_mode) and _is_article(name):
                candidate = _Candidate(entry.path, f"{prefix}/{rel}", stat.st_size, stat.st_mtime_ns)
                listing.add_file((stat.st_dev, stat.st_ino), True, number, rel, candidate)
        if len(stats.pending) >= STAT_CHUNK:
            stats.submit()


def discover(roots: Sequence[Path]) -> list[_Candidate]:
    """Article files under ``roots`` (files or folders), hidden files and READMEs left out, each file once
    (see :func:`_walk` for symbolic links), sorted like sorted paths within each root; entries that cannot
    be read (symbolic link loops) come last, with their ``problem``.

    Each root is resolved once (not every file), so large folders are listed in well under a second.
    """
    listing = _Listing()
    with ThreadPoolExecutor(STAT_THREADS, thread_name_prefix="newsbot-stat") as pool:
        stats = _Stats(pool)
        for number, root in enumerate(roots):
            root = Path(root).expanduser()
            if not root.exists():
                raise IngestError(f"no such file or folder: {root}")
            resolved = root.resolve()
            if root.is_file():
                stat = resolved.stat()
                candidate = _Candidate(str(resolved), root.name, stat.st_size, stat.st_mtime_ns)
                listing.add_file(_identity(stat), False, number, "", candidate)
                continue
            _walk(str(resolved), root.name, number, listing, stats)
        stats.into(listing)
    return listing.candidates()


def _candidates(quick: QuickListing) -> list[_Candidate]:
    """The quick listing's files as the full listing gives them (same order, same fields)."""
    return [_Candidate(file.key, file.display, file.size, file.mtime_ns) for file in quick.files()]


def _folders(roots: Sequence[Path]) -> list[str]:
    """The resolved folders among ``roots`` (the store's file rows below them are the ones to check)."""
    folders = []
    for root in roots:
        resolved = Path(root).expanduser().resolve()
        if resolved.is_dir():
            folders.append(str(resolved))
    return folders


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while bulk records (no cycles) are built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _still_skipped(candidate: _Candidate, known: dict[str, SkippedState]) -> SkippedState | None:
    """What is remembered of an unusable file that has the same size and modification time (or None)."""
    previous = known.get(candidate.key)
    if previous is not None and candidate.size >= 0 and (previous.size, previous.mtime_ns) == (
        candidate.size, candidate.mtime_ns
    ):
        return previous
    return None


def story_rows(articles: Sequence[Article], analyzer: Analyzer) -> list[StoryRow]:
    """Flatten parsed articles (and their related stories) into rows with analyzed passages."""
    rows: list[StoryRow] = []

    def add(article: Article, parent: int | None) -> int:
        ordinal = len(rows)
        title_terms = analyzer.terms(article.title) * TITLE_WEIGHT
        chunks = chunk_passages(article.body) if article.body else []
        texts = [chunk.text for chunk in chunks] or [article.title]
        # The headline is part of the story a reader sees: make it quotable (and citable) by putting it
        # at the head of the first passage unless the body already opens with it.
        if article.title and not texts[0].startswith(article.title):
            texts[0] = f"{article.title}\n{texts[0]}"
        title_line = " ".join(title_terms)  # the stored form: retrieval.passages.encode_terms
        passages = tuple((text, f"{title_line}\n{analyzer.encoded_lines(text)}") for text in texts)
        rows.append(
            StoryRow(
                ordinal=ordinal, kind=article.kind, parent_ordinal=parent, url_key=canonical_url(article.url),
                title_key=title_key(article.title), title=article.title, excerpt=article.excerpt, url=article.url,
                outlet=article.outlet, outlet_domain=article.outlet_domain, published=article.published,
                topics=article.topics, quality=article.quality, image_url=article.image_url, passages=passages,
            )
        )
        return ordinal

    for article in articles:
        parent = add(article, None)
        for related in article.related:
            add(related, parent if related.kind is StoryKind.RELATED else None)
    return rows


def parse_bytes(data: bytes, source_file: str) -> list[Article]:
    """:func:`retrieval.parsing.parse_bytes`, imported on first use: a rescan that reads no file never
    loads the parsers (nor the YAML library behind them)."""
    from .parsing import parse_bytes as parse

    return parse(data, source_file)


_worker_analyzer: Analyzer | None = None


def _prepare_in_worker(candidates: Sequence[_Candidate], known: dict[str, FileState]):
    """:func:`_prepare` in a worker process, with that process's own analyzer."""
    global _worker_analyzer
    if _worker_analyzer is None:
        _worker_analyzer = Analyzer()
    return _prepare(candidates, known, _worker_analyzer)


@dataclass(slots=True)
class _Prepared:
    """One batch read from disk: changes to write, files left as they were, files skipped, files touched,
    and the skipped files to remember (those read and rejected; an unreadable one is tried again)."""

    changes: list[tuple[_Candidate, FileChange]] = field(default_factory=list)
    unchanged: list[_Candidate] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    touched: list[tuple[str, FileState]] = field(default_factory=list)
    rejected: list[tuple[str, SkippedState]] = field(default_factory=list)
    raced: bool = False
    """A file read was not as listed (changed, or gone, since): the listing's digest is not what is stored."""
    counted: CountedTerms | None = None
    """The term counts of the changes' passages, in the order the store numbers them (None: not counted)."""

    def reject(self, candidate: _Candidate, reason: str, size: int, mtime_ns: int) -> None:
        """Skip a file that was read and is not usable, and remember it as it is now."""
        self.skipped.append(SkippedFile(candidate.display, reason))
        self.rejected.append((candidate.key, SkippedState(size, mtime_ns, reason)))


def _prepare(candidates: Sequence[_Candidate], known: dict[str, FileState], analyzer: Analyzer) -> _Prepared:
    """Read, hash and parse files that their listing showed changed (runs in a worker thread or process).

    A file whose content hash matches the store is unchanged: only its new modification time is kept.
    """
    from .parsing import MAX_FILE_BYTES, ParseError

    out = _Prepared()
    for candidate in candidates:
        previous = known.get(candidate.key)
        try:
            stat = os.stat(candidate.key)
            size = stat.st_size
            if (size, stat.st_mtime_ns) != (candidate.size, candidate.mtime_ns):
                out.raced = True
            if size > MAX_FILE_BYTES:
                out.reject(candidate, f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB", size, stat.st_mtime_ns)
                continue
            with open(candidate.key, "rb") as handle:
                data = handle.read()
        except OSError as error:
            out.skipped.append(SkippedFile(candidate.display, f"unreadable: {error.strerror or error}"))
            out.raced = True  # tried again by the next rescan, whatever the listing
            continue
        state = FileState(hashlib.sha256(data).hexdigest(), len(data), stat.st_mtime_ns)
        if previous and previous.sha256 == state.sha256:
            out.unchanged.append(candidate)
            out.touched.append((candidate.key, state))
            continue
        try:
            articles = parse_bytes(data, candidate.display)
        except ParseError as error:
            out.reject(candidate, str(error), state.size, state.mtime_ns)
            continue
        except Exception as error:  # a parser bug must not stop the ingest
            log.exception("unexpected error parsing %s", candidate.display)
            out.skipped.append(SkippedFile(candidate.display, f"could not parse: {type(error).__name__}"))
            out.raced = True  # not remembered: tried again by the next rescan
            continue
        out.changes.append((candidate, FileChange(candidate.key, state, story_rows(articles, analyzer))))
    out.counted = count_terms([
        terms.split() for _, change in out.changes for story in change.stories for _, terms in story.passages
    ])
    return out


@dataclass(slots=True)
class _Run:
    """The state of one ingest: what it found, what it changed, what the index still has to take."""

    known: dict[str, FileState]
    removals: list[str]
    add_limit: int
    known_skipped: dict[str, SkippedState] = field(default_factory=dict)
    """The remembered unusable files in this ingest's folders and paths."""
    rejected: list[tuple[str, SkippedState]] = field(default_factory=list)
    """Files found unusable by this ingest (new, or changed since they were remembered)."""
    still_skipped: set[str] = field(default_factory=set)
    """Remembered unusable files that have not changed."""
    report: IngestReport = field(default_factory=IngestReport)
    pending_add: list[tuple[int, list[str]]] = field(default_factory=list)
    pending_remove: list[int] = field(default_factory=list)
    rebuild: bool = False
    postings: PostingsBuilder | None = field(default_factory=PostingsBuilder)
    """The postings of every passage this ingest stored, from the batches' term counts (None once a batch
    came without them): a rebuild at the end takes them rather than reading every passage back."""
    settled: bool = True
    """Every listed file ends stored or remembered as unusable, as it was listed: the store then reflects
    the listing, and its digest may be recorded."""


def _process_pool(files: int) -> ProcessPoolExecutor | None:
    """Worker processes for large ingests (parsing and analysis are CPU-bound); None for small ones."""
    workers = min(os.cpu_count() or 1, 4)
    if files < PARALLEL_MIN_FILES or workers < 2:
        return None
    import multiprocessing  # on demand: a rescan that finds little to read never starts a pool
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
        initializer=_die_with_parent, initargs=(os.getpid(),),
    )


def _die_with_parent(parent_pid: int) -> None:
    """Pool initializer: end this worker when the process that started it dies, even by ``kill -9``.

    A worker otherwise outlives its parent under PID 1, waiting forever on a call queue whose write end
    it holds itself, and keeps multiprocessing's resource tracker alive with it (the tracker exits once
    every holder of its pipe is gone). On Linux the kernel sends SIGKILL when the parent goes
    (``PR_SET_PDEATHSIG``; strictly, when the thread that spawned the worker ends: the event loop's
    thread, which outlives every ingest it runs). Elsewhere, or if ``prctl`` fails, a daemon thread
    polls the parent's pid.
    """
    if not (sys.platform.startswith("linux") and _set_parent_death_signal(signal.SIGKILL)):
        threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), name="parent-watch", daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the signal was armed
        os._exit(1)


def _set_parent_death_signal(signum: int) -> bool:
    """Ask the Linux kernel to send ``signum`` to this process when its parent dies; True if it will."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _exit_when_orphaned(parent_pid: int) -> None:
    """Poll the parent's pid and end this process once it is gone (the portable fallback)."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _release_pool(pool: ProcessPoolExecutor) -> None:
    """Shut the worker pool down without waiting on the event loop.

    After a failure or a cancellation, workers may still be busy with batches read ahead, for as long
    as a batch takes; ``shutdown(wait=True)`` here would freeze the loop (and the bot's interactions)
    that long. Instead the batches not yet started are cancelled and the executor's own manager thread
    reaps the workers once their current batch ends (the interpreter joins that thread at exit).
    """
    pool.shutdown(wait=False, cancel_futures=True)


def _plan(run: _Run, candidates: Sequence[_Candidate]) -> list[_Candidate]:
    """Sort the listed files into unchanged, still skipped, unreadable and to be read (returned), and
    find the stored files that are gone (``run.removals``)."""
    known, known_skipped, report = run.known, run.known_skipped, run.report
    present = {c.key for c in candidates}
    unlisted = tuple(c.key.rstrip("/") + "/" for c in candidates if c.problem)  # e.g. unreadable folders
    # gone from a folder being scanned (not merely below one that could not be listed)
    run.removals = [path for path in known if path not in present and not path.startswith(unlisted)]
    unchanged = report.unchanged
    changed: list[_Candidate] = []  # only these are opened
    for candidate in candidates:
        previous = known.get(candidate.key)
        if (  # same size and modification time as stored: unchanged without reading the file
            previous is not None and candidate.problem is None and candidate.size >= 0
            and previous.size == candidate.size and previous.mtime_ns == candidate.mtime_ns
        ):
            unchanged.append(candidate.display)
        elif (remembered := _still_skipped(candidate, known_skipped)) is not None:
            report.skipped.append(SkippedFile(candidate.display, remembered.reason, known=True))
            run.still_skipped.add(candidate.key)
        elif candidate.problem is not None:
            report.skipped.append(SkippedFile(candidate.display, candidate.problem))
            if candidate.size >= 0:  # a link, remembered by its own size and time (not a folder)
                state = SkippedState(candidate.size, candidate.mtime_ns, candidate.problem)
                run.rejected.append((candidate.key, state))
        else:
            changed.append(candidate)
    return changed


@dataclass(frozen=True, slots=True)
class Document:
    """Articles that do not come from a file (a feed's item), stored like a file under ``key``: the same
    all-or-nothing transaction, story keys, skip reports and incremental index update as article files.
    ``sha256``: a hash of the parsed content (an unchanged document is left as stored)."""

    key: str
    display: str
    sha256: str
    articles: tuple[Article, ...]


def _prepare_documents(
    documents: Sequence[Document], known: dict[str, FileState], analyzer: Analyzer
) -> _Prepared:
    """Documents whose content hash differs from the store's, analyzed into rows (runs in a worker thread)."""
    out = _Prepared()
    for document in documents:
        candidate = _Candidate(document.key, document.display)
        previous = known.get(document.key)
        if previous is not None and previous.sha256 == document.sha256:
            out.unchanged.append(candidate)
            continue
        state = FileState(document.sha256, sum(len(a.body) for a in document.articles), 0)
        try:
            rows = story_rows(document.articles, analyzer)
        except Exception as error:  # a bug analysing one item must not cost the others
            log.exception("unexpected error analysing %s", document.display)
            out.skipped.append(SkippedFile(document.display, f"could not analyse: {type(error).__name__}"))
            continue
        out.changes.append((candidate, FileChange(document.key, state, rows)))
    return out


class Ingestor:
    """Keeps the store and the index in step with folders of article files (and with documents)."""

    def __init__(self, store: NewsStore, index: LiveIndex, analyzer: Analyzer) -> None:
        self.store = store
        self.index = index
        self.analyzer = analyzer
        self._lock = asyncio.Lock()
        self.new_stories: Signal[list[Story]] = Signal("new stories")
        """Emitted after an ingest, once its batches are committed and indexed, with the stories stored for
        the first time (one per story key; a changed file's stories are not new). Any source that goes
        through :meth:`ingest` (files, feeds) announces here; an ingest that fails announces the stories
        its committed batches stored."""

    @property
    def lock(self) -> asyncio.Lock:
        """Held while the index changes (an ingest, a replica catching up): one change at a time."""
        return self._lock

    async def ingest(
        self, roots: Sequence[Path], progress: Progress | None = None, *, listing: EarlyListing | None = None
    ) -> IngestReport:
        """Bring the store and index up to date with the files under ``roots``. ``listing``: their quick
        listing, started earlier (used only if it lists these very roots; taken either way)."""
        report = IngestReport()
        try:
            async with self._lock:
                await self._ingest(roots, progress, report, listing)
        except Exception:
            await self.announce(report.new_stories)
            raise
        await self.announce(report.new_stories)
        return report

    async def announce(self, keys: Sequence[str]) -> None:
        """Emit :attr:`new_stories` for these committed story keys (nothing when there are none or nobody listens)."""
        if keys and len(self.new_stories):
            try:
                stories = await self.store.stories_by_key(keys)
            except Exception:  # the store went away with the ingest's failure: nothing to tell
                log.exception("could not read the new stories to announce them")
                return
            if stories:
                await self.new_stories.emit(stories)

    async def _ingest(
        self, roots: Sequence[Path], progress: Progress | None, report: IngestReport, early: EarlyListing | None
    ) -> None:
        """The ingest itself (under the ingest lock); fills ``report``."""
        started = time.perf_counter()
        folders = _folders(roots)
        if early is not None and early.roots != tuple(Path(root) for root in roots):
            early.close()  # a listing of other roots says nothing of these
            early = None
        list_quick = early.result if early is not None else partial(quick_listing, roots)
        with _gc_paused():  # hundreds of thousands of small records: cycle collection would rescan them all
            # the listing made elsewhere (a child process): the report's counts are read meanwhile
            counting = asyncio.ensure_future(self.store.counts()) if early is not None else None
            try:
                quick, reflected = await asyncio.gather(asyncio.to_thread(list_quick), self.store.listing_digest())
            finally:
                counts = await counting if counting is not None else None
            if quick is not None and quick.digest == recorded_digest(reflected):
                await self._nothing_changed(quick, folders, started, report, counts)
                return
            changes = changed_folders(quick, reflected) if quick is not None else None
            if reflected is not None:  # the store is about to change: it no longer reflects that listing
                await self.store.set_listing_digest(None)
            if quick is not None and changes is not None:  # only the changed folders are compared
                candidates, known, known_skipped = await self._in_changed_folders(quick, changes, folders, report)
            else:
                # the folders are listed while the store reads what it holds of them (each in its own thread)
                listing = partial(_candidates, quick) if quick is not None else partial(discover, roots)
                listed = asyncio.ensure_future(asyncio.to_thread(listing))
                try:
                    known = await self.store.file_states(folders=folders) if folders else {}
                    known_skipped = await self.store.skipped_files(folders=folders) if folders else {}
                finally:
                    candidates = await listed
        prefixes = tuple(folder.rstrip("/") + "/" for folder in folders)
        outside = [c.key for c in candidates if not c.key.startswith(prefixes)]  # single files
        if outside:
            known.update(await self.store.file_states(paths=outside))
            known_skipped.update(await self.store.skipped_files(paths=outside))
        run = _Run(known=known, removals=[], add_limit=max(DELTA_MIN_LIMIT, self.index.main_docs // 10),
                   known_skipped=known_skipped, report=report)
        # off the loop: a linear pass over every file listed (150k at a million passages)
        candidates = await asyncio.to_thread(_plan, run, candidates)
        total = len(candidates)
        if progress:
            progress(0, total)
        batches = [candidates[i : i + BATCH_FILES] for i in range(0, total, BATCH_FILES)] or [[]]
        pool = _process_pool(total)
        try:
            async with self.store.bulk_writes(), aclosing(self._prepare_batches(batches, known, pool)) as prepared_batches:
                async for number, prepared in prepared_batches:
                    await self._apply_batch(run, prepared, removals=run.removals if number == 0 else [])
                    if progress:
                        progress(min((number + 1) * BATCH_FILES, total), total)
        finally:
            if pool is not None:
                _release_pool(pool)
        for item in report.skipped:
            if not item.known:  # a file skipped before and unchanged since was warned about then
                log.warning("skipped %s: %s", item.path, item.reason)
        await self._remember_skipped(run)
        await self._update_index(run.pending_add, run.pending_remove, run.rebuild, report, run.postings)
        if quick is not None and run.settled:
            await self.store.set_listing_digest(quick.record())
        _, report.stories, report.passages = await self.store.counts()
        report.elapsed_s = time.perf_counter() - started
        log.info("ingest: %s in %.2fs", report.summary(), report.elapsed_s)

    async def ingest_documents(self, documents: Sequence[Document], removals: Sequence[str] = ()) -> IngestReport:
        """Store new and changed ``documents`` and remove the stored ones keyed ``removals``, all in one
        transaction, then update the index incrementally (a new item is answerable as soon as this returns)
        and announce the stories stored for the first time on :attr:`new_stories`, as a file ingest does."""
        run = _Run(known={}, removals=[], add_limit=max(DELTA_MIN_LIMIT, self.index.main_docs // 10))
        try:
            async with self._lock:
                started = time.perf_counter()
                keys = [d.key for d in documents]
                run.known = await self.store.file_states(paths=[*keys, *removals]) if keys or removals else {}
                run.removals = [key for key in removals if key in run.known and key not in keys]
                prepared = await asyncio.to_thread(_prepare_documents, documents, run.known, self.analyzer)
                await self._apply_batch(run, prepared, removals=run.removals)
                run.report.removed[:] = run.removals  # keys, not file names
                for item in run.report.skipped:
                    log.warning("skipped %s: %s", item.path, item.reason)
                await self._update_index(run.pending_add, run.pending_remove, run.rebuild, run.report)
                run.report.elapsed_s = time.perf_counter() - started  # stories and passages not counted: polls are small
        except Exception:
            await self.announce(run.report.new_stories)
            raise
        await self.announce(run.report.new_stories)
        return run.report

    async def _in_changed_folders(
        self, quick: QuickListing, changes: FolderChanges, folders: list[str], report: IngestReport
    ) -> tuple[list[_Candidate], dict[str, FileState], dict[str, SkippedState]]:
        """The files to compare, with what the store holds of them, when the listing tells the folders that
        changed (see :func:`retrieval.listing.changed_folders`): the files of the changed folders, and the
        stored rows of the changed and gone folders' own files. The other folders' files are reported
        unchanged (or still skipped, when remembered as unusable) without a stored row read."""
        scope = changes.changed | changes.gone

        def in_scope(path: str) -> bool:
            return path[: path.rfind("/") + 1] in scope

        searched = sorted(scope)
        known = {k: v for k, v in (await self.store.file_states(folders=searched)).items() if in_scope(k)} if searched else {}
        remembered = await self.store.skipped_files(folders=folders)
        known_skipped = {path: state for path, state in remembered.items() if in_scope(path)}
        changed = changes.changed.__contains__

        def unchanged(folder: str) -> bool:
            return folder not in changes.changed

        if any(not in_scope(path) for path in remembered):
            for file in quick.files(unchanged):
                if (skipped := remembered.get(file.key)) is not None:
                    report.skipped.append(SkippedFile(file.display, skipped.reason, known=True))
                else:
                    report.unchanged.append(file.display)
        else:
            report.unchanged.extend(quick.displays(unchanged))
        candidates = [_Candidate(file.key, file.display, file.size, file.mtime_ns) for file in quick.files(changed)]
        log.debug("rescan: %d of %d folders changed, %d gone", len(changes.changed), len(quick.folders), len(changes.gone))
        return candidates, known, known_skipped

    async def _nothing_changed(
        self, quick: QuickListing, folders: list[str], started: float, report: IngestReport,
        counts: tuple[int, int, int] | None = None,
    ) -> None:
        """Fill the report of a rescan whose listing is the one the store reflects: every file unchanged,
        or still remembered as unusable; nothing read, added or removed."""
        file_roots = [run.key for run in quick.runs if isinstance(run, ListedFile)]
        known_skipped = await self.store.skipped_files(folders=folders) if folders else {}
        if file_roots:
            known_skipped.update(await self.store.skipped_files(paths=file_roots))
        if known_skipped:
            for file in quick.files():
                if (remembered := known_skipped.get(file.key)) is not None:
                    report.skipped.append(SkippedFile(file.display, remembered.reason, known=True))
                else:
                    report.unchanged.append(file.display)
        else:
            report.unchanged = quick.displays()
        _, report.stories, report.passages = counts if counts is not None else await self.store.counts()
        report.elapsed_s = time.perf_counter() - started
        log.info("ingest: %s in %.2fs (the listing is the one stored)", report.summary(), report.elapsed_s)

    async def _prepare_batches(self, batches: list[list[_Candidate]], known: dict[str, FileState], pool):
        """Yield ``(number, prepared)`` in order; with a pool, parse ahead while the store writes."""
        def subset(batch: list[_Candidate]) -> dict[str, FileState]:
            return {c.key: known[c.key] for c in batch if c.key in known}

        if pool is None:
            for number, batch in enumerate(batches):
                yield number, await asyncio.to_thread(_prepare, batch, subset(batch), self.analyzer) if batch else _Prepared()
            return
        loop = asyncio.get_running_loop()
        window = 2 * (os.cpu_count() or 2)  # bounded read-ahead keeps memory flat
        futures: dict[int, asyncio.Future] = {}
        try:
            for number in range(len(batches)):
                for ahead in range(number, min(number + window, len(batches))):
                    if ahead not in futures:
                        futures[ahead] = loop.run_in_executor(
                            pool, _prepare_in_worker, batches[ahead], subset(batches[ahead])
                        )
                yield number, await futures.pop(number)
        finally:  # the ingest failed or was cancelled: nobody waits for the batches read ahead
            for future in futures.values():
                future.cancel()

    async def _remember_skipped(self, run: _Run) -> None:
        """Remember the files this ingest found unusable; forget remembered ones that are usable or gone."""
        rejected = {path for path, _ in run.rejected}
        forget = [path for path in run.known_skipped if path not in run.still_skipped and path not in rejected]
        await self.store.remember_skipped(run.rejected, forget)

    async def _apply_batch(self, run: _Run, batch: _Prepared, *, removals: list[str]) -> None:
        """Write one prepared batch to the store (one transaction) and queue its index changes."""
        report = run.report
        report.unchanged.extend(c.display for c in batch.unchanged)
        report.skipped.extend(batch.skipped)
        run.rejected.extend(batch.rejected)
        if batch.raced:
            run.settled = False
        await self.store.touch_files(batch.touched)
        if not batch.changes and not removals:
            return
        removed_ids, added, new_keys = await self.store.replace_files([change for _, change in batch.changes], removals)
        report.new_stories.extend(new_keys)
        for candidate, _ in batch.changes:
            (report.updated if candidate.key in run.known else report.added).append(candidate.display)
        report.removed.extend(Path(p).name for p in removals)
        run.pending_remove.extend(removed_ids)
        if run.postings is not None and added:
            if batch.counted is None or batch.counted.n_docs != len(added):
                run.postings = None
            else:
                run.postings.add_counted([pid for pid, _ in added], batch.counted)
        if not run.rebuild:
            run.pending_add.extend((pid, terms.split()) for pid, terms in added)
            if len(run.pending_add) > run.add_limit:  # cheaper to rebuild once at the end
                run.rebuild, run.pending_add = True, []

    async def _update_index(
        self, added: list[tuple[int, list[str]]], removed: list[int], rebuild: bool, report: IngestReport,
        postings: PostingsBuilder | None = None,
    ) -> None:
        if not rebuild and (added or removed):
            # off the loop: a delta may hold a tenth of the main segment (100k passages at a million)
            await asyncio.to_thread(self._apply_to_index, added, removed)
            rebuild = self.index.needs_compaction()
        if rebuild:
            await self.rebuild_index(postings)
            report.index_rebuilt = True

    def _apply_to_index(self, added: list[tuple[int, list[str]]], removed: list[int]) -> None:
        """Mask removed passages and make added ones searchable (searches keep their snapshot meanwhile)."""
        self.index.remove(removed)
        self.index.add(added)

    async def rebuild_index(self, postings: PostingsBuilder | None = None) -> None:
        """Compact everything into a fresh persisted main segment. ``postings``: those of the passages
        an ingest just stored, the last ones of the store; only the passages before them are then read
        back (none after a first ingest). Not used unless they are exactly the store's passages from
        their first key on."""
        watermark = await self.store.max_passage_id()
        started = time.perf_counter()
        if postings is not None and not await self._covers_the_end(postings, watermark):
            postings = None
        up_to = watermark if postings is None else (postings.first_key or 1) - 1
        await asyncio.to_thread(
            self.index.rebuild, self.store.iter_all_terms(up_to=up_to), watermark=watermark, then=postings
        )
        await self.store.set_watermark(watermark)
        log.info("index rebuilt: %d passages in %.2fs", self.index.n_docs, time.perf_counter() - started)

    async def _covers_the_end(self, postings: PostingsBuilder, watermark: int) -> bool:
        """Whether ``postings`` hold every passage the store has from their first key to ``watermark``."""
        first = postings.first_key
        if first is None or postings.last_key != watermark:
            return False
        return await self.store.count_passages(first, watermark) == postings.n_docs

    async def load_index(self) -> None:
        """Open the persisted index and replay what the store has beyond it (deltas, tombstones)."""
        found = await asyncio.to_thread(self.index.load)
        if not found:
            if (await self.store.max_passage_id()) > 0:
                await self.rebuild_index()
            return
        watermark = self.index.watermark
        self.index.remove(await self.store.tombstones(watermark))
        if await self.store.watermark() != watermark:  # a crash fell between index switch and bookkeeping
            await self.store.set_watermark(watermark)
        self.index.add(await self.store.passages_after(watermark))
        if self.index.needs_compaction():
            await self.rebuild_index()
