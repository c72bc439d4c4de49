"""Sentence splitting: answers quote stored sentences verbatim, so each must be one whole sentence.

An abbreviation's period never ends a sentence before a name or a number ("Reps. Pramila Jayapal",
"No. 1", "Jan. 5"); a period after "U.S.", "Inc.", "Calif." or an initial ends one only when the next
word is one that starts sentences ("The", "He", "However"…). Quoted examples marked BBC are verbatim
from ../shared/corpora/bbc, those marked seed 002 from that seed (quotes straightened).
"""

from __future__ import annotations

import pytest

from retrieval.passages import decode_terms, encode_terms, split_sentences

ONE_SENTENCE = {
    "title": "Reps. Pramila Jayapal and Ro Khanna asked Amazon who had used Rekognition.",
    "titles": "Sen. Edward Markey, Gov. Gavin Newsom and Dr. Joy Buolamwini spoke at the hearing.",
    "title before a number": "Sec. 230 of the act protects the platforms.",
    "state": "The Cambridge, Mass. Police Department said it had never used the software.",
    "state after a party": "Rep. Ro Khanna (D-Calif.) Wrote to the company on Tuesday.",
    "company suffix": "Microsoft Corp. President Brad Smith said the company would not sell the software.",
    "company suffix after a domain": "Amazon.com Inc. Chief Executive Jeff Bezos did not comment.",
    "number": "IBM was once the No. 1 seller of the technology.",
    "month before a day": "The moratorium took effect on Jan. 5 and lasts a year.",
    "month (seed 002)": (
        "\"As it's possible you'll bear in mind, Microsoft Azure has many of those companies (Translation, "
        "Transcription, Video Processing, Facial Recognition, and so on.) working within the Public Azure,\" the "
        "particular person wrote on Sept. 15, 2017."
    ),
    "name suffix (seed 002)": (
        "In November 2018, a \"Sr. Microsoft SME,\" whose identify was redacted within the electronic mail, despatched "
        "one other be aware to a DEA consultant requesting a gathering."
    ),
    "saint": "Police in St. Louis said they had stopped using it.",
    "degree": "MIT Ph.D. Joy Buolamwini showed that the systems misidentified darker-skinned women.",
    "country before a title": "U.S. Rep. Jim Jordan objected to the bill.",
    "dotted initials": "J.P. Morgan analysts expect sales to fall 3.5% this year.",
    "single initials": "President George W. Bush and J. A. Smith met on Tuesday.",
    "name suffix": "Martin Luther King Jr. Day is a federal holiday.",
    "e.g.": "Some tools, e.g. Rekognition, were sold to police departments.",
    "decimal": "Shares of IBM rose 1.5 to $125.02 on Wednesday.",
}

TWO_SENTENCES = {
    "country at a sentence end": ["Amazon sells the software in the U.S.", "The company did not say why."],
    "country before a quote": ["The ban covers police in the U.S.", '"We will not sell it," Smith said.'],
    "company suffix at a sentence end": ["The lawsuit named Apple Inc.", "It did not respond."],
    "state at a sentence end": ["The company is based in Redmond, Wash.", "Its shares fell."],
    "initial at a sentence end (BBC)": [
        ('Robinson added he would "love" to do another series, each of which was set in a different era, '
        "ranging from the 15th century to World War I."),
        "But the BBC said on Thursday there were no plans for a comeback.",
    ],
    "a word, not a number sign (BBC)": [
        'Asked if he would stand for the leadership again, Mr Hague replied: "No.', 'Definitely not."'
    ],
    "a name, not a month (BBC)": [
        "Contestants Paul Burrell, Joe Pasquale, Janet Street-Porter and Fran Cosgrave were told by hosts Ant and Dec.",
        ("Natalie Appleton's decision to quit the show last Monday had given them all a stay of execution, the group "
        "were told."),
    ],
    "an acronym, not a title (BBC)": [
        "It has already offered to pay $300m to settle charges, in a deal that is under review by the SEC.",
        ("The company said it was unable to estimate the amount it needed to set aside for legal reserves, which it "
        "previously set at $500m."),
    ],
    "etc. at a sentence end (BBC)": [
        "Same thing, with Streets, Amy Winehouse, etc.", "Who's ever heard of Terri Walker or Rhian Benson.",
    ],
    "company name at a sentence end (BBC)": [
        '"It\'s just a fun, good holiday movie," said Dan Fellman, president of distribution at Warner Bros.',
        ('However, US critics were less complimentary about the $110m (£57.2m) project, with the Los Angeles Times '
        'labelling it a "dispiriting vanity project".'),
    ],
}


@pytest.mark.parametrize("sentence", ONE_SENTENCE.values(), ids=ONE_SENTENCE.keys())
def test_an_abbreviation_inside_a_sentence_does_not_end_it(sentence: str):
    assert split_sentences(sentence) == [sentence]


@pytest.mark.parametrize("sentences", TWO_SENTENCES.values(), ids=TWO_SENTENCES.keys())
def test_a_real_sentence_end_after_an_abbreviation_still_splits(sentences: list[str]):
    assert split_sentences(" ".join(sentences)) == sentences


def test_a_paragraph_splits_into_its_sentences_and_no_further():
    text = (
        "Reps. Pramila Jayapal and Ro Khanna wrote to Amazon Inc. Chief Executive Jeff Bezos on Jan. 5. "
        "They asked whether Rekognition is used in the U.S. The company declined to comment."
    )
    assert split_sentences(text) == [
        "Reps. Pramila Jayapal and Ro Khanna wrote to Amazon Inc. Chief Executive Jeff Bezos on Jan. 5.",
        "They asked whether Rekognition is used in the U.S.",
        "The company declined to comment.",
    ]


def test_splitting_a_stored_sentence_again_returns_it_unchanged():
    """The responder re-splits stored passage lines; a sentence must survive that whole."""
    sentences = [*ONE_SENTENCE.values(), *(s for pair in TWO_SENTENCES.values() for s in pair)]
    assert [piece for sentence in sentences for piece in split_sentences(sentence)] == sentences


def test_stored_terms_decode_back_to_the_title_and_each_line():
    stored = encode_terms(["amazon", "ban"], [["amazon", "paus"], [], ["year"]])
    assert decode_terms(stored, 3) == (["amazon", "ban"], [["amazon", "paus"], [], ["year"]])
    assert decode_terms(stored, 2) is None  # stored for other lines: the caller analyzes the text again


def test_the_word_before_a_period_ends_at_any_kind_of_space():
    """The word before a period is found by the last plain space before it, unless another space (a tab,
    a no-break space) comes later: then it ends at that one, as a scan character by character finds."""
    import random

    from retrieval.passages import _word_before

    def scanned(text: str, end: int) -> str:
        start = end
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        return text[start:end].lstrip("\"'([")

    rng = random.Random(3)
    pieces = ["a", "Sen", "U.S", " ", "  ", "\t", "\u00a0", "\u2009", "(", '"', "'", "\u200b", "x\x07"]
    for _ in range(5_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) + "."
        for end in range(len(text) + 1):
            assert _word_before(text, end) == scanned(text, end), (text, end)
