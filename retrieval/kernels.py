"""Compiled search loops (Numba), loaded on demand and never waited for.

NumPy walks a posting list in five or six whole-array passes (gather, multiply, add, scatter,
compare, compress), about 8 ns per posting; one fused compiled loop takes about 1 ns. The walking
loops here do exactly the float32 arithmetic of the NumPy expressions they replace, in the same
order (upper bounds of the 8-bit impact codes, see ``postings``); ``max_score`` searches a whole query
document-at-a-time and scores its top candidates exactly, in float64, in the order the exact
rescoring does. Either way a search returns the same documents and
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

    from .postings import BLOCK


    acc = types.Array(types.float32, 1, "C")
    ids = types.Array(types.int32, 1, "C", readonly=True)  # writable arrays are accepted too
    codes = types.Array(types.uint8, 1, "C", readonly=True)
    table = types.Array(types.float32, 1, "C", readonly=True)
    updated = types.Array(types.float32, 1, "C")
    fresh = types.Array(types.int32, 1, "C")
    marks = types.Array(types.boolean, 1, "C")
    options: dict[str, Any] = {"nogil": True, "cache": True, "boundscheck": False}

    @njit(types.void(acc, ids, codes, table, types.float32, updated), **options)
    def scatter_first(acc, ids, codes, table, weight, updated):  # pragma: no cover - compiled
        """acc[ids] = updated = table[codes] · weight (the accumulator is all zeros)."""
        for i in range(ids.shape[0]):
            value = table[codes[i]] * weight
            updated[i] = value
            acc[ids[i]] = value

    @njit(types.intp(acc, ids, codes, table, types.float32, updated, fresh), **options)
    def scatter_add(acc, ids, codes, table, weight, updated, fresh):  # pragma: no cover - compiled
        """acc[ids] = updated = acc[ids] + table[codes] · weight; the ids seen for the first time go to
        ``fresh`` (branch-free). Returns how many."""
        n_fresh = 0
        for i in range(ids.shape[0]):
            doc = ids[i]
            before = acc[doc]
            value = before + table[codes[i]] * weight
            acc[doc] = value
            updated[i] = value
            fresh[n_fresh] = doc
            n_fresh += before == 0.0
        return n_fresh

    @njit(types.void(acc, ids, codes, table, types.float32, marks), **options)
    def add_marked(acc, ids, codes, table, weight, marks):  # pragma: no cover - compiled
        """acc[d] += table[code] · weight for the postings whose document is marked."""
        for i in range(ids.shape[0]):
            doc = ids[i]
            if marks[doc]:
                acc[doc] += table[codes[i]] * weight

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

    gaps = types.Array(types.uint8, 1, "C", readonly=True)
    float64s = types.Array(types.float64, 1, "C")
    offsets = types.Array(types.int64, 1, "C", readonly=True)
    int32s_in = types.Array(types.int32, 1, "C", readonly=True)

    @njit(**options)
    def lower_bound(values, value):  # pragma: no cover - compiled
        """The first position in the sorted ``values`` whose value is >= ``value``."""
        low, high = 0, values.shape[0]
        while low < high:
            middle = (low + high) >> 1
            if values[middle] < value:
                low = middle + 1
            else:
                high = middle
        return low

    @njit(**options)
    def raw_gap(gaps, offset, width, k):  # pragma: no cover - compiled
        """The ``k``-th stored gap of a term whose gaps start at byte ``offset`` (little-endian; 0: an exception)."""
        if width == 1:
            return np.int64(gaps[offset + k])
        if width == 2:
            at = offset + 2 * k
            return np.int64(gaps[at]) | np.int64(gaps[at + 1]) << 8
        at = offset + 4 * k
        return (np.int64(gaps[at]) | np.int64(gaps[at + 1]) << 8 | np.int64(gaps[at + 2]) << 16
                | np.int64(gaps[at + 3]) << 24)

    @njit(types.void(gaps, offsets, int32s_in, types.int64, types.int64, types.int64, types.int64, fresh), **options)
    def decode(gaps, exc_pos, exc, offset, width, first, start, out):  # pragma: no cover - compiled
        """A term's document ids (its postings start at ``start``) from its gaps and their exceptions."""
        if out.shape[0] == 0:
            return
        doc = first
        out[0] = doc
        e = lower_bound(exc_pos, start + 1)  # the exceptions come in the order of the escapes
        for i in range(1, out.shape[0]):
            gap = raw_gap(gaps, offset, width, i)
            if gap == 0:
                gap = np.int64(exc[e])
                e += 1
            doc += gap
            out[i] = doc

    @njit(**options)
    def exact_impact(codes, ratios, exceptional, tf_exc_pos, tf_exc, position, norm, k1):  # pragma: no cover - compiled
        """``postings.exact_impacts`` of one posting in a document with length norm ``norm``, its term
        frequency from ``postings.recover_tf`` or the exceptions: the same float64 expressions."""
        code = codes[position]
        at = lower_bound(tf_exc_pos, position) if exceptional[code] else tf_exc_pos.shape[0]
        if at < tf_exc_pos.shape[0] and tf_exc_pos[at] == position:
            tf = np.float64(tf_exc[at])
        else:
            tf = max(np.floor(norm * ratios[code] + 0.5), 1.0)
        return tf * (k1 + 1) / (tf + norm)

    past = np.int64(1) << 40  # "after every document": an exhausted list
    block = BLOCK

    @njit(**options)
    def gap_at(gaps, exc_pos, exc, offset, width, start, k):  # pragma: no cover - compiled
        """The gap before posting ``start + k`` of a term whose postings start at ``start``."""
        gap = raw_gap(gaps, offset, width, k)
        if gap == 0:
            gap = np.int64(exc[lower_bound(exc_pos, start + k)])
        return gap

    @njit(**options)
    def seek(gaps, exc_pos, exc, skips, offset, width, start, end, pos, doc, target):  # pragma: no cover - compiled
        """From posting ``pos`` (document ``doc`` < ``target``) of a list ``start:end`` to its first
        posting whose document is ≥ ``target``: gallop to the last skip entry not past it, then decode
        forward. Returns ``(position, document)``; ``(end, past)`` when there is none."""
        low, stop = pos // block + 1, (end - 1) // block + 1
        if low < stop and skips[low] <= target:
            step, high = 1, low + 1  # gallop from here: targets are usually near
            while high < stop and skips[high] <= target:
                low = high
                step <<= 1
                high = low + step
            high = min(high, stop)
            while high - low > 1:  # the last entry in [low, high) whose document is <= target
                middle = (low + high) >> 1
                if skips[middle] <= target:
                    low = middle
                else:
                    high = middle
            pos, doc = low * block, np.int64(skips[low])
        if width == 1:  # the common case, without a branch on the width per gap
            at = offset + pos - start
            while doc < target:
                pos += 1
                at += 1
                if pos >= end:
                    return end, past
                gap = np.int64(gaps[at])
                doc += gap if gap != 0 else np.int64(exc[lower_bound(exc_pos, pos)])
            return pos, doc
        while doc < target:
            pos += 1
            if pos >= end:
                return end, past
            doc += gap_at(gaps, exc_pos, exc, offset, width, start, pos - start)
        return pos, doc

    lists = (gaps, offsets, int32s_in, int32s_in, offsets, offsets, offsets, offsets, offsets)
    """gaps, their exceptions (positions, gaps), skips, and per list: gap offset, gap width, first
    document, postings start and end."""
    float64s_ro = types.Array(types.float64, 1, "C", readonly=True)
    bools_ro = types.Array(types.boolean, 1, "C", readonly=True)
    exact = (gaps, float64s_ro, bools_ro, offsets, int32s_in, int32s_in, types.float64, types.float64, types.float64)
    """codes, tf ratios, exceptional codes, tf_exc_pos, tf_exc, doc_lengths, k1, b, avgdl: what exact
    rescoring reads."""

    @njit(types.void(*lists, float64s, *exact, ids, float64s), **options)
    def add_scores(gaps, exc_pos, exc, skips, gap_offsets, widths, firsts, starts, ends, weights,
                   codes, ratios, exceptional, tf_exc_pos, tf_exc, doc_lengths, k1, b, avgdl, docs, scores):  # pragma: no cover - compiled
        """scores[j] += exact impact · weight of each term (in order) whose posting list holds docs[j];
        ``docs`` are sorted, so each list is searched forward from the last hit."""
        for t in range(starts.shape[0]):
            start, end, weight = starts[t], ends[t], weights[t]
            pos, current = start, (np.int64(firsts[t]) if start < end else past)
            for j in range(docs.shape[0]):
                doc = np.int64(docs[j])
                if current < doc:
                    pos, current = seek(gaps, exc_pos, exc, skips, gap_offsets[t], widths[t], start, end, pos, current,
                                        doc)
                if current == past:
                    break
                if current == doc:
                    norm = k1 * (1 - b + b * np.float64(doc_lengths[doc]) / avgdl)
                    impact = exact_impact(codes, ratios, exceptional, tf_exc_pos, tf_exc, pos, norm, k1)
                    scores[j] += impact * weight

    marks_in = types.Array(types.boolean, 1, "C", readonly=True)
    int64s = types.Array(types.int64, 1, "C")
    float64s_in = types.Array(types.float64, 1, "C", readonly=True)

    @njit(types.intp(*lists, codes, table, float64s_in, float64s_in, types.intp, marks_in, *exact, int64s, float64s),
          **options)
    def max_score(gaps, exc_pos, exc, skips, gap_offsets, widths, firsts, starts, ends, all_codes, table, weights, bounds, k,
                  deleted, tf_codes, ratios, exceptional, tf_exc_pos, tf_exc, doc_lengths, k1, b, avgdl, top_docs,
                  top_scores):  # pragma: no cover - compiled
        """Exact top-``k`` by document-at-a-time MaxScore over the compressed lists: they are merged in
        document order; the lists whose summed bounds cannot lift a document past the k-th score (θ) are
        only searched (``seek``) for documents the others found. A document's partial score sums the
        upper bounds of its impact codes (``table``); only a document that could still enter the top k
        is scored exactly, summing its exact impacts (``exact_impact``) in float64 in plan order, as
        ``Segment._exact_scores`` does. Terms come in plan order; ``bounds`` are their weighted maximum
        impacts. Ties go to the lower document. Writes a heap into ``top_docs``/``top_scores``; returns
        its size."""
        n = starts.shape[0]
        by_bound = np.argsort(bounds, kind="mergesort")  # non-essential lists are a prefix of this order
        term = np.empty(n, np.int64)
        pos = np.empty(n, np.int64)
        at = np.empty(n, np.int64)  # each list's current document (`past` once exhausted)
        reach = np.empty(n, np.float64)  # the most lists 0..i can add, with a rounding allowance
        hit = np.full(n, -1, np.int64)  # this document's posting per term (in plan order), or -1
        total = 0.0
        for i in range(n):
            t = by_bound[i]
            term[i], pos[i] = t, starts[t]
            at[i] = firsts[t] if starts[t] < ends[t] else past
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
            partial = 0.0  # an upper bound of the document's score from the lists seen so far
            following = past
            for i in range(first, n):
                current = at[i]
                if current == doc:
                    t = term[i]
                    p = pos[i]
                    hit[t] = p
                    partial += np.float64(table[all_codes[p]]) * weights[t]
                    p += 1
                    pos[i] = p
                    if p < ends[t]:
                        current += gap_at(gaps, exc_pos, exc, gap_offsets[t], widths[t], starts[t], p - starts[t])
                    else:
                        current = past
                    at[i] = current
                following = min(following, current)
            alive = not (check_deleted and deleted[doc])
            if alive:
                for i in range(first - 1, -1, -1):
                    if partial * (1.0 + 1e-4) + reach[i] <= theta:
                        alive = False
                        break
                    t = term[i]
                    if at[i] < doc:
                        pos[i], at[i] = seek(gaps, exc_pos, exc, skips, gap_offsets[t], widths[t], starts[t], ends[t],
                                             pos[i], at[i], doc)
                    if at[i] == doc:
                        hit[t] = pos[i]
                        partial += np.float64(table[all_codes[pos[i]]]) * weights[t]
            if alive and (size < k or partial * (1.0 + 1e-4) > theta):
                score = 0.0
                norm = k1 * (1 - b + b * np.float64(doc_lengths[doc]) / avgdl)
                for t in range(n):
                    if hit[t] >= 0:
                        impact = exact_impact(tf_codes, ratios, exceptional, tf_exc_pos, tf_exc, hit[t], norm, k1)
                        score += impact * weights[t]
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
                hit[t] = -1
            doc = following
        return size

    return SimpleNamespace(
        scatter_first=scatter_first, scatter_add=scatter_add, add_marked=add_marked,
        gather_at_least=gather_at_least, decode=decode, add_scores=add_scores, max_score=max_score,
    )
