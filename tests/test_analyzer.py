"""The analyzer shared by index and query."""

from retrieval.analyzer import Analyzer


def test_lowercases_folds_accents_stems_and_drops_stopwords():
    assert Analyzer().terms("The Cafés were Selling") == ["cafe", "sell"]


def test_numbers_are_kept_and_thousands_separators_ignored():
    analyzer = Analyzer()
    assert analyzer.terms("about 2,000 searches") == ["2000", "search"]
    assert analyzer.terms("2000") == ["2000"]
    assert "2017" in analyzer.terms("in late 2017")


def test_possessives_and_curly_apostrophes_are_handled():
    assert Analyzer().terms("Amazon’s ban") == Analyzer().terms("Amazon's ban") == ["amazon", "ban"]


def test_tokens_keep_their_surface_form():
    tokens = Analyzer().tokens("Did Apple stop?")
    assert [(t.surface, t.term) for t in tokens] == [("Apple", "appl"), ("stop", "stop")]


def test_negative_contractions_expand_so_won_stays_a_word():
    analyzer = Analyzer()
    assert analyzer.terms("Microsoft won't sell, can't and didn't") == ["microsoft", "sell"]
    assert analyzer.terms("Who won the Australian Open?") == ["won", "australian", "open"]


def test_tokens_give_the_terms_of_their_text_each_with_the_word_it_came_from():
    analyzer = Analyzer()
    text = "Cafés in İstanbul sold 2,000 STRASSE maps for ½ price; the U.S. Army bought them"
    tokens = analyzer.tokens(text)
    assert [t.term for t in tokens] == analyzer.terms(text)
    assert [(t.surface, t.term) for t in tokens][:3] == [("Cafés", "cafe"), ("İstanbul", "istanbul"), ("sold", "sold")]
    assert [t.surface for t in tokens if t.term in ("1", "2")] == ["½", "½"]  # folding splits one surface in two
    assert ("2,000", "2000") in [(t.surface, t.term) for t in tokens] and ("US", "us") in [(t.surface, t.term) for t in tokens]


def _reference_terms(analyzer: Analyzer, text: str) -> list[str]:
    """Terms by the general rule, no cache and no fast path: words, then their stems."""
    return [term for term in analyzer._stems(analyzer._words(text)) if term]


def test_line_terms_are_the_terms_of_each_line_on_every_path(monkeypatch):
    """Ingest analyses a passage in one pass (ASCII text split by str methods, a cache of terms by token):
    the result is the general rule's, line by line, with the cache cold, warm, or full."""
    import random

    import retrieval.analyzer as analyzer_module

    pieces = [*"abcsXYZ \n\n.,'’-_$%:;()!?\t", " 's", "(’s", "é", "İ", "ß", "ﬁ", "½", "\u0301",
              "£", "•", "—", "€", "²", "\u2028", "\x85", "\u00a0", "ø", "Ж", "中", "U.S.", "e.g.", "A.B.C", "won't",
              "can’t", "didn't", "John's", "Amazon’s", "2,000", "1,000,000", "3.5", "3.5bn", "covid19", "a1b2",
              "9,99,9", "1.2.3", "the", "The", "running", "Cafés", "STRASSE", "x" * 40]
    rng = random.Random(11)
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(6_000)]
    for cache_size in (analyzer_module.TERM_CACHE_SIZE, 50):
        monkeypatch.setattr(analyzer_module, "TERM_CACHE_SIZE", cache_size)
        analyzer, reference = Analyzer(), Analyzer()
        for _ in range(2):  # cold, then warm
            for text in texts:
                lines = [_reference_terms(reference, line) for line in text.split("\n")]
                assert analyzer.line_terms(text) == lines
                assert analyzer.encoded_lines(text) == "\n".join(" ".join(terms) for terms in lines), repr(text)
                assert analyzer.terms(text) == _reference_terms(reference, text), repr(text)
