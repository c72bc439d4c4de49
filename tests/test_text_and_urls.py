"""Text normalisation and canonical URLs (how duplicates are recognised)."""

from retrieval.passages import chunk_passages, split_sentences
from retrieval.text import decode, normalise, title_key
from retrieval.urls import canonical_url


def test_canonical_url_ignores_scheme_www_trailing_slash_and_amp_variants():
    plain = canonical_url("https://www.forbes.com/sites/davidjeans/2020/06/17/microsoft-facial-recognition-technology-dea/")
    assert plain == "forbes.com/sites/davidjeans/2020/06/17/microsoft-facial-recognition-technology-dea"
    assert canonical_url("http://forbes.com/sites/davidjeans/2020/06/17/microsoft-facial-recognition-technology-dea/amp/") == plain
    cdn = "https://www-forbes-com.cdn.ampproject.org/c/s/www.forbes.com/sites/davidjeans/2020/06/17/microsoft-facial-recognition-technology-dea/amp/"
    assert canonical_url(cdn) == plain


def test_canonical_url_drops_amp_and_tracking_query_but_keeps_real_parameters():
    assert canonical_url("https://a.com/x?outputType=amp") == "a.com/x"
    assert canonical_url("https://a.com/x/?amp=1&utm_source=t") == "a.com/x"
    assert canonical_url("https://abcnews.go.com/Business/story?id=71193937") == "abcnews.go.com/Business/story?id=71193937"
    assert canonical_url(None) is None and canonical_url("  ") is None


def test_decode_falls_back_to_latin1_and_normalise_straightens_quotes():
    assert decode(b"caf\xe9")[0] == "café"
    assert normalise("\u201cHi\u201d  it\u2019s\r\n\r\n\r\nme") == '"Hi" it\'s\n\nme'
    assert title_key("Microsoft won\u2019t sell!") == title_key("microsoft won't  sell")


def test_sentences_respect_abbreviations_and_initials():
    text = "Mr. Smith met the U.S. team on Sept. 15. He left. J. Doe stayed."
    assert split_sentences(text) == ["Mr. Smith met the U.S. team on Sept. 15.", "He left.", "J. Doe stayed."]


def test_passages_hold_whole_sentences_of_about_40_to_80_words():
    sentence = "This sentence has exactly ten words in it for testing."
    chunks = chunk_passages(" ".join([sentence] * 30))
    assert all(40 <= len(c.text.split()) <= 80 for c in chunks)
    assert sum(c.sentences for c in chunks) == 30
    assert all(line == sentence for c in chunks for line in c.text.split("\n"))


def _normalise_reference(text: str) -> str:
    """``normalise`` as first written: every substitution on every text."""
    import html
    import re
    import unicodedata

    from retrieval.text import _QUOTES

    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = re.sub(r"[ \t\f\v]+", " ", text.replace("\r\n", "\n").replace("\r", "\n"))
    return re.sub(r"\n{3,}", "\n\n", re.sub(r" ?\n ?", "\n", text)).strip()


def test_normalise_skips_only_rewrites_that_would_change_nothing():
    import random

    pieces = [*"ab \t\f\v\r\n\n&;#", "é", "e\u0301", "\u2018", "\u2019", "\u201c", "\u201d", "\u00a0", "\u2009",
              "\u202f", "\u200b", "\ufeff", "\u2032", "\u2033", "&amp;", "&#8217;", "  ", " \n ", "\n\n\n"]
    rng = random.Random(17)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert normalise(text) == _normalise_reference(text), repr(text)
