"""Days, measures, hedged noes and asked-for names: a day or a count the question states that the coverage tells
otherwise is corrected with what it does tell; "set to miss" and "unlikely" say no; a question asking for a name
that no sentence gives is refused. Hand-made passages; each test fails when its rule is taken out."""

from __future__ import annotations

import pytest

from bot.answering.dates import find_date, find_dates

from .test_answering_units import ANALYZER, checked, compose, decided, hit

KNOWN = {"dorvik": 3, "quell": 3}


def _checked(question: str, hits):
    return checked(question, hits, known=KNOWN)


def _decided(question: str, hits):
    return decided(question, hits, known=KNOWN)


# ---- days ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "days"), [
    ("an election on 5 May, not June 5th", [(6, 5), (5, 5)]),
    ("not on 32 May, nor on 2020-13-05", []),  # no such day, no such month
    ("from 1 January to 31 December", [(1, 1), (12, 31)]),  # the first and last days are days
    ("2020-01-01 and 2020-12-31", [(1, 1), (12, 31)]),
    ("not 0 May, nor 2020-00-10", []),
    ("the 11th of June 2020", [(6, 11)]),
    ("on 2020-06-17", [(6, 17)]),
    ("in May 2008", []),  # a month and a year name no day
])
def test_every_day_a_text_names_is_read_however_it_is_written(text, days):
    assert [d.day_of_year for d in find_dates(text)] == days


def test_the_first_day_named_is_the_one_a_what_happened_question_asks_about():
    date = find_date("What happened on June 11 2020, after 3 May?")
    assert date is not None and (date.month, date.day, date.year) == (6, 11, 2020)


ELECTION = [hit("a", "Dorvik to call election", [
    "Dorvik seems certain to announce there will be a general election on 5 May.",
    "Most commentators have been expecting the vote for weeks.",
])]


def test_a_day_the_coverage_tells_otherwise_is_corrected_with_the_day_it_tells():
    premise = _checked("Why is Dorvik expected to call a general election for 5 June?", ELECTION)
    assert premise.status == "contradicted" and premise.word == "5 June"
    assert premise.evidence is not None and "5 May" in premise.evidence.text


@pytest.mark.parametrize("day", ["5 May", "May 5th"])
def test_the_day_the_coverage_tells_is_no_premise_to_correct(day):
    assert _checked(f"Why is Dorvik expected to call a general election for {day}?", ELECTION).status != "contradicted"


def test_every_day_the_question_names_is_checked():
    premise = _checked("Why is Dorvik expected to call a general election for 5 May, after talks on 9 June?", ELECTION)
    assert premise.status == "contradicted" and premise.word == "9 June"


def test_the_correcting_sentence_names_the_subjects_then_shares_the_days_month_or_number():
    stories = [hit("a", "Dorvik to call election", [
        "Dorvik is expected to call a general election soon, his aides said on 12 March.",
        "Quell said the vote would come after talks on 2 April.",
        "Dorvik's election is on 5 May.",
    ])]
    premise = _checked("Why is Dorvik expected to call a general election for 5 June?", stories)
    assert premise.status == "contradicted" and premise.evidence is not None
    assert premise.evidence.text == "Dorvik's election is on 5 May."


def test_the_day_a_story_was_published_counts_as_told():
    """hit(…) with a link dates its story 11 June 2020: "on 11 June" may be told by the date alone."""
    stories = [hit("a", "Dorvik names cabinet", [
        "Dorvik named his new cabinet on Thursday, promising a vote by 5 May.",
    ], url="https://example.com/dorvik")]
    assert _checked("Why did Dorvik name his cabinet on 11 June?", stories).status != "contradicted"


# ---- measures -----------------------------------------------------------------------------------
BALLOTS = [hit("a", "Ballots go missing in Quell", [
    "Hundreds of ballot papers for the Quell assembly referendum have disappeared in Dorvik.",
    "The postal votes of 20 Dorvik wards are due by 4 November, officials said.",
    "Officials believe about 300 homes did not get them.",
])]


def test_a_count_told_otherwise_is_corrected_with_the_sentence_counting_the_same_thing():
    premise = _checked("Why did around 3,000 homes in Dorvik not receive their ballot papers for the Quell "
                       "referendum?", BALLOTS)
    assert premise.status == "contradicted" and premise.word == "3,000"
    assert premise.evidence is not None and "300 homes" in premise.evidence.text


@pytest.mark.parametrize(("question", "figure", "alike"), [
    ("How did they find that 10 million PCs were hijacked?", "10", ["More than one million PCs were hijacked."]),
    ("Why were 5,000 PCs hijacked?", "5,000", ["The largest network was made up of 50,000 hijacked PCs.",
                                              "More than one million PCs were hijacked.", "Three PCs were hit first."]),
    ("Why were 50,000 PCs hijacked?", "50,000", ["More than one million PCs were hijacked.",  # not its own count
                                                "Three PCs were hit first."]),
    ("Why did the clean-up cost 5,000 in 2004?", "5,000", []),  # counting nothing named
    ("Why did the clean-up cost 5,000?", "5,000", []),  # nothing after the figure
    ("Why were 5 PCs hit at 5 firms?", "5", ["The largest network was made up of 50,000 hijacked PCs.",
                                            "More than one million PCs were hijacked.",
                                            "Three PCs were hit first."]),  # the first "5" counts PCs
])
def test_the_same_measure_is_the_thing_counted_in_the_figures_scale(question, figure, alike):
    from types import SimpleNamespace

    from bot.answering.premise import _measured_alike

    sentences = ["The largest network was made up of 50,000 hijacked PCs.", "More than one million PCs were hijacked.",
                 "Some 40 firms were hit.", "The 30 engineers checked the PCs.", "Three PCs were hit first."]
    candidates = [SimpleNamespace(text=s, terms=frozenset(ANALYZER.terms(s))) for s in sentences]
    assert [c.text for c in _measured_alike(question, figure, candidates)] == alike


# ---- hedged noes --------------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "sentences", "answer"), [
    ("Will Dorvik play any part in this year's Quell Cup?", [
        "Dorvik played in last year's Quell Cup and took part in training on Wednesday.",
        "Dorvik looks set to miss the whole of this year's Quell Cup.",
    ], "set to miss"),
    ("Did Dorvik think his club could win the Quell Cup this season?", [
        "Dorvik thinks his club could win the league and the Quell Cup next season.",
        "Dorvik has admitted that his club are unlikely to win the Quell Cup this season.",
    ], "unlikely to win"),
])
def test_a_hedged_no_answers_a_yes_no_question_first(question, sentences, answer):
    reply = compose(question, [hit("a", "Dorvik news", sentences)], known=KNOWN)
    assert answer in reply.lead(1)[0]


# ---- names asked for ----------------------------------------------------------------------------
def test_a_question_asking_for_a_name_that_no_sentence_gives_is_refused():
    decision = _decided("What is the real name of the Dorvik gamer who bought the Quell island?", [
        hit("a", "Gamer buys virtual island", [
            "The Dorvik gamer, known only by his gaming moniker, bought the Quell island in an online auction.",
            "The Quell island has a gold mine and a castle, the Dorvik gamer said.",
        ]),
    ])
    assert decision.answer is False and "name" in decision.why


def test_a_question_asking_for_a_name_that_a_sentence_gives_is_answered():
    decision = _decided("What is the real name of the Dorvik gamer who bought the Quell island?", [
        hit("a", "Gamer buys virtual island", [
            "The Quell island was bought by John Harrow, a gamer from Dorvik, in an online auction.",
            "The Quell island has a gold mine and a castle, the Dorvik gamer said.",
        ]),
    ])
    assert decision.answer


@pytest.mark.parametrize(("question", "sentence"), [
    ("Why will Dorvik miss the rest of the Quell Cup?", "Dorvik will miss the rest of the Quell Cup because of injury."),
    ("Why did the dollar slide after Quell spoke up?",
     "Comments by Quell at the end of last week have sparked the recent round of dollar declines."),
])
def test_a_no_the_question_itself_says_is_no_premise_to_correct(question, sentence):
    """"Will miss" tells against "will he play?", not against "why will he miss?"; "declines" is the slide asked about."""
    assert _checked(question, [hit("a", "Dorvik news", [sentence])]).status != "negated"
