"""Immutable BM25 segments: compressed-sparse postings in NumPy, persisted and memory-mapped.

A segment stores, per term, its sorted document ids and a precomputed *impact*
``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))``. The query-time weight is Lucene's always-positive
IDF ``log(1 + (N − n + 0.5)/(n + 0.5))`` from collection-wide statistics, so segments can be
combined (main + delta) without rebuilding. Top-k is exact: the shortest posting lists are walked
first and, once the best possible score of the remaining terms cannot reach a lower bound of the k-th
score (raised by fully scoring the best partial matches), those terms only rescore the surviving
candidates (MaxScore pruning). Scores accumulate in float32 with a rounding allowance in every
pruning decision; the final candidates are rescored exactly in float64. Once the compiled kernels are
loaded, queries of a few terms are instead searched document-at-a-time (``kernels.max_score``), with
the same results. Ties go to the earlier document.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import numpy as np

from . import kernels

K1 = 1.2
B = 0.75
_FORMAT = 1
_ROUNDING = 1e-4
"""Relative allowance for float32 accumulation error (≤ ~30 additions: ~2e-6) in pruning decisions."""
_LOWER, _UPPER = 1 - _ROUNDING, 1 + _ROUNDING
_PROBE_DOCS = 128
"""How many of the best partial matches are scored fully before walking a long posting list."""
_PROBE_MIN_POSTINGS = 4_096
"""Probe before walking a posting list longer than this."""
_WALK_RATIO = 16
"""Rescore survivors by walking a posting list when they number more than 1/_WALK_RATIO of its length."""
_COMPILED_WALK_RATIO = 256
"""The same for a compiled walk (about 1 ns a posting, against a binary search per survivor)."""
_SAMPLE = 2_048
"""Sample size for estimating a top-n cut-off (see ``_best_positions``)."""
_RESET_SHARE = 32
"""Zero the whole accumulator when a search touched more than 1/_RESET_SHARE of it."""
_COMPILED_MIN_POSTINGS = 1_024
"""Walk posting lists at least this long with the compiled kernels, once they are loaded."""
_MAX_SCORE_TERMS = 10
"""With the compiled kernels, queries of up to this many terms are searched document-at-a-time
(``kernels.max_score``); longer ones keep the term-at-a-time walk, which handles many lists better."""
_NO_DELETIONS = np.zeros(0, dtype=bool)
_ARRAYS = ("vocab", "offsets", "doc_ids", "impacts", "max_impact", "doc_keys", "doc_lengths")


@overload
def idf(n_docs: int, doc_freq: int) -> float: ...
@overload
def idf(n_docs: int, doc_freq: np.ndarray) -> np.ndarray: ...
def idf(n_docs: int, doc_freq: np.ndarray | int) -> np.ndarray | float:
    """Lucene's BM25 IDF: always positive, even for terms in most documents. The one IDF of the project:
    index, search and answer composition all weigh terms with it."""
    if isinstance(doc_freq, np.ndarray):
        return np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
    return math.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5))


@dataclass(frozen=True, slots=True)
class BM25Params:
    k1: float = K1
    b: float = B


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """A query term with its collection-wide weight (IDF × query term frequency)."""

    term: str
    weight: float


_BUILD_RUN_POSTINGS = 1 << 22
"""Postings gathered before they are sorted into a compact run (4M: ~50 MB of Python arrays)."""


@dataclass(frozen=True, slots=True)
class _Run:
    """Some documents' postings sorted by term (first-seen id), each term's in document order."""

    term_ids: np.ndarray
    """The run's distinct terms, ascending (int64)."""
    counts: np.ndarray
    """Postings of each of those terms (int64)."""
    docs: np.ndarray
    """Segment-local document of each posting (int32)."""
    tfs: np.ndarray
    """Term frequency of each posting (uint16, or float32 where a count exceeds 65,535)."""

    @classmethod
    def of(cls, term_ids: array, tfs: array, docs: array) -> _Run:
        ids = np.frombuffer(term_ids, dtype=np.int32)
        order = np.argsort(ids, kind="stable")
        ids = ids[order]
        starts = np.flatnonzero(np.diff(ids)) + 1
        bounds = np.concatenate(([0], starts, [len(ids)]))
        frequencies = np.frombuffer(tfs, dtype=np.float32)[order]
        compact = frequencies.astype(np.uint16) if frequencies.max() <= 65_535 else frequencies
        return cls(
            term_ids=ids[bounds[:-1]].astype(np.int64), counts=np.diff(bounds),
            docs=np.frombuffer(docs, dtype=np.int32)[order], tfs=compact,
        )


class Segment:
    """One immutable inverted index over documents identified by integer keys (passage ids)."""

    def __init__(
        self,
        *,
        vocab: np.ndarray,
        offsets: np.ndarray,
        doc_ids: np.ndarray,
        impacts: np.ndarray,
        max_impact: np.ndarray,
        doc_keys: np.ndarray,
        doc_lengths: np.ndarray,
        avgdl: float,
        params: BM25Params,
        path: Path | None = None,
    ) -> None:
        self.vocab = vocab
        self.offsets = offsets
        self.doc_ids = doc_ids
        self.impacts = impacts
        self.max_impact = max_impact
        self.doc_keys = doc_keys
        self.doc_lengths = doc_lengths
        self.avgdl = avgdl
        self.params = params
        self.path = path
        self._local = threading.local()
        self._lookup_cache: dict[str, int] = {}

    # ---- construction -------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        docs: Iterable[tuple[int, Sequence[str]]],
        *,
        params: BM25Params = BM25Params(),
        avgdl: float | None = None,
    ) -> Segment:
        """Index ``(key, terms)`` pairs; keys must be increasing. ``avgdl`` pins length normalisation.

        Postings are gathered in runs of :data:`_BUILD_RUN_DOCS` documents, each sorted by term at once
        into compact arrays (no Python ``array`` of every posting), then placed into the final term-major
        arrays run by run: the peak is about the finished index plus the runs (6 bytes a posting)."""
        vocab: dict[str, int] = {}
        keys = array("q")
        lengths = array("f")
        runs: list[_Run] = []
        term_ids, tfs, posting_docs = array("i"), array("f"), array("i")
        for local, (key, terms) in enumerate(docs):
            keys.append(key)
            lengths.append(len(terms))
            counts = Counter(terms)
            term_ids.extend([vocab.setdefault(term, len(vocab)) for term in counts])
            tfs.extend(counts.values())
            posting_docs.extend([local] * len(counts))
            if len(posting_docs) >= _BUILD_RUN_POSTINGS:
                runs.append(_Run.of(term_ids, tfs, posting_docs))
                term_ids, tfs, posting_docs = array("i"), array("f"), array("i")
        if len(posting_docs):
            runs.append(_Run.of(term_ids, tfs, posting_docs))
        del term_ids, tfs, posting_docs
        doc_keys = np.frombuffer(keys, dtype=np.int64).copy()
        if len(doc_keys) > 1 and np.any(np.diff(doc_keys) <= 0):
            raise ValueError("document keys must be strictly increasing")
        doc_lengths = np.frombuffer(lengths, dtype=np.float32).copy()
        n_docs = len(doc_keys)
        if avgdl is None:
            avgdl = float(doc_lengths.mean()) if n_docs and doc_lengths.sum() > 0 else 1.0
        terms_sorted = sorted(vocab)
        width = max((len(t.encode()) for t in terms_sorted), default=1)
        vocab_array = np.array([t.encode() for t in terms_sorted], dtype=f"S{max(width, 1)}")
        remap = np.empty(len(vocab), dtype=np.int64)
        for new, term in enumerate(terms_sorted):
            remap[vocab[term]] = new
        del vocab, terms_sorted
        per_term = np.zeros(len(remap), dtype=np.int64)  # by first-seen id
        for run in runs:
            per_term[run.term_ids] += run.counts  # a run lists each term once
        counts_per_term = np.empty_like(per_term)
        counts_per_term[remap] = per_term
        offsets = np.zeros(len(remap) + 1, dtype=np.int64)
        np.cumsum(counts_per_term, out=offsets[1:])
        # a term's postings are its runs' postings in run order: each run in document order, so they stay so
        next_free = offsets[:-1][remap]  # by first-seen id
        docs_sorted = np.empty(int(offsets[-1]), dtype=np.int32)
        impacts = np.empty(int(offsets[-1]), dtype=np.float32)  # term frequencies until turned into impacts
        while runs:
            run = runs.pop(0)
            run_starts = np.cumsum(run.counts) - run.counts
            target = np.repeat(next_free[run.term_ids] - run_starts, run.counts) + np.arange(len(run.docs))
            docs_sorted[target] = run.docs
            impacts[target] = run.tfs
            next_free[run.term_ids] += run.counts
            del run, target
        for begin in range(0, len(impacts), _BUILD_RUN_POSTINGS):  # in place, a slice at a time
            tf = impacts[begin : begin + _BUILD_RUN_POSTINGS]
            norm = params.k1 * (1 - params.b + params.b * doc_lengths[docs_sorted[begin : begin + len(tf)]] / avgdl)
            tf[:] = (tf * (params.k1 + 1) / (tf + norm)).astype(np.float32)
        max_impact = (
            np.maximum.reduceat(impacts, offsets[:-1]).astype(np.float32) if len(impacts) else np.zeros(0, np.float32)
        )
        return cls(
            vocab=vocab_array,
            offsets=offsets,
            doc_ids=docs_sorted.astype(np.int32, copy=False),
            impacts=impacts,
            max_impact=max_impact,
            doc_keys=doc_keys,
            doc_lengths=doc_lengths,
            avgdl=float(avgdl),
            params=params,
        )

    # ---- persistence --------------------------------------------------------------------------
    def save(self, directory: Path, *, extra: dict | None = None) -> None:
        """Write the segment into a new directory (written aside, then renamed into place)."""
        tmp = directory.with_name(directory.name + ".tmp")
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self, name), allow_pickle=False)
        meta = {
            "format": _FORMAT,
            "avgdl": self.avgdl,
            "k1": self.params.k1,
            "b": self.params.b,
            "docs": self.n_docs,
            **(extra or {}),
        }
        (tmp / "meta.json").write_text(json.dumps(meta))
        for path in tmp.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        if directory.exists():
            shutil.rmtree(directory)
        os.replace(tmp, directory)
        self.path = directory

    @classmethod
    def load(cls, directory: Path) -> tuple[Segment, dict]:
        """Memory-map a saved segment. Returns the segment and its metadata."""
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != _FORMAT:
            raise ValueError(f"unsupported index format {meta.get('format')!r}")
        # plain ndarray views of the memory maps: slicing a np.memmap costs a Python-level call each time
        arrays = {
            name: np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)) for name in _ARRAYS
        }
        segment = cls(
            **arrays, avgdl=float(meta["avgdl"]), params=BM25Params(meta["k1"], meta["b"]), path=directory
        )
        return segment, meta

    # ---- statistics ---------------------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        return int(self.doc_keys.shape[0])

    @property
    def n_postings(self) -> int:
        return int(self.doc_ids.shape[0])

    def term_index(self, term: str) -> int:
        """Position of ``term`` in the vocabulary, or -1."""
        cached = self._lookup_cache.get(term)
        if cached is not None:
            return cached
        encoded = term.encode()
        found = -1
        if len(self.vocab) and len(encoded) <= self.vocab.dtype.itemsize:
            pos = int(np.searchsorted(self.vocab, encoded))
            if pos < len(self.vocab) and self.vocab[pos] == encoded:
                found = pos
        if len(self._lookup_cache) < 100_000:
            self._lookup_cache[term] = found
        return found

    def doc_freq(self, term: str) -> int:
        index = self.term_index(term)
        return 0 if index < 0 else int(self.offsets[index + 1] - self.offsets[index])

    # ---- search -------------------------------------------------------------------------------
    def _scratch(self) -> np.ndarray:
        """This thread's score accumulator, all zeros between searches (every impact is positive, so a
        zero also means "not seen yet"). float32 halves the memory traffic of walking posting lists;
        pruning allows for its rounding and the final top-k is rescored exactly in float64."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = np.zeros(self.n_docs, dtype=np.float32)
            self._local.scratch = scratch
        return scratch

    def _marks(self) -> np.ndarray:
        """This thread's document bitmap (one byte each), all False between uses."""
        marks = getattr(self._local, "marks", None)
        if marks is None:
            marks = np.zeros(self.n_docs, dtype=bool)
            self._local.marks = marks
        return marks

    def search(
        self, query: Sequence[QueryTerm], k: int, *, deleted: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` documents for weighted query terms: ``(doc_keys, scores)``, best first."""
        plan = []
        for qt in query:
            index = self.term_index(qt.term)
            if index < 0 or qt.weight <= 0:
                continue
            start, end = int(self.offsets[index]), int(self.offsets[index + 1])
            plan.append((float(self.max_impact[index]) * qt.weight, qt.weight, start, end))
        if not plan or k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        plan.sort(key=lambda p: (p[3] - p[2], p[0]))  # shortest lists first: the long ones end up only rescoring
        kern = kernels.ready()
        if kern is not None and len(plan) <= _MAX_SCORE_TERMS:
            return self._max_score(kern, plan, k, deleted)
        remaining_ub = [*np.cumsum([p[0] for p in plan][::-1])[::-1].tolist(), 0.0]
        acc = self._scratch()
        touched: list[np.ndarray] = []  # posting lists applied to the scratch buffers (to reset)
        fresh_parts: list[np.ndarray] = []  # each live candidate exactly once
        n_candidates = 0
        theta = 0.0
        step = 0
        gathered: np.ndarray | None = None  # every candidate's partial score, as of step gathered_at
        gathered_at = -1
        try:
            while step < len(plan):
                if n_candidates >= k and remaining_ub[step] < theta:
                    break
                _, weight, start, end = plan[step]
                ids = self.doc_ids[start:end]
                touched.append(ids)
                compiled = kern if end - start >= _COMPILED_MIN_POSTINGS else None  # None: walk with NumPy
                if step == 0:  # the accumulator is all zeros: every document is new
                    if compiled:
                        updated: np.ndarray = np.empty(end - start, np.float32)
                        compiled.scatter_first(acc, ids, self.impacts[start:end], weight, updated)
                    else:
                        updated = self.impacts[start:end] * weight
                        acc[ids] = updated
                    fresh = ids
                elif compiled:
                    updated = np.empty(end - start, np.float32)
                    fresh = np.empty(end - start, np.int32)
                    fresh = fresh[: compiled.scatter_add(acc, ids, self.impacts[start:end], weight, updated, fresh)]
                else:
                    before = acc[ids]
                    updated = before + self.impacts[start:end] * weight
                    acc[ids] = updated
                    fresh = ids[before == 0.0]
                if deleted is not None:
                    fresh = fresh[~deleted[fresh]]
                if len(fresh):
                    fresh_parts.append(fresh)
                    n_candidates += len(fresh)
                step += 1
                if n_candidates >= k and step < len(plan):
                    # θ is any lower bound of the final k-th score. Cheap: the k-th best of the
                    # documents this term just touched; exact (all candidates) only when that costs
                    # less than the next posting list would.
                    next_length = plan[step][3] - plan[step][2]
                    if deleted is None:
                        live_ids, live_scores = ids, updated
                    else:
                        live = ~deleted[ids]
                        live_ids, live_scores = ids[live], updated[live]
                    best = np.sort(_best_positions(live_scores, max(_PROBE_DOCS, 4 * k)))  # ids stay sorted
                    live_ids, live_scores = live_ids[best], live_scores[best]
                    theta = max(theta, _LOWER * _kth_largest(live_scores, k))
                    if remaining_ub[step] >= theta and next_length > _PROBE_MIN_POSTINGS:
                        # Before walking a long list: complete the best partial matches so far with
                        # the terms not walked yet. Their k-th score often already rules those out.
                        theta = max(theta, _kth_largest(
                            self._partial_scores(live_ids, plan[step:], _LOWER * live_scores), k
                        ))
                    if remaining_ub[step] >= theta and n_candidates <= next_length // 2:
                        gathered = acc[np.concatenate(fresh_parts)]
                        theta = max(theta, _LOWER * _kth_largest(gathered, k))
                        gathered_at = step
            candidates = np.concatenate(fresh_parts) if fresh_parts else np.empty(0, np.int32)
            if gathered is not None and gathered_at == step:  # nothing walked since the last gather: reuse it
                scores = gathered
            else:
                if kern is not None and len(candidates) >= _COMPILED_MIN_POSTINGS:
                    # only the candidates that can still reach θ (the rest never could: θ is a lower bound)
                    kept, scores = np.empty_like(candidates), np.empty(len(candidates), np.float32)
                    n_kept = kern.gather_at_least(acc, candidates, (theta - remaining_ub[step]) / _UPPER, kept, scores)
                    candidates, scores = kept[:n_kept], scores[:n_kept]
                else:
                    scores = acc[candidates]
                if step < len(plan):
                    theta = max(theta, _LOWER * _kth_largest(scores, k))
            # Remaining terms cannot lift an unseen document into the top k: rescore survivors only.
            for _, weight, start, end in plan[step:]:
                floor = (theta - remaining_ub[step]) / _UPPER  # the least partial score that can still reach θ
                if floor > 0.0:
                    survivors = scores >= floor
                    candidates, scores = candidates[survivors], scores[survivors]
                if not len(candidates):
                    break
                ids = self.doc_ids[start:end]
                compiled = kern if end - start >= _COMPILED_MIN_POSTINGS else None  # None: walk with NumPy
                # many survivors: one pass over the list is cheaper than a binary search each
                if len(candidates) * (_COMPILED_WALK_RATIO if compiled else _WALK_RATIO) > len(ids):
                    marks = self._marks()  # the survivors as a bitmap: the pass reads bytes, writes only hits
                    marks[candidates] = True
                    try:  # the hits are all survivors, so the accumulator is reset with the walked lists
                        if compiled:
                            compiled.add_marked(acc, ids, self.impacts[start:end], weight, marks)
                        else:
                            present = marks[ids]
                            acc[ids[present]] += self.impacts[start:end][present] * weight
                    finally:
                        marks[candidates] = False
                    scores = acc[candidates]
                else:  # few survivors: a binary search each
                    hit, pos = _find(ids, candidates)
                    scores[hit] += self.impacts[start:end][pos] * weight
                    acc[candidates[hit]] = scores[hit]  # keep the accumulator in step for a later pass
                theta = max(theta, _LOWER * _kth_largest(scores, k))  # survivors' scores only grow
                step += 1
            if len(candidates) > k:  # every candidate that float32 rounding could place in the top k
                candidates = candidates[scores >= _LOWER * _kth_largest(scores, k) / _UPPER]
            candidates, scores = self._exact_scores(candidates, plan)
            order = np.lexsort((candidates, -scores))[:k]  # ties: the lower document, as max_score does
            return np.asarray(self.doc_keys[candidates[order]], dtype=np.int64), scores[order]
        finally:
            if sum(len(ids) for ids in touched) > len(acc) // _RESET_SHARE:
                acc.fill(0.0)  # one sequential pass beats scattered writes to most of the buffer
            else:
                for ids in touched:
                    acc[ids] = 0.0

    def _max_score(self, kern, plan: Sequence[tuple], k: int, deleted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The compiled document-at-a-time search (see ``kernels.max_score``): same results as the
        term-at-a-time walk below, faster when a query has few terms."""
        k = min(k, self.n_docs)
        top_docs, top_scores = np.empty(k, np.int64), np.empty(k, np.float64)
        size = kern.max_score(
            self.doc_ids, self.impacts, np.array([p[2] for p in plan], np.int64), np.array([p[3] for p in plan], np.int64),
            np.array([p[1] for p in plan]), np.array([p[0] for p in plan]), k,
            _NO_DELETIONS if deleted is None else deleted, top_docs, top_scores,
        )
        docs, scores = top_docs[:size], top_scores[:size]
        order = np.lexsort((docs, -scores))
        return np.asarray(self.doc_keys[docs[order]], dtype=np.int64), scores[order]

    def _exact_scores(self, docs: np.ndarray, plan: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray]:
        """Sorted ``docs`` and their full float64 scores: a binary search per document and query term."""
        docs = np.sort(docs)
        return docs, self._partial_scores(docs, plan, np.zeros(len(docs), dtype=np.float64))

    def _partial_scores(self, docs: np.ndarray, plan: Sequence[tuple], base: np.ndarray) -> np.ndarray:
        """``base`` plus the float64 scores of ``docs`` (sorted: the binary searches then walk forward)
        for the planned terms."""
        scores = base.astype(np.float64)
        if not len(docs):
            return scores
        kern = kernels.ready()
        if kern is not None:
            starts, ends = np.array([p[2] for p in plan], np.int64), np.array([p[3] for p in plan], np.int64)
            kern.add_scores(self.doc_ids, self.impacts, starts, ends, np.array([p[1] for p in plan]), docs, scores)
            return scores
        for _, weight, start, end in plan:
            hit, pos = _find(self.doc_ids[start:end], docs)
            scores[hit] += self.impacts[start:end][pos].astype(np.float64) * weight
        return scores


def _find(postings: np.ndarray, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the sorted ``docs`` occur in a sorted posting list (a mask), and their positions in it."""
    if not len(postings):
        return np.zeros(len(docs), dtype=bool), np.empty(0, dtype=np.intp)
    pos = np.searchsorted(postings, docs)
    pos[pos >= len(postings)] = len(postings) - 1
    hit = postings[pos] == docs
    return hit, pos[hit]


def _best_positions(values: np.ndarray, at_least: int) -> np.ndarray:
    """Positions of the largest values: every value above a cut-off, at least ``at_least`` of them
    (all if there are fewer). The cut-off comes from an evenly spaced sample, so neither a full
    partition nor a second pass is usually needed."""
    n = len(values)
    if n <= at_least:
        return np.arange(n)
    chosen = None
    stride = n // _SAMPLE
    if stride > 1:
        sample = values[::stride]
        # about 2·at_least values expected above the cut-off (and never fewer than 4 sampled ones)
        rank = len(sample) - 1 - max((2 * at_least) // stride, 4)
        if rank > 0:
            cut = np.partition(sample, rank)[rank]
            chosen = np.flatnonzero(values >= cut)
            if len(chosen) < at_least:
                chosen = None  # an unlucky sample: fall back to the full partition
    if chosen is None:
        return np.argpartition(-values, at_least - 1)[:at_least]
    if len(chosen) > 4 * at_least:  # ties at the cut-off: keep the best of them
        chosen = chosen[np.argpartition(-values[chosen], at_least - 1)[:at_least]]
    return chosen


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The ``k``-th largest value (0.0 when there are fewer than ``k``)."""
    if len(values) < k:
        return 0.0
    if len(values) > 8 * k:  # the k largest are among the values above a cut-off: partition only those
        values = values[_best_positions(values, k)]
    return float(np.partition(values, len(values) - k)[len(values) - k])


def idf_weights(
    terms: Sequence[str] | Mapping[str, float], n_docs: int, doc_freq: Mapping[str, int]
) -> list[QueryTerm]:
    """Weight each distinct query term by IDF × its count (or given multiplier); unknown terms drop out."""
    counts = terms if isinstance(terms, Mapping) else Counter(terms)
    out = []
    for term, count in counts.items():
        df = doc_freq.get(term, 0)
        if df > 0 and n_docs > 0 and count > 0:
            out.append(QueryTerm(term, count * idf(n_docs, df)))
    return out
