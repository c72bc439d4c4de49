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
from itertools import chain, repeat

import numpy as np

_FLUSH_POSTINGS = 1 << 20
"""``add_docs`` moves its postings into the builder's columns every this many (Python arrays grow by copying)."""
_FIRST_BLOCK = 1 << 16
_LAST_BLOCK = 1 << 24
"""A column grows by blocks, each twice the previous up to this many values (64 MB of int32): blocks that
large are memory the allocator maps apart and gives back to the system once freed, so the blocks freed
while ``finish`` copies them into one array lower the memory in use as that array grows."""


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


class _Column:
    """A growing column of numbers kept in blocks (see :data:`_LAST_BLOCK`)."""

    def __init__(self, dtype: type) -> None:
        self.dtype = np.dtype(dtype)
        self.blocks: list[np.ndarray] = []
        self.fill = 0
        """Values in the last block."""

    def __len__(self) -> int:
        return sum(len(block) for block in self.blocks[:-1]) + self.fill

    def append(self, values: np.ndarray) -> None:
        if not np.can_cast(values.dtype, self.dtype):  # term frequencies beyond 16 bits: every count widens
            self.blocks = [block.astype(np.result_type(self.dtype, values.dtype)) for block in self.blocks]
            self.dtype = np.result_type(self.dtype, values.dtype)
        position = 0
        while position < len(values):
            if not self.blocks or self.fill == len(self.blocks[-1]):
                size = min(2 * len(self.blocks[-1]), _LAST_BLOCK) if self.blocks else _FIRST_BLOCK
                self.blocks.append(np.empty(size, self.dtype))
                self.fill = 0
            block = self.blocks[-1]
            count = min(len(values) - position, len(block) - self.fill)
            block[self.fill : self.fill + count] = values[position : position + count]
            self.fill += count
            position += count

    def take(self, mapping: np.ndarray | None = None) -> np.ndarray:
        """The values in one array (through ``mapping``, if given: ``mapping[values]``); the column is
        emptied, each block freed once copied."""
        out = np.empty(len(self), self.dtype if mapping is None else mapping.dtype)
        position = 0
        while self.blocks:
            block = self.blocks.pop(0)
            if not self.blocks:
                block = block[: self.fill]
            if mapping is None:
                out[position : position + len(block)] = block
            else:
                np.take(mapping, block, out=out[position : position + len(block)])
            position += len(block)
            del block
        self.fill = 0
        return out


class PostingsBuilder:
    """Postings of documents added in increasing key order, kept as NumPy chunks (term ids against one
    vocabulary in order of first sight), grouped by term once every document is in."""

    def __init__(self) -> None:
        self._vocab: dict[str, int] = {}
        self._tids = _Column(np.int32)
        self._tfs = _Column(np.uint16)
        self._per_doc = _Column(np.int32)
        self._lengths = _Column(np.int32)
        self._keys = _Column(np.int64)
        self._first_key: int | None = None
        self._last_key: int | None = None

    @property
    def n_docs(self) -> int:
        return len(self._keys)

    @property
    def first_key(self) -> int | None:
        return self._first_key

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
        remap = self._ids(counted.vocab)
        self._append(keys, remap[counted.tids] if len(counted.tids) else counted.tids, counted.tfs,
                     counted.per_doc, counted.lengths)

    def _ids(self, terms: Sequence[str]) -> np.ndarray:
        """This builder's ids of ``terms``, new terms numbered as they come (looked up in bulk: most are known)."""
        vocab = self._vocab
        ids = np.fromiter(map(vocab.get, terms, repeat(-1)), dtype=np.int32, count=len(terms))
        for position in np.flatnonzero(ids < 0).tolist():
            ids[position] = vocab.setdefault(terms[position], len(vocab))
        return ids

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
        remap = self._ids(list(later._vocab))
        later._vocab = {}
        self._append(later._keys.take(), later._tids.take(remap), later._tfs.take(), later._per_doc.take(),
                     later._lengths.take())
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
        if self._first_key is None:
            self._first_key = int(keys[0])
        self._last_key = int(keys[-1])
        self._keys.append(keys)
        self._tids.append(tids)
        self._tfs.append(tfs)
        self._per_doc.append(per_doc)
        self._lengths.append(lengths)

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
        doc_keys = self._keys.take()
        doc_lengths = self._lengths.take()
        per_doc = self._per_doc.take()
        frequencies = self._tfs.take()
        tids = self._tids.take(remap)
        n = len(tids)
        self._first_key = self._last_key = None
        counts_per_term = np.bincount(tids, minlength=len(remap)) if n else np.zeros(len(remap), np.int64)
        offsets = np.zeros(len(remap) + 1, dtype=np.int64)
        np.cumsum(counts_per_term, out=offsets[1:])
        del counts_per_term, remap
        docs, tfs = group_by_term(tids, frequencies, per_doc, offsets)
        return GroupedPostings(vocab_array, offsets, docs, tfs, doc_keys, doc_lengths)

