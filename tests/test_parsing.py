"""Parsing every kind of article users actually have: the five seeds and the malformed rest."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from retrieval.models import StoryKind
from retrieval.parsing import (
    ParseError,
    clean_body,
    is_boilerplate,
    parse_bytes,
    parse_text,
)

from .conftest import SEEDS, SHARED


def parse_seed(prefix: str):
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return parse_bytes(path.read_bytes(), path.name)


def test_front_matter_item_has_all_its_fields():
    [article] = parse_seed("000")
    assert article.title == "ACLU Finds Microsoft Tried To Sell Facial Recognition Software to the DEA"
    assert article.excerpt.startswith("E-mails exposed on Wednesday by the American Civil Liberties Union")
    assert article.published == datetime(2020, 6, 17, 23, 47, tzinfo=UTC)
    assert article.url == "https://redmondmag.com/articles/2020/06/17/microsoft-facial-recognition-dea.aspx"
    assert (article.outlet, article.outlet_domain) == ("Redmond Magazine", "redmondmag.com")
    assert article.topics == ("Natural Language Processing", "AI", "Computer Vision", "Microsoft AI")
    assert article.quality == 40
    assert article.image_url.endswith("0914red_F1Outsource.jpg")
    assert "secured" not in article.body and "Qq3wbK" not in article.body


def test_related_entries_are_stories_with_their_own_citation():
    [article] = parse_seed("000")
    assert [r.outlet for r in article.related] == ["Bloomberg", "Seattle Times"]
    bloomberg = article.related[0]
    assert bloomberg.kind is StoryKind.RELATED
    assert bloomberg.url.startswith("https://www.bloomberg.com/news/articles/2020-06-19/")
    assert bloomberg.published == datetime(2020, 6, 19, 16, 44, tzinfo=UTC)
    assert bloomberg.quality == 54
    assert bloomberg.body.startswith("A week after the tech giants said")


@pytest.mark.parametrize("prefix, related", [("001", 6), ("004", 29)])
def test_every_related_entry_is_parsed(prefix: str, related: int):
    [article] = parse_seed(prefix)
    assert len(article.related) == related
    assert all(r.title and r.url and r.outlet for r in article.related)


def test_plain_text_article_takes_its_first_line_as_title_and_drops_boilerplate():
    [article] = parse_seed("002")
    assert article.title == "Microsoft Pitched Facial Recognition To The DEA"
    assert article.url is None and article.kind is StoryKind.ARTICLE
    for furniture in ("Source link", "Spread the love", "Leave a Reply", "Your email address will not be published"):
        assert furniture not in article.body
    assert article.body.startswith("In early June, Microsoft joined")
    assert article.body.rstrip().endswith("the demise of George Floyd.\u201d") or "George Floyd" in article.body[-200:]


def test_plain_text_with_advertisements_photo_credits_and_repeated_title():
    [article] = parse_seed("003")
    assert article.title == "Now Microsoft is banning police from using its facial recognition tech, too"
    assert "advertisement" not in article.body.lower()
    assert "[Photo" not in article.body
    assert article.title not in article.body  # the repeated headline line is gone
    assert "\u201c" not in article.body and "\u2019" not in article.body  # curly quotes normalised
    assert "Matt Cagle" in article.body


def test_boilerplate_lines_are_recognised_but_text_is_not():
    assert is_boilerplate("advertisement")
    assert is_boilerplate("[Photo: Flickr user North Charleston]")
    assert is_boilerplate("Your email address will not be published. Required fields are marked *")
    assert not is_boilerplate("Advertisement revenue fell by 20% this year, the company said.")
    assert clean_body("Title\n\nadvertisement\n\nBody text.", title="Title") == "Body text."


def test_markdown_with_front_matter_keeps_its_body_as_plain_text():
    text = "---\ntitle: Hello\nwebUrl: https://x.org/a\n---\n# Heading\n\nSome **bold** [link](https://y.org) text.\n"
    [article] = parse_text(text, "a.md")
    assert article.title == "Hello"
    assert "Some bold link text." in article.body and "https://y.org" not in article.body


def test_yaml_file_with_a_list_of_items():
    text = "- title: One\n  excerpt: First.\n- title: Two\n  excerpt: Second.\n"
    assert [a.title for a in parse_text(text, "items.yaml")] == ["One", "Two"]


def test_latin1_file_is_decoded():
    [article] = parse_bytes("Pound story\n\nIt cost \xa3300 today.".encode("latin-1"), "sport.txt")
    assert "£300" in article.body


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (b"\x00\x01\x02binary", "binary"),
        (b"---\ntitle: [unclosed\n---\n", "invalid YAML"),
        (b"---\nexcerpt: no title here\n---\n", "missing title"),
        (b"---\ntitle: x\n", "not closed"),
        (b"x" * (6 * 1024 * 1024), "larger than"),
        (b"Just a title line\n", "no article text"),
    ],
)
def test_malformed_files_raise_a_reason(data: bytes, reason: str):
    with pytest.raises(ParseError, match=reason):
        parse_bytes(data, "bad.txt")


@pytest.mark.parametrize(
    "text, line",
    [
        ("---\ntitle: Zebras\nexcerpt: [unclosed, list\npublishedDateTime: 2020-06-11\n---\nBody.\n", 4),
        ("\n\n---\ntitle: Zebras\nexcerpt: \"open\n  quote: x\n---\nBody.\n", 6),  # blank lines before the '---'
        ("title: Zebras\nexcerpt: ok\n  bad: indent\n", 3),  # a bare YAML file
    ],
)
def test_a_yaml_error_names_the_line_of_the_file(text: str, line: int):
    with pytest.raises(ParseError, match=rf"invalid YAML at line {line}$"):
        parse_text(text, "item.yaml")


def test_one_bad_related_entry_does_not_cost_the_article():
    text = "---\ntitle: Parent\nrelated:\n  - excerpt: no title\n  - title: Child\n    webUrl: https://c.org/x\n---\n"
    [article] = parse_text(text, "p.md")
    assert [r.title for r in article.related] == ["Child"]


def test_hard_wrapped_paragraphs_are_joined_back_into_whole_sentences():
    text = (
        "Kettle wins prize\n\n"
        "The Zorblatt quantum kettle, a countertop appliance that boils water in four seconds, won the\n"
        "Glasgow innovation prize on Tuesday. Its inventor, engineer Morwenna Quillfeather, said the prize\n"
        "money would fund a factory.\n\n"
        "Short menu line\nAnother menu line\n"
        "A complete sentence that ends here on its own line, as authors write them.\n"
        "The next sentence starts a new line.\n"
        "- a list item that is long enough to look like wrapped prose but has no stop\n"
        "- and the next item\n"
    )
    [article] = parse_text(text, "kettle.txt")
    lines = article.body.split("\n")
    assert (
        "The Zorblatt quantum kettle, a countertop appliance that boils water in four seconds, won the Glasgow "
        "innovation prize on Tuesday. Its inventor, engineer Morwenna Quillfeather, said the prize money would "
        "fund a factory."
    ) in lines
    assert "Short menu line" in lines and "Another menu line" in lines  # short lines are not wrapped prose
    assert "The next sentence starts a new line." in lines
    assert "- and the next item" in lines


def test_a_scraped_cnn_page_keeps_only_the_article_from_its_first_real_sentence():
    text = (
        "IBM will no longer offer facial recognition software\n\n"
        "By Hanna Ziady and Clare Duffy, CNN Business\n"
        "Updated 12:30 PM ET, Wed June 10, 2020\n\n"
        "(Photo by Drew Angerer/Getty Images)\n\n"
        "London (CNN Business)IBM is getting out of the facial recognition business. Reps. Pramila Jayapal and "
        "Ro Khanna welcomed the move.\n\n"
        "By 2021, the company expects to have sold the unit.\n"
    )
    [article] = parse_text(text, "ibm.txt")
    assert article.body.split("\n") == [
        "IBM is getting out of the facial recognition business. Reps. Pramila Jayapal and Ro Khanna welcomed the move.",
        "",
        "By 2021, the company expects to have sold the unit.",
    ]


def test_a_dateline_is_cut_from_an_excerpt_and_a_byline_naming_the_items_own_outlet_from_its_body():
    text = (
        "---\ntitle: Microsoft bans police face recognition sales\n"
        "excerpt: \"WASHINGTON (Reuters) - Microsoft Corp said on Thursday it would not sell its technology.\"\n"
        "provider:\n  name: Redmond Magazine\n---\n"
        "By Kurt Mackie, Redmond Magazine The company made the pledge on Thursday.\n"
    )
    [article] = parse_text(text, "item.md")
    assert article.excerpt == "Microsoft Corp said on Thursday it would not sell its technology."
    assert article.body.split("\n\n") == [article.excerpt, "The company made the pledge on Thursday."]


def test_the_seeds_lose_nothing_to_byline_stripping(monkeypatch):
    """The seeds have no bylines or datelines: stripping them must leave every seed as it was."""
    from retrieval import parsing

    stripped = {path.name: parse_bytes(path.read_bytes(), path.name) for path in SEEDS.iterdir()}
    monkeypatch.setattr(parsing, "strip_heading_furniture", lambda text, outlets=(): text.strip())
    for path in SEEDS.iterdir():
        assert parse_bytes(path.read_bytes(), path.name) == stripped[path.name]


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "'inf'", "'nan'", "'1e999'"])
def test_a_number_field_that_is_not_finite_is_ignored_not_fatal(value: str) -> None:
    articles = parse_text(f"---\ntitle: Budget\nquality: {value}\n---\nThe budget passed.\n", "story.md")
    assert articles[0].quality is None


@pytest.mark.parametrize(
    "text",
    [
        "---\nti\ttle: Tabbed key\nexcerpt: x\n---\nBody.\n",  # libyaml accepts a tab here, PyYAML does not
        "---\ntitle: A\n\ufeff\nexcerpt: x\n---\nBody.\n",  # nor a byte-order mark
        "---\ntitle: A\ntopics:\n  - x\n  ""y\n---\nBody.\n",  # libyaml names the next line
        "---\ntitle: Fine\nexcerpt: \"quoted\"\ntopics: [a, b]\nquality: 3\npublishedDateTime: 2020-06-11T10:00:00Z\n---\nB.\n",
    ],
)
def test_front_matter_reads_as_pyyaml_reads_it_with_or_without_libyaml(monkeypatch, text: str):
    """libyaml's faster parser is used where it agrees with PyYAML's own: same articles, same errors."""
    import yaml

    def parsed() -> object:
        try:
            return parse_text(text, "item.md")
        except ParseError as error:
            return str(error)

    fast = parsed()
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert fast == parsed()


@pytest.mark.skipif(not (SHARED / "corpora/smartable-powerapps").is_dir(), reason="smartable corpus not available")
def test_the_front_matter_corpus_parses_the_same_with_or_without_libyaml(monkeypatch):
    import yaml

    files = sorted(path for path in (SHARED / "corpora/smartable-powerapps").rglob("*") if path.suffix == ".md")
    assert len(files) > 100
    fast = [parse_bytes(path.read_bytes(), path.name) for path in files]
    monkeypatch.delattr(yaml, "CSafeLoader", raising=False)
    assert fast == [parse_bytes(path.read_bytes(), path.name) for path in files]


def test_the_boilerplate_patterns_are_tried_as_one_and_find_what_each_finds():
    """Web furniture is found by one pattern made of all of them: the same lines as trying each in turn."""
    import random

    from retrieval.parsing import _BOILERPLATE_PATTERNS, _BOILERPLATE_RE

    def is_boilerplate_pattern(line: str) -> bool:
        return _BOILERPLATE_RE.match(line) is not None

    pieces = ["[Photo", "[image", "]", " credit", "Photo", "Images", " by ", " via ", "courtesy of", ":", "/", " ",
              "Getty Images", "AP Photo", "Reuters", "via Getty Images", ")", "(", "copyright", "©", "Credit:",
              "Click here to", "tap here to", "Follow us on", "sign up for", " newsletter", "Image caption", ".",
              "your email address will not be published", "Required fields are marked", "x", "Zoë", "?"]
    rng = random.Random(8)
    lines = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(20_000)]
    found = 0
    for line in lines:
        expected = any(pattern.search(line) for pattern in _BOILERPLATE_PATTERNS)
        assert is_boilerplate_pattern(line) == expected, line
        found += expected
    assert 1_000 < found < 19_000  # both kinds of line are tried
