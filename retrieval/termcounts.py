"""Posting lists gathered batch by batch: the index of a large ingest is built from the term counts the
parse workers compute, not by re-reading every passage's terms from the store at the end.

A worker turns a batch's stored term strings into :class:`CountedTerms` (NumPy arrays against a small
vocabulary of the batch, cheap to send between processes). The ingest hands each batch, with the
passage ids the store gave it, to a :class:`PostingsBuilder`, which keeps compact arrays (term id, term
frequency: ~6 bytes a posting) against one vocabulary; at the end ``finish`` sorts the vocabulary and
groups the postings by term (``postings.group_by_term``). The same builder serves ``Segment.build``
for ``(key, terms)`` pairs, so both routes give the same segment, bit for bit.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np

_FLUSH_POSTINGS = 1 << 20
"""``add_docs`` moves its postings into a NumPy chunk every this many (Python arrays grow by copying)."""


@dataclass(frozen=True, slots=True)
class CountedTerms:
    """The distinct terms of consecutive documents, with their frequencies, against a local vocabulary.

    ``tids`` (int32, positions in ``vocab``) and ``tfs`` (uint16, or int32 where a count exceeds 65,535)
    hold each document's distinct terms in turn; ``per_doc`` says how many each document has and
    ``lengths`` how many terms it has in all (duplicates counted)."""

    vocab: tuple[str, ...]
    tids: np.ndarray
    tfs: np.ndarray
    per_doc: np.ndarray
    lengths: np.ndarray

    @property
    def n_docs(self) -> int:
        return len(self.lengths)


def count_terms(documents: Sequence[Sequence[str]]) -> CountedTerms:
    """Count the terms of each document (a list of terms, as ``str.split`` gives a stored term string).
    Vectorised over the whole batch: one pass of C over the terms, then a NumPy ``unique``."""
    lengths = np.fromiter(map(len, documents), dtype=np.int64, count=len(documents))
    flat = list(chain.from_iterable(documents))
    local = {term: number for number, term in enumerate(dict.fromkeys(flat))}
    ids = np.fromiter(map(local.__getitem__, flat), dtype=np.int64, count=len(flat))
    del flat
    doc = np.repeat(np.arange(len(documents), dtype=np.int64), lengths)
    keys, counts = np.unique((doc << 32) | ids, return_counts=True)
    del doc, ids
    per_doc = np.bincount(keys >> 32, minlength=len(documents)).astype(np.int32)
    wide = len(counts) and counts.max() > np.iinfo(np.uint16).max
    return CountedTerms(
        vocab=tuple(local), tids=(keys & 0xFFFFFFFF).astype(np.int32),
        tfs=counts.astype(np.int32 if wide else np.uint16), per_doc=per_doc, lengths=lengths.astype(np.int32),
    )


@dataclass(frozen=True, slots=True)
class GroupedPostings:
    """What a segment is built from: the sorted vocabulary, its postings grouped by term (documents are
    positions in ``doc_keys``, ascending within a term) and the documents' keys and lengths."""

    vocab: np.ndarray
    offsets: np.ndarray
    docs: np.ndarray
    tfs: np.ndarray
    doc_keys: np.ndarray
    doc_lengths: np.ndarray


class PostingsBuilder:
    """Postings of documents added in increasing key order, kept as NumPy chunks (term ids against one
    vocabulary in order of first sight), grouped by term once every document is in."""

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._tids: list[np.ndarray] = []
        self._tfs: list[np.ndarray] = []
        self._per_doc: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self._keys: list[np.ndarray] = []
        self._last_key: int | None = None

    @property
    def n_docs(self) -> int:
        return sum(len(keys) for keys in self._keys)

    @property
    def first_key(self) -> int | None:
        return int(self._keys[0][0]) if self._keys and len(self._keys[0]) else None

    @property
    def last_key(self) -> int | None:
        return self._last_key

    def add_counted(self, keys: Sequence[int] | np.ndarray, counted: CountedTerms) -> None:
        """Add documents counted by :func:`count_terms`, with their keys (increasing, above every key added)."""
        keys = np.asarray(keys, dtype=np.int64)
        if len(keys) != counted.n_docs:
            raise ValueError(f"{len(keys)} keys for {counted.n_docs} counted documents")
        if not len(keys):
            return
        vocab = self._vocab
        remap = np.fromiter(
            (vocab.setdefault(term, len(vocab)) for term in counted.vocab), dtype=np.int32, count=len(counted.vocab)
        )
        self._append(keys, remap[counted.tids] if len(counted.tids) else counted.tids, counted.tfs,
                     counted.per_doc, counted.lengths)

    def add_docs(self, docs: Iterable[tuple[int, Sequence[str]]]) -> None:
        """Add ``(key, terms)`` pairs (keys increasing, above every key added)."""
        vocab = self._vocab
        term_ids = array("i")
        tfs = array("H")
        per_doc = array("i")
        keys = array("q")
        lengths = array("i")
        for key, terms in docs:
            counts = Counter(terms)
            keys.append(key)
            lengths.append(len(terms))
            per_doc.append(len(counts))
            term_ids.extend([vocab.setdefault(term, len(vocab)) for term in counts])
            try:
                tfs.extend(counts.values())
            except OverflowError:  # a term more than 65,535 times in one document: wider counts
                del tfs[len(term_ids) - len(counts):]
                tfs = array("i", tfs)
                tfs.extend(counts.values())
            if len(term_ids) >= _FLUSH_POSTINGS:
                self._append_arrays(keys, term_ids, tfs, per_doc, lengths)
                term_ids, tfs, per_doc, keys, lengths = array("i"), array("H"), array("i"), array("q"), array("i")
        self._append_arrays(keys, term_ids, tfs, per_doc, lengths)

    def extend(self, later: PostingsBuilder) -> PostingsBuilder:
        """Take the documents of ``later`` (keys above this builder's), which is emptied; returns self."""
        vocab = self._vocab
        remap = np.fromiter((vocab.setdefault(term, len(vocab)) for term in later._vocab), np.int32, len(later._vocab))
        while later._keys:
            self._append(later._keys.pop(0), remap[later._tids.pop(0)], later._tfs.pop(0), later._per_doc.pop(0),
                         later._lengths.pop(0))
        later._vocab = {}
        return self

    def _append_arrays(self, keys: array, term_ids: array, tfs: array, per_doc: array, lengths: array) -> None:
        if not len(keys):
            return
        self._append(
            np.frombuffer(keys, dtype=np.int64).copy(), np.frombuffer(term_ids, dtype=np.int32).copy(),
            np.frombuffer(tfs, dtype=np.uint16 if tfs.typecode == "H" else np.int32).copy(),
            np.frombuffer(per_doc, dtype=np.int32).copy(), np.frombuffer(lengths, dtype=np.int32).copy(),
        )

    def _append(self, keys: np.ndarray, tids: np.ndarray, tfs: np.ndarray, per_doc: np.ndarray,
                lengths: np.ndarray) -> None:
        if np.any(np.diff(keys) <= 0) or (self._last_key is not None and keys[0] <= self._last_key):
            raise ValueError("document keys must be strictly increasing")
        self._last_key = int(keys[-1])
        self._keys.append(keys)
        self._tids.append(tids)
        self._tfs.append(tfs)
        self._per_doc.append(per_doc)
        self._lengths.append(lengths.astype(np.int32, copy=False))

    def finish(self) -> GroupedPostings:
        """Sort the vocabulary and group every posting by term (the builder is emptied). Peak memory about
        12 bytes a posting: the term ids and frequencies, and the grouped documents and frequencies."""
        from .postings import group_by_term

        vocab = self._vocab
        terms_sorted = sorted(vocab)
        width = max((len(t.encode()) for t in terms_sorted), default=1)
        vocab_array = np.array([t.encode() for t in terms_sorted], dtype=f"S{max(width, 1)}")
        remap = np.empty(len(vocab), dtype=np.int32)
        for new, term in enumerate(terms_sorted):
            remap[vocab[term]] = new
        del terms_sorted
        self._vocab = {}
        doc_keys = _concatenate(self._keys, np.int64)
        doc_lengths = _concatenate(self._lengths, np.int32)
        per_doc = _concatenate(self._per_doc, np.int32)
        wide = any(chunk.dtype != np.uint16 for chunk in self._tfs)
        frequencies = _concatenate(self._tfs, np.int32 if wide else np.uint16)
        n = len(frequencies)
        tids = np.empty(n, dtype=np.int32)
        position = 0
        while self._tids:  # remapped chunk by chunk into one array, each chunk freed once copied
            chunk = self._tids.pop(0)
            np.take(remap, chunk, out=tids[position : position + len(chunk)])
            position += len(chunk)
        counts_per_term = np.bincount(tids, minlength=len(remap)) if n else np.zeros(len(remap), np.int64)
        offsets = np.zeros(len(remap) + 1, dtype=np.int64)
        np.cumsum(counts_per_term, out=offsets[1:])
        del counts_per_term, remap
        docs, tfs = group_by_term(tids, frequencies, per_doc, offsets)
        return GroupedPostings(vocab_array, offsets, docs, tfs, doc_keys, doc_lengths)


def _concatenate(chunks: list[np.ndarray], dtype: type) -> np.ndarray:
    """The chunks end to end (the list is emptied as they are copied)."""
    out: np.ndarray = np.empty(sum(len(chunk) for chunk in chunks), dtype=dtype)
    position = 0
    while chunks:
        chunk = chunks.pop(0)
        out[position : position + len(chunk)] = chunk
        position += len(chunk)
    return out
