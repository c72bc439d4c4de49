"""BM25 scoring: exact against a brute-force reference and against bm25s on the seed corpus."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy as np
import pytest

from retrieval import bm25, kernels
from retrieval.bm25 import Segment, idf, idf_weights
from retrieval.index import LiveIndex

from .conftest import PROJECT_ROOT, SEARCH_PATHS, SHARED, use_search_path


def brute_force(docs, query, k1=1.2, b=0.75):
    n = len(docs)
    avgdl = sum(map(len, docs)) / n
    df = Counter(t for d in docs for t in set(d))
    scores = []
    for doc in docs:
        tf = Counter(doc)
        score = 0.0
        for term, qtf in Counter(query).items():
            if tf[term]:
                w = math.log1p((n - df[term] + 0.5) / (df[term] + 0.5))
                score += qtf * w * tf[term] * (k1 + 1) / (tf[term] + k1 * (1 - b + b * len(doc) / avgdl))
        scores.append(score)
    return scores


def test_idf_is_positive_even_for_terms_in_every_document():
    assert idf(10, 10) > 0 and idf(10, 5) > 0 and idf(10, 1) > idf(10, 5)


def test_top_k_equals_brute_force_on_a_zipfian_corpus(search_path):
    rng = random.Random(7)
    vocab = [f"t{i}" for i in range(800)]
    weights = [1 / (i + 1) for i in range(800)]
    docs = [rng.choices(vocab, weights, k=rng.randint(5, 60)) for _ in range(1500)]
    segment = Segment.build(enumerate(docs))
    df = {t: segment.doc_freq(t) for t in vocab}
    for _ in range(150):
        query = rng.choices(vocab, k=rng.randint(1, 7))
        keys, scores = segment.search(idf_weights(query, len(docs), df), 10)
        reference = np.array(brute_force(docs, query))
        expected = np.lexsort((np.arange(len(docs)), -reference))[: len(keys)]
        assert np.allclose(scores, reference[expected], atol=1e-6)
        assert set(keys.tolist()) == set(expected.tolist()) or np.allclose(
            np.sort(reference[keys]), np.sort(reference[expected]), atol=1e-9
        )


def _dense_scores(segment: Segment, query) -> np.ndarray:
    """Every document's exact float64 score from the segment's postings: the pruning's reference."""
    scores = np.zeros(segment.n_docs)
    for qt in query:
        ids, impacts = segment.term_postings(qt.term)
        scores[ids] += impacts * qt.weight
    return scores


@pytest.mark.parametrize(
    "tuning",
    [
        {},  # as shipped
        # tiny thresholds: every query probes, samples its cut-offs, walks survivors through the bitmap
        # and zeroes the whole accumulator
        {"_PROBE_MIN_POSTINGS": 8, "_PROBE_DOCS": 16, "_SAMPLE": 32, "_WALK_RATIO": 1_000, "_COMPILED_WALK_RATIO": 1_000,
         "_RESET_SHARE": 1_000},
        # the other way round: survivors are always found by binary search, resets are scattered
        {"_PROBE_MIN_POSTINGS": 8, "_PROBE_DOCS": 4, "_SAMPLE": 8, "_WALK_RATIO": 1, "_COMPILED_WALK_RATIO": 1,
         "_RESET_SHARE": 1},
    ],
    ids=["shipped", "bitmap-walks", "binary-searches"],
)
def test_pruned_top_k_is_exact_whatever_the_tuning(monkeypatch, tuning, search_path):
    for name, value in tuning.items():
        monkeypatch.setattr(bm25, name, value)
    rng = random.Random(11)
    vocab = [f"t{i}" for i in range(300)]
    weights = [1 / (i + 1) ** 0.8 for i in range(300)]  # flat enough that many queries have only common terms
    docs = [rng.choices(vocab, weights, k=rng.randint(5, 40)) for _ in range(4_000)]
    segment = Segment.build(enumerate(docs))
    deleted = np.zeros(len(docs), dtype=bool)
    deleted[rng.sample(range(len(docs)), 200)] = True
    df = {t: segment.doc_freq(t) for t in vocab}
    for trial in range(120):
        query = idf_weights(rng.choices(vocab[:60], k=rng.randint(1, 8)), len(docs), df)
        k = rng.choice([1, 10, 20, 50])
        mask = deleted if trial % 2 else None
        keys, scores = segment.search(query, k, deleted=mask)
        reference = _dense_scores(segment, query)
        if mask is not None:
            reference[mask] = 0.0
        expected = np.lexsort((np.arange(len(docs)), -reference))[:k]
        expected = expected[reference[expected] > 0]
        assert np.allclose(scores, reference[expected], rtol=0, atol=1e-9), trial
        assert keys.tolist() == expected.tolist() or np.allclose(reference[keys], reference[expected], atol=1e-9)
        assert not segment._scratch().any() and not segment._marks().any()  # scratch left clean for the next search


def test_every_search_path_finds_the_same_documents_and_scores_bit_for_bit(monkeypatch, compiled_kernels):
    rng = random.Random(5)
    vocab = [f"t{i}" for i in range(2_000)]
    weights = [1 / (i + 1) ** 0.9 for i in range(2_000)]
    docs = [rng.choices(vocab, weights, k=rng.randint(10, 70)) for _ in range(30_000)]
    segment = Segment.build(enumerate(docs))
    deleted = np.zeros(len(docs), dtype=bool)
    deleted[rng.sample(range(len(docs)), 500)] = True
    df = {t: segment.doc_freq(t) for t in vocab}
    queries = [
        (idf_weights(rng.choices(vocab[:400], k=rng.randint(2, 14)), len(docs), df), rng.choice([10, 20]),
         deleted if trial % 3 == 0 else None)
        for trial in range(150)
    ]
    assert max(segment.doc_freq(t) for t in vocab[:20]) > bm25._COMPILED_MIN_POSTINGS  # long lists are compiled
    results = {}
    for path in SEARCH_PATHS:
        use_search_path(path, monkeypatch, compiled_kernels)
        results[path] = [segment.search(query, k, deleted=mask) for query, k, mask in queries]
    for path in SEARCH_PATHS[1:]:
        for (keys_a, scores_a), (keys_b, scores_b) in zip(results["numpy"], results[path], strict=True):
            assert np.array_equal(keys_a, keys_b) and np.array_equal(scores_a, scores_b), path
    assert not segment._scratch().any() and not segment._marks().any()


def _exact_impact(tf: int, dl: int, avgdl: float, k1: float = 1.2, b: float = 0.75) -> float:
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))


def test_postings_decode_exactly_at_every_gap_width_and_term_frequency(search_path):
    """Gaps of 1, 2 and 4 bytes, term frequencies in 2 bits and past them (even past 65,535)."""
    n = 70_000
    docs = [["filler", f"f{i % 97}"] for i in range(n)]
    for i in range(0, n, 2):
        docs[i].append("dense")  # gaps of 2: one byte
    for i in range(5, n, 700):
        docs[i] += ["mid"] * (1 + i % 6)  # gaps of 700: two bytes; frequencies 1..6
    docs[3].append("far")
    docs[n - 1].append("far")  # a gap of 69,996: four bytes
    docs[11] += ["huge"] * 70_000 + ["mid"]  # a frequency past 16 bits
    for i in [*range(0, 30_000, 3), *range(35_001, n, 3)]:
        docs[i].append("patchy")  # gaps of 3 and one of 5,001: one byte and an exception
    segment = Segment.build(enumerate(docs))
    avgdl = sum(map(len, docs)) / n
    terms = ("dense", "mid", "far", "patchy")
    widths = {term: int(segment.postings.gap_width[segment.term_index(term)]) for term in terms}
    assert widths == {"dense": 1, "mid": 2, "far": 4, "patchy": 1} and len(segment.postings.gap_exc) >= 1
    rng = np.random.default_rng(2)
    for term in (*terms, "huge", "f5"):
        expected = [(i, _exact_impact(doc.count(term), len(doc), avgdl)) for i, doc in enumerate(docs) if term in doc]
        ids, impacts = segment.term_postings(term)
        assert ids.tolist() == [i for i, _ in expected], term
        assert np.allclose(impacts, [v for _, v in expected], rtol=1e-12, atol=0), term
        # a few documents found through the skips (only their blocks decoded): present and absent ones
        index = segment.term_index(term)
        start, end = int(segment.offsets[index]), int(segment.offsets[index + 1])
        wide = segment.postings.gap_exc_pos
        near_wide = (wide[(wide >= start) & (wide < end)] - start)[:, None] + np.arange(-2, 3)  # around exceptions
        near_wide = ids[near_wide[(near_wide >= 0) & (near_wide < len(ids))]]
        probe = np.unique(np.concatenate([rng.choice(ids, min(len(ids), 40)), rng.integers(0, n, 40), near_wide]))
        probe = probe.astype(np.int32)
        hit, positions = bm25.postings_module.locate(segment.postings, index, start, end, probe)
        assert hit.tolist() == np.isin(probe, ids).tolist(), term
        assert (positions - start).tolist() == np.searchsorted(ids, probe[hit]).tolist(), term
    for words in (["mid", "far", "huge", "dense"], ["patchy", "mid", "f5"], ["patchy", "far"]):
        query = idf_weights(words, n, {t: segment.doc_freq(t) for t in words})
        for k in (10, 2_000):  # 2,000: the search reaches documents past the gap exceptions
            keys, scores = segment.search(query, k)
            reference = _dense_scores(segment, query)
            expected_keys = np.lexsort((np.arange(n), -reference))[:k]
            expected_keys = expected_keys[reference[expected_keys] > 0]
            assert keys.tolist() == expected_keys.tolist(), words
            assert np.allclose(scores, reference[expected_keys], rtol=0, atol=1e-12), words


def test_impact_codes_bound_every_impact_from_above_within_one_step():
    rng = random.Random(13)
    vocab = [f"t{i}" for i in range(200)]
    docs = [rng.choices(vocab, [1 / (i + 1) for i in range(200)], k=rng.randint(1, 90)) for _ in range(3_000)]
    segment = Segment.build(enumerate(docs))
    bounds, step = bm25.postings_module.upper_bounds(1.2), bm25.postings_module.step(1.2)
    for term in vocab[:50]:
        index = segment.term_index(term)
        start, end = int(segment.offsets[index]), int(segment.offsets[index + 1])
        _, impacts = segment.term_postings(term)
        upper = bounds[segment.postings.codes[start:end]].astype(np.float64)
        assert (upper >= impacts).all() and (upper - impacts < step * 1.0001).all(), term
        assert segment.postings.max_impact[index] >= impacts.max()


def test_postings_take_under_three_bytes_each_on_disk(tmp_path):
    """Delta-encoded ids (~1-2 bytes), an 8-bit impact code and a 2-bit term frequency per posting."""
    rng = random.Random(17)
    vocab = [f"t{i}" for i in range(5_000)]
    weights = [1 / (i + 1) for i in range(5_000)]
    docs = [rng.choices(vocab, weights, k=rng.randint(30, 90)) for _ in range(20_000)]
    segment = Segment.build(enumerate(docs))
    segment.save(tmp_path / "gen")
    posting_files = [f"{name}.npy" for name in ("gaps", "gap_exc_pos", "gap_exc", "skips", "codes", "tf_exc_pos", "tf_exc")]
    posting_bytes = sum((tmp_path / "gen" / name).stat().st_size for name in posting_files)
    assert posting_bytes / segment.n_postings < 3.0
    everything = sum(path.stat().st_size for path in (tmp_path / "gen").iterdir())
    assert everything / segment.n_postings < 3.5  # per-term and per-document arrays included


def test_equal_scores_go_to_the_earlier_document_on_every_path(search_path):
    rng = random.Random(3)
    filler = [[f"f{rng.randint(0, 50)}" for _ in range(8)] for _ in range(3_000)]
    for position in range(0, 3_000, 7):  # 429 identical documents: every one scores the same
        filler[position] = ["storm", "harbour", "f1", "f2", "f3", "f4", "f5", "f6"]
    deleted = np.zeros(3_000, dtype=bool)
    deleted[[0, 14]] = True
    segment = Segment.build(enumerate(filler))
    query = idf_weights(["storm", "harbour", "f9"], 3_000, {t: segment.doc_freq(t) for t in ("storm", "harbour", "f9")})
    with_f9 = [p for p in range(0, 3_000, 7) if "f9" in filler[p]]
    assert not with_f9  # the tied documents share every query term they have
    keys, scores = segment.search(query, 10, deleted=deleted)
    assert keys.tolist() == [7, 21, 28, 35, 42, 49, 56, 63, 70, 77] and len(set(scores.tolist())) == 1


def test_searches_stay_on_numpy_until_the_kernels_are_ready(monkeypatch):
    monkeypatch.setattr(kernels, "_kernels", None)

    def broken():
        raise OSError("no compiler here")

    monkeypatch.setattr(kernels, "_compile", broken)
    monkeypatch.setattr(kernels, "_failed", False)
    assert kernels.warm_up() is False and kernels.ready() is None
    assert kernels.warm_up() is False  # a failure is not retried on every call
    segment = Segment.build(enumerate([["apple", "pie"], ["apple"], ["pie"]]))
    keys, _ = segment.search(idf_weights(["apple"], 3, {"apple": 2}), 10)
    assert sorted(keys.tolist()) == [0, 1]


def test_best_positions_always_hold_the_largest_values():
    rng = np.random.default_rng(3)
    for size, at_least in [(10, 20), (500, 16), (50_000, 10), (50_000, 256), (9_000, 256)]:
        for values in (
            rng.random(size, dtype=np.float32),
            rng.integers(0, 4, size).astype(np.float32),  # heavy ties
            np.sort(rng.random(size, dtype=np.float32)),  # sorted: a strided sample sees only one end well
        ):
            chosen = bm25._best_positions(values, at_least)
            assert len(chosen) >= min(size, at_least) and len(set(chosen.tolist())) == len(chosen)
            kth = np.sort(values)[::-1][min(size, at_least) - 1]
            assert (values[chosen] >= kth).sum() >= min(size, at_least)
            assert bm25._kth_largest(values, min(size, at_least)) == kth


def test_deleted_documents_never_come_back():
    docs = [["apple", "pie"], ["apple"], ["pie"], ["apple", "apple"]]
    segment = Segment.build(enumerate(docs))
    deleted = np.array([False, False, False, True])
    keys, _ = segment.search(idf_weights(["apple"], 4, {"apple": 3}), 10, deleted=deleted)
    assert 3 not in keys.tolist() and set(keys.tolist()) == {0, 1}


async def test_same_top10_as_bm25s_on_the_seed_corpus(service):
    """Independent implementation: bm25s (Lucene IDF) over the very same analyzed passages."""
    bm25s = pytest.importorskip("bm25s")
    import yaml

    pairs = list(service.store.iter_all_terms())
    ids = [pid for pid, _ in pairs]
    reference = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    reference.index([terms for _, terms in pairs], show_progress=False)
    # the project's own seed questions always; the shared development set too where it is beside the clone
    sets = [PROJECT_ROOT / "benchmarks" / "questions" / "seeds.yaml", SHARED / "eval" / "questions.yaml"]
    questions = [c["question"] for path in sets if path.exists() for c in yaml.safe_load(path.read_text())]
    questions += [
        "Microsoft DEA emails", "Amazon one-year moratorium", "IBM facial recognition", "Clearview AI police",
        "Brad Smith national law", "phrenology", "Congress regulation privacy", "2,000 searches",
    ]
    compared = 0
    for question in questions:
        terms = service.analyzer.terms(question)
        ours = service.index.search(terms, 10)
        vocab_terms = [t for t in terms if t in reference.vocab_dict]
        if not vocab_terms:
            assert ours == []
            continue
        docs, scores = reference.retrieve([vocab_terms], k=min(10, len(ids)), show_progress=False)
        theirs = [(ids[d], float(s)) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]
        # same documents in the same order, up to exact score ties
        our_scores = np.array([s for _, s in ours])
        their_scores = np.array([s for _, s in theirs])
        assert len(ours) == len(theirs), question
        ratio = our_scores / their_scores  # bm25s drops Lucene's constant (k1 + 1) factor
        assert np.allclose(ratio, 2.2, rtol=1e-4), question
        assert [p for p, _ in ours] == [p for p, _ in theirs] or np.allclose(our_scores, their_scores * 2.2, rtol=1e-4)
        compared += 1
    assert compared >= 10


def test_rank_bm25_okapi_breaks_on_small_corpora_but_our_idf_does_not():
    """Why the project does not use BM25Okapi: a term in half the documents gets IDF 0 there."""
    rank_bm25 = pytest.importorskip("rank_bm25")
    docs = [["police", "ban"], ["police", "amazon"], ["ibm"], ["microsoft"]]
    okapi = rank_bm25.BM25Okapi(docs)
    assert okapi.get_scores(["police"]).max() == 0.0
    index = Segment.build(enumerate(docs))
    keys, scores = index.search(idf_weights(["police"], 4, {"police": index.doc_freq("police")}), 10)
    assert set(keys.tolist()) == {0, 1} and (scores > 0).all()


def test_live_index_delta_answers_new_documents_without_rebuild(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha", "beta"]), (2, ["beta", "gamma"])]), watermark=2)
    generation = (tmp_path / "idx" / "CURRENT").read_text()
    index.add([(3, ["delta", "alpha"])])
    assert index.search(["delta"], 5)[0][0] == 3
    assert (tmp_path / "idx" / "CURRENT").read_text() == generation  # no rebuild happened
    index.remove([1, 3])
    assert [pid for pid, _ in index.search(["alpha", "delta"], 5)] == []
    assert index.n_docs == 1


def test_live_index_persists_and_memory_maps(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(5, ["alpha"]), (9, ["alpha", "beta"])]), watermark=9)
    reopened = LiveIndex(tmp_path / "idx")
    assert reopened.load() and reopened.watermark == 9
    assert _memory_mapped(reopened._snapshot.main.postings.gaps)
    assert _memory_mapped(reopened._snapshot.main.postings.codes)
    assert [pid for pid, _ in reopened.search(["beta"], 5)] == [9]


def test_an_interrupted_rebuild_leaves_the_previous_index_usable(tmp_path, monkeypatch):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha"])]), watermark=1)

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Segment, "save", crash)
    with pytest.raises(OSError):
        index.rebuild(iter([(1, ["alpha"]), (2, ["beta"])]), watermark=2)
    reopened = LiveIndex(tmp_path / "idx")
    assert reopened.load() and reopened.watermark == 1
    assert reopened.search(["alpha"], 5)[0][0] == 1


def _memory_mapped(array: np.ndarray | None) -> bool:
    """Is ``array`` (or what it is a view of) a memory map of a file?"""
    while isinstance(array, np.ndarray):
        if isinstance(array, np.memmap):
            return True
        array = array.base
    return False


def test_a_build_grouped_in_many_chunks_is_the_build_in_one(monkeypatch):
    """The build groups its postings by term a chunk of documents at a time: any chunk size gives the same
    segment, bit for bit, including a term frequency too large for 16-bit counts."""
    from retrieval import postings

    rng = random.Random(5)
    vocab = [f"t{i}" for i in range(300)]
    docs = [(key * 3 + 1, rng.choices(vocab, [1 / (i + 1) for i in range(300)], k=rng.randint(0, 40)))
            for key in range(700)]
    docs[3] = (docs[3][0], ["flood"] * 70_000 + ["t1"])
    whole = Segment.build(docs)
    for chunk in (1, 5, 333):
        monkeypatch.setattr(postings, "_CHUNK", chunk)
        chunked = Segment.build(docs)
        pairs = [(name, getattr(whole, name), getattr(chunked, name)) for name in bm25._ARRAYS]
        pairs += [(name, getattr(whole.postings, name), getattr(chunked.postings, name)) for name in postings.ARRAYS]
        for name, expected, got in pairs:
            assert got.dtype == expected.dtype and np.array_equal(got, expected), (chunk, name)
        assert chunked.avgdl == whole.avgdl


@pytest.mark.parametrize("first_key", [1, 1_000])
def test_keys_without_gaps_are_found_without_reading_the_key_array(search_path, first_key):
    """A segment whose keys run without a gap (every index built from a fresh store) gives each hit's key
    as its first key plus the hit's position: a long-running process never pages the key array in."""
    rng = random.Random(11)
    vocab = [f"t{i}" for i in range(300)]
    docs = [rng.choices(vocab, k=rng.randint(5, 40)) for _ in range(3_000)]
    segment = Segment.build(zip(range(first_key, first_key + len(docs)), docs, strict=True))
    df = {t: segment.doc_freq(t) for t in vocab}
    queries = [idf_weights(rng.choices(vocab, k=rng.randint(1, 6)), len(docs), df) for _ in range(40)]
    expected = [segment.search(query, 10) for query in queries]
    segment.doc_keys = np.full(len(docs), -1, dtype=np.int64)  # what a search would read, if it read the array
    for query, (keys, scores) in zip(queries, expected, strict=True):
        found, found_scores = segment.search(query, 10)
        assert found.tolist() == keys.tolist() and np.array_equal(found_scores, scores)
        assert found.min() >= first_key


def test_keys_with_gaps_are_read_from_the_key_array(search_path):
    docs = [["apple", "pie"], ["apple"], ["pie", "crust"], ["apple", "crust"]]
    segment = Segment.build(zip([3, 8, 9, 40], docs, strict=True))
    df = {t: segment.doc_freq(t) for t in ("apple", "crust")}
    keys, _ = segment.search(idf_weights(["apple", "crust"], len(docs), df), 10)
    assert keys.tolist()[0] == 40 and set(keys.tolist()) == {3, 8, 9, 40}


def test_threads_searching_in_turn_share_one_set_of_working_buffers():
    """Each worker thread that ever searched used to keep its own accumulator (~5 MB at 1M passages); now a
    search borrows buffers and gives them back, so there are only as many as searches ran at once."""
    import threading

    rng = random.Random(2)
    vocab = [f"t{i}" for i in range(200)]
    docs = [rng.choices(vocab, k=rng.randint(5, 40)) for _ in range(2_000)]
    segment = Segment.build(enumerate(docs))
    df = {t: segment.doc_freq(t) for t in vocab}
    query = idf_weights(vocab[:6], len(docs), df)
    expected = segment.search(query, 10)
    results = []
    for _ in range(8):  # eight threads, one after another
        thread = threading.Thread(target=lambda: results.append(segment.search(query, 10)))
        thread.start()
        thread.join()
    assert len(segment._free) == 1
    assert all(np.array_equal(keys, expected[0]) and np.array_equal(scores, expected[1]) for keys, scores in results)


def test_searches_running_at_once_each_get_their_own_buffers(monkeypatch):
    """Two searches at once never share an accumulator: the second finds the first's buffers in use."""
    import threading

    rng = random.Random(4)
    vocab = [f"t{i}" for i in range(200)]
    docs = [rng.choices(vocab, k=rng.randint(5, 40)) for _ in range(2_000)]
    segment = Segment.build(enumerate(docs))
    df = {t: segment.doc_freq(t) for t in vocab}
    queries = [idf_weights(rng.choices(vocab, k=5), len(docs), df) for _ in range(2)]
    expected = [segment.search(q, 10) for q in queries]
    monkeypatch.setattr(kernels, "ready", lambda: None)  # the NumPy walk, which uses the buffers
    inside, release = threading.Barrier(2), threading.Event()
    taken = segment._take

    def take_and_wait():
        buffers = taken()
        inside.wait(timeout=5)  # both searches hold their buffers now
        return buffers

    monkeypatch.setattr(segment, "_take", take_and_wait)
    results: list = [None, None]

    def run(i: int) -> None:
        results[i] = segment.search(queries[i], 10)
        release.set()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    for (keys, scores), (want_keys, want_scores) in zip(results, expected, strict=True):
        assert np.array_equal(keys, want_keys) and np.array_equal(scores, want_scores)
    assert len(segment._free) == 2 and not any(b.scratch.any() for b in segment._free)
