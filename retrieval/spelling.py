"""Typo tolerance: the known term a reader most likely meant by an unknown one ("microsfot").

A term the index does not know (doc freq 0) is matched against the vocabulary of the index's
segments by Damerau–Levenshtein distance in its optimal-string-alignment form (a transposition is one
edit): up to 1 edit for terms of 4–7 characters, 2 for 8 or more, none for shorter terms or numbers.
The closest candidate wins, then the one in most passages, then the first alphabetically.

Index terms are stems, and a typo can change how a word stems: "Rekognitoin" stems to
``rekognitoin``, three edits from ``rekognit`` (the stem of "Rekognition"). So the caller may also pass
the surface word (4+ letters): every single-edit variant of it is stemmed (English Snowball, as the
analyzer) and a variant whose stem is known is a candidate at distance 1. Two-edit typos are found
through the stem alone, so only where stemming keeps both edits.

Candidate search (figures at 1M passages, ~184k letter terms, from ``benchmarks/spelling.py``).
rapidfuzz scanning every term costs ~9 ms a lookup. symspellpy's precomputed deletes answer in
0.16 ms at p95 but take 5 s and ~230 MB to build (1.4 s and 35 MB with a 5-letter prefix, then 0.47 ms
at p95), and a delta segment would need a dict of deletes of its own. So each segment gets a small filter
instead, built in one vectorized pass in ~70 ms (``Lexicon``, 2.2 MB): its letter terms sorted by
length, each with a 64-bit multiset-of-letters signature. An edit changes the length by at most 1 and
flips at most 2 signature bits (a transposition none), so only terms within ``k`` of the length whose
signatures differ in at most ``2k`` bits can be within ``k`` edits; rapidfuzz's ``OSA`` distance
(bit-parallel C++) then checks those few hundred exactly. A lookup costs 0.25 ms at p95.

Segments are immutable, so a segment's lexicon never goes stale: it is built on the first lookup that
needs it and kept while the segment lives. A ``Speller`` covers one snapshot of a ``LiveIndex`` (its
main segment and deltas); ``LiveIndex.speller()`` hands out one for the current snapshot, so terms of
newly added passages are correctable at once. Passages removed from the main segment (tombstones) keep
their terms in its vocabulary until the next compaction, as ``LiveIndex.doc_freq`` counts them too: a
correction may then name a term whose passages are all gone, and the search simply finds nothing.
"""

from __future__ import annotations

import string
import threading
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import Stemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .analyzer import MAX_TERM_LENGTH, fold
from .bm25 import Segment

MIN_LENGTH = 4
"""Shorter terms are never corrected: too many known terms lie one edit away."""
LONG_LENGTH = 8
"""Terms at least this long may be two edits off."""

_LETTERS = 26
_REPEAT_BITS = 38
"""Signature bits for second and later occurrences of a letter (after the 26 first-occurrence bits)."""
_ASCII = string.ascii_lowercase
_POPCOUNT8 = np.array([i.bit_count() for i in range(256)], dtype=np.uint8)
_A_TO_Z, _NON_ASCII = 1, 3
_BYTE_KIND = np.array(
    [0] + [_A_TO_Z if 97 <= b <= 122 else 2 if b < 128 else _NON_ASCII for b in range(1, 256)], dtype=np.uint8
)
"""Per byte: 0 NUL padding, 1 a–z, 2 other ASCII (digits, dots), 3 part of a non-ASCII character."""


def max_distance(length: int) -> int:
    """Edits tolerated in a term of ``length`` characters: none below 4, 1 up to 7, 2 from 8."""
    return 0 if length < MIN_LENGTH else 1 if length < LONG_LENGTH else 2


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A known term, its edit distance from what the reader typed, and how many passages hold it."""

    term: str
    distance: int
    doc_freq: int


def signature(term: str) -> int:
    """64-bit multiset-of-letters signature: the n-th occurrence of a letter sets its own bit."""
    sig = 0
    seen: dict[int, int] = {}
    for ch in term:
        letter = ord(ch) - 97 if "a" <= ch <= "z" else ord(ch) % _LETTERS
        nth = seen.get(letter, 0)
        seen[letter] = nth + 1
        sig |= 1 << (letter if nth == 0 else _LETTERS + (letter + 7 * nth) % _REPEAT_BITS)
    return sig


def _popcount(values: np.ndarray) -> np.ndarray:
    if hasattr(np, "bitwise_count"):  # NumPy 2
        return np.bitwise_count(values)
    return _POPCOUNT8[values.view(np.uint8)].reshape(len(values), 8).sum(axis=1)


def _ascii_signatures(codes: np.ndarray) -> np.ndarray:
    """``signature`` of every row of a NUL-padded ``(terms, width)`` byte matrix of a–z, vectorized."""
    rows = len(codes)
    sigs = np.zeros(rows, dtype=np.uint64)
    seen = np.zeros(rows * _LETTERS, dtype=np.uint8)  # occurrences so far of each letter in each row
    live = np.arange(rows)
    for column in np.ascontiguousarray(codes.T):
        live = live[column[live] != 0]  # NUL padding only ever trails: the live rows only shrink
        if not len(live):
            break
        letter = column[live].astype(np.int64) - 97
        slot = live * _LETTERS + letter
        nth = seen[slot].astype(np.int64)
        seen[slot] += 1
        bit = np.where(nth == 0, letter, _LETTERS + (letter + 7 * nth) % _REPEAT_BITS)
        sigs[live] |= np.left_shift(np.uint64(1), bit.astype(np.uint64))
    return sigs


class Lexicon:
    """The letter terms of one segment, grouped by length with a signature each (see the module)."""

    def __init__(self, segment: Segment) -> None:
        vocab = segment.vocab
        self._vocab = vocab
        self._offsets = segment.offsets
        n, width = len(vocab), vocab.dtype.itemsize
        codes = np.ascontiguousarray(vocab).view(np.uint8).reshape(n, width)
        kind = _BYTE_KIND[codes].max(axis=1)  # NUL padding < a–z < other ASCII (digits) < non-ASCII
        positions = np.flatnonzero(kind == _A_TO_Z)
        lengths = np.count_nonzero(codes[positions], axis=1)
        sigs = _ascii_signatures(codes[positions])
        # terms with letters outside a–z are few: done one by one (numbers are never candidates)
        exotic = np.flatnonzero(kind == _NON_ASCII)
        others = [(int(i), term) for i in exotic if (term := vocab[i].decode()).isalpha()]
        if others:
            positions = np.concatenate([positions, np.array([i for i, _ in others], dtype=np.int64)])
            lengths = np.concatenate([lengths, np.array([len(t) for _, t in others], dtype=lengths.dtype)])
            sigs = np.concatenate([sigs, np.array([signature(t) for _, t in others], dtype=np.uint64)])
        order = np.argsort(lengths, kind="stable")
        self._positions = positions[order].astype(np.int32)
        self._signatures = sigs[order]
        self._starts = np.searchsorted(lengths[order], np.arange(width + 2))  # terms of length L: [L, L+1)
        self.size = len(self._positions)

    @property
    def nbytes(self) -> int:
        """Memory held beyond the segment's own arrays."""
        return self._positions.nbytes + self._signatures.nbytes + self._starts.nbytes

    def near(self, term: str, k: int) -> list[tuple[str, int]]:
        """Terms within ``k`` edits of ``term``, with their distances."""
        last = len(self._starts) - 1
        lo = int(self._starts[min(max(len(term) - k, 0), last)])
        hi = int(self._starts[min(len(term) + k + 1, last)])
        if lo >= hi:
            return []
        flipped = _popcount(self._signatures[lo:hi] ^ np.uint64(signature(term)))
        candidates = self._positions[lo + np.flatnonzero(flipped <= 2 * k)]
        words = [raw.decode() for raw in self._vocab[candidates].tolist()]
        hits = process.extract(term, words, scorer=OSA.distance, score_cutoff=k, limit=None)
        return [(word, int(distance)) for word, distance, _ in hits]

    def doc_freqs(self, terms: Sequence[str]) -> np.ndarray:
        """Doc freq of each of ``terms`` in this segment (0 when absent)."""
        freqs = np.zeros(len(terms), dtype=np.int64)
        vocab = self._vocab
        encoded = [term.encode() for term in terms]
        fits = np.array([len(raw) <= vocab.dtype.itemsize for raw in encoded], dtype=bool)
        if not len(vocab) or not fits.any():
            return freqs
        wanted = np.array([raw for raw, ok in zip(encoded, fits, strict=True) if ok], dtype=vocab.dtype)
        pos = np.minimum(np.searchsorted(vocab, wanted), len(vocab) - 1)
        hit = vocab[pos] == wanted
        found = np.flatnonzero(fits)[hit]
        freqs[found] = self._offsets[pos[hit] + 1] - self._offsets[pos[hit]]
        return freqs

    # ---- one lexicon per live segment ----------------------------------------------------------
    _cache: ClassVar[weakref.WeakKeyDictionary[Segment, Lexicon]] = weakref.WeakKeyDictionary()
    _cache_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def of(cls, segment: Segment) -> Lexicon:
        """The segment's lexicon, built on first use and kept while the segment lives."""
        with cls._cache_lock:
            lexicon = cls._cache.get(segment)
            if lexicon is None:
                lexicon = cls._cache[segment] = cls(segment)
            return lexicon


def _single_edits(word: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion away from ``word``."""
    alphabet = _ASCII + "".join(sorted({ch for ch in word if ch not in _ASCII}))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    edits.update(a + ch + b[1:] for a, b in splits if b for ch in alphabet)
    edits.update(a + ch + b for a, b in splits for ch in alphabet)
    edits.discard(word)
    return edits


_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """This thread's English stemmer (the analyzer's), without a cache: misspellings rarely recur."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
        stemmer.maxCacheSize = 0
    return stemmer


def _correctable(text: str) -> bool:
    return len(text) >= MIN_LENGTH and not any(ch.isdigit() for ch in text)


class Speller:
    """Corrects unknown terms against the vocabulary of a fixed set of segments (one index snapshot)."""

    def __init__(self, segments: Iterable[Segment]) -> None:
        self.segments = tuple(segments)
        self._lexicons: tuple[Lexicon, ...] | None = None

    def lexicons(self) -> tuple[Lexicon, ...]:
        """The segments' lexicons (built now if this is their first use)."""
        if self._lexicons is None:
            self._lexicons = tuple(Lexicon.of(segment) for segment in self.segments)
        return self._lexicons

    def doc_freq(self, term: str) -> int:
        """Passages holding ``term`` across the segments (as ``LiveIndex.doc_freq``)."""
        return sum(segment.doc_freq(term) for segment in self.segments)

    def correct(self, term: str, word: str | None = None) -> str | None:
        """The known term the reader most likely meant by ``term`` (an analyzed term), or None when
        ``term`` is known, too short, a number, or nothing known is close enough. ``word``, the
        surface word ``term`` came from, also finds typos that change the stem ("Rekognitoin")."""
        best = self.suggestions(term, word)
        return best[0].term if best else None

    def suggestions(self, term: str, word: str | None = None) -> list[Suggestion]:
        """Every candidate for ``term`` (see ``correct``), best first: closest, then most frequent."""
        if not _correctable(term) or self.doc_freq(term) > 0:
            return []
        distances: dict[str, int] = {}
        k = max_distance(len(term))
        for lexicon in self.lexicons():
            for candidate, distance in lexicon.near(term, k):
                distances[candidate] = min(distance, distances.get(candidate, distance))
        if word is not None:
            for candidate in self._stems_one_edit_away(word, term):
                distances[candidate] = 1  # the stem route found it at 1 or 2 edits, never 0
        if not distances:
            return []
        names = list(distances)
        freqs = self._doc_freqs(names)
        found = [Suggestion(name, distances[name], int(df)) for name, df in zip(names, freqs, strict=True) if df > 0]
        return sorted(found, key=lambda s: (s.distance, -s.doc_freq, s.term))

    def _stems_one_edit_away(self, word: str, term: str) -> list[str]:
        """Known stems of the single-edit variants of the surface ``word``."""
        folded = fold(word)
        if not _correctable(folded) or not folded.isalpha():
            return []
        stems = {stem[:MAX_TERM_LENGTH] for stem in _stemmer().stemWords(list(_single_edits(folded)))}
        stems.discard(term)
        names = sorted(stems)
        return [stem for stem, df in zip(names, self._doc_freqs(names), strict=True) if df > 0]

    def _doc_freqs(self, terms: Sequence[str]) -> np.ndarray:
        total = np.zeros(len(terms), dtype=np.int64)
        for lexicon in self.lexicons():
            total += lexicon.doc_freqs(terms)
        return total
