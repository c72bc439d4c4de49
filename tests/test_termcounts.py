"""The index of a large ingest is built from the term counts of its batches: the same segment, bit for
bit, as a build from every passage's stored terms."""

from __future__ import annotations

import random

import numpy as np

from bot.service import NewsService
from retrieval import bm25, ingest, postings
from retrieval.bm25 import Segment
from retrieval.termcounts import PostingsBuilder, count_terms


def _assert_same_segment(got: Segment, expected: Segment) -> None:
    pairs = [(name, getattr(got, name), getattr(expected, name)) for name in bm25._ARRAYS]
    pairs += [(name, getattr(got.postings, name), getattr(expected.postings, name)) for name in postings.ARRAYS]
    for name, have, want in pairs:
        assert have.dtype == want.dtype and np.array_equal(have, want), name
    assert got.avgdl == expected.avgdl


def _documents(seed: int, count: int) -> list[tuple[int, list[str]]]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(400)]
    weights = [1 / (i + 1) for i in range(400)]
    return [(key * 7 + 3, rng.choices(vocab, weights, k=rng.randint(0, 60))) for key in range(count)]


def test_counted_batches_build_the_segment_their_terms_build():
    """Batches counted apart (each against its own small vocabulary), with their keys, give the segment
    that the documents' term lists give: empty documents, a term more than 65,535 times in a document."""
    docs = _documents(1, 900)
    docs[10] = (docs[10][0], ["flood"] * 70_000 + ["t3", "t3"])
    builder = PostingsBuilder()
    for start in range(0, len(docs), 97):
        batch = docs[start : start + 97]
        builder.add_counted([key for key, _ in batch], count_terms([terms for _, terms in batch]))
    _assert_same_segment(Segment.from_grouped(builder.finish()), Segment.build(docs))


def test_a_builder_of_older_documents_takes_the_counted_ones_after_them():
    docs = _documents(2, 600)
    older, later = PostingsBuilder(), PostingsBuilder()
    older.add_docs(docs[:250])
    later.add_counted([key for key, _ in docs[250:]], count_terms([terms for _, terms in docs[250:]]))
    _assert_same_segment(Segment.from_grouped(older.extend(later).finish()), Segment.build(docs))


def test_keys_must_increase_across_batches():
    builder = PostingsBuilder()
    builder.add_counted([5, 6], count_terms([["a"], ["b"]]))
    try:
        builder.add_counted([6], count_terms([["c"]]))
    except ValueError:
        return
    raise AssertionError("a key not above the last one was accepted")


class _ReadCounter:
    """Counts the passages an index rebuild reads back from the store."""

    def __init__(self, store) -> None:
        self.read = 0
        self._iter_all_terms = store.iter_all_terms
        store.iter_all_terms = self

    def __call__(self, *args, **kwargs):
        for doc in self._iter_all_terms(*args, **kwargs):
            self.read += 1
            yield doc


async def test_an_ingest_builds_from_its_batches_the_index_a_rebuild_from_the_store_builds(
    store_settings, seeds_copy, monkeypatch
):
    """A first ingest large enough to rebuild the index reads no passage back from the store; a later one
    reads back only the passages stored before it. Either way the segment is the one a rebuild from
    the store's terms gives (on SQLite and PostgreSQL)."""
    monkeypatch.setattr(ingest, "DELTA_MIN_LIMIT", 1)
    later = seeds_copy.parent / "later"
    later.mkdir()
    for path in sorted(seeds_copy.iterdir())[3:]:
        path.rename(later / path.name)
    service = await NewsService.open(store_settings, ingest=False)
    try:
        reads = _ReadCounter(service.store)
        first = await service.ingest([seeds_copy])
        assert first.index_rebuilt and reads.read == 0
        built = service.index._snapshot.main
        await service.ingestor.rebuild_index()
        _assert_same_segment(built, service.index._snapshot.main)

        stored = first.passages
        second = await service.ingest([seeds_copy, later])
        assert second.index_rebuilt and second.added and reads.read == 2 * stored  # the rebuild above, then this one
        built = service.index._snapshot.main
        await service.ingestor.rebuild_index()
        _assert_same_segment(built, service.index._snapshot.main)
        assert built.n_docs == second.passages
    finally:
        await service.close()
