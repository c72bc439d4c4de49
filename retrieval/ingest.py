"""Incremental ingest: folders of article files → store rows → index.

Unchanged files (same SHA-256) are skipped, changed files replace their rows, vanished files are
removed, malformed files are skipped with a reason and never cost what is already stored. Files are
written in batches, each one SQLite transaction, so a crash leaves every file either fully old or
fully new.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .analyzer import Analyzer
from .index import LiveIndex
from .models import Article, IngestReport, SkippedFile, StoryKind
from .parsing import ARTICLE_SUFFIXES, MAX_FILE_BYTES, ParseError, parse_bytes
from .passages import chunk_passages
from .store import Store, StoryRow
from .text import title_key
from .urls import canonical_url

log = logging.getLogger(__name__)

TITLE_WEIGHT = 2
"""Title terms count this many times in every passage of the story (a boosted title field)."""
BATCH_FILES = 500
_IGNORED_NAMES = ("readme", "license", "licence", "changelog", "contributing")

Progress = Callable[[int, int], None]


class IngestError(RuntimeError):
    """The ingest cannot start (for example, a configured path does not exist)."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    path: Path
    key: str
    display: str


def discover(roots: Sequence[Path]) -> list[_Candidate]:
    """Article files under ``roots`` (files or folders), hidden files and READMEs left out."""
    found: dict[str, _Candidate] = {}
    for root in roots:
        root = Path(root).expanduser()
        if not root.exists():
            raise IngestError(f"no such file or folder: {root}")
        if root.is_file():
            paths = [root]
            base = root.parent
        else:
            base = root.parent
            paths = sorted(
                p for p in root.rglob("*")
                if p.is_file()
                and p.suffix.lower() in ARTICLE_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(root).parts)
                and not p.name.lower().startswith(_IGNORED_NAMES)
            )
        for path in paths:
            resolved = path.resolve()
            try:
                display = str(path.relative_to(base))
            except ValueError:
                display = path.name
            found.setdefault(str(resolved), _Candidate(resolved, str(resolved), display))
    return list(found.values())


def story_rows(articles: Sequence[Article], analyzer: Analyzer) -> list[StoryRow]:
    """Flatten parsed articles (and their related stories) into rows with analyzed passages."""
    rows: list[StoryRow] = []

    def add(article: Article, parent: int | None) -> int:
        ordinal = len(rows)
        title_terms = analyzer.terms(article.title) * TITLE_WEIGHT
        chunks = chunk_passages(article.body) if article.body else []
        texts = [chunk.text for chunk in chunks] or [article.title]
        passages = tuple((text, " ".join(title_terms + analyzer.terms(text))) for text in texts)
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


def _prepare(candidates: Sequence[_Candidate], known: dict[str, str], analyzer: Analyzer):
    """Read, hash and parse files (runs in a worker thread)."""
    prepared, unchanged, skipped = [], [], []
    for candidate in candidates:
        try:
            size = candidate.path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise ParseError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
            data = candidate.path.read_bytes()
        except ParseError as error:
            skipped.append(SkippedFile(candidate.display, str(error)))
            continue
        except OSError as error:
            skipped.append(SkippedFile(candidate.display, f"unreadable: {error.strerror or error}"))
            continue
        sha = hashlib.sha256(data).hexdigest()
        if known.get(candidate.key) == sha:
            unchanged.append(candidate)
            continue
        try:
            articles = parse_bytes(data, candidate.display)
        except ParseError as error:
            skipped.append(SkippedFile(candidate.display, str(error)))
            continue
        except Exception as error:  # a parser bug must not stop the ingest
            log.exception("unexpected error parsing %s", candidate.display)
            skipped.append(SkippedFile(candidate.display, f"could not parse: {type(error).__name__}"))
            continue
        prepared.append((candidate, sha, len(data), story_rows(articles, analyzer)))
    return prepared, unchanged, skipped


class Ingestor:
    """Keeps the store and the index in step with folders of article files."""

    def __init__(self, store: Store, index: LiveIndex, analyzer: Analyzer) -> None:
        self.store = store
        self.index = index
        self.analyzer = analyzer
        self._lock = asyncio.Lock()

    async def ingest(self, roots: Sequence[Path], progress: Progress | None = None) -> IngestReport:
        """Bring the store and index up to date with the files under ``roots``."""
        async with self._lock:
            started = time.perf_counter()
            report = IngestReport()
            candidates = await asyncio.to_thread(discover, roots)
            known = await self.store.file_hashes()
            root_prefixes = [str(Path(r).expanduser().resolve()) for r in roots]
            present = {c.key for c in candidates}
            removals = [
                path for path in known
                if path not in present and any(path == p or path.startswith(p.rstrip("/") + "/") for p in root_prefixes)
            ]
            pending_add: list[tuple[int, list[str]]] = []
            pending_remove: list[int] = []
            add_limit = max(2_000, self.index.main_docs // 10)
            rebuild = False
            total = len(candidates)
            if progress:
                progress(0, total)
            for start in range(0, max(total, 1), BATCH_FILES):
                batch = candidates[start : start + BATCH_FILES]
                prepared, unchanged, skipped = await asyncio.to_thread(_prepare, batch, known, self.analyzer)
                report.unchanged.extend(c.display for c in unchanged)
                report.skipped.extend(skipped)
                batch_removals = removals if start == 0 else []
                if prepared or batch_removals:
                    changes = [(c.key, sha, size, rows) for c, sha, size, rows in prepared]
                    removed_ids, added = await self.store.replace_files(changes, batch_removals)
                    for candidate, *_ in prepared:
                        (report.updated if candidate.key in known else report.added).append(candidate.display)
                    report.removed.extend(Path(p).name for p in batch_removals)
                    pending_remove.extend(removed_ids)
                    if not rebuild:
                        pending_add.extend((pid, terms.split()) for pid, terms in added)
                        if len(pending_add) > add_limit:
                            rebuild, pending_add = True, []
                if progress:
                    progress(min(start + len(batch), total), total)
            for item in report.skipped:
                log.warning("skipped %s: %s", item.path, item.reason)
            await self._update_index(pending_add, pending_remove, rebuild, report)
            _, report.stories, report.passages = await self.store.counts()
            report.elapsed_s = time.perf_counter() - started
            log.info("ingest: %s in %.2fs", report.summary(), report.elapsed_s)
            return report

    async def _update_index(
        self, added: list[tuple[int, list[str]]], removed: list[int], rebuild: bool, report: IngestReport
    ) -> None:
        if not rebuild and (added or removed):
            self.index.remove(removed)
            self.index.add(added)
            rebuild = self.index.needs_compaction()
        if rebuild:
            await self.rebuild_index()
            report.index_rebuilt = True

    async def rebuild_index(self) -> None:
        """Compact everything into a fresh persisted main segment."""
        watermark = await self.store.max_passage_id()
        started = time.perf_counter()
        await asyncio.to_thread(self.index.rebuild, self.store.iter_all_terms(), watermark=watermark)
        await self.store.set_watermark(watermark)
        log.info("index rebuilt: %d passages in %.2fs", self.index.n_docs, time.perf_counter() - started)

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
