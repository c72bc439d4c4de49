"""Specifications that pin down behaviour mutation testing found unguarded in the answering core.

Each test reads as a rule a reader of the bot's replies would notice if it broke: the note and the
markers, who leads, what counts as one corroborated fact, which spans answer, when a question leans on
the one before, and when the bot abstains and what it says then. Hand-made passages, as in
``test_answering_units.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.answering.abstain import decide
from bot.answering.candidates import (
    Candidate,
    Shares,
    acting,
    passage_view,
    score_candidates,
)
from bot.answering.compose import compose_digest
from bot.answering.corroborate import group, jaccard, same_fact
from bot.answering.models import Answer, AnswerSentence, Citation
from bot.answering.premise import _in_text, check
from bot.answering.question import AnswerType, is_follow_up
from bot.answering.select import MAX_SENTENCES, select
from bot.answering.spans import names, spans
from bot.answering.units import UnitQuality, is_anaphoric, quality
from retrieval.models import Passage, RankedPassage, Story, StoryKind

from .test_answering_units import ANALYZER, analysed, compose, hit, story

WHOLE = UnitQuality(1.0)
FRAGMENT = UnitQuality(0.6, fragment=True)
HEADLINE = UnitQuality(0.7, headline=True)


def candidate(text: str, score: float, *, key: str = "a", terms: str | None = None, line: int = 0,
              typed: tuple[str, ...] = (), unit: UnitQuality = WHOLE, the_hit: RankedPassage | None = None,
              **story_fields) -> Candidate:
    """A hand-made candidate: its terms are its lower-cased words unless given."""
    the_hit = the_hit or hit(key, f"Story {key}", [text], **story_fields)
    words = frozenset((terms if terms is not None else text).lower().strip(".").split())
    return Candidate(text, words, score, the_hit, line, unit, typed)


def views_and_candidates(question: str, hits: list[RankedPassage], **kwargs):
    asked = analysed(question, **kwargs)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    shares = Shares(asked.weights)
    return asked, views, score_candidates(asked, views, shares), shares


# ---- the note and the markers -----------------------------------------------------------------------
def _answer(note: str | None, count: int = 3) -> Answer:
    sentences = tuple(AnswerSentence(f"Sentence {i}.", 1, 7, also=(2,) if i == 0 else ()) for i in range(count))
    return Answer("Q?", sentences, note=note)


def test_the_text_is_the_note_then_each_quote_followed_by_its_markers():
    assert _answer("The coverage doesn't say “x”; it reports:").text == (
        "The coverage doesn't say “x”; it reports: Sentence 0. [1][2] Sentence 1. [1] Sentence 2. [1]")
    assert _answer(None, 2).text == "Sentence 0. [1][2] Sentence 1. [1]"


def test_the_lead_is_two_sentences_with_a_colon_note_joined_to_the_first_quote():
    assert _answer(None).lead() == ["Sentence 0.", "Sentence 1."]
    assert _answer("It reports:").lead() == ["It reports: Sentence 0.", "Sentence 1."]
    assert _answer("A note of its own.").lead() == ["A note of its own.", "Sentence 0."]


def test_an_abstention_reads_its_reason_and_serialises_without_sentences():
    answer = Answer("Q?", abstained=True, reason="The coverage doesn't say: no.")
    assert answer.text == answer.reason and answer.lead() == [answer.reason]
    assert Answer("Q?", abstained=True).text == "The coverage doesn't say."


def test_an_answer_serialises_with_its_note_citations_and_sources():
    published = story("a", "Amazon pauses Rekognition")
    passage = Passage(id=7, story_id=1, ordinal=0, text="Sentence 0.")
    answer = Answer("Q?", (AnswerSentence("Sentence 0.", 1, 7, also=(2,)),),
                    (Citation(1, published, (passage,)),), note="It reports:", elapsed_ms=12.3456)
    data = answer.to_json()
    assert data == {
        "question": "Q?", "answer": "It reports: Sentence 0. [1][2]", "note": "It reports:", "abstained": False,
        "sentences": [{"text": "Sentence 0.", "citations": [1, 2], "passage_id": 7}],
        "citations": [{
            "n": 1, "title": "Amazon pauses Rekognition", "outlet": "Example", "url": "https://example.com/x",
            "published": "2020-06-11T00:00:00Z", "source_file": "/tmp/a.txt", "passage": "Sentence 0.",
            "story_id": published.id,
        }],
        "elapsed_ms": 12.35,
    }


# ---- the lead sentence and what follows it -----------------------------------------------------------
def test_a_duration_question_leads_with_the_sentence_holding_the_duration():
    answer = compose("How long will Amazon pause police use of Rekognition?", [hit("a", "Amazon pauses Rekognition", [
        "Amazon will pause police use of Rekognition, its facial recognition software, the company said.",
        "Critics of police use of Rekognition welcomed the pause on Wednesday evening.",
        "The pause on police use will last for one year, Amazon said.",
    ])])
    assert "one year" in answer.sentences[0].text


def test_nothing_to_select_selects_nothing():
    assert select([]) == []


def test_a_further_sentence_must_score_a_share_of_the_first_the_second_less_than_the_rest():
    first = candidate("Amazon paused police use of its software.", 4.0, key="a")
    second = candidate("Critics welcomed the decision on Wednesday.", 1.2, key="b")
    third = candidate("Shares barely moved after the news broke.", 1.2, key="c")
    assert [c.text for c in select([first, second, third])] == [first.text, second.text]


def test_no_more_than_four_sentences_are_quoted():
    texts = ["Alpha beta gamma delta.", "Epsilon zeta eta theta.", "Iota kappa lambda mu.", "Nu xi omicron pi.",
             "Rho sigma tau upsilon.", "Phi chi psi omega."]
    chosen = select([candidate(t, 1.0, key=str(i)) for i, t in enumerate(texts)])
    assert len(chosen) == MAX_SENTENCES


def test_a_near_duplicate_wording_is_not_quoted_twice():
    first = candidate("Amazon paused police use of Rekognition today.", 1.0, key="a")
    again = candidate("Amazon paused police use of Rekognition on Wednesday.", 0.9, key="b")
    other = candidate("Critics welcomed the decision by the company.", 0.5, key="c")
    assert [c.text for c in select([first, again, other])] == [first.text, other.text]


def test_the_headline_of_a_story_already_quoted_is_not_quoted_again():
    body = hit("a", "Amazon pauses police use of Rekognition", ["Amazon paused police use of Rekognition for a year."])
    first = candidate(body.passage.text, 1.0, the_hit=body)
    title = candidate("Amazon pauses police use of Rekognition", 0.9, the_hit=body,
                      terms="amazon paused police use rekognition", unit=HEADLINE)
    other = candidate("Critics welcomed the decision by the company.", 0.5, key="c")
    assert [c.text for c in select([first, title, other])] == [first.text, other.text]


def test_the_next_sentence_of_the_same_passage_goes_on_before_another_story():
    passage = hit("a", "Amazon", ["Filler.", "Filler too.", "Amazon paused police use of its software.",
                                  "It wants Congress to pass rules first."])
    lead = candidate("Amazon paused police use of its software.", 1.0, the_hit=passage, line=2)
    follows = candidate("It wants Congress to pass rules first.", 0.5, the_hit=passage, line=3)
    elsewhere = candidate("Critics welcomed the decision by the company.", 0.55, key="b")
    assert [c.text for c in select([lead, follows, elsewhere])][:2] == [lead.text, follows.text]


def test_a_second_sentence_from_another_story_beats_an_equal_one_from_the_quoted_story():
    passage = hit("a", "Amazon", ["Amazon paused police use.", "Filler.", "Shares barely moved after the news."])
    lead = candidate("Amazon paused police use.", 1.0, the_hit=passage, line=0)
    same_story = candidate("Shares barely moved after the news.", 0.6, the_hit=passage, line=2)
    other_story = candidate("Critics welcomed the decision by the company.", 0.55, key="b")
    assert [c.text for c in select([lead, same_story, other_story])][1] == other_story.text
    # the penalty is one step per sentence already quoted from the story: 0.6 × 0.85 still beats 0.5
    weaker = candidate("Critics welcomed the decision by the company.", 0.5, key="b")
    assert [c.text for c in select([lead, same_story, weaker])][1] == same_story.text


def test_a_sentence_holding_the_answer_leads_only_when_it_scores_half_of_the_best():
    best = candidate("Amazon paused police use of its software.", 4.0, key="a")
    holding = candidate("The pause will last for one year, it said.", 1.5, key="b", typed=("for one year",))
    assert select([best, holding], answers=lambda c: bool(c.typed))[0] is best
    close = candidate("The pause will last for one year, it said.", 2.0, key="b", typed=("for one year",))
    assert select([best, close], answers=lambda c: bool(c.typed))[0] is close


def test_once_two_sentences_are_chosen_one_that_would_overflow_the_answer_ends_it():
    long_a = candidate("Alpha " + "word " * 55 + "end.", 1.0, key="a", terms="alpha")
    long_b = candidate("Beta " + "word " * 55 + "end.", 1.0, key="b", terms="beta")
    long_c = candidate("Gamma " + "word " * 40 + "end.", 1.0, key="c", terms="gamma")
    short = candidate("Delta is short.", 0.9, key="d", terms="delta")
    assert [c.text for c in select([long_a, long_b, long_c, short])] == [long_a.text, long_b.text]


# ---- corroboration ---------------------------------------------------------------------------------
def test_two_empty_wordings_share_nothing():
    assert jaccard(frozenset(), frozenset()) == 0.0
    assert jaccard(frozenset({"a"}), frozenset()) == 0.0


def test_the_same_answering_span_and_a_third_of_the_words_make_one_fact():
    a = candidate("Amazon paused police use of Rekognition for one year.", 1.0, typed=("one-year",),
                  terms="amazon paus polic rekognit year")
    b = candidate("The firm set a one year moratorium on sales to police.", 0.9, key="b", typed=("one year",),
                  terms="firm moratorium polic year amazon")
    assert 0.3 <= jaccard(a.terms, b.terms) < 0.5 and same_fact(a, b)


def test_different_answering_spans_or_too_few_shared_words_are_different_facts():
    a = candidate("x", 1.0, typed=("one year",), terms="amazon paus polic rekognit year")
    other_span = candidate("y", 0.9, key="b", typed=("two years",), terms="firm moratorium polic year amazon")
    assert not same_fact(a, other_span)
    unrelated = candidate("z", 0.9, key="c", typed=("one year",), terms="bank profit rose year")
    assert not same_fact(a, unrelated)


def test_a_whole_sentence_leads_its_group_over_an_equally_relevant_fragment():
    cut = candidate("Amazon paused police use of Rekognition for a year, demonstrating that pe", 1.0, key="a",
                    terms="amazon paused police use rekognition year", unit=FRAGMENT)
    whole = candidate("Amazon paused police use of Rekognition for a year.", 0.9, key="b",
                      terms="amazon paused police use rekognition year")
    [leader] = group([cut, whole])
    assert leader is whole and leader.also == [cut]


def test_outlet_date_and_link_outweigh_a_quality_score_and_quality_breaks_ties():
    bare = candidate("Amazon paused police use of Rekognition for a year.", 1.0, key="a", url=None, outlet=None,
                     quality=90)
    sourced = candidate("Amazon paused police use of Rekognition for a year!", 0.95, key="b", quality=10,
                        terms="amazon paused police use of rekognition for a year")
    assert group([bare, sourced])[0] is sourced
    low = candidate("Amazon paused police use of Rekognition for a year.", 1.0, key="c", quality=10)
    high = candidate("Amazon paused police use of Rekognition for a year!", 0.95, key="d", quality=80,
                     terms="amazon paused police use of rekognition for a year")
    assert group([low, high])[0] is high


def test_each_further_story_lifts_a_fact_a_little_and_a_story_counts_once():
    text = "Amazon paused police use of Rekognition for a year."
    alone = candidate("Critics welcomed the decision by the company.", 1.0, key="z")
    a = candidate(text, 0.98, key="a")
    b1 = candidate(text, 0.97, key="b")
    b2 = candidate(text, 0.96, the_hit=b1.hit)
    leaders = group([alone, a, b1, b2])
    assert leaders[0] is a and [m.story_key for m in a.also] == ["b"]
    assert a.score == pytest.approx(0.98 * 1.05)


# ---- quotable units --------------------------------------------------------------------------------
def test_each_flaw_discounts_a_sentence_by_its_own_factor():
    assert quality("Amazon paused police use of its software", "Title").factor == pytest.approx(0.6)
    assert quality("He said Amazon paused police use.", "Title").factor == pytest.approx(0.8)
    assert quality("He said so", "He said so").factor == pytest.approx(0.7 * 0.8)
    assert not quality("Amazon bans police use", "Amazon bans police use").fragment  # a headline is no fragment
    assert quality("Amazon bans police use", "Other").fragment
    sixty = "Amazon " + " ".join(["word"] * 58) + " end."
    assert quality(sixty, "Title").factor == 1.0
    assert quality("Amazon " + sixty, "Title").factor == pytest.approx(0.9)
    assert quality("he " + sixty, "Title").factor == pytest.approx(0.8 * 0.9 * 0.6)


def test_a_quote_that_opens_by_pointing_back_is_anaphoric():
    assert is_anaphoric("“They will not sell it,” the company said.")
    assert is_anaphoric("— He added that the ban was temporary.")


# ---- typed spans -----------------------------------------------------------------------------------
def test_a_titled_name_answers_who():
    assert "Mr. Smith" in spans("The deal was signed by Mr. Smith on Monday.", AnswerType.PERSON)


def test_a_role_without_a_name_answers_no_who():
    assert spans("The chief executive said the deal was done.", AnswerType.PERSON) == []


@pytest.mark.parametrize(("sentence", "name"), [
    ("Sony unveiled its new phone, Xperia, on Monday.", "Xperia"),
    ("Police used the Clearview system to identify suspects.", "Clearview"),
    ("Amazon sells software called Rekognition to police.", "Rekognition"),
])
def test_naming_constructions_give_the_name(sentence, name):
    assert name in spans(sentence, AnswerType.NAME)


def test_a_word_capitalised_only_because_it_opens_the_sentence_names_nothing():
    assert spans("This system was built in 2019.", AnswerType.NAME) == []


def test_a_comparison_is_answered_by_figures():
    assert spans("Sales rose 5 percent while costs fell.", AnswerType.COMPARISON) == ["5"]


@pytest.mark.parametrize("kind", [AnswerType.YES_NO, AnswerType.OPEN, AnswerType.LATEST])
def test_types_no_span_answers_have_no_spans(kind):
    assert spans("Amazon paused police use for one year in 2020.", kind) == []


@pytest.mark.parametrize(("sentence", "found"), [
    ("The Washington Post reported it.", ["Washington Post"]),
    ("Smith spoke. The Times agreed.", ["Smith", "Times"]),
    ("Smith said: The Times got it wrong.", ["Smith", "Times"]),
    ('Smith said "The Times erred."', ["Smith", "Times"]),
    ("Smith said “The Times erred.”", ["Smith", "Times"]),
    ("Reporters at The Times agreed.", ["Reporters", "The Times"]),
])
def test_sentence_openers_are_not_part_of_names(sentence, found):
    assert names(sentence) == found


# ---- follow-ups --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "content", "leans"), [
    ("What else?", 0, True),  # nothing of its own to search for
    ("Describe Rekognition in detail for me", 1, False),
    ("what about the rival company in Europe today?", 1, True),  # elliptical, one term of its own
    ("what about the rival company in Europe today?", 2, False),
    ("what about Europe?", 3, True),  # elliptical and short
    ("what about Europe then?", 3, True),  # four words are short
    ("is the deal worth the money then?", 2, True),  # the deal the chat is about: seven words, two terms of its own
    ("is the deal worth the money then?", 3, False),  # three terms of its own: a question of its own
    ("did the club say why his loan spell ended early?", 4, True),  # ten words, someone the chat named
    ("did the club say why his loan spell ended so early?", 4, False),  # eleven stand alone
    ("did the club say why his loan spell ended?", 5, False),  # five terms of its own
    ("what about rivals in Europe?", 3, False),
    ("and what about rivals in Europe?", 3, True),  # opening with a conjunction, it goes on from the last
    ("and what did rival companies in Europe and Asia decide?", 5, True),  # ten words
    ("and what did rival companies in Europe and Asia decide today?", 5, False),  # eleven stand alone
    ("what did they decide to do next?", 2, True),  # a pronoun for the subject
    ("what did they decide to do next then?", 2, True),
    ("what did they then decide to do next today?", 2, False),  # nine words stand alone
    ("what did they decide to do after the vote then?", 2, False),  # long enough to stand alone
    ("what did they decide about the police ban?", 3, False),
    ("What did Amazon decide about police?", 2, False),  # no pronoun: it names its subject
])
def test_what_makes_a_question_lean_on_the_one_before(question, content, leans):
    assert is_follow_up(question, content) is leans


def test_a_follow_up_takes_the_earlier_questions_name_as_its_subject_and_weighs_its_terms_fully():
    asked = analysed("why?", context=["What did Amazon decide about Rekognition?"])
    assert asked.follow_up and asked.answer_type is AnswerType.REASON
    assert asked.search["rekognit"] == 1.0 and asked.weights["rekognit"] > 1.0
    assert {s.surface for s in asked.subjects} == {"Amazon"}  # the first name only
    standalone = analysed("What did IBM say about facial recognition?", context=["What did Amazon decide?"])
    assert not standalone.follow_up and standalone.search["amazon"] == 0.5


# ---- the premise -------------------------------------------------------------------------------------
BARCLAYS = [hit("a", "Barclays results", [
    "Barclays reported a 20% rise in annual profits to a record £3.8bn.",
    "The bank said its chief executive would stay on for another year.",
])]


def _check(question: str, hits: list[RankedPassage], **kwargs):
    asked, views, candidates, _ = views_and_candidates(question, hits, **kwargs)
    return check(asked, views, candidates)


def test_a_reversed_direction_is_corrected_with_the_sentence_that_tells_the_fact():
    premise = _check("Why did Barclays profits fall 20% last year?", BARCLAYS)
    assert premise.status == "contradicted" and premise.word == "fall"
    assert premise.evidence is not None and "rise" in premise.evidence.text


def test_evidence_silent_on_the_direction_contradicts_nothing():
    premise = _check("Why did Barclays profits rise last year?", [hit("a", "Barclays results", [
        "Barclays reported annual profits of £3.8bn last year.",
        "The bank said its chief executive would stay on for another year.",
    ])])
    assert premise.status == "ok"


def test_a_direction_borne_out_does_not_stop_a_later_qualifier_being_checked():
    premise = _check("Why did Amazon pull Rekognition from police permanently?", [hit("a", "Amazon", [
        "Amazon said it would pull Rekognition from police for one year.",
        "Amazon said Congress needs time to pass rules for Rekognition.",
    ])])
    assert premise.status == "contradicted" and premise.word == "permanently"
    assert premise.evidence is not None and "one year" in premise.evidence.text


def test_a_yes_no_question_about_an_unreported_claim_is_answered_not_refused():
    answer = compose("Was Arash Sigarchi convicted by a court in Iran?", [hit("a", "Blogger jailed", [
        "Arash Sigarchi was given a 14-year sentence by a court in Iran.",
        "Arash Sigarchi was sentenced one day after an online campaign for bloggers.",
    ])])
    assert not answer.abstained and answer.note is None


def test_a_figure_the_coverage_does_not_restate_in_kind_is_not_corrected():
    premise = _check("Why did Iran give Arash Sigarchi a 20-year sentence?", [hit("a", "Blogger jailed", [
        "Arash Sigarchi was jailed by a court in Iran after a campaign.",
        "Arash Sigarchi wrote a blog about politics in Iran for many readers.",
    ])])
    assert premise.status == "ok"


def test_a_figure_counts_as_stated_whatever_its_thousands_separators():
    assert _in_text("1,200", ["Police ran 1200 searches."])
    assert _in_text("1200", ["Police ran 1,200 searches."])
    assert _in_text("20.", ["It lasted 20 years."])
    assert not _in_text("200", ["It began in 2005."])


def test_a_why_question_about_the_wrong_actor_is_corrected_with_who_did_it():
    premise = _check("Why did EasyJet order new Boeing jets?", [hit("a", "Airline orders", [
        "Ryanair ordered new Boeing jets to expand its fleet across Europe.",
        "EasyJet reported higher passenger numbers over the winter months.",
    ])])
    assert premise.status == "contradicted" and premise.word == "EasyJet"
    assert premise.evidence is not None and premise.evidence.text.startswith("Ryanair ordered")
    assert premise.note == "The coverage doesn't say “EasyJet”; it reports:"


def test_a_why_question_whose_actor_also_tells_the_fact_is_not_corrected():
    premise = _check("Why did EasyJet order new Boeing jets?", [hit("a", "Airline orders", [
        "Ryanair ordered new Boeing jets to expand its fleet across Europe.",
        "EasyJet also ordered new Boeing jets for its own fleet.",
    ])])
    assert premise.status == "ok"


def test_a_yes_no_question_answered_by_a_negation_needs_no_note():
    answer = compose("Did Microsoft start selling facial recognition to police?", [hit("a", "Microsoft", [
        "Microsoft said it won't sell facial recognition to police until there is a federal law.",
        "Microsoft president Brad Smith spoke at an event on Thursday about the decision.",
    ])])
    assert not answer.abstained and answer.note is None


def test_a_negated_premise_leads_with_the_negating_sentence():
    premise = _check("Why did Microsoft start selling facial recognition to police?", [hit("a", "Microsoft", [
        "Microsoft president Brad Smith spoke at an event on Thursday about facial recognition.",
        "Microsoft said it won't sell facial recognition to police until there is a federal law.",
    ])])
    assert premise.status == "negated" and premise.evidence is not None and "won't sell" in premise.evidence.text


def test_the_qualifier_is_looked_for_in_the_subjects_stories_only():
    hits = [*MORATORIUM, hit("b", "IBM quits", ["IBM said it would quit facial recognition permanently."])]
    premise = _check("Why did Amazon ban police use of Rekognition permanently?", hits)
    assert premise.status == "contradicted" and premise.word == "permanently"


@pytest.mark.parametrize("sentences", [
    ["Amazon said it would ban police use of Rekognition permanently.", "Amazon had paused Rekognition for one year."],
])
def test_a_qualifier_the_subjects_sentences_bear_out_is_not_corrected(sentences):
    assert _check("Why did Amazon ban police use of Rekognition permanently?", [hit("a", "Amazon", sentences)]).status == "ok"


def test_a_qualifier_the_headline_bears_out_is_not_corrected():
    premise = _check("Why did Amazon ban police use of Rekognition permanently?", [hit(
        "a", "Amazon bans Rekognition permanently", ["Amazon had paused police use of Rekognition for one year."])])
    assert premise.status == "ok"


def test_only_a_why_question_is_corrected_about_who_acted():
    premise = _check("Did EasyJet order new Boeing jets?", [hit("a", "Airline orders", [
        "Ryanair ordered new Boeing jets to expand its fleet across Europe.",
        "EasyJet reported higher passenger numbers over the winter months.",
    ])])
    assert premise.status == "ok"


# ---- abstention --------------------------------------------------------------------------------------
MORATORIUM = [hit("a", "Amazon pauses Rekognition", [
    "Amazon placed a one-year moratorium on police use of Rekognition.",
    "Amazon said Congress needs time to pass rules for Rekognition.",
])]


def test_nothing_retrieved_is_an_abstention_at_zero_confidence_saying_so():
    asked = analysed("What did Amazon decide?")
    decision = decide(asked, [], [], Shares(asked.weights), 7)
    assert decision.answer is False and decision.confidence == 0.0
    assert decision.why == "nothing in the 7 stories matches that question"
    _, views, _, shares = views_and_candidates("What did Amazon decide?", MORATORIUM)
    assert decide(asked, views, [], shares, 7).answer is False


def test_an_abstention_says_why_and_what_to_try_and_keeps_the_question():
    answer = compose("How many police departments used Rekognition?", [hit("a", "Amazon pauses Rekognition", [
        "Amazon paused police use of Rekognition after protests.",
        "Police departments that used Rekognition were not named.",
    ])])
    assert answer.abstained and answer.question == "How many police departments used Rekognition?"
    assert answer.searched == 1
    assert answer.reason == "The coverage doesn't say: none of the 1 stories gives a number for that."


@pytest.mark.parametrize(("question", "figure"), [
    ("How much did Amazon pay for Rekognition?", "an amount"),
    ("What percentage of police used Rekognition?", "a percentage"),
])
def test_a_figure_question_without_that_figure_names_the_kind_of_figure(question, figure):
    answer = compose(question, MORATORIUM)
    assert answer.abstained and f"gives {figure} for that" in answer.text


def test_unknown_names_are_listed_when_they_sink_the_answer():
    answer = compose("What did Acme and Globex say about the Rekognition moratorium?", MORATORIUM,
                     known={"acm": 0, "globex": 0})
    assert answer.abstained and "none of the 1 stories mentions “Acme”, “Globex”." in answer.text


def test_names_no_story_joins_weigh_against_answering_unless_compared():
    hits = [hit("a", "Amazon", ["Amazon placed a one-year moratorium on police use of Rekognition."]),
            hit("b", "IBM", ["IBM quit the facial recognition business entirely last week."])]
    apart = compose("Did Amazon tell IBM to stop police use of facial recognition?", hits)
    assert apart.abstained and "mentions all of the names in that question together" in apart.text
    joined = analysed("Did Amazon and IBM stop police use of facial recognition?")
    assert joined.per_subject  # each is asked about on its own: their names need not meet


def test_a_why_question_whose_event_no_sentence_reports_is_refused_saying_so():
    answer = compose("Why did Amazon hire new lawyers for Rekognition?", MORATORIUM)
    assert answer.abstained and "none of the 1 stories reports that." in answer.text


def test_a_question_the_coverage_barely_touches_is_not_answered():
    answer = compose("What did Amazon say about bank profits and interest rates this quarter?", MORATORIUM)
    assert answer.abstained and "the 1 stories don't answer that question." in answer.text


@pytest.mark.parametrize("score", [1.0, 100.0])
def test_confidence_adds_coverage_retrieval_strength_a_typed_answer_and_subjects_together(score):
    from bot.answering.abstain import (
        MARGIN_WEIGHT,
        RETRIEVAL_WEIGHT,
        SUBJECTS_TOGETHER_BONUS,
        TYPE_FOUND_BONUS,
        best_coverage,
        story_margin,
    )
    hits = [hit("a", MORATORIUM[0].story.title, MORATORIUM[0].passage.text.split("\n"), score=score)]
    asked, views, candidates, shares = views_and_candidates("How long is Amazon's moratorium on Rekognition?", hits)
    assert len(asked.subjects) == 2 and any(c.typed for c in candidates)
    strength = score / max(sum(v for t, v in asked.search.items() if t in asked.weights), 1.0)  # its own terms only
    expected = (best_coverage(asked, views, shares) + RETRIEVAL_WEIGHT * min(strength / 4.0, 1.0)
                + TYPE_FOUND_BONUS + SUBJECTS_TOGETHER_BONUS + MARGIN_WEIGHT * min(story_margin(views) - 1.0, 1.0))
    assert story_margin(views) == 2.0  # one story: nothing else comes close
    assert decide(asked, views, candidates, shares, 1).confidence == pytest.approx(expected)


def test_an_answer_keeps_the_question_the_count_searched_and_the_query_terms():
    answer = compose("How long is Amazon's moratorium on Rekognition?", MORATORIUM)
    assert not answer.abstained and answer.question.startswith("How long")
    assert answer.searched == 1 and "rekognit" in answer.query_terms


def test_an_unsupported_claim_is_refused_naming_the_claim_and_the_subject():
    answer = compose("Why did Amazon veto the Rekognition moratorium?", MORATORIUM)
    assert "none of the 1 stories reports “veto” about Amazon" in answer.text


# ---- latest and digests ------------------------------------------------------------------------------
def _dated(key: str, day: int, sentences: list[str], title: str = "Amazon news") -> RankedPassage:
    h = hit(key, title, sentences)
    dated = Story(id=h.story.id, key=key, title=title, kind=StoryKind.ARTICLE, source_file=h.story.source_file,
                  url=h.story.url, outlet=h.story.outlet, published=datetime(2020, 6, day, tzinfo=UTC))
    return RankedPassage(h.passage, dated, h.score)


def test_latest_quotes_the_newest_stories_about_the_topic_newest_first_at_most_three():
    hits = [_dated(f"s{d}", d, [f"Amazon Rekognition news number {d} came out today."]) for d in (3, 9, 5, 7)]
    hits.append(_dated("off", 10, ["Bank profits rose sharply across Europe this quarter."], title="Banks"))
    answer = compose("What's the latest on Amazon Rekognition?", hits)
    assert [s.text for s in answer.sentences] == [f"Amazon Rekognition news number {d} came out today." for d in (9, 7, 5)]


def test_a_digest_quotes_the_lead_sentence_of_each_story_once():
    hits = [hit("a", "Amazon pauses", ["Amazon pauses", "Amazon paused police use of its software.",
                                       "It gave no reason for the timing."]),
            hit("a", "Amazon pauses", ["Critics welcomed the decision by the company."]),
            hit("b", "IBM quits", ["Short one.", "IBM quit the facial recognition business entirely."])]
    answer = compose_digest("What happened on June 11?", hits, searched=3, day="June 11")
    assert [s.text for s in answer.sentences] == ["Amazon paused police use of its software.",
                                                   "IBM quit the facial recognition business entirely."]
    assert [s.citation for s in answer.sentences] == [1, 2] and answer.searched == 3
    assert answer.question == "What happened on June 11?"


def test_a_digest_of_a_day_without_stories_says_so():
    answer = compose_digest("What happened on June 12?", [], searched=5, day="June 12")
    assert answer.reason == "The coverage doesn't say: none of the 5 stories was published on June 12."


# ---- who acts ------------------------------------------------------------------------------------------
def test_the_subject_acts_when_named_first_and_early():
    assert acting("Microsoft said it won't sell facial recognition to police.", ["Microsoft"])
    assert acting("On Thursday, Microsoft said it won't sell.", ["Microsoft"])  # a capitalised opener is no actor
    assert not acting("Critics and regulators said " + "x " * 45 + "Microsoft erred.", ["Microsoft"])
    assert not acting("Shares of Macrosoft fell as microsoftie fans left.", ["Microsoft"])
    assert not acting("Nothing here.", ["Microsoft"])


# ---- comparisons -----------------------------------------------------------------------------------------
def test_a_comparison_gives_each_side_a_sentence_of_its_own():
    hits = [hit("a", "Amazon moratorium", [
        "Amazon placed a one-year moratorium on police use of Rekognition, its facial recognition software.",
        "Amazon said the moratorium on police use of Rekognition gives Congress time to act.",
        "Amazon's moratorium on police use of facial recognition covers every police force.",
        "Amazon will still sell Rekognition to groups that find missing children during the moratorium.",
    ], score=3.0), hit("b", "IBM exit", ["IBM said it would exit the facial recognition business entirely."], score=0.5)]
    answer = compose("How does the Amazon moratorium on police use of facial recognition compare with IBM?", hits)
    assert len(answer.sentences) <= MAX_SENTENCES
    assert answer.sentences[0].text.startswith("Amazon") and answer.sentences[-1].text.startswith("IBM said")


# ---- question understanding, continued ---------------------------------------------------------------------
def test_a_naming_question_searches_its_category_word_lightly():
    asked = analysed("What is Amazon's face recognition product called?")
    assert asked.answer_type is AnswerType.NAME and "call" not in asked.weights
    assert asked.search["product"] == pytest.approx(0.3) and asked.search["amazon"] == 1.0
    plain = analysed("What did Amazon say about its face recognition product?")
    assert asked.weights["product"] == pytest.approx(0.3 * plain.weights["product"])


def test_an_earlier_questions_filler_and_wh_words_do_not_carry_over():
    asked = analysed("and IBM?", context=["What percentage of the latest news covered Rekognition?"])
    assert asked.follow_up and "rekognit" in asked.weights
    assert not {"percentag", "latest", "news"} & set(asked.weights)
    assert asked.answer_type is AnswerType.LATEST  # the kind of answer carries over ("and IBM?": the latest on IBM)


def test_only_the_last_three_earlier_questions_count():
    context = ["What did Microsoft say?", "What did Amazon say?", "What did Google say?", "What did Apple say?"]
    asked = analysed("What about Rekognition and the police?", context=context)
    assert "microsoft" not in asked.weights and {"amazon", "googl", "appl"} <= set(asked.weights)


def test_a_why_question_is_answered_only_where_a_sentence_naming_its_subject_reports_the_event():
    asked, views, candidates, shares = views_and_candidates("Why did EasyJet order new jets?", [
        hit("a", "Airline orders", ["Ryanair ordered new jets to expand its fleet across Europe.",
                                    "EasyJet reported higher passenger numbers over the winter months."])])
    decision = decide(asked, views, candidates, shares, 1)
    assert not decision.answer and decision.why == "none of the 1 stories reports that"


# ---- passages and actors -------------------------------------------------------------------------------------
def test_a_passage_is_read_with_the_terms_stored_at_ingest_one_line_a_sentence():
    passage = Passage(id=1, story_id=1, ordinal=0, text="Amazon paused sales.\nCritics cheered it.",
                      terms="headline term\namazon paus sale\ncritic cheer")
    view = passage_view(RankedPassage(passage, story("a", "Headline"), 1.0), ANALYZER, frozenset({"headline", "critic"}))
    assert view.title_terms == {"headline", "term"}
    assert [terms for _, terms in view.lines] == [{"amazon", "paus", "sale"}, {"critic", "cheer"}]
    assert view.named == {"headline", "critic"}
    stale = Passage(id=2, story_id=1, ordinal=0, text="Amazon paused sales.", terms="only one line")
    fresh = passage_view(RankedPassage(stale, story("a", "Headline"), 1.0), ANALYZER, frozenset())
    assert fresh.lines[0][1] == frozenset(ANALYZER.terms("Amazon paused sales."))  # mismatched: analysed afresh


def test_the_subject_is_found_as_a_word_not_inside_another():
    assert acting("Superamazon fans said Amazon would pause sales.", ["Amazon"])
    assert not acting("Superamazon fans cheered the news.", ["Amazon"])


# ---- a reworded account and a short clean report of the same fact ------------------------------------
SPUN = ("The emails obtained by the ACLU present that the corporate pitched facial recognition as a regulation "
        "enforcement software to the DEA in late 2017.")
CLEAN = "Emails obtained by the ACLU show Microsoft pushed its facial recognition tools to the DEA."


def test_a_short_report_a_longer_account_repeats_almost_whole_is_the_same_fact():
    spun = candidate(SPUN, 1.2, key="spun", terms="emails obtained aclu corporate pitched facial recognition "
                     "regulation enforcement software dea late 2017")
    clean = candidate(CLEAN, 0.8, key="clean", terms="emails obtained aclu show microsoft facial recognition dea")
    assert same_fact(spun, clean)
    other = candidate("The DEA opted against buying it.", 0.8, key="other", terms="dea opted against buying it")
    assert not same_fact(spun, other)


def test_a_wording_with_outlet_date_and_link_leads_a_bare_local_files_well_above_equal_relevance():
    spun = candidate(SPUN, 1.2, key="spun", url=None, outlet=None,
                     terms="emails obtained aclu corporate pitched facial recognition regulation enforcement software dea")
    clean = candidate(CLEAN, 0.8, key="clean", terms="emails obtained aclu show microsoft facial recognition dea")
    [leader] = group([spun, clean])
    assert leader.text == CLEAN and [m.text for m in leader.also] == [SPUN]
    dim = candidate(CLEAN, 0.7, key="dim", terms="emails obtained aclu show microsoft facial recognition dea")
    assert group([candidate(SPUN, 1.2, key="spun2", url=None, outlet=None, terms=spun.terms and " ".join(spun.terms)),
                  dim])[0].text == SPUN  # below that share, relevance wins
