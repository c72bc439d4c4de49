"""The live search index: a persisted, memory-mapped main segment plus small in-memory deltas.

New passages go to a delta segment at once (answerable without a rebuild); deleted passages of the
main segment are masked by tombstones. A rebuild ("compaction") writes a fresh main segment into a
new generation directory and switches the ``CURRENT`` pointer atomically, so a crash at any point
leaves the previous index usable. Searches take an immutable snapshot and never block on writers.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .bm25 import BM25Params, IndexFormatError, Segment, idf_weights
from .termcounts import PostingsBuilder

if TYPE_CHECKING:
    from .spelling import Speller

log = logging.getLogger(__name__)

MAX_DELTA_SEGMENTS = 8

Doc = tuple[int, Sequence[str]]


@dataclass(frozen=True, slots=True)
class _Snapshot:
    main: Segment | None
    watermark: int
    deleted: np.ndarray | None  # bool mask over main's local docs
    deleted_count: int
    deltas: tuple[Segment, ...] = ()
    delta_docs: tuple[Doc, ...] = field(default=())

    @property
    def n_docs(self) -> int:
        main = self.main.n_docs - self.deleted_count if self.main else 0
        return main + sum(d.n_docs for d in self.deltas)


class LiveIndex:
    """Main segment + deltas + tombstones, searched as one BM25 collection."""

    def __init__(self, directory: Path, params: BM25Params = BM25Params()) -> None:
        self.directory = Path(directory)
        self.params = params
        self._snapshot = _Snapshot(main=None, watermark=0, deleted=None, deleted_count=0)
        self._write_lock = threading.Lock()

    # ---- state ------------------------------------------------------------------------------
    @property
    def watermark(self) -> int:
        """Largest passage id contained in the persisted main segment (0 when there is none)."""
        return self._snapshot.watermark

    @property
    def n_docs(self) -> int:
        return self._snapshot.n_docs

    @property
    def main_docs(self) -> int:
        main = self._snapshot.main
        return main.n_docs if main else 0

    @property
    def delta_docs(self) -> int:
        return len(self._snapshot.delta_docs)

    def max_key(self) -> int:
        """The largest passage id the index holds or has held (main segment's watermark, or the last delta
        passage): new passages are those after it."""
        snap = self._snapshot
        return max(snap.watermark, snap.delta_docs[-1][0] if snap.delta_docs else 0)

    def indexed_keys(self) -> np.ndarray:
        """Every passage id searchable now (main segment less tombstones, then the deltas), ascending."""
        snap = self._snapshot
        main = np.empty(0, dtype=np.int64)
        if snap.main is not None:
            main = np.asarray(snap.main.doc_keys, dtype=np.int64)
            if snap.deleted is not None:
                main = main[~snap.deleted]
        return np.concatenate([main, np.fromiter((key for key, _ in snap.delta_docs), dtype=np.int64)])

    @property
    def tombstones(self) -> int:
        return self._snapshot.deleted_count

    def needs_compaction(self) -> bool:
        """Deltas or tombstones have grown past a tenth of the main segment (or there is no main)."""
        snap = self._snapshot
        if snap.main is None:
            return bool(snap.delta_docs)
        limit = max(2_000, snap.main.n_docs // 10)
        return len(snap.delta_docs) > limit or snap.deleted_count > limit

    def doc_freq(self, term: str) -> int:
        snap = self._snapshot
        segments = ((snap.main,) if snap.main else ()) + snap.deltas
        return sum(seg.doc_freq(term) for seg in segments)

    # ---- typo tolerance -----------------------------------------------------------------------
    def speller(self) -> Speller:
        """A speller over the current vocabulary (main segment and deltas). Cheap to ask for: each
        segment's lookup structure is built on its first lookup and kept while the segment lives, so
        opening the index costs nothing more and passages added later are covered at once."""
        # imported on first use: rapidfuzz would add ~12 ms to every start-up
        from .spelling import Speller

        snap = self._snapshot
        return Speller(((snap.main,) if snap.main else ()) + snap.deltas)

    def correct(self, term: str, word: str | None = None) -> str | None:
        """The known term meant by an unknown analyzed ``term`` (see ``Speller.correct``), or None."""
        return self.speller().correct(term, word)

    # ---- loading and rebuilding ---------------------------------------------------------------
    def load(self) -> bool:
        """Memory-map the current main segment, if one was saved. Returns whether one was found: not
        when it was saved in an older format (the caller rebuilds it from the store)."""
        pointer = self.directory / "CURRENT"
        if not pointer.exists():
            return False
        generation = pointer.read_text().strip()
        try:
            segment, meta = Segment.load(self.directory / generation)
        except IndexFormatError as error:
            log.warning("index %s is in an older format (%s): it will be rebuilt", generation, error)
            return False
        self._snapshot = _Snapshot(
            main=segment, watermark=int(meta["watermark"]), deleted=None, deleted_count=0
        )
        log.info("loaded index %s: %d passages", generation, segment.n_docs)
        return True

    def clear(self) -> None:
        """Forget the persisted index (its store rows are gone); the next ingest builds a new one."""
        with self._write_lock:
            if self.directory.exists():
                shutil.rmtree(self.directory)
            self._snapshot = _Snapshot(main=None, watermark=0, deleted=None, deleted_count=0)

    def rebuild(self, docs: Iterable[Doc], *, watermark: int, then: PostingsBuilder | None = None) -> Segment:
        """Build and persist a new main segment from every live passage: ``docs``, then the passages
        already in ``then`` (keys above those of ``docs``); deltas and tombstones reset."""
        builder = PostingsBuilder()
        builder.add_docs(docs)
        if then is not None:
            builder = then if not builder.n_docs else builder.extend(then)
        segment = Segment.from_grouped(builder.finish(), params=self.params)
        with self._write_lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            previous = self._snapshot.main.path if self._snapshot.main else None
            generation = f"gen-{watermark:012d}-{os.getpid()}-{threading.get_ident() % 10_000:04d}"
            segment.save(self.directory / generation, extra={"watermark": watermark})
            tmp_pointer = self.directory / "CURRENT.tmp"
            tmp_pointer.write_text(generation)
            os.replace(tmp_pointer, self.directory / "CURRENT")
            loaded, _ = Segment.load(self.directory / generation)
            self._snapshot = _Snapshot(main=loaded, watermark=watermark, deleted=None, deleted_count=0)
            self._remove_stale_generations(keep={generation, previous.name if previous else ""})
        return loaded

    def _remove_stale_generations(self, keep: set[str]) -> None:
        for path in self.directory.glob("gen-*"):
            if path.name not in keep and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    # ---- incremental changes ------------------------------------------------------------------
    def add(self, docs: Sequence[Doc]) -> None:
        """Make new passages searchable at once (keys must exceed every key already indexed)."""
        if not docs:
            return
        with self._write_lock:
            snap = self._snapshot
            avgdl = snap.main.avgdl if snap.main else None
            all_docs = snap.delta_docs + tuple(docs)
            deltas: tuple[Segment, ...]
            if len(snap.deltas) >= MAX_DELTA_SEGMENTS or avgdl is None:
                deltas = (Segment.build(all_docs, params=self.params, avgdl=avgdl),)
            else:
                deltas = (*snap.deltas, Segment.build(docs, params=self.params, avgdl=avgdl))
            self._snapshot = _Snapshot(
                main=snap.main, watermark=snap.watermark, deleted=snap.deleted,
                deleted_count=snap.deleted_count, deltas=deltas, delta_docs=all_docs,
            )

    def remove(self, keys: Iterable[int]) -> None:
        """Forget passages: tombstones for the main segment, a smaller delta for the rest."""
        keys = np.fromiter(keys, dtype=np.int64)
        if not len(keys):
            return
        with self._write_lock:
            snap = self._snapshot
            deleted, deleted_count = snap.deleted, snap.deleted_count
            in_main = keys[keys <= snap.watermark]
            if snap.main is not None and len(in_main):
                positions = self._exact_positions(snap.main, in_main)
                deleted = np.zeros(snap.main.n_docs, dtype=bool) if deleted is None else deleted.copy()
                deleted[positions] = True
                deleted_count = int(deleted.sum())
            gone = set(keys[keys > snap.watermark].tolist())
            delta_docs, deltas = snap.delta_docs, snap.deltas
            if gone and any(key in gone for key, _ in delta_docs):
                delta_docs = tuple(doc for doc in delta_docs if doc[0] not in gone)
                avgdl = snap.main.avgdl if snap.main else None
                deltas = (Segment.build(delta_docs, params=self.params, avgdl=avgdl),) if delta_docs else ()
            self._snapshot = _Snapshot(
                main=snap.main, watermark=snap.watermark, deleted=deleted, deleted_count=deleted_count,
                deltas=deltas, delta_docs=delta_docs,
            )

    @staticmethod
    def _exact_positions(segment: Segment, keys: np.ndarray) -> np.ndarray:
        positions = np.searchsorted(segment.doc_keys, keys)
        valid = positions < segment.n_docs
        positions, keys = positions[valid], keys[valid]
        return positions[np.asarray(segment.doc_keys[positions]) == keys]

    # ---- search -------------------------------------------------------------------------------
    def search(self, terms: Sequence[str] | Mapping[str, float], k: int = 10) -> list[tuple[int, float]]:
        """Top-``k`` ``(passage_id, score)`` for analyzed query terms (or term → multiplier), best first."""
        snap = self._snapshot
        segments = ((snap.main,) if snap.main else ()) + snap.deltas
        if not segments or not terms:
            return []
        distinct = set(terms)
        # the main segment still counts its tombstoned passages until the next rebuild: a term can seem to
        # be in more passages than are live, which would give it no weight at all
        n_docs = snap.n_docs
        doc_freq = {t: min(n_docs, sum(seg.doc_freq(t) for seg in segments)) for t in distinct}
        query = idf_weights(terms, n_docs, doc_freq)
        if not query:
            return []
        results: list[tuple[int, float]] = []
        for segment in segments:
            deleted = snap.deleted if segment is snap.main else None
            keys, scores = segment.search(query, k, deleted=deleted)
            results.extend(zip(keys.tolist(), scores.tolist(), strict=True))
        results.sort(key=lambda item: (-item[1], item[0]))
        return results[:k]
