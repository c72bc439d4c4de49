"""The answering core, piece by piece: question understanding, typed spans, quotable units, corroboration,
selection, the premise check and the weighed abstention. Pure functions on hand-made passages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.answering.abstain import ANSWER_AT, decide
from bot.answering.candidates import (
    Candidate,
    Shares,
    acting,
    passage_view,
    score_candidates,
)
from bot.answering.compose import cite, compose_answer
from bot.answering.corroborate import group, same_fact
from bot.answering.premise import check
from bot.answering.question import AnswerType, analyse, answer_type, is_follow_up
from bot.answering.select import select
from bot.answering.spans import answering_spans, spans
from bot.answering.units import is_anaphoric, is_fragment, quality
from retrieval.analyzer import Analyzer
from retrieval.models import Passage, RankedPassage, Story, StoryKind

ANALYZER = Analyzer()


def analysed(question: str, *, known: dict[str, int] | None = None, n_docs: int = 1000, context=(), correct=None):
    """Analyse with every term known to 10 passages unless ``known`` says otherwise (0: unknown)."""
    table = known or {}
    return analyse(question, ANALYZER, lambda term: table.get(term, 10), n_docs, context=context, correct=correct)


def story(key: str, title: str, *, url: str | None = "https://example.com/x", outlet: str | None = "Example",
          quality: int | None = None) -> Story:
    published = datetime(2020, 6, 11, tzinfo=UTC) if url else None
    return Story(id=hash(key) % 10_000, key=key, title=title, kind=StoryKind.ARTICLE, source_file=f"/tmp/{key}.txt",
                 url=url, outlet=outlet, published=published, quality=quality)


def hit(key: str, title: str, sentences: list[str], score: float = 1.0, **story_fields) -> RankedPassage:
    passage = Passage(id=hash((key, sentences[0])) % 100_000, story_id=1, ordinal=0, text="\n".join(sentences))
    return RankedPassage(passage, story(key, title, **story_fields), score)


def checked(question: str, hits: list[RankedPassage], *, known: dict[str, int] | None = None):
    """The premise check of the question over these passages."""
    asked = analysed(question, known=known)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    return check(asked, views, score_candidates(asked, views, Shares(asked.weights)))


def decided(question: str, hits: list[RankedPassage], *, known: dict[str, int] | None = None):
    """The abstention decision on the question over these passages."""
    asked = analysed(question, known=known)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    shares = Shares(asked.weights)
    return decide(asked, views, score_candidates(asked, views, shares), shares, len(hits))


def typed(question: str, sentence: str, *before: str) -> tuple[str, ...]:
    """The answer spans found in ``sentence``, read in a story whose earlier sentences are ``before``."""
    asked = analysed(question)
    view = passage_view(hit("s", "A story", [*before, sentence]), ANALYZER, frozenset(asked.weights))
    found = [c for c in score_candidates(asked, [view], Shares(asked.weights)) if c.text == sentence]
    return found[0].typed if found else ()


def compose(question: str, hits: list[RankedPassage], **kwargs):
    return compose_answer(analysed(question, **kwargs), hits, ANALYZER, searched=len(hits))


# ---- question understanding ---------------------------------------------------------------------
@pytest.mark.parametrize(("question", "kind"), [
    ("Who is the chief executive of Time Warner?", AnswerType.PERSON),
    ("Which Green MSP is worried about the vote?", AnswerType.PERSON),  # any role of lexicon.PERSON_ROLES
    ("Which American musicologist rebuilt the score?", AnswerType.PERSON),
    ("Which players were dropped for the final?", AnswerType.PERSON),
    ("Which model of the iPod sold best?", AnswerType.OPEN),  # "model" is no role asked for
    ("Which company bought the stake?", AnswerType.ORGANISATION),
    ("Which federal agencies does Azure work with?", AnswerType.ORGANISATION),
    ("Where did Brad Smith make the announcement?", AnswerType.PLACE),
    ("In which city is the factory?", AnswerType.PLACE),
    ("When does the ban take effect?", AnswerType.DATE),
    ("What year did the company launch?", AnswerType.DATE),
    ("How long is Amazon's moratorium?", AnswerType.DURATION),
    ("How many searches did the DEA run?", AnswerType.NUMBER),
    ("How much did the deal cost?", AnswerType.AMOUNT),
    ("By what percentage did profits rise?", AnswerType.PERCENTAGE),
    ("Why did Amazon pause police use?", AnswerType.REASON),
    ("What prompted the decision?", AnswerType.REASON),
    ("Did Microsoft stop selling to police?", AnswerType.YES_NO),
    ("How does the PSP compare with the DS?", AnswerType.COMPARISON),
    ("What's the latest on Amazon?", AnswerType.LATEST),
    ("Which film studio is the latest to back Blu-ray?", AnswerType.ORGANISATION),  # asks for a studio
    ("Which handheld is cheaper, Sony's PSP or the Nintendo DS?", AnswerType.COMPARISON),
    ("What is Rekognition?", AnswerType.DEFINITION),
    ("What is Amazon's face recognition product called?", AnswerType.NAME),
    ("What did Microsoft pitch to the DEA?", AnswerType.OPEN),
    ("In which part of London did a passer-by pick up the plans?", AnswerType.PLACE),
    ("Which stadium will host the final?", AnswerType.PLACE),
    ("How quickly can the group turn satellite images into maps?", AnswerType.DURATION),
    ("How soon will the ban take effect?", AnswerType.DATE),
    ("What part did she play in the film?", AnswerType.OPEN),
    ("How much has the businessman given to Labour?", AnswerType.AMOUNT),
    ("What counts as a technical recession?", AnswerType.DEFINITION),
])
def test_the_wh_phrase_decides_the_expected_answer_type(question, kind):
    assert answer_type(question) is kind


def test_words_that_name_the_kind_of_answer_are_not_searched_for():
    asked = analysed("By what percentage did Time Warner's profits rise?")
    assert "percentag" not in asked.search and "profit" in asked.search
    assert "long" not in analysed("How long is the moratorium?").search


def test_adjacent_capitalised_words_are_one_subject():
    asked = analysed("What did Brad Smith tell the Washington Post?")
    assert [s.surface for s in asked.subjects] == ["Brad Smith", "Washington Post"]
    assert asked.subjects[0].terms == {"brad", "smith"}


def test_a_name_in_most_of_the_coverage_is_its_topic_not_a_subject_but_still_an_actor():
    asked = analysed("Did Microsoft stop selling to police?", known={"microsoft": 900})
    assert asked.subjects == () and asked.actors == ("Microsoft",)


def test_marked_words_figures_and_unknown_names_are_found():
    asked = analysed("Why did Apple ban Rekognition permanently after 20 complaints in 2019?", known={"appl": 0})
    assert ("permanently", "perman") in asked.marked
    assert asked.figures == ("20",)  # a year dates the question; it is no claim
    assert asked.unknown_names == ("Apple",)


def test_months_are_not_required_terms():
    assert "june" not in analysed("What did Amazon announce in June?").weights


def test_a_misspelt_name_is_searched_as_the_name_the_coverage_knows():
    asked = analysed("What did Microsfot pitch?", known={"microsfot": 0, "microsoft": 50},
                     correct=lambda term, word: "microsoft" if term == "microsfot" else None)
    assert "microsoft" in asked.search and not asked.unknown_names
    assert asked.corrections == {"Microsfot": "microsoft"}


@pytest.mark.parametrize(("question", "leans"), [
    ("for how long?", True), ("why?", True), ("and IBM?", True), ("when did he die?", True),
    ("Who's stepping in as coach?", True), ("Who's stepping in as IBM coach?", False),
    ("What did IBM decide about facial recognition?", False),
])
def test_short_questions_that_lean_on_the_one_before_are_follow_ups(question, leans):
    content = len(analysed(question).search)
    assert is_follow_up(question, content) is leans


def test_a_follow_up_takes_its_subject_from_the_earlier_question_and_its_type_from_its_own():
    asked = analysed("for how long?", context=["What did IBM decide about facial recognition?"])
    assert asked.follow_up and asked.answer_type is AnswerType.DURATION
    assert "ibm" in asked.search and [s.surface for s in asked.subjects] == ["IBM"]


# ---- typed spans ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "kind", "expected"), [
    ("The ban takes effect on June 10, 2020.", AnswerType.DATE, "June 10, 2020"),
    ("Amazon paused police use for one year.", AnswerType.DURATION, "for one year"),
    ("It placed a one-year moratorium on sales.", AnswerType.DURATION, "one-year"),
    ("Profits rose 26 percent to $1bn.", AnswerType.PERCENTAGE, "26 percent"),
    ("Only one in six pupils could name him.", AnswerType.PERCENTAGE, "one in six"),  # a share in words
    ("Six out of 10 firms agreed.", AnswerType.PERCENTAGE, "Six out of 10"),
    ("Two-thirds of homes have broadband.", AnswerType.PERCENTAGE, "Two-thirds of"),
    ("Almost half of voters backed it.", AnswerType.PERCENTAGE, "half of"),
    ("Profits rose 26% to $1.13bn.", AnswerType.AMOUNT, "$1.13bn"),
    ("Police ran 2,000 searches.", AnswerType.NUMBER, "2,000"),
    ("Thirteen episodes have been commissioned.", AnswerType.NUMBER, "Thirteen"),  # every number word, 1 to 99
    ("He sat for the seat for seventeen years.", AnswerType.DURATION, "for seventeen years"),
    ("The plant will be built in Chennai, India.", AnswerType.PLACE, "in Chennai"),
    ("Speaking to The Washington Post, Smith said so.", AnswerType.PLACE, "to The Washington Post"),
    ("The company was founded by Jerry Yang and David Filo.", AnswerType.PERSON, "Jerry Yang"),
    ("The first call was made by veteran comedian Ernie Wise.", AnswerType.PERSON, "Ernie Wise"),
    ("But Green MSP Mark Ballard fears people may miss out.", AnswerType.PERSON, "Mark Ballard"),  # the role leads
    ("It uses Rekognition, its facial recognition software.", AnswerType.NAME, "Rekognition"),
    ("It paused sales because of the protests.", AnswerType.REASON, "because"),
])
def test_typed_spans_are_found(sentence, kind, expected):
    assert expected in spans(sentence, kind)


@pytest.mark.parametrize(("sentence", "kind"), [
    ("They will not sell to U.S. police departments.", AnswerType.PLACE),  # an adjective, not a place
    ("Urging action from Congress, he spoke.", AnswerType.PLACE),
    ("It will happen in March.", AnswerType.PLACE),  # a month does not place
    ("Someone phoned the office.", AnswerType.NUMBER),  # "one" inside a word
    ("Amazon placed a one-year moratorium on police use.", AnswerType.NUMBER),  # a duration, not a count
    ("Germany and France agreed.", AnswerType.PERSON),  # one-word names are places and firms as often
    ("The first call was made in 1973 in New York.", AnswerType.PERSON),  # no cue that a person is meant
    ("A spokeswoman told the Financial Times on Monday.", AnswerType.PERSON),
    ("He won a third title in the third quarter.", AnswerType.PERCENTAGE),  # ordinals, not shares
])
def test_look_alike_spans_are_not_answers(sentence, kind):
    assert spans(sentence, kind) == []


def test_a_span_the_question_already_holds_answers_nothing():
    sentence = "The one-year moratorium began in June and runs until June 2021."
    assert answering_spans(sentence, AnswerType.DURATION, "Why is the one-year moratorium in place?") == ["until June"]


# ---- quotable units -------------------------------------------------------------------------------
def test_headlines_fragments_and_pointing_back_are_discounted():
    assert is_fragment("Researchers have repeatedly shown bias, demonstrating that pe")
    assert is_fragment("The AI model identifies receipt data, merchant information…")
    assert not is_fragment('He said: "It is done."')
    assert is_anaphoric("The next day, Microsoft said it would not sell.")
    assert is_anaphoric("He added that the ban was temporary.")
    assert not is_anaphoric("Microsoft said it would not sell.")
    assert quality("Amazon bans police use", "Amazon bans police use").headline
    assert quality("Amazon bans police use", "Amazon bans police use").factor < 1
    assert quality("Amazon said it would pause sales.", "Title").factor == 1
    cut = quality("Researchers have repeatedly shown bias, demonstrating that pe", "Title")
    elided = quality("Amazon placed a moratorium on Rekognition, which has been shown ...", "Title")
    assert elided.elided and not cut.elided and cut.factor < elided.factor < 1


# ---- scoring and selection ------------------------------------------------------------------------
def test_the_sentence_holding_the_answer_leads_not_the_one_repeating_the_question():
    answer = compose("When does the Amazon ban take effect?", [hit("a", "Amazon bans police use", [
        "Critics said the Amazon ban on police use was not enough.",
        "Amazon's ban on police use of its software takes effect on June 10.",
        "Amazon announced the ban on police use of its facial recognition software.",
    ])])
    assert "June 10" in answer.sentences[0].text


def test_a_sentence_that_points_back_is_quoted_after_the_sentence_it_points_to():
    answer = compose("When does the Amazon ban take effect?", [hit("a", "Amazon bans police use", [
        "Amazon announced a ban on police use of its facial recognition software.",
        "The ban takes effect on June 10 and lasts a year.",
    ])])
    assert [s.text[:10] for s in answer.sentences[:2]] == ["Amazon ann", "The ban ta"]
    assert "June 10" in " ".join(answer.lead(2))


def test_in_a_yes_no_question_a_sentence_that_says_no_answers_outright():
    answer = compose("Will Nintendo sell the DS adapter outside Japan?", [hit("a", "Nintendo DS adapter", [
        "Nintendo may sell the DS adapter outside Japan, analysts said.",
        "Nintendo has no plans to sell the DS adapter outside Japan.",
    ])])
    assert "no plans" in answer.sentences[0].text


def test_the_subject_acting_beats_a_sentence_that_merely_names_it():
    assert acting("Microsoft said it won't sell facial recognition to police.", ["Microsoft"])
    assert not acting("But Cagle urged Microsoft to stop selling to police.", ["Microsoft"])
    answer = compose("Did Microsoft stop selling facial recognition to police?", [hit("a", "Facial recognition", [
        "But Cagle went on to press Microsoft to permanently stop selling facial recognition to police.",
        "Microsoft said it won't sell facial recognition to police until there is a federal law.",
    ])])
    assert answer.sentences[0].text.startswith("Microsoft said")


def test_redundant_sentences_are_not_quoted_twice():
    same = "Amazon banned police use of its facial recognition software for one year on Wednesday."
    answer = compose("How long did Amazon ban police use of facial recognition?", [
        hit("a", "Amazon ban", [same, "The company gave no reason for the timing of the decision today."]),
        hit("b", "Amazon ban two", [same.replace("on Wednesday", "this week")], url=None, outlet=None),
    ])
    texts = [s.text for s in answer.sentences]
    assert len(texts) == len(set(texts)) and sum("one year" in t for t in texts) == 1


# ---- corroboration --------------------------------------------------------------------------------
def _candidates(question: str, hits: list[RankedPassage], **kwargs) -> list[Candidate]:
    asked = analysed(question, **kwargs)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    return score_candidates(asked, views, Shares(asked.weights))


def test_the_same_fact_from_three_outlets_is_one_sentence_citing_all_three_best_sourced_first():
    fact = "Amazon has banned police use of its facial recognition technology for a year."
    hits = [
        hit("local", "Amazon ban", [fact], score=3.0, url=None, outlet=None),
        hit("tribune", "Amazon ban", [fact.replace("has banned", "banned")], score=2.0),
        hit("star", "Amazon ban", ["Amazon banned police use of its facial recognition technology for a year."], 1.5),
    ]
    answer = compose("How long did Amazon ban police use of facial recognition?", hits)
    first = answer.sentences[0]
    assert len(first.citations) == 3
    lead = answer.citations[first.citation - 1].story
    assert lead.url is not None  # a story with outlet, date and link leads over the bare local file
    assert first.markers == "[1][2][3]" and answer.text.startswith(first.text + " [1][2][3]")


def test_a_sentence_holding_the_answer_is_never_merged_with_one_that_lacks_it():
    found = _candidates("How long did Amazon pause police use of facial recognition?", [
        hit("a", "Amazon", ["Amazon paused police use of facial recognition for one year."]),
        hit("b", "Amazon", ["Amazon paused police use of facial recognition, the company said."]),
    ])
    typed = next(c for c in found if c.typed)
    untyped = next(c for c in found if not c.typed)
    assert not same_fact(typed, untyped)
    assert all(not leader.also for leader in group(found))


def test_cite_numbers_each_story_once_in_order_of_first_use():
    found = _candidates("How long did Amazon pause police use of facial recognition?", [
        hit("a", "Amazon", ["Amazon paused police use of facial recognition for one year."]),
        hit("b", "Amazon", ["Amazon paused police use of facial recognition for a year."]),
    ])
    leaders = group(found)
    sentences, citations = cite(select(leaders))
    assert [c.n for c in citations] == [1, 2]
    assert sentences[0].citations == (1, 2)


# ---- premise --------------------------------------------------------------------------------------
MORATORIUM = [hit("a", "Amazon pauses Rekognition", [
    "Amazon placed a one-year moratorium on police use of Rekognition.",
    "Amazon said Congress needs time to pass rules for Rekognition.",
])]


def test_a_qualifier_the_evidence_contradicts_is_corrected_first_in_the_bots_own_words():
    answer = compose("Why did Amazon ban police use of Rekognition permanently?", MORATORIUM)
    assert answer.note == "The coverage doesn't say “permanently”; it reports:"
    assert "one-year" in answer.lead(1)[0] and answer.lead(1)[0].startswith(answer.note)
    assert all(answer.note not in s.text for s in answer.sentences)  # the note is never quoted or cited


def test_an_event_a_why_question_takes_for_granted_but_no_story_reports_is_not_answered():
    answer = compose("Why did Amazon veto the Rekognition moratorium?", MORATORIUM)
    assert answer.abstained and "veto" in answer.text and not answer.citations


def test_a_direction_the_evidence_reverses_is_corrected():
    answer = compose("Why did Barclays profits fall 20% last year?", [hit("a", "Barclays results", [
        "Barclays reported a 20% rise in annual profits to a record £3.8bn.",
        "The bank said profits in its investment arm grew strongly last year.",
    ])])
    assert answer.note is not None and "fall" in answer.note and "rise" in answer.lead(1)[0]


def test_a_figure_the_evidence_gives_otherwise_is_corrected_with_the_evidence():
    answer = compose("Why did Iran give blogger Arash Sigarchi a 20-year sentence?", [hit("a", "Blogger jailed", [
        "Arash Sigarchi was given a 14-year sentence by a court in Iran.",
        "Arash Sigarchi was sentenced one day after an online campaign for bloggers.",
    ])])
    assert "“20-year”" in (answer.note or "") and "14-year" in answer.lead(1)[0]


def test_a_positive_why_whose_evidence_is_negated_is_corrected():
    answer = compose("Why did Microsoft start selling facial recognition to police?", [hit("a", "Microsoft", [
        "Microsoft said it won't sell facial recognition to police until there is a federal law.",
        "Microsoft president Brad Smith spoke at an event on Thursday about the decision.",
    ])])
    assert answer.note == "The coverage doesn't say that; it reports:" and "won't sell" in answer.lead(1)[0]


def test_a_premise_the_evidence_bears_out_is_answered_without_a_note():
    answer = compose("Why did Amazon place a one-year moratorium on Rekognition?", MORATORIUM)
    assert not answer.abstained and answer.note is None and check is not None


# ---- abstention -----------------------------------------------------------------------------------
def test_an_unknown_name_weighs_against_answering_but_does_not_veto_a_strong_match():
    question = "What did Amazon and the Acme Police say about Rekognition?"
    strong = analysed(question, known={"acm": 0})
    views = [passage_view(h, ANALYZER, frozenset(strong.weights)) for h in MORATORIUM]
    shares = Shares(strong.weights)
    decision = decide(strong, views, score_candidates(strong, views, shares), shares, 1)
    assert strong.unknown_names == ("Acme",) and decision.confidence < 1.0
    unknown = analysed("What did Apple say?", known={"appl": 0})
    assert compose_answer(unknown, MORATORIUM, ANALYZER, searched=1).abstained
    assert ANSWER_AT > 0


def test_a_number_question_without_a_number_in_the_coverage_abstains():
    answer = compose("How many police departments used Rekognition?", [hit("a", "Amazon pauses Rekognition", [
        "Amazon paused police use of Rekognition after protests.",
        "Police departments that used Rekognition were not named.",
    ])])
    assert answer.abstained and "number" in answer.text


def test_every_quoted_sentence_is_verbatim_from_the_passage_it_cites():
    answer = compose("How long is Amazon's moratorium on Rekognition?", MORATORIUM)
    for sentence in answer.sentences:
        passage = next(p for c in answer.citations for p in c.passages if p.id == sentence.passage_id)
        assert sentence.text in passage.text


def test_a_question_joining_two_subjects_gives_each_its_own_sentence():
    asked = analysed("What did Amazon and IBM decide about facial recognition?")
    assert asked.per_subject and not analysed("What did Amazon tell IBM about facial recognition?").per_subject
    amazon = [
        "Amazon decided to pause police use of its facial recognition software for a year.",
        "Amazon said the facial recognition pause would give Congress time to decide on rules.",
        "Amazon wants facial recognition rules decided by Congress, the company said on Wednesday.",
        "Amazon decided facial recognition needs federal rules, its statement about the pause said.",
        "Amazon's facial recognition decision follows weeks of protests against police in many cities.",
    ]
    hits = [hit(f"amazon{i}", f"Amazon decision {i}", [text], 3.0 - i / 10) for i, text in enumerate(amazon)]
    hits.append(hit("ibm", "IBM exits", ["IBM said it would leave the business altogether and stop its research."], 0.5))
    answer = compose_answer(asked, hits, ANALYZER, searched=len(hits))
    assert any(s.text.startswith("IBM") for s in answer.sentences)


def test_a_figure_about_something_the_question_does_not_ask_after_does_not_answer_it():
    answer = compose("How many people does Multiplex employ?", [hit("a", "Multiplex results", [
        "Multiplex reported an 11% rise in pre-tax profits to A$67.7m for 2004.",
        "Multiplex is building the new Wembley stadium in London for the FA.",
    ])])
    assert answer.abstained and "number" in answer.text
    staffed = compose("How many people does Multiplex employ?", [hit("a", "Multiplex results", [
        "Multiplex employs 2,000 people across Australia and Britain, it said.",
    ])])
    assert "2,000" in staffed.lead(1)[0]


def test_a_duration_the_evidence_states_otherwise_is_corrected_and_its_evidence_leads():
    answer = compose("How is Google going to scan the Michigan library in only six months?", [hit("a", "Google scans", [
        "Google will scan the Michigan library's seven million books for its search engine.",
        "It will take six years to scan the full Michigan library collection.",
    ])])
    assert answer.note == "The coverage doesn't say “six months”; it reports:"
    assert answer.lead(1)[0] == f"{answer.note} It will take six years to scan the full Michigan library collection."


def test_a_long_sentence_that_repeats_a_short_one_with_the_same_answer_is_the_same_fact():
    long = ("Amazon on June 10 banned police use of its face-recognition technology for a year, making it the "
            "latest tech giant to step back from law-enforcement use of systems that have faced criticism for "
            "incorrectly identifying people with darker skin.")
    short = "Amazon has banned police use of its face-recognition technology for a year; it did not say why it took action now."
    answer = compose("How long is Amazon's ban on police use of face recognition?", [
        hit("star", "Amazon bans police use", [long], 2.0),
        hit("tribune", "Amazon bans police", [short], 1.9),
    ])
    assert len(answer.sentences) == 1 and answer.sentences[0].citations == (1, 2)


def test_among_equally_relevant_wordings_the_one_with_outlet_date_and_link_leads():
    fact = "Amazon paused police use of facial recognition for one year."
    found = _candidates("How long did Amazon pause police use of facial recognition?", [
        hit("local", "Amazon", [fact], url=None, outlet=None),
        hit("linked", "Amazon", [fact.replace("paused", "has paused")]),
    ])
    for candidate in found:  # the local file scores a little higher, within what counts as equal
        candidate.score = 1.05 if candidate.story.url is None else 1.0
    [leader] = group(found)
    assert leader.story.url is not None and [m.story.url for m in leader.also] == [None]


def test_a_sentence_going_on_from_one_that_tells_the_question_may_answer_with_a_span_of_the_kind():
    from bot.answering.candidates import CONTINUED_COVERAGE

    from .test_answering_mutants import views_and_candidates

    told = "Valencia sacked coach Claudio Ranieri on Friday."
    goes_on = "The club had lost three games in a row after a poor run since October 2004."
    article = hit("a", "Football news", [told, goes_on])
    question = "Why did Valencia sack Claudio Ranieri?"
    _, _, candidates, _ = views_and_candidates(question, [article])
    assert goes_on in {c.text for c in candidates}  # "after a poor run": a reason, though it names nothing asked
    assert CONTINUED_COVERAGE > 0.0
    vague = hit("a", "Football news", ["The league played on Friday.", goes_on])
    _, _, candidates, _ = views_and_candidates(question, [vague])
    assert goes_on not in {c.text for c in candidates}  # the sentence before tells too little of the question
    untyped = "The club had lost three games in a row."
    _, _, candidates, _ = views_and_candidates(question, [hit("a", "Football news", [told, untyped])])
    assert untyped not in {c.text for c in candidates}  # it names nothing asked and gives no reason


def test_under_a_headline_telling_the_question_a_reason_may_answer_naming_nothing_asked():
    from .test_answering_mutants import views_and_candidates

    sentence = "He was dismissed because of a poor run of results."
    article = hit("a", "Valencia sack Claudio Ranieri", ["Football news in brief today.", sentence])
    _, _, candidates, _ = views_and_candidates("Why did Valencia sack Claudio Ranieri?", [article])
    assert sentence in {c.text for c in candidates}
