"""Bylines, datelines and timestamps are not sentences: they are cut from the head of a paragraph,
while real sentences that start with "By", "Updated" or a parenthesis are left whole.

The seeds hold no bylines, so the furniture below is written in the formats CNN, Reuters and AP use; the
sentences after it are verbatim from the seeds (quotes straightened), and every sentence marked BBC is
verbatim from ../shared/corpora/bbc.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.bylines import strip_heading_furniture
from retrieval.parsing import is_boilerplate
from retrieval.text import normalise

from .conftest import SHARED

REUTERS = (
    "Microsoft Corp said on Thursday it would not sell its facial-recognition technology to police departments "
    "until there is a federal law regulating the technology."
)  # seed 004, the Reuters story's excerpt
AMAZON = (
    "Amazon on June 10 banned police use of its face-recognition technology for a year, making it the latest tech "
    "giant to step back from law-enforcement use of systems that have faced criticism for incorrectly identifying "
    "people with darker skin."
)  # seed 004's excerpt

FURNITURE = {
    "glued byline": f"By Hanna Ziady, CNN Business {AMAZON}",
    "glued byline of two reporters": f"By Hanna Ziady and Clare Duffy, CNN Business {AMAZON}",
    "glued byline with a role": f"By Jeffrey Dastin, Reuters Technology Correspondent {REUTERS}",
    "dateline with an agency": f"WASHINGTON (Reuters) - {REUTERS}",
    "dateline with a state": f"SEATTLE, Wash. (AP) — {AMAZON}",
    "dateline of a business desk": f"NEW YORK (CNN Business) — {AMAZON}",
    "dateline without a space": f"London (CNN Business){AMAZON}",
    "agency alone": f"(CNN) — {AMAZON}",
    "timestamp then text": f"Updated 12:30 PM ET, Wed June 10, 2020 {AMAZON}",
    "byline, timestamp and dateline": f"By Hanna Ziady, CNN Business Updated 12:30 PM ET, Wed June 10, 2020 "
    f"London (CNN Business){AMAZON}",
    "photo credit": f"(Photo by Drew Angerer/Getty Images) {REUTERS}",
}

WHOLE_LINES = {
    "byline": "By Hanna Ziady, CNN Business",
    "byline of two reporters": "By Hanna Ziady and Clare Duffy, CNN Business",
    "byline without an outlet": "By Jeffrey Dastin",
    "byline with a role": "By Matt O'Brien, AP Technology Writer",
    "timestamp": "Updated 12:30 PM ET, Wed June 10, 2020",
    "publication stamp": "Published: 10:12 AM EDT, Thu June 11, 2020",
    "posted date": "Posted on June 11, 2020 at 6:07 pm",
}

REAL_TEXT = {
    "a year": "By 2021, the company expects to have sold its facial recognition business.",
    "a day": "By Tuesday, officials had stopped using the software.",
    "a year (BBC)": "By 2025, 40% of the UK's population will still be without internet access at home, says a study.",
    "a time (BBC)": (
        "By 1650 GMT, the dollar was trading against the euro at $1.3280, almost a cent and a half weaker than before "
        "the announcement."
    ),
    "a measure (BBC)": (
        "By any measure, New Yorker Dick Morris is that thing Americans love over everything else - a winner."
    ),
    "a means (BBC)": (
        "By declaring their assets and paying the one-off tax, people would be able to \"legalise their property\", "
        "Mr Saakashvili stressed."
    ),
    "a clause (BBC)": "By the time he was 40, Lee had decided he was too old for the comic game.",
    "a subheading": "By the numbers",
    "a film's title on its own line": "By Any Means Necessary",
    "a one-word heading": "By Design",
    "a name's account": "By Brad Smith's account, Microsoft had never sold the software to police.",
    "a verb": "Updated guidance from the company says police may not use Rekognition.",
    "a count": "Published 5 times since 2018, the study found higher error rates for darker-skinned women.",
    "a ticker": "Microsoft (MSFT) shares rose 2% on the news.",
    "an agency named in prose": "Reuters (the news agency) first reported the emails.",
}


@pytest.mark.parametrize("paragraph", FURNITURE.values(), ids=FURNITURE.keys())
def test_furniture_heading_a_paragraph_is_cut_and_the_first_sentence_kept(paragraph: str):
    assert strip_heading_furniture(paragraph) in (AMAZON, REUTERS)


@pytest.mark.parametrize("line", WHOLE_LINES.values(), ids=WHOLE_LINES.keys())
def test_a_line_that_is_only_a_byline_or_timestamp_is_removed(line: str):
    assert strip_heading_furniture(line) == ""


@pytest.mark.parametrize("sentence", REAL_TEXT.values(), ids=REAL_TEXT.keys())
def test_real_text_that_starts_like_furniture_is_never_cut(sentence: str):
    assert strip_heading_furniture(sentence) == sentence


def test_a_byline_glued_to_text_needs_a_known_outlet_or_the_articles_own():
    glued = f"By Kurt Mackie, Redmond Magazine {AMAZON}"
    assert strip_heading_furniture(glued) == glued  # where the name ends is not known: leave it
    assert strip_heading_furniture(glued, outlets=["Redmond Magazine"]) == AMAZON


@pytest.mark.parametrize(
    "credit",
    ["(Photo by Drew Angerer/Getty Images)", "Photo: Flickr user North Charleston", "Drew Angerer/Getty Images",
     "Image copyright Getty Images", "Credit: Reuters"],
)
def test_photo_credits_on_their_own_line_are_boilerplate(credit: str):
    assert is_boilerplate(credit)


def test_a_sentence_about_photos_is_not_a_credit():
    assert not is_boilerplate("Photos by the agency's staff were used to train the software.")


@pytest.mark.skipif(not (SHARED / "corpora/bbc").is_dir(), reason="BBC corpus not available")
def test_no_bbc_paragraph_loses_a_word():
    """2,225 real articles without bylines, 19 of whose paragraphs start with "By": none is touched."""
    paragraphs = [
        line
        for path in Path(SHARED / "corpora/bbc").rglob("*.txt")
        if not path.name.lower().startswith("readme")
        for line in normalise(path.read_bytes().decode("utf-8", "replace")).split("\n")
        if line.strip()
    ]
    assert sum(p.startswith("By ") for p in paragraphs) >= 19
    assert [p for p in paragraphs if strip_heading_furniture(p) != p] == []
