"""Typo tolerance: an unknown term is corrected to the known term the reader most likely meant."""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz.distance import OSA

from retrieval.analyzer import Analyzer
from retrieval.bm25 import Segment
from retrieval.index import LiveIndex
from retrieval.spelling import Lexicon, Speller, Suggestion, max_distance


def docs_with(doc_freqs: Mapping[str, int], first_key: int = 1) -> list[tuple[int, list[str]]]:
    """Passages in which each term occurs in exactly ``doc_freqs[term]`` of them."""
    n = max(doc_freqs.values())
    return [(first_key + i, [t for t, df in doc_freqs.items() if df > i]) for i in range(n)]


def index_with(directory: Path, doc_freqs: Mapping[str, int]) -> LiveIndex:
    """A persisted, memory-mapped index (as the bot opens it) holding terms with these doc freqs."""
    docs = docs_with(doc_freqs)
    LiveIndex(directory).rebuild(docs, watermark=docs[-1][0])
    index = LiveIndex(directory)
    assert index.load()
    return index


@pytest.fixture
def index(tmp_path: Path) -> LiveIndex:
    return index_with(tmp_path / "idx", {
        "microsoft": 5, "amazon": 4, "bank": 3, "rekognit": 2, "parliament": 1, "parchment": 9,
        "govern": 2, "cover": 1, "cower": 6, "2019": 3,
    })


# ---- the edits ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "meant"), [
    ("amzaon", "amazon"),  # transposition: one edit (plain Levenshtein would count two)
    ("amazn", "amazon"),  # deletion
    ("amazoon", "amazon"),  # insertion
    ("amazan", "amazon"),  # substitution
    ("bnak", "bank"),  # a transposition in a 4-letter term
    ("micrsoft", "microsoft"),
    ("microsfot", "microsoft"),
    ("mikrosoftt", "microsoft"),  # 10 letters: two edits (substitution + insertion) allowed
    ("mcrosfot", "microsoft"),  # 8 letters: two edits (deletion + transposition) allowed
])
def test_a_term_within_the_allowed_edits_is_corrected(index, typed, meant):
    assert index.correct(typed) == meant


@pytest.mark.parametrize("typed", [
    "anazom",  # 6 letters, two substitutions: only one edit allowed up to 7 letters
    "amaozzn",  # 7 letters, two edits
    "mcrosfto",  # 8 letters, three edits: at most two allowed
    "mikrosfott",  # 10 letters, three edits
    "zzzzzzzz",
])
def test_a_term_beyond_the_allowed_edits_is_not_corrected(index, typed):
    assert index.correct(typed) is None


def test_the_allowed_edits_grow_with_the_length_of_the_term():
    assert [max_distance(n) for n in range(1, 11)] == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2]


def test_a_known_term_is_never_corrected_even_to_a_more_frequent_neighbour(index):
    assert index.doc_freq("cover") == 1 and index.doc_freq("cower") == 6
    assert index.correct("cover") is None
    assert index.speller().suggestions("cover") == []


def test_terms_shorter_than_four_letters_are_never_corrected(tmp_path):
    index = index_with(tmp_path / "idx", {"bank": 3, "ban": 1})
    assert index.correct("bak") is None  # one deletion from "bank", but three letters
    assert index.correct("bnak") == "bank"


def test_numbers_are_never_corrected(tmp_path):
    index = index_with(tmp_path / "idx", {"2019": 3, "20190": 3})
    assert index.correct("2091") is None
    assert index.correct("20199") is None


# ---- which candidate wins -----------------------------------------------------------------------------
def test_the_more_frequent_of_two_equally_close_terms_wins(tmp_path):
    assert index_with(tmp_path / "a", {"govern": 5, "cover": 2}).correct("gover") == "govern"
    assert index_with(tmp_path / "b", {"govern": 2, "cover": 5}).correct("gover") == "cover"


def test_a_closer_term_wins_over_a_more_frequent_one(index):
    assert index.speller().suggestions("parliment") == [
        Suggestion("parliament", distance=1, doc_freq=1),
        Suggestion("parchment", distance=2, doc_freq=9),
    ]
    assert index.correct("parliment") == "parliament"


def test_equally_close_and_frequent_terms_resolve_alphabetically(tmp_path):
    assert index_with(tmp_path / "idx", {"cover": 2, "cower": 2}).correct("cowver") == "cover"


# ---- the surface word -----------------------------------------------------------------------------
def test_a_typo_that_changes_the_stem_is_found_through_the_surface_word(tmp_path):
    analyzer = Analyzer()
    texts = ["Amazon Rekognition matches faces", "Rekognition is a cloud service", "A recognition award"]
    docs = [(i + 1, analyzer.terms(text)) for i, text in enumerate(texts)]
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(docs, watermark=len(docs))
    [token] = analyzer.tokens("Rekognitoin")
    assert token.term == "rekognitoin" and index.doc_freq("rekognit") == 2
    assert index.correct(token.term) is None  # three edits from the stem "rekognit"
    assert index.correct(token.term, token.surface) == "rekognit"  # one from the word "rekognition"
    [known] = analyzer.tokens("Rekognition")
    assert index.correct(known.term, known.surface) is None


@pytest.mark.parametrize(("typed", "meant"), [
    ("govrnment", "govern"),  # a letter left out: the stem "govrnment" is four edits from "govern"
    ("electioons", "elect"),  # a letter too many
    ("governmemt", "govern"),  # a wrong letter
    ("governmnet", "govern"),  # two letters swapped
])
def test_every_kind_of_edit_is_undone_on_the_surface_word(tmp_path, typed, meant):
    analyzer = Analyzer()
    index = LiveIndex(tmp_path / "idx")
    index.rebuild([(1, analyzer.terms("The government called elections"))], watermark=1)
    [token] = analyzer.tokens(typed)
    assert index.correct(token.term) is None
    assert index.correct(token.term, token.surface) == meant


def test_a_stem_one_edit_from_the_surface_word_counts_as_one_edit(tmp_path):
    index = index_with(tmp_path / "idx", {"rekognit": 1, "rekognitor": 5})
    assert index.correct("rekognitoin") == "rekognitor"  # two edits: the only candidate of the term
    assert index.speller().suggestions("rekognitoin", "Rekognitoin") == [
        Suggestion("rekognit", distance=1, doc_freq=1),  # "rekognition", one edit from the word
        Suggestion("rekognitor", distance=2, doc_freq=5),
    ]


def test_letters_outside_a_to_z_are_edited_like_any_other(tmp_path):
    analyzer = Analyzer()
    [term] = analyzer.terms("Smørrebrød")
    index = index_with(tmp_path / "idx", {term: 2, "smorrebrod": 1})
    [typo] = analyzer.terms("Smørebrød")
    assert index.correct(typo) == term
    assert index.correct(typo, "Smørebrød") == term


# ---- the index changing ---------------------------------------------------------------------------
def test_a_term_added_through_add_becomes_correctable_at_once(index):
    assert index.correct("azrue") is None
    index.add([(100, ["azure", "cloud"])])
    assert index.correct("azrue") == "azure"
    index.add([(101, ["azure"]), (102, ["azure"])])  # a second delta
    assert index.speller().suggestions("azrue") == [Suggestion("azure", distance=1, doc_freq=3)]


def test_doc_freqs_add_up_across_the_main_segment_and_the_deltas(index):
    assert (index.doc_freq("govern"), index.doc_freq("cover")) == (2, 1)
    index.add([(100, ["cover"]), (101, ["cover"]), (102, ["cover"])])
    assert index.correct("gover") == "cover"  # 2 against 1 + 3
    index.add([(103, ["govern"]), (104, ["govern"]), (105, ["govern"])])
    assert index.correct("gover") == "govern"  # 2 + 3 against 1 + 3


def test_a_term_of_removed_delta_passages_is_no_longer_suggested(index):
    index.add([(100, ["azure"])])
    index.remove([100])
    assert index.correct("azrue") is None


def test_a_term_of_removed_main_passages_stays_until_compaction(tmp_path):
    docs = [*docs_with({"microsoft": 2}), (3, ["azure"])]
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(docs, watermark=3)
    index.remove([3])
    assert index.doc_freq("azure") == 1  # tombstones leave doc freqs alone: so does the speller
    assert index.correct("azrue") == "azure"
    index.rebuild(docs[:2], watermark=3)
    assert index.correct("azrue") is None


def test_a_speller_keeps_the_vocabulary_of_the_snapshot_it_was_made_from(index):
    before = index.speller()
    index.add([(100, ["azure"])])
    assert before.correct("azrue") is None
    assert index.speller().correct("azrue") == "azure"


# ---- cost -------------------------------------------------------------------------------------------
def test_lookup_structures_are_built_on_first_use_once_per_segment(tmp_path, monkeypatch):
    index_with(tmp_path / "idx", {"microsoft": 2, "amazon": 1})
    built: list[Segment] = []
    original = Lexicon.__init__

    def counting(self, segment):
        built.append(segment)
        original(self, segment)

    monkeypatch.setattr(Lexicon, "__init__", counting)
    index = LiveIndex(tmp_path / "idx")
    index.load()
    index.add([(10, ["azure"])])
    assert built == []  # opening and adding build nothing
    assert index.correct("microsfot") == "microsoft"
    assert index.correct("amazn") == "amazon"
    assert len(built) == 2  # the main segment and the delta, once each
    assert index.correct("cowver") is None
    index.add([(11, ["azura"])])
    assert index.correct("azrue") == "azure"
    assert len(built) == 3  # only the new delta
    assert index.correct("microsoft") is None and len(built) == 3  # a known term needs no lookup


@pytest.mark.parametrize("numpy_1", [False, True])
def test_the_filter_finds_exactly_the_terms_brute_force_finds(monkeypatch, numpy_1):
    """Random terms over a small alphabet (many repeated letters, a few non-ASCII) and random typos:
    the candidates equal every term within the allowed distance, by a full OSA scan."""
    if numpy_1:  # no np.bitwise_count before NumPy 2
        monkeypatch.delattr(np, "bitwise_count", raising=False)
    rng = random.Random(7)
    alphabet = "abeilnorst" + "øé"
    vocab = sorted({"".join(rng.choices(alphabet, k=rng.randint(2, 12))) for _ in range(3_000)})
    speller = Speller([Segment.build(docs_with(dict.fromkeys(vocab, 1)))])
    checked = 0
    for _ in range(400):
        typed = list(rng.choice(vocab))
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(typed) + 1)
            edit = rng.choice(("delete", "insert", "substitute", "transpose"))
            if edit == "insert":
                typed.insert(i, rng.choice(alphabet))
            elif i < len(typed) and edit == "delete":
                del typed[i]
            elif i < len(typed) and edit == "substitute":
                typed[i] = rng.choice(alphabet)
            elif i + 1 < len(typed):
                typed[i], typed[i + 1] = typed[i + 1], typed[i]
        term = "".join(typed)
        if term in vocab or len(term) < 4:
            continue
        k = max_distance(len(term))
        expected = {t: OSA.distance(term, t) for t in vocab if OSA.distance(term, t) <= k}
        assert {s.term: s.distance for s in speller.suggestions(term)} == expected, term
        checked += bool(expected)
    assert checked > 100


CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


@pytest.mark.skipif(not (CORPORA / "bbc").is_dir(), reason="seed corpora ../shared/corpora not available")
def test_the_benchmark_runs_on_a_small_corpus(tmp_path, capsys):
    """``benchmarks/spelling.py`` end to end on 2k passages (no timing assertions)."""
    from benchmarks import spelling

    figures = tmp_path / "figures.json"
    assert spelling.main(["--passages", "2k", "--typos", "60", "--workdir", str(tmp_path), "--json", str(figures)]) == 0
    result = json.loads(figures.read_text())
    assert result["letter_terms"] > 2_000 and result["build_s"] > 0 and result["lookup_ms"]["p50"] > 0
    assert result["recovered"] > 0.5
    assert "LiveIndex.correct(term): p50" in capsys.readouterr().out
