"""Compiled inner loops for walking long posting lists (Numba), loaded on demand and never waited for.

NumPy walks a posting list in five or six whole-array passes (gather, multiply, add, scatter,
compare, compress), about 8 ns per posting; one fused compiled loop takes about 1 ns. The loops
here do exactly the float32 arithmetic of the NumPy expressions they replace, in the same order,
so a search returns the same documents and scores either way.

Compiling (or loading the on-disk cache) takes 0.3–3 s, so nothing here happens at import time.
A long-running process calls :func:`warm_up` in the background; until it finishes, and wherever
Numba is missing, :func:`ready` returns ``None`` and searches use NumPy.
"""

from __future__ import annotations

import logging
import threading
import time
from types import SimpleNamespace

log = logging.getLogger(__name__)

_lock = threading.Lock()
_kernels: SimpleNamespace | None = None
_failed = False


def ready() -> SimpleNamespace | None:
    """The compiled kernels if :func:`warm_up` has finished, else ``None`` (never blocks)."""
    return _kernels


def warm_up() -> bool:
    """Import Numba and compile (or load from cache) every kernel; idempotent and thread-safe.

    Returns whether the kernels are available. A failure is logged once and leaves NumPy in charge.
    """
    global _kernels, _failed
    if _kernels is not None:
        return True
    if _failed:
        return False
    with _lock:
        if _kernels is None and not _failed:
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
    options = {"nogil": True, "cache": True, "boundscheck": False}

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

    return SimpleNamespace(
        scatter_first=scatter_first, scatter_add=scatter_add, add_marked=add_marked,
        gather_at_least=gather_at_least, add_scores=add_scores,
    )
