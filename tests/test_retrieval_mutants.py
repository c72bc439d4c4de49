"""Specifications that pin down behaviour mutation testing found unguarded in the retrieval core.

Each test states a rule a user of the bot would notice if it broke: a story reached by two links counted
twice, a Windows file read as double-spaced paragraphs, an accented headline not matching its plain
twin, a wrong ranking or a wrong count. See benchmarks/README.md, "Mutation testing".
"""

from __future__ import annotations

from retrieval.analyzer import Analyzer
from retrieval.bm25 import BM25Params, Segment
from retrieval.index import MAX_DELTA_SEGMENTS, LiveIndex
from retrieval.passages import MAX_WORDS, chunk_passages, split_sentences
from retrieval.text import decode, normalise, title_key
from retrieval.urls import canonical_url


# ---- decoding and normalising text --------------------------------------------------------------------
def test_a_file_with_bytes_that_cp1252_leaves_undefined_is_still_read_as_latin1():
    # 0x81 and 0x9d have no cp1252 character: the last fallback reads every byte
    assert decode(b"Caf\xe9 \x81 menu \x9d") == ("Caf\xe9 \x81 menu \x9d", "latin-1")


def test_windows_and_old_mac_line_ends_are_one_line_break_not_a_paragraph_break():
    assert normalise("First line\r\nsecond line") == "First line\nsecond line"
    assert normalise("First line\rsecond line") == "First line\nsecond line"
    assert normalise("One paragraph.\r\n\r\nAnother.") == "One paragraph.\n\nAnother."


def test_title_keys_fold_accents_and_keep_single_spaces_between_words():
    assert title_key("Café owners’ crème brûlée") == title_key("Cafe owners' creme brulee")
    assert title_key("Café owners’ crème brûlée") == "cafe owners creme brulee"
    assert title_key("  Fed cuts   rates — again!") == "fed cuts rates again"


# ---- canonical URLs: one story reached by several links -----------------------------------------------
def test_an_amp_segment_inside_the_path_is_dropped_without_leaving_a_double_slash():
    assert canonical_url("https://www.x.com/news/amp/a-story") == "x.com/news/a-story"
    assert canonical_url("https://x.com/news//a-story/") == "x.com/news/a-story"


def test_an_amp_suffix_on_the_page_name_is_dropped():
    assert canonical_url("https://x.com/news/a-story.amp") == "x.com/news/a-story"
    assert canonical_url("https://x.com/news/a-story.ampl") == "x.com/news/a-story.ampl"


def test_click_ids_are_dropped_whatever_their_case_and_real_parameters_stay():
    assert canonical_url("https://x.com/a?fbclid=123&id=7") == "x.com/a?id=7"
    assert canonical_url("https://x.com/a?GCLID=9&id=7") == "x.com/a?id=7"


# ---- segments ----------------------------------------------------------------------------------------
def test_a_save_left_half_written_by_a_crash_does_not_stop_the_next_save(tmp_path):
    leftover = tmp_path / "gen-1.tmp"
    leftover.mkdir()
    (leftover / "doc_ids.npy").write_bytes(b"half written")
    Segment.build([(1, ["alpha"]), (2, ["beta"])]).save(tmp_path / "gen-1")
    loaded, _ = Segment.load(tmp_path / "gen-1")
    assert loaded.doc_keys.tolist() == [1, 2] and not leftover.exists()


# ---- the live index ----------------------------------------------------------------------------------
def test_removing_a_passage_the_main_segment_never_held_changes_nothing(tmp_path):
    # the watermark can lie past the last stored passage (the newest passages were deleted before the rebuild)
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha"]), (2, ["alpha", "beta"])]), watermark=10)
    index.remove([7, 10])
    assert index.tombstones == 0 and index.n_docs == 2
    assert [pid for pid, _ in index.search(["alpha"], 5)] == [1, 2]


def test_a_cleared_index_starts_again_from_nothing(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha"]), (2, ["beta"])]), watermark=2)
    index.remove([1])
    index.clear()
    assert (index.watermark, index.tombstones, index.n_docs) == (0, 0, 0)
    assert not (tmp_path / "idx").exists()
    index.add([(3, ["gamma"])])
    assert index.n_docs == 1 and [pid for pid, _ in index.search(["gamma"])] == [3]


def test_before_the_first_rebuild_the_new_passages_alone_are_searched_counted_and_spell_checked(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.add([(1, ["microsoft", "recognit"]), (2, ["microsoft"])])
    assert [pid for pid, _ in index.search(["recognit"])] == [1]
    assert index.doc_freq("microsoft") == 2
    assert index.correct("microsfot") == "microsoft"


def test_a_tombstone_in_the_main_segment_never_hides_a_new_passage(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha"]), (2, ["beta"])]), watermark=2)
    index.remove([1])  # the first passage of the main segment
    index.add([(3, ["alpha"])])  # the first passage of the delta
    assert [pid for pid, _ in index.search(["alpha"])] == [3]


def test_a_new_passage_scores_as_the_same_text_in_the_main_segment_does(tmp_path):
    # deltas use the main segment's average length, so where a passage sits never changes its rank
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha", "beta", "gamma", "delta"]), (2, ["beta"]), (3, ["gamma"])]), watermark=3)
    index.add([(4, ["alpha", "beta", "gamma", "delta"])])
    (first, first_score), (second, second_score) = index.search(["alpha"])
    assert (first, second) == (1, 4) and first_score == second_score


def test_passages_added_in_several_batches_before_a_rebuild_score_as_one_collection(tmp_path):
    one_batch, two_batches = LiveIndex(tmp_path / "one"), LiveIndex(tmp_path / "two")
    docs = [(1, ["alpha", "beta", "gamma", "delta", "omega"]), (2, ["alpha"]), (3, ["beta"])]
    one_batch.add(docs)
    two_batches.add(docs[:1])
    two_batches.add(docs[1:])
    assert two_batches.search(["alpha"]) == one_batch.search(["alpha"])


def _found(index: LiveIndex, *terms: str) -> list[int]:
    return sorted(pid for pid, _ in index.search(list(terms), 20))


def test_tombstones_add_up_and_survive_new_passages(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha"]), (2, ["alpha"]), (3, ["alpha"]), (4, ["beta"]), (5, ["beta"])]), watermark=5)
    index.remove([1])
    index.remove([5])  # the last passage of the main segment, at the watermark itself
    index.add([(6, ["alpha"])])
    assert _found(index, "alpha") == [2, 3, 6] and _found(index, "beta") == [4]
    assert (index.tombstones, index.n_docs) == (2, 4)


def test_a_term_in_every_live_passage_is_still_searchable_while_deleted_ones_await_compaction(tmp_path):
    # tombstoned passages still count in the main segment's document frequencies until the next rebuild
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha"]), (2, ["alpha"]), (3, ["alpha", "beta"])]), watermark=3)
    index.remove([1, 2])
    assert _found(index, "alpha") == [3]


def test_removing_one_new_passage_keeps_the_other_new_ones(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.rebuild(iter([(1, ["alpha", "beta", "gamma", "delta"]), (2, ["beta"]), (3, ["gamma"])]), watermark=3)
    index.add([(4, ["alpha"]), (5, ["alpha", "beta", "gamma", "delta"])])
    index.add([(6, ["alpha"])])
    index.remove([4])
    assert _found(index, "alpha") == [1, 5, 6]
    assert (index.delta_docs, index.n_docs) == (2, 5)
    scores = dict(index.search(["alpha"]))
    assert scores[5] == scores[1]  # the rebuilt delta keeps the main segment's length normalisation
    index.add([(7, ["alpha"])])
    assert _found(index, "alpha") == [1, 5, 6, 7]


def test_removing_new_passages_before_the_first_rebuild_keeps_the_rest(tmp_path):
    index = LiveIndex(tmp_path / "idx")
    index.add([(1, ["alpha"]), (2, ["alpha"]), (3, ["alpha"])])
    index.remove([2])
    index.add([(4, ["alpha"])])
    assert _found(index, "alpha") == [1, 3, 4] and index.n_docs == 3
    index.remove([1, 3, 4])
    assert _found(index, "alpha") == [] and index.n_docs == 0


def test_new_passages_are_scored_with_the_index_s_own_bm25_parameters(tmp_path):
    tuned = BM25Params(k1=2.0, b=0.3)
    index = LiveIndex(tmp_path / "idx", params=tuned)
    index.rebuild(iter([(1, ["alpha", "alpha", "beta"]), (2, ["beta"])]), watermark=2)
    index.add([(3, ["alpha", "alpha", "beta"]), (4, ["gamma"])])
    scores = dict(index.search(["alpha"]))
    assert scores[3] == scores[1]
    index.remove([4])
    scores = dict(index.search(["alpha"]))
    assert scores[3] == scores[1]


def test_once_deltas_are_merged_new_passages_still_score_as_the_main_segment_does(tmp_path):
    tuned = BM25Params(k1=2.0, b=0.3)
    index = LiveIndex(tmp_path / "idx", params=tuned)
    index.rebuild(iter([(1, ["alpha", "alpha", "beta"]), (2, ["beta"])]), watermark=2)
    for key in range(3, 3 + MAX_DELTA_SEGMENTS + 1):  # one add more than there may be delta segments
        index.add([(key, ["alpha", "alpha", "beta"] if key == 3 else ["gamma"])])
    scores = dict(index.search(["alpha"]))
    assert sorted(scores) == [1, 3] and scores[3] == scores[1]


# ---- analysis and sentences ----------------------------------------------------------------------------
def test_negative_contractions_analyze_as_their_expanded_words():
    analyzer = Analyzer()
    assert analyzer.terms("We shan't go") == analyzer.terms("We shall not go") == ["go"]
    assert analyzer.terms("They won't, can't") == analyzer.terms("They will not, can not") == []
    assert analyzer.terms("Microsoft won\u2019t sell") == ["microsoft", "sell"]  # a curly apostrophe


def test_a_word_whose_stem_is_a_stopword_adds_no_term():
    analyzer = Analyzer()  # "said" and "most" are stopwords, so "saying" and "mostly" are too, once stemmed
    assert analyzer.terms("Officials saying it was mostly over") == analyzer.terms("Officials said it was over")
    assert [t.surface for t in analyzer.tokens("Officials saying it was mostly over")] == ["Officials"]


def test_a_quotation_after_an_abbreviation_starts_a_new_sentence():
    assert split_sentences('The plant is in the U.S. "Nobody expected it," he said.') == [
        "The plant is in the U.S.", '"Nobody expected it," he said.']
    assert split_sentences("The plant is in the U.S. 'Nobody expected it,' he said.") == [
        "The plant is in the U.S.", "'Nobody expected it,' he said."]


def test_a_capitalised_name_before_a_period_ends_the_sentence():
    assert split_sentences("The deal was signed by Smith. Officials said it would close in May.") == [
        "The deal was signed by Smith.", "Officials said it would close in May."]


def test_a_month_abbreviation_before_a_day_like_5th_does_not_end_the_sentence():
    assert split_sentences("The hearing is set for Jan. 5th in Boston. Nobody objected.") == [
        "The hearing is set for Jan. 5th in Boston.", "Nobody objected."]


def test_an_ellipsis_or_a_closing_quotation_ends_a_sentence_even_after_a_single_letter():
    assert split_sentences("They chose plan B... Nobody objected.") == ["They chose plan B...", "Nobody objected."]
    assert split_sentences('He said "I pick plan B." Nobody objected.') == [
        'He said "I pick plan B."', "Nobody objected."]
    assert split_sentences("He said 'I pick plan B.' Nobody objected.") == [
        "He said 'I pick plan B.'", "Nobody objected."]


def test_a_run_on_sentence_is_cut_into_passages_by_words_and_loses_none():
    run_on = " ".join(f"word{i}" for i in range(250))  # no punctuation at all: a scraped list, a table
    chunks = chunk_passages(run_on)
    words = [w for chunk in chunks for w in chunk.text.split()]
    assert words == run_on.split()
    assert max(len(chunk.text.split()) for chunk in chunks) <= MAX_WORDS + MAX_WORDS // 2
    assert len(chunks) >= 3


def test_a_sentence_of_up_to_120_words_is_never_cut():
    sentence = " ".join(["word"] * 119) + " end."
    assert [chunk.text for chunk in chunk_passages(sentence)] == [sentence]


def _sentence(words: int) -> str:
    return " ".join(["Alpha"] + ["beta"] * (words - 1)) + "."


def _passage_sizes(*sentence_words: int) -> list[list[int]]:
    """Word counts of the sentences in each passage made from sentences of these lengths."""
    chunks = chunk_passages(" ".join(_sentence(n) for n in sentence_words))
    return [[len(sentence.split()) for sentence in chunk.text.split("\n")] for chunk in chunks]


def test_sentences_fill_a_passage_up_to_exactly_80_words():
    assert _passage_sizes(40, 40) == [[40, 40]]
    assert _passage_sizes(50, 40, 40) == [[50], [40, 40]]


def test_a_passage_of_40_words_or_more_is_closed_before_a_sentence_that_would_pass_80():
    assert _passage_sizes(40, 45) == [[40], [45]]
    assert _passage_sizes(39, 45) == [[39, 45]]  # under 40 words a passage takes the next sentence anyway


def test_a_first_sentence_longer_than_80_words_is_one_passage_and_no_empty_one_is_made():
    assert _passage_sizes(90, 10) == [[90, 10]]
    assert all(chunk.text for chunk in chunk_passages(_sentence(90)))


def test_a_short_last_passage_joins_the_one_before_while_together_they_stay_within_100_words():
    assert _passage_sizes(45, 30, 15) == [[45, 30, 15]]  # 75 + 15
    assert _passage_sizes(80, 20) == [[80, 20]]  # exactly 80 + 40 // 2
    assert _passage_sizes(80, 21) == [[80], [21]]
    assert _passage_sizes(80, 30) == [[80], [30]]
    assert _passage_sizes(50, 40) == [[50], [40]]  # 40 words are a passage of their own
    assert _passage_sizes(50, 80, 60, 30) == [[50], [80], [60, 30]]  # the one just before, not another
