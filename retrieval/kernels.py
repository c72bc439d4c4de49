"""Compiled search loops (Numba), loaded on demand and never waited for.

NumPy walks a posting list in five or six whole-array passes (gather, multiply, add, scatter,
compare, compress), about 8 ns per posting; one fused compiled loop takes about 1 ns. The walking
loops here do exactly the float32 arithmetic of the NumPy expressions they replace, in the same
order; ``max_score`` searches a whole query document-at-a-time and sums each score in
float64 in the order the exact rescoring does. Either way a search returns the same documents and
scores as with NumPy.

Numba is optional (``pip install 'newsbot[fast]'``). Compiling (or loading the on-disk cache) takes
0.3–3 s, so nothing here happens at import time. A long-running process calls :func:`warm_up` in the
background; until it finishes, and wherever Numba is not installed, :func:`ready` returns ``None`` and
searches use NumPy.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
import time
from types import SimpleNamespace
from typing import Any

log = logging.getLogger(__name__)

_lock = threading.Lock()
_kernels: SimpleNamespace | None = None
_failed = False


def ready() -> SimpleNamespace | None:
    """The compiled kernels if :func:`warm_up` has finished, else ``None`` (never blocks)."""
    return _kernels


def available() -> bool:
    """Whether Numba is installed (the ``fast`` extra); looked up without importing it."""
    try:
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):  # a broken or half-removed installation
        return False


def warm_up() -> bool:
    """Import Numba and compile (or load from cache) every kernel; idempotent and thread-safe.

    Returns whether the kernels are available. Without Numba, or if compiling fails, NumPy stays in
    charge: a missing Numba is logged once at info level, a failure once as a warning.
    """
    global _kernels, _failed
    if _kernels is not None:
        return True
    if _failed:
        return False
    with _lock:
        if _kernels is None and not _failed:
            if not available():
                _failed = True
                log.info("Numba is not installed: searching with NumPy (pip install 'newsbot[fast]' to compile)")
                return False
            started = time.perf_counter()
            try:
                kernels = _compile()
            except Exception:  # no Numba for this platform, an unwritable cache, a compiler error...
                _failed = True
                log.warning("compiled search kernels unavailable; searching with NumPy", exc_info=True)
                return False
            _kernels = kernels
            log.info("compiled search kernels ready in %.2fs", time.perf_counter() - started)
    return _kernels is not None


def _compile() -> SimpleNamespace:
    """Compile for the one signature searches use (explicit, so no call ever compiles lazily)."""
    import numpy as np
    from numba import njit, types

    acc = types.Array(types.float32, 1, "C")
    ids = types.Array(types.int32, 1, "C", readonly=True)  # writable arrays are accepted too
    impacts = types.Array(types.float32, 1, "C", readonly=True)
    updated = types.Array(types.float32, 1, "C")
    fresh = types.Array(types.int32, 1, "C")
    marks = types.Array(types.boolean, 1, "C")
    options: dict[str, Any] = {"nogil": True, "cache": True, "boundscheck": False}

    @njit(types.void(acc, ids, impacts, types.float32, updated), **options)
    def scatter_first(acc, ids, impacts, weight, updated):  # pragma: no cover - compiled
        """acc[ids] = updated = impacts · weight (the accumulator is all zeros)."""
        for i in range(ids.shape[0]):
            value = impacts[i] * weight
            updated[i] = value
            acc[ids[i]] = value

    @njit(types.intp(acc, ids, impacts, types.float32, updated, fresh), **options)
    def scatter_add(acc, ids, impacts, weight, updated, fresh):  # pragma: no cover - compiled
        """acc[ids] = updated = acc[ids] + impacts · weight; the ids seen for the first time go to
        ``fresh`` (branch-free). Returns how many."""
        n_fresh = 0
        for i in range(ids.shape[0]):
            doc = ids[i]
            before = acc[doc]
            value = before + impacts[i] * weight
            acc[doc] = value
            updated[i] = value
            fresh[n_fresh] = doc
            n_fresh += before == 0.0
        return n_fresh

    @njit(types.void(acc, ids, impacts, types.float32, marks), **options)
    def add_marked(acc, ids, impacts, weight, marks):  # pragma: no cover - compiled
        """acc[d] += impact · weight for the postings whose document is marked."""
        for i in range(ids.shape[0]):
            doc = ids[i]
            if marks[doc]:
                acc[doc] += impacts[i] * weight

    @njit(types.intp(acc, ids, types.float32, fresh, updated), **options)
    def gather_at_least(acc, candidates, floor, kept, scores):  # pragma: no cover - compiled
        """The candidates whose accumulated score is at least ``floor`` into ``kept``, their scores into
        ``scores`` (branch-free, order kept). Returns how many."""
        n_kept = 0
        for i in range(candidates.shape[0]):
            doc = candidates[i]
            value = acc[doc]
            kept[n_kept] = doc
            scores[n_kept] = value
            n_kept += value >= floor
        return n_kept

    float64s = types.Array(types.float64, 1, "C")
    offsets = types.Array(types.int64, 1, "C", readonly=True)

    @njit(types.void(ids, impacts, offsets, offsets, float64s, ids, float64s), **options)
    def add_scores(doc_ids, all_impacts, starts, ends, weights, docs, scores):  # pragma: no cover - compiled
        """scores[j] += impact · weight of each term (in order) whose posting list holds docs[j]; the
        lists and ``docs`` are sorted, so each list is searched forward from the last hit."""
        for t in range(starts.shape[0]):
            low, end, weight = starts[t], ends[t], weights[t]
            for j in range(docs.shape[0]):
                doc = docs[j]
                high = end  # first position in [low, end) whose id is >= doc
                while low < high:
                    middle = (low + high) >> 1
                    if doc_ids[middle] < doc:
                        low = middle + 1
                    else:
                        high = middle
                if low == end:
                    break
                if doc_ids[low] == doc:
                    scores[j] += np.float64(all_impacts[low]) * weight

    marks_in = types.Array(types.boolean, 1, "C", readonly=True)
    int64s = types.Array(types.int64, 1, "C")
    float64s_in = types.Array(types.float64, 1, "C", readonly=True)

    @njit(types.intp(ids, impacts, offsets, offsets, float64s_in, float64s_in, types.intp, marks_in, int64s, float64s),
          **options)
    def max_score(doc_ids, all_impacts, starts, ends, weights, bounds, k, deleted, top_docs, top_scores):  # pragma: no cover - compiled
        """Exact top-``k`` by document-at-a-time MaxScore: the lists are merged in document order; the
        lists whose summed bounds cannot lift a document past the k-th score (θ) are only searched for
        documents the others found. Terms come in plan order (scores are summed in that order, in
        float64, exactly as ``Segment._exact_scores`` does); ``bounds`` are their weighted maximum
        impacts. Ties go to the lower document. Writes a heap into ``top_docs``/``top_scores``;
        returns its size."""
        n = starts.shape[0]
        by_bound = np.argsort(bounds, kind="mergesort")  # non-essential lists are a prefix of this order
        term = np.empty(n, np.int64)
        pos = np.empty(n, np.int64)
        end = np.empty(n, np.int64)
        weight = np.empty(n, np.float64)
        at = np.empty(n, np.int64)  # each list's current document (`past` once exhausted)
        reach = np.empty(n, np.float64)  # the most lists 0..i can add, with a rounding allowance
        contribution = np.zeros(n, np.float64)  # this document's score per term, in plan order
        past = np.int64(1) << 40
        total = 0.0
        for i in range(n):
            t = by_bound[i]
            term[i], pos[i], end[i], weight[i] = t, starts[t], ends[t], weights[t]
            at[i] = doc_ids[pos[i]] if pos[i] < end[i] else past
            total += bounds[t]
            reach[i] = total * (1.0 + 1e-4)
        check_deleted = deleted.shape[0] > 0
        size = 0
        theta = -1.0
        first = 0  # lists first..n-1 are essential: a document must be in one of them to reach θ
        doc = past
        for i in range(n):
            doc = min(doc, at[i])
        while doc < past:
            partial = 0.0
            following = past
            for i in range(first, n):
                current = at[i]
                if current == doc:
                    p = pos[i]
                    value = np.float64(all_impacts[p]) * weight[i]
                    contribution[term[i]] = value
                    partial += value
                    p += 1
                    pos[i] = p
                    current = np.int64(doc_ids[p]) if p < end[i] else past
                    at[i] = current
                following = min(following, current)
            alive = not (check_deleted and deleted[doc])
            if alive:
                for i in range(first - 1, -1, -1):
                    if partial + reach[i] <= theta:
                        alive = False
                        break
                    current = at[i]
                    if current < doc:  # gallop, then binary search, to the first id >= doc
                        stop, step = end[i], 1
                        low = pos[i] + 1
                        high = low
                        while high < stop and doc_ids[high] < doc:
                            low = high + 1
                            high = low + step
                            step <<= 1
                        high = min(high, stop)
                        while low < high:
                            middle = (low + high) >> 1
                            if doc_ids[middle] < doc:
                                low = middle + 1
                            else:
                                high = middle
                        pos[i] = low
                        current = np.int64(doc_ids[low]) if low < stop else past
                        at[i] = current
                    if current == doc:
                        value = np.float64(all_impacts[pos[i]]) * weight[i]
                        contribution[term[i]] = value
                        partial += value
            if alive and (size < k or partial * (1.0 + 1e-4) > theta):
                score = 0.0
                for t in range(n):
                    score += contribution[t]
                if size < k:  # sift up: the root is the worst (lowest score, then highest document)
                    j = size
                    size += 1
                    while j > 0:
                        parent = (j - 1) >> 1
                        if score < top_scores[parent] or (score == top_scores[parent] and doc > top_docs[parent]):
                            top_scores[j], top_docs[j] = top_scores[parent], top_docs[parent]
                            j = parent
                        else:
                            break
                    top_scores[j], top_docs[j] = score, doc
                    if size == k:
                        theta = top_scores[0]
                elif score > theta:  # replace the root, sift down
                    j = 0
                    while True:
                        child = 2 * j + 1
                        if child >= k:
                            break
                        right = child + 1
                        if right < k and (top_scores[right] < top_scores[child] or (
                                top_scores[right] == top_scores[child] and top_docs[right] > top_docs[child])):
                            child = right
                        if top_scores[child] < score or (top_scores[child] == score and top_docs[child] > doc):
                            top_scores[j], top_docs[j] = top_scores[child], top_docs[child]
                            j = child
                        else:
                            break
                    top_scores[j], top_docs[j] = score, doc
                    theta = top_scores[0]
                if size == k and first < n and reach[first] <= theta:
                    while first < n and reach[first] <= theta:
                        first += 1
                    following = past
                    for i in range(first, n):
                        following = min(following, at[i])
            for t in range(n):
                contribution[t] = 0.0
            doc = following
        return size

    return SimpleNamespace(
        scatter_first=scatter_first, scatter_add=scatter_add, add_marked=add_marked,
        gather_at_least=gather_at_least, add_scores=add_scores, max_score=max_score,
    )
