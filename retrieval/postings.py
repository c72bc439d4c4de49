"""Compact posting lists: delta-encoded document ids and 8-bit impacts.

Per posting a segment stores about 2.7 bytes instead of 8:

* **document ids** as gaps from the previous posting of the same term, 1, 2 or 4 bytes each, the
  width that makes the term's list smallest: a gap too wide for it is stored as 0 (no gap is 0) and
  kept, with its position, among the exceptions (``gap_exc_pos``, ``gap_exc``: 12 bytes each). A
  term's first document is kept apart (``first_doc``); its gaps start on a 4-byte boundary, so they
  are a plain ``uint8``/``uint16``/``uint32`` array and decode with one patch and one cumulative sum.
  ``skips`` holds the document of every ``BLOCK``-th posting, so a few documents are found in a long
  list by decoding only the blocks that can hold them;
* **impacts** ``tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))`` quantized to 8 bits, rounded *up*
  (``ceil``), so a code read through :data:`upper_bounds` never underestimates: searches accumulate
  these upper bounds to choose candidates and prune, then rescore the candidates exactly;
* **term frequencies** are not stored: a code and the document's length give them back
  (:func:`recover_tf`), except where two frequencies share a code (large ones); the build checks
  every posting and keeps those few as exceptions (``tf_exc_pos``, ``tf_exc``). With the length, the
  frequency gives the exact float64 impact (:func:`exact_impacts`) for that rescoring.

Everything here is vectorised NumPy; ``kernels`` has compiled equivalents doing the same arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

BLOCK = 32
"""Postings between two skip entries."""
LEVELS = 255
"""Impact codes 1..255 (0 is never stored: every impact is positive)."""
_WIDTH_DTYPE: dict[int, np.dtype] = {1: np.dtype("<u1"), 2: np.dtype("<u2"), 4: np.dtype("<u4")}
_EXCEPTION_BYTES = 12
_CHUNK = 1 << 21
"""Postings handled at once by the build (bounds its temporary arrays to ~100 MB)."""


def step(k1: float) -> float:
    """The quantization step: impacts lie in (0, k1 + 1]."""
    return (k1 + 1) / LEVELS


def upper_bounds(k1: float) -> np.ndarray:
    """float32 value of each impact code, rounded up: ``upper_bounds(k1)[code] ≥`` every impact with that code."""
    return round_up32(np.arange(LEVELS + 1, dtype=np.float64) * step(k1))


def round_up32(values: np.ndarray) -> np.ndarray:
    """float32 values never below the given float64 ones."""
    rounded = values.astype(np.float32)
    below = rounded.astype(np.float64) < values
    rounded[below] = np.nextafter(rounded[below], np.float32(np.inf))
    return rounded


def length_norms(dl: np.ndarray, k1: float, b: float, avgdl: float) -> np.ndarray:
    """``k1·(1 − b + b·dl/avgdl)`` per document length (float64). ``kernels`` evaluates the same
    expressions as this module, in the same order, so both paths score bit for bit alike."""
    return k1 * (1 - b + b * dl / avgdl)


def exact_impacts(tf: np.ndarray, norms: np.ndarray, k1: float) -> np.ndarray:
    """float64 BM25 term-frequency part, given the documents' ``length_norms``."""
    return tf * (k1 + 1) / (tf + norms)


def tf_ratios(k1: float) -> np.ndarray:
    """Per code, ``I / (k1 + 1 − I)`` for the impact ``I`` in the middle of its range: times a length
    norm, the term frequency with that impact."""
    middle = (np.arange(LEVELS + 1, dtype=np.float64) - 0.5) * step(k1)
    ratios = middle / (k1 + 1 - middle)
    ratios[0] = 0.0
    return ratios


def recover_tf(codes: np.ndarray, norms: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """The term frequency (float64) whose impact falls in the middle of each code's range, in documents
    with the given ``length_norms``: the impact's inverse, rounded."""
    return np.maximum(np.floor(norms * ratios[codes] + 0.5), 1.0)


def quantize(impacts: np.ndarray, k1: float) -> np.ndarray:
    """uint8 codes with ``code · step ≥ impact`` (never below, whatever the float rounding)."""
    size = step(k1)
    codes = np.ceil(impacts / size)
    codes[codes * size < impacts] += 1
    return np.clip(codes, 1, LEVELS).astype(np.uint8)


@dataclass(frozen=True, slots=True)
class Encoded:
    """The encoded postings of a segment (every array is saved and memory-mapped as is)."""

    first_doc: np.ndarray  # int32 per term: its first document
    gap_start: np.ndarray  # int64 per term: byte offset of its gaps in ``gaps`` (a multiple of 4)
    gap_width: np.ndarray  # uint8 per term: 1, 2 or 4 bytes per gap
    gaps: np.ndarray  # uint8 stream; each term's first gap is 0, and so is every gap too wide for its width
    gap_exc_pos: np.ndarray  # int64: sorted positions of the postings whose gap is too wide for their term's width
    gap_exc: np.ndarray  # int32: those gaps
    skips: np.ndarray  # int32: the document of posting BLOCK·j (whichever term it belongs to)
    codes: np.ndarray  # uint8 per posting: quantized impact
    tf_exc_pos: np.ndarray  # int64: sorted positions of the postings whose code does not give back their tf
    tf_exc: np.ndarray  # int32: their term frequencies
    max_impact: np.ndarray  # float32 per term: its largest impact, rounded up


ARRAYS = tuple(Encoded.__dataclass_fields__)


def group_by_term(
    tids: np.ndarray, tfs: np.ndarray, per_doc: np.ndarray, offsets: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Postings given document by document (term ids, frequencies, distinct terms per document) grouped
    by term, each term's in document order: ``(documents, frequencies)``. A stable counting placement
    over chunks of documents: the temporaries stay a few times ``_CHUNK``, not a sort of everything."""
    n = len(tids)
    docs_out = np.empty(n, np.int32)
    tf_out = np.empty(n, tfs.dtype)
    cursor = offsets[:-1].copy()
    doc_starts = np.zeros(len(per_doc) + 1, np.int64)
    np.cumsum(per_doc, out=doc_starts[1:])
    cuts = np.unique(np.append(np.searchsorted(doc_starts, np.arange(0, n, _CHUNK)), len(per_doc)))
    for d0, d1 in pairwise(cuts.tolist()):
        a, b = int(doc_starts[d0]), int(doc_starts[d1])
        if a == b:
            continue
        chunk = tids[a:b]
        order = np.argsort(chunk, kind="stable")
        grouped = chunk[order]
        firsts = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
        rank = np.arange(b - a) - np.repeat(firsts, np.diff(np.append(firsts, b - a)))
        dest = cursor[grouped] + rank
        docs_out[dest] = np.repeat(np.arange(d0, d1, dtype=np.int32), per_doc[d0:d1])[order]
        tf_out[dest] = tfs[a:b][order]
        cursor[grouped[firsts]] += np.diff(np.append(firsts, b - a))
    return docs_out, tf_out


def encode(
    docs: np.ndarray, tfs: np.ndarray, offsets: np.ndarray, doc_lengths: np.ndarray, *, k1: float, b: float, avgdl: float
) -> Encoded:
    """Encode postings grouped by term (``offsets``), chunk by chunk of whole terms."""
    n_terms, n = len(offsets) - 1, len(docs)
    first_doc = np.zeros(n_terms, np.int32)
    gap_width = np.ones(n_terms, np.uint8)
    gap_start = np.zeros(n_terms, np.int64)
    max_impact = np.zeros(n_terms, np.float32)
    codes = np.empty(n, np.uint8)
    ratios = tf_ratios(k1)
    streams: list[np.ndarray] = []
    exception_pos: list[np.ndarray] = []
    exception_gap: list[np.ndarray] = []
    tf_exception_pos: list[np.ndarray] = []
    tf_exception: list[np.ndarray] = []
    position = 0
    cuts = np.unique(np.append(np.searchsorted(offsets[:-1], np.arange(0, n, _CHUNK)), n_terms))
    for t0, t1 in pairwise(cuts.tolist()):
        a, z = int(offsets[t0]), int(offsets[t1])
        if a == z:
            continue
        starts = offsets[t0:t1] - a  # every term has a posting: the starts are distinct
        lengths = np.diff(offsets[t0 : t1 + 1])
        chunk = docs[a:z]
        frequencies = tfs[a:z].astype(np.float64)
        norms = length_norms(doc_lengths[chunk].astype(np.float64), k1, b, avgdl)
        impacts = exact_impacts(frequencies, norms, k1)
        codes[a:z] = quantize(impacts, k1)
        ambiguous = np.flatnonzero(recover_tf(codes[a:z], norms, ratios) != frequencies)
        tf_exception_pos.append(ambiguous + a)
        tf_exception.append(tfs[a:z][ambiguous].astype(np.int32))
        max_impact[t0:t1] = round_up32(np.maximum.reduceat(impacts, starts))
        gaps = np.empty(z - a, np.int64)
        gaps[1:] = np.diff(chunk)
        gaps[starts] = 0
        first_doc[t0:t1] = chunk[starts]
        # the width that makes each term's list smallest, its wider gaps being exceptions
        costs = np.stack([
            lengths * w + _EXCEPTION_BYTES * np.add.reduceat((gaps >= 1 << (8 * w)).astype(np.int32), starts)
            for w in (1, 2, 4)
        ])
        width = np.array([1, 2, 4], np.uint8)[np.argmin(costs, axis=0)]
        gap_width[t0:t1] = width
        posting_width = np.repeat(width, lengths)
        wide = np.flatnonzero(gaps >= np.left_shift(1, 8 * posting_width.astype(np.int64)))
        exception_pos.append(wide + a)
        exception_gap.append(gaps[wide].astype(np.int32))
        gaps[wide] = 0
        sizes = (lengths * width + 3) // 4 * 4
        local = np.zeros(len(sizes), np.int64)
        np.cumsum(sizes[:-1], out=local[1:])
        gap_start[t0:t1] = position + local
        stream = np.zeros(int(sizes.sum()), np.uint8)
        within = np.arange(z - a) - np.repeat(starts, lengths)
        element = np.repeat(local // width, lengths) + within
        for w, dtype in _WIDTH_DTYPE.items():
            chosen = posting_width == w
            if chosen.any():
                stream.view(dtype)[element[chosen]] = gaps[chosen]
        streams.append(stream)
        position += len(stream)
    return Encoded(
        first_doc=first_doc, gap_start=gap_start, gap_width=gap_width,
        gaps=np.concatenate(streams) if streams else np.zeros(0, np.uint8),
        gap_exc_pos=np.concatenate(exception_pos) if exception_pos else np.zeros(0, np.int64),
        gap_exc=np.concatenate(exception_gap) if exception_gap else np.zeros(0, np.int32),
        skips=docs[::BLOCK].copy(), codes=codes,
        tf_exc_pos=np.concatenate(tf_exception_pos) if tf_exception_pos else np.zeros(0, np.int64),
        tf_exc=np.concatenate(tf_exception) if tf_exception else np.zeros(0, np.int32),
        max_impact=max_impact,
    )


def decode_ids(enc: Encoded, term: int, start: int, end: int) -> np.ndarray:
    """The sorted int32 document ids of ``term`` (postings ``start:end``)."""
    width = int(enc.gap_width[term])
    offset = int(enc.gap_start[term])
    ids = enc.gaps[offset : offset + (end - start) * width].view(_WIDTH_DTYPE[width]).astype(np.int32)
    low, high = np.searchsorted(enc.gap_exc_pos, (start, end))
    ids[enc.gap_exc_pos[low:high] - start] = enc.gap_exc[low:high]
    ids[0] = enc.first_doc[term]
    return np.cumsum(ids, out=ids)


def term_frequencies(enc: Encoded, positions: np.ndarray, norms: np.ndarray, ratios: np.ndarray) -> np.ndarray:
    """Term frequencies (float64) of the postings at the given positions, in documents with ``norms``."""
    tf = recover_tf(enc.codes[positions], norms, ratios)
    if len(enc.tf_exc_pos) and len(positions):
        at = np.minimum(np.searchsorted(enc.tf_exc_pos, positions), len(enc.tf_exc_pos) - 1)
        kept = enc.tf_exc_pos[at] == positions
        tf[kept] = enc.tf_exc[at[kept]]
    return tf


def locate(enc: Encoded, term: int, start: int, end: int, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of the sorted ``docs`` occur in ``term``'s list (postings ``start:end``): a mask, and the
    positions in the segment of those that do. Decodes only the blocks that can hold them."""
    anchor_pos = np.concatenate(([start], np.arange(start // BLOCK + 1, (end - 1) // BLOCK + 1) * BLOCK))
    anchor_doc = np.concatenate(([enc.first_doc[term]], enc.skips[start // BLOCK + 1 : (end - 1) // BLOCK + 1]))
    block = np.searchsorted(anchor_doc, docs, side="right") - 1
    used = np.unique(block[block >= 0])
    if not len(used):
        return np.zeros(len(docs), dtype=bool), np.empty(0, np.int64)
    first = anchor_pos[used]
    lengths = np.append(anchor_pos[1:], end)[used] - first
    heads = np.cumsum(lengths) - lengths
    positions = np.repeat(first - heads, lengths) + np.arange(int(lengths.sum()))
    width = int(enc.gap_width[term])
    offset = int(enc.gap_start[term])
    stream = enc.gaps[offset : offset + (end - start) * width].view(_WIDTH_DTYPE[width])
    gaps = stream[positions - start].astype(np.int64)
    low, high = np.searchsorted(enc.gap_exc_pos, (start, end))
    if high > low:  # the exceptions among the decoded postings
        wide = enc.gap_exc_pos[low:high]
        at = np.minimum(np.searchsorted(positions, wide), len(positions) - 1)
        kept = positions[at] == wide
        gaps[at[kept]] = enc.gap_exc[low:high][kept]
    gaps[heads] = 0
    running = np.cumsum(gaps)
    decoded = np.repeat(anchor_doc[used] - running[heads], lengths) + running
    found = np.searchsorted(decoded, docs)
    found[found >= len(decoded)] = len(decoded) - 1
    hit = decoded[found] == docs
    return hit, positions[found[hit]]
