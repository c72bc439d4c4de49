"""Immutable BM25 segments: compressed postings in NumPy, persisted and memory-mapped.

A segment stores, per term, its sorted document ids (delta-encoded), and per posting an 8-bit code of
its *impact* ``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))`` rounded up, and its term frequency
(``postings``). The query-time weight is Lucene's always-positive IDF ``log(1 + (N − n + 0.5)/(n + 0.5))``
from collection-wide statistics, so segments can be combined (main + delta) without rebuilding. Top-k
is exact: the shortest posting lists are walked first, accumulating the codes' upper bounds, and once
the best possible score of the remaining terms cannot reach a lower bound of the k-th score (raised by
exactly scoring the best partial matches), those terms only rescore the surviving candidates (MaxScore
pruning). Every pruning decision allows for the quantization (a code's bound exceeds the impact by
less than one step) and for float32 rounding; the final candidates are rescored exactly in float64 from
their term frequencies and document lengths. Once the compiled kernels are loaded, queries of a few
terms can instead be searched document-at-a-time (``kernels.max_score``, see ``_MAX_SCORE_TERMS``), with the
same results. Ties go to the earlier document.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, overload

import numpy as np

from . import kernels
from . import postings as postings_module
from .postings import Encoded
from .termcounts import GroupedPostings, PostingsBuilder

K1 = 1.2
B = 0.75
_FORMAT = 2
"""2: compact postings (``postings``). 1: int32 document ids and float32 impacts."""
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
_MAX_SCORE_TERMS = 0
"""With the compiled kernels, queries of up to this many terms are searched document-at-a-time
(``kernels.max_score``), longer ones term-at-a-time. None are: on compact postings the compiled term-at-a-time
walk is the faster one (1M passages, 200 questions: retrieval p50 0.61 → 0.39 ms, p95 2.28 → 1.38 ms at k = 10;
``ask``'s searches at k = 40 with the lexicon's words: 0.70 → 0.42 / 2.5 → 1.7 ms; ``benchmarks/search_paths.py``), so
the document-at-a-time search is kept only as a path tests hold to the same results (set this above 0 to use it)."""
_LOCATE_RATIO = 1024
"""Find documents in a posting list through its skips (decoding only their blocks) when they number
less than 1/_LOCATE_RATIO of its length; else decode it whole (a block costs ~5× its decoding)."""
_EXACT_THETA_MIN = 4
"""Before rescoring more than this many times k candidates, score the k best bounds exactly: their
k-th exact score is a tighter floor than the bounds' k-th less the quantization allowance."""
_NO_DELETIONS = np.zeros(0, dtype=bool)
_ARRAYS = ("vocab", "offsets", "doc_keys", "doc_lengths")


class IndexFormatError(ValueError):
    """A saved segment in a format this version does not read (rebuild it from the store)."""


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


class _Term(NamedTuple):
    """A query term planned for one search: its bound (weighted maximum impact), weight, postings
    ``start:end`` in the segment and position in the vocabulary."""

    bound: float
    weight: float
    start: int
    end: int
    tid: int


class Segment:
    """One immutable inverted index over documents identified by integer keys (passage ids)."""

    def __init__(
        self,
        *,
        vocab: np.ndarray,
        offsets: np.ndarray,
        doc_keys: np.ndarray,
        doc_lengths: np.ndarray,
        postings: Encoded,
        avgdl: float,
        params: BM25Params,
        path: Path | None = None,
    ) -> None:
        self.vocab = vocab
        self.offsets = offsets
        self.doc_keys = doc_keys
        self.doc_lengths = doc_lengths  # int32 term counts
        self.postings = postings
        self.avgdl = avgdl
        self.params = params
        self.path = path
        self._bounds = postings_module.upper_bounds(params.k1)
        self._ratios = postings_module.tf_ratios(params.k1)
        self._exceptional = np.zeros(postings_module.LEVELS + 1, dtype=bool)
        self._exceptional[postings.codes[postings.tf_exc_pos]] = True
        """The codes of the postings whose term frequency is an exception (the others need no lookup)."""
        self._slack = postings_module.step(params.k1) * _UPPER
        """How much a code's upper bound can exceed the impact (per unit of weight)."""
        self._free: list[_Buffers] = []
        """Working buffers no search is using: a search takes one (or makes one if all are in use) and gives it
        back, so threads share them and there are only as many as searches ever ran at once (a buffer per
        thread would hold ~5 MB at 1M passages for each worker thread that ever searched)."""
        self._free_lock = threading.Lock()
        self._lookup_cache: dict[str, int] = {}
        n = len(doc_keys)
        self._first_key = int(doc_keys[0]) if n and int(doc_keys[-1]) - int(doc_keys[0]) == n - 1 else None
        """The first key when the keys run without a gap (increasing keys: ``first + local id``), so searches
        need not read ``doc_keys`` (at 1M passages, 8 MB a long-running process would page in)."""

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
        Holds about 6 bytes per posting while reading, ~12 while grouping and encoding."""
        builder = PostingsBuilder()
        builder.add_docs(docs)
        return cls.from_grouped(builder.finish(), params=params, avgdl=avgdl)

    @classmethod
    def from_grouped(
        cls, grouped: GroupedPostings, *, params: BM25Params = BM25Params(), avgdl: float | None = None
    ) -> Segment:
        """The segment of postings grouped by term (see :class:`~retrieval.termcounts.PostingsBuilder`)."""
        doc_keys, doc_lengths = grouped.doc_keys, grouped.doc_lengths
        n_docs = len(doc_keys)
        if avgdl is None:
            avgdl = float(doc_lengths.mean()) if n_docs and doc_lengths.sum() > 0 else 1.0
        vocab_array, offsets = grouped.vocab, grouped.offsets
        grouped_docs, grouped_tfs = grouped.docs, grouped.tfs
        del grouped
        encoded = postings_module.encode(
            grouped_docs, grouped_tfs, offsets, doc_lengths, k1=params.k1, b=params.b, avgdl=float(avgdl)
        )
        return cls(
            vocab=vocab_array, offsets=offsets, doc_keys=doc_keys, doc_lengths=doc_lengths, postings=encoded,
            avgdl=float(avgdl), params=params,
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
        for name in postings_module.ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(self.postings, name), allow_pickle=False)
        meta = {
            "format": _FORMAT,
            "block": postings_module.BLOCK,
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
        """Memory-map a saved segment. Returns the segment and its metadata; raises
        :class:`IndexFormatError` for a segment saved in another format."""
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("format") != _FORMAT or meta.get("block") != postings_module.BLOCK:
            raise IndexFormatError(
                f"index format {meta.get('format')!r} (skips every {meta.get('block')!r} postings), this version "
                f"reads {_FORMAT} ({postings_module.BLOCK})"
            )

        def mapped(name: str) -> np.ndarray:
            # a plain ndarray view of the memory map: slicing a np.memmap costs a Python-level call each time
            return np.asarray(np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False))

        encoded = Encoded(**{name: mapped(name) for name in postings_module.ARRAYS})
        segment = cls(
            **{name: mapped(name) for name in _ARRAYS}, postings=encoded, avgdl=float(meta["avgdl"]),
            params=BM25Params(meta["k1"], meta["b"]), path=directory,
        )
        return segment, meta

    # ---- statistics ---------------------------------------------------------------------------
    @property
    def n_docs(self) -> int:
        return int(self.doc_keys.shape[0])

    @property
    def n_postings(self) -> int:
        return int(self.offsets[-1]) if len(self.offsets) else 0

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

    def term_postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The documents holding ``term`` (local ids, ascending) and its exact float64 impacts in them."""
        index = self.term_index(term)
        if index < 0:
            return np.empty(0, np.int32), np.empty(0, np.float64)
        start, end = int(self.offsets[index]), int(self.offsets[index + 1])
        ids = postings_module.decode_ids(self.postings, index, start, end)
        return ids, self._exact_impacts(np.arange(start, end), ids)

    def _exact_impacts(self, positions: np.ndarray, docs: np.ndarray) -> np.ndarray:
        """float64 impacts of the postings at ``positions`` (of documents ``docs``)."""
        norms = postings_module.length_norms(
            self.doc_lengths[docs].astype(np.float64), self.params.k1, self.params.b, self.avgdl
        )
        tf = postings_module.term_frequencies(self.postings, positions, norms, self._ratios)
        return postings_module.exact_impacts(tf, norms, self.params.k1)

    # ---- search -------------------------------------------------------------------------------
    def _take(self) -> _Buffers:
        """Working buffers for one search (give them back with :meth:`_give`)."""
        with self._free_lock:
            if self._free:
                return self._free.pop()
        return _Buffers(self.n_docs)

    def _give(self, buffers: _Buffers) -> None:
        with self._free_lock:
            self._free.append(buffers)

    def _scratch(self) -> np.ndarray:
        """The score accumulator the next search would use (all zeros between searches)."""
        buffers = self._take()
        self._give(buffers)
        return buffers.scratch

    def _marks(self) -> np.ndarray:
        """The document bitmap the next search would use (all False between searches)."""
        buffers = self._take()
        self._give(buffers)
        return buffers.marks()

    def _plan(self, query: Sequence[QueryTerm]) -> list[_Term]:
        """The query's terms in this segment, shortest posting list first (the long ones end up only
        rescoring)."""
        plan = []
        for qt in query:
            index = self.term_index(qt.term)
            if index < 0 or qt.weight <= 0:
                continue
            start, end = int(self.offsets[index]), int(self.offsets[index + 1])
            plan.append(_Term(float(self.postings.max_impact[index]) * qt.weight, qt.weight, start, end, index))
        plan.sort(key=lambda p: (p.end - p.start, p.bound))
        return plan

    def _ids(self, term: _Term, decoded: dict[int, np.ndarray]) -> np.ndarray:
        """The term's document ids, decoded once per search (``decoded``)."""
        ids = decoded.get(term.tid)
        if ids is None:
            enc = self.postings
            kern = kernels.ready()
            if kern is not None:
                ids = np.empty(term.end - term.start, np.int32)
                kern.decode(enc.gaps, enc.gap_exc_pos, enc.gap_exc, int(enc.gap_start[term.tid]),
                            int(enc.gap_width[term.tid]), int(enc.first_doc[term.tid]), term.start, ids)
            else:
                ids = postings_module.decode_ids(enc, term.tid, term.start, term.end)
            decoded[term.tid] = ids
        return ids

    def _locate(self, term: _Term, docs: np.ndarray, decoded: dict[int, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Which of the sorted ``docs`` the term's list holds (a mask), and their positions in the segment."""
        if term.tid not in decoded and len(docs) * _LOCATE_RATIO < term.end - term.start:
            return postings_module.locate(self.postings, term.tid, term.start, term.end, docs)
        hit, pos = _find(self._ids(term, decoded), docs)
        return hit, pos + term.start

    def search(
        self, query: Sequence[QueryTerm], k: int, *, deleted: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` documents for weighted query terms: ``(doc_keys, scores)``, best first."""
        if k <= 0:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        kern = kernels.ready()
        plan = self._plan(query)
        if not plan:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        if kern is not None and len(plan) <= _MAX_SCORE_TERMS:
            return self._max_score(kern, plan, k, deleted)
        codes, bounds = self.postings.codes, self._bounds
        decoded: dict[int, np.ndarray] = {}
        full_slack = self._slack * sum(p.weight for p in plan)
        remaining_ub = [*np.cumsum([p.bound for p in plan][::-1])[::-1].tolist(), 0.0]
        buffers = self._take()
        acc = buffers.scratch
        touched: list[np.ndarray] = []  # posting lists applied to the scratch buffers (to reset)
        fresh_parts: list[np.ndarray] = []  # each live candidate exactly once
        n_candidates = 0
        theta = 0.0
        slack = 0.0  # how far the accumulated bounds can exceed the true scores
        step = 0
        gathered: np.ndarray | None = None  # every candidate's partial score, as of step gathered_at
        gathered_at = -1
        try:
            while step < len(plan):
                if n_candidates >= k and remaining_ub[step] < theta:
                    break
                _, weight, start, end, _ = plan[step]
                ids = self._ids(plan[step], decoded)
                touched.append(ids)
                slack += self._slack * weight
                compiled = kern if end - start >= _COMPILED_MIN_POSTINGS else None  # None: walk with NumPy
                if step == 0:  # the accumulator is all zeros: every document is new
                    if compiled:
                        updated: np.ndarray = np.empty(end - start, np.float32)
                        compiled.scatter_first(acc, ids, codes[start:end], bounds, weight, updated)
                    else:
                        updated = (bounds * weight)[codes[start:end]]  # the same float32 products, one pass fewer
                        acc[ids] = updated
                    fresh = ids
                elif compiled:
                    updated = np.empty(end - start, np.float32)
                    fresh = np.empty(end - start, np.int32)
                    fresh = fresh[: compiled.scatter_add(acc, ids, codes[start:end], bounds, weight, updated, fresh)]
                else:
                    before = acc[ids]
                    updated = before + (bounds * weight)[codes[start:end]]
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
                    next_length = plan[step].end - plan[step].start
                    if deleted is None:
                        live_ids, live_scores = ids, updated
                    else:
                        live = ~deleted[ids]
                        live_ids, live_scores = ids[live], updated[live]
                    best = np.sort(_best_positions(live_scores, max(_PROBE_DOCS, 4 * k)))  # ids stay sorted
                    live_ids, live_scores = live_ids[best], live_scores[best]
                    theta = max(theta, _LOWER * (_kth_largest(live_scores, k) - slack))
                    if remaining_ub[step] >= theta and next_length > _PROBE_MIN_POSTINGS:
                        # Before walking a long list: complete the best partial matches so far with the
                        # terms not walked yet. Their k-th score often already rules those out.
                        completed = self._bound_scores(live_ids, plan[step:], live_scores, decoded)
                        theta = max(theta, _LOWER * (_kth_largest(completed, k) - full_slack))
                    if remaining_ub[step] >= theta and n_candidates <= next_length // 2:
                        gathered = acc[np.concatenate(fresh_parts)]
                        theta = max(theta, _LOWER * (_kth_largest(gathered, k) - slack))
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
                    theta = max(theta, _LOWER * (_kth_largest(scores, k) - slack))
            # Remaining terms cannot lift an unseen document into the top k: rescore survivors only.
            for term in plan[step:]:
                weight, start, end = term.weight, term.start, term.end
                floor = (theta - remaining_ub[step]) / _UPPER  # the least partial score that can still reach θ
                if floor > 0.0:
                    survivors = scores >= floor
                    candidates, scores = candidates[survivors], scores[survivors]
                if not len(candidates):
                    break
                slack += self._slack * weight
                compiled = kern if end - start >= _COMPILED_MIN_POSTINGS else None  # None: walk with NumPy
                # many survivors: one pass over the list is cheaper than a binary search each
                if len(candidates) * (_COMPILED_WALK_RATIO if compiled else _WALK_RATIO) > end - start:
                    ids = self._ids(term, decoded)
                    marks = buffers.marks()  # the survivors as a bitmap: the pass reads bytes, writes only hits
                    marks[candidates] = True
                    try:  # the hits are all survivors, so the accumulator is reset with the walked lists
                        if compiled:
                            compiled.add_marked(acc, ids, codes[start:end], bounds, weight, marks)
                        else:
                            present = marks[ids]
                            acc[ids[present]] += (bounds * weight)[codes[start:end][present]]
                    finally:
                        marks[candidates] = False
                    scores = acc[candidates]
                else:  # few survivors: a binary search each
                    order = np.argsort(candidates)
                    hit, pos = self._locate(term, candidates[order], decoded)
                    hit_at = order[hit]
                    scores[hit_at] += bounds[codes[pos]] * weight
                    hit = hit_at
                    acc[candidates[hit]] = scores[hit]  # keep the accumulator in step for a later pass
                theta = max(theta, _LOWER * (_kth_largest(scores, k) - slack))  # survivors' scores only grow
                step += 1
            if len(candidates) > k:  # every candidate that quantization or rounding could place in the top k
                cut = max(theta, _LOWER * (_kth_largest(scores, k) - slack))
                kept = scores >= cut / _UPPER
                candidates, scores = candidates[kept], scores[kept]
                if len(candidates) > _EXACT_THETA_MIN * k:
                    best = candidates[_best_positions(scores, k)]
                    cut = _kth_largest(self._exact_scores(best, plan, decoded)[1], k)
                    candidates = candidates[scores >= cut / _UPPER]
            candidates, exact = self._exact_scores(candidates, plan, decoded)
            order = np.lexsort((candidates, -exact))[:k]  # ties: the lower document, as max_score does
            return self._keys(candidates[order]), exact[order]
        finally:
            if sum(len(ids) for ids in touched) > len(acc) // _RESET_SHARE:
                acc.fill(0.0)  # one sequential pass beats scattered writes to most of the buffer
            else:
                for ids in touched:
                    acc[ids] = 0.0
            self._give(buffers)

    def _max_score(self, kern, plan: Sequence[_Term], k: int, deleted: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The compiled document-at-a-time search (see ``kernels.max_score``): same results as the
        term-at-a-time walk, faster when a query has few terms."""
        k = min(k, self.n_docs)
        top_docs, top_scores = np.empty(k, np.int64), np.empty(k, np.float64)
        size = kern.max_score(
            *self._lists(plan), self.postings.codes, self._bounds, np.array([p.weight for p in plan]),
            np.array([p.bound for p in plan]), k, _NO_DELETIONS if deleted is None else deleted,
            *self._exact_inputs(), top_docs, top_scores,
        )
        docs, scores = top_docs[:size], top_scores[:size]
        order = np.lexsort((docs, -scores))
        return self._keys(docs[order]), scores[order]

    def _keys(self, docs: np.ndarray) -> np.ndarray:
        """The keys (int64) of local documents."""
        if self._first_key is not None:
            return docs.astype(np.int64) + self._first_key
        return np.asarray(self.doc_keys[docs], dtype=np.int64)

    def _lists(self, plan: Sequence[_Term]) -> tuple:
        """What the compiled kernels read of the planned terms' compressed lists."""
        enc = self.postings
        indices = np.array([p.tid for p in plan], np.int64)
        return (
            enc.gaps, enc.gap_exc_pos, enc.gap_exc, enc.skips, enc.gap_start[indices].astype(np.int64),
            enc.gap_width[indices].astype(np.int64),
            enc.first_doc[indices].astype(np.int64), np.array([p.start for p in plan], np.int64),
            np.array([p.end for p in plan], np.int64),
        )

    def _exact_inputs(self) -> tuple:
        enc = self.postings
        return (enc.codes, self._ratios, self._exceptional, enc.tf_exc_pos, enc.tf_exc, self.doc_lengths,
                float(self.params.k1),
                float(self.params.b), float(self.avgdl))

    def _bound_scores(
        self, docs: np.ndarray, plan: Sequence[_Term], base: np.ndarray, decoded: dict[int, np.ndarray]
    ) -> np.ndarray:
        """``base`` plus the impact codes' upper bounds of sorted ``docs`` for the planned terms (float64)."""
        scores = base.astype(np.float64)
        for term in plan:
            hit, positions = self._locate(term, docs, decoded)
            scores[hit] += self._bounds[self.postings.codes[positions]] * term.weight
        return scores

    def _exact_scores(
        self, docs: np.ndarray, plan: Sequence[_Term], decoded: dict[int, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Sorted ``docs`` and their exact float64 scores: each document looked up in each query term's
        list, the impact from the posting's term frequency and the document's length, summed in plan
        order."""
        docs = np.sort(docs)
        scores = np.zeros(len(docs), dtype=np.float64)
        if not len(docs):
            return docs, scores
        kern = kernels.ready()
        if kern is not None:
            kern.add_scores(*self._lists(plan), np.array([p.weight for p in plan]), *self._exact_inputs(), docs, scores)
            return docs, scores
        for term in plan:
            hit, positions = self._locate(term, docs, decoded)
            scores[hit] += self._exact_impacts(positions, docs[hit]) * term.weight
        return docs, scores


class _Buffers:
    """One search's working buffers, all zeros between searches: the score accumulator (every impact bound
    is positive, so a zero also means "not seen yet"; float32 halves the memory traffic of walking posting
    lists, pruning allows for its rounding and the final top-k is rescored exactly in float64), and the
    document bitmap (one byte each), made the first time a search needs it."""

    __slots__ = ("_marks", "scratch")

    def __init__(self, n_docs: int) -> None:
        self.scratch = np.zeros(n_docs, dtype=np.float32)
        self._marks: np.ndarray | None = None

    def marks(self) -> np.ndarray:
        if self._marks is None:
            self._marks = np.zeros(len(self.scratch), dtype=bool)
        return self._marks


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
