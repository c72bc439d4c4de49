"""Specifications of the sentence selection (``bot/answering/select.py``) beyond the lead model: the length a
quote takes, the lead's guard, and what may follow the lead (novelty, length, a quoted story's headline)."""

from __future__ import annotations

from bot.answering import rerank
from bot.answering import select as selection
from bot.answering.rerank import SIGNALS
from bot.answering.select import MARKER_CHARS, MAX_ANSWER_CHARS, first_choice, quoted_length, select
from bot.answering.units import UnitQuality

from .test_answering_mutants import candidate


def test_a_quote_takes_its_text_a_space_and_its_marker():
    assert quoted_length("Acme cut jobs.") == len("Acme cut jobs.") + MARKER_CHARS


def test_the_lead_is_chosen_among_sentences_scoring_at_least_a_fifth_of_the_best(monkeypatch):
    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0))
    best = candidate("Acme cut jobs at its Leeds plant.", 2.0, key="a", url=None, outlet=None)
    below = candidate("Acme said on Monday that jobs would go.", 0.39, key="b")  # under a fifth of 2.0
    assert first_choice([best, below]) is best
    within = candidate("Acme said on Monday that jobs would go.", 0.41, key="b")  # over a fifth: a sourced story wins
    assert first_choice([best, within]) is within


def test_what_follows_the_lead_is_new_rather_than_a_rewording_of_it():
    lead = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a", terms="acme cut 300 jobs leeds")
    rewording = candidate("Acme is to cut jobs, it said.", 1.6, key="b", terms="acme cut jobs said plant")
    fresh = candidate("Unions called a strike for Friday.", 1.4, key="c", terms="unions called strike friday")
    # marginal relevance: 1.6 - 0.35 × overlap (3/7) × 2.0 = 1.3 for the rewording, 1.4 for the fresh sentence
    assert select([lead, rewording, fresh])[:2] == [lead, fresh]


def test_a_sentence_too_long_for_the_reply_is_passed_over_for_a_shorter_one():
    lead = candidate("Acme will cut 300 jobs in Leeds.", 1.0, key="a")
    long = candidate("Unions said " + "very " * (MAX_ANSWER_CHARS // 5) + "angry.", 0.9, key="b")
    short = candidate("Unions called a strike for Friday.", 0.8, key="c")
    assert select([lead, long, short])[:2] == [lead, short]


def test_the_headline_of_a_story_already_quoted_is_not_quoted_again():
    lead = candidate("Acme will cut 300 jobs at its Leeds plant.", 1.0, key="a")
    title = candidate("Acme to cut jobs in Leeds", 0.9, key="a", unit=UnitQuality(0.7, headline=True),
                      terms="acme cut jobs leeds", the_hit=lead.hit)
    other = candidate("Unions called a strike for Friday.", 0.5, key="c")
    chosen = select([lead, title, other])
    assert title not in chosen and other in chosen


def test_a_headline_of_a_quoted_story_telling_something_else_may_follow():
    lead = candidate("Acme will cut 300 jobs at its Leeds plant.", 1.0, key="a")
    title = candidate("Acme pension fund deficit grows", 0.9, key="a", unit=UnitQuality(0.7, headline=True),
                      terms="acme pension fund deficit", the_hit=lead.hit)
    assert select([lead, title])[:2] == [lead, title]  # one word of four shared: it adds to what is quoted


def test_a_headline_is_a_last_resort_and_does_not_follow_two_sentences():
    lead = candidate("Acme will cut 300 jobs at its Leeds plant.", 1.0, key="a")
    second = candidate("Unions called a strike at the Leeds plant for Friday.", 0.8, key="b")
    title = candidate("Acme pension fund deficit grows", 0.7, key="c", unit=UnitQuality(0.7, headline=True),
                      terms="acme pension fund deficit")
    chosen = select([lead, second, title])
    assert chosen[:2] == [lead, second] and title not in chosen


def test_a_sourced_sentence_telling_much_less_of_the_question_does_not_lead_over_a_bare_file(monkeypatch):
    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0))
    bare = candidate("Police chiefs want powers to close rowdy pubs for a week.", 1.0, key="a", url=None, outlet=None)
    bare.coverage = 0.8
    elsewhere = candidate("If you want to redirect users, use Power Apps portals.", 0.6, key="b")  # shares "want"
    elsewhere.coverage = 0.3  # under half of the best
    assert first_choice([bare, elsewhere]) is bare
    elsewhere.coverage = 0.5  # half as much: at equal relevance, the story a reader can open leads
    assert first_choice([bare, elsewhere]) is elsewhere


def test_an_answer_holding_sentence_comes_second_only_when_it_scores_near_enough_the_lead():
    lead = candidate("Acme said the plant in Leeds was doing well.", 2.0, key="a", terms="acme plant leeds well")
    other = candidate("Unions called a strike for Friday.", 1.5, key="b", terms="unions strike friday")
    typed = candidate("Some 300 jobs could go.", 0.5, key="c", typed=("300",), terms="300 jobs go")
    holds = lambda c: bool(c.typed)  # noqa: E731
    assert select([lead, other, typed], answers=holds)[:2] == [lead, other]  # 0.5 is under 0.3 × 2.0
    typed.score = 0.7
    assert select([lead, other, typed], answers=holds)[:2] == [lead, typed]


def test_the_second_sentence_is_the_lead_models_next_choice_among_those_scoring_a_fifth_of_the_best(monkeypatch):
    lead = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a")
    runner_up = candidate("Unions called a strike for Friday.", 1.5, key="b")
    modelled = candidate("The cuts follow a fall in orders.", 0.5, key="c")  # a quarter of the best
    too_weak = candidate("Shares rose on the news.", 0.3, key="d")  # under a fifth of the best
    favoured = {modelled.text: 3.5, too_weak.text: 100.0}
    monkeypatch.setattr(selection, "leading", lambda c: c.score * favoured.get(c.text, 1.0))
    assert select([lead, runner_up, modelled, too_weak])[:2] == [lead, modelled]


def test_after_the_premise_checks_evidence_the_hand_set_score_chooses_what_follows(monkeypatch):
    evidence = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a")
    runner_up = candidate("Unions called a strike for Friday.", 1.5, key="b")
    modelled = candidate("The cuts follow a fall in orders.", 0.5, key="c")
    monkeypatch.setattr(selection, "leading", lambda c: c.score * (3.5 if c is modelled else 1.0))
    assert select([runner_up, modelled], first=evidence)[:2] == [evidence, runner_up]


def test_a_comparison_is_led_by_a_sentence_naming_every_compared_subject_with_its_figure(monkeypatch):
    from bot.answering.question import AnswerType

    from .test_answering_rerank import traits

    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0))
    one = candidate("Nintendo's DS sells for $150 in the US.", 1.0, key="a", typed=("$150",))
    one.traits = traits(one.text, AnswerType.COMPARISON, subjects_named=0.5)
    both = candidate("The PSP sells for $188 while the DS sells for $150.", 0.6, key="b", typed=("$188", "$150"))
    both.traits = traits(both.text, AnswerType.COMPARISON, subjects_named=1.0)
    assert first_choice([one, both]) is both
    both.typed = ()  # naming both without a figure compares nothing
    assert first_choice([one, both]) is one


def test_a_sentence_scoring_exactly_a_fifth_of_the_best_may_lead_or_come_second(monkeypatch):
    best = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a")
    runner_up = candidate("Unions called a strike for Friday.", 1.5, key="b")
    fifth = candidate("The cuts follow a fall in orders.", 0.4, key="c")  # exactly 0.2 × 2.0
    monkeypatch.setattr(selection, "leading", lambda c: c.score * (4.0 if c is fifth else 1.0))
    assert select([best, runner_up, fifth])[:2] == [best, fifth]
    monkeypatch.setattr(selection, "leading", lambda c: c.score * (10.0 if c is fifth else 1.0))
    assert first_choice([best, runner_up, fifth]) is fifth


def test_the_third_sentence_is_new_rather_than_a_rewording_of_what_is_quoted():
    lead = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a", terms="acme cut 300 jobs leeds")
    second = candidate("Unions called a strike for Friday.", 1.9, key="b", terms="unions called strike friday")
    rewording = candidate("Acme is to cut jobs, it said.", 1.6, key="c", terms="acme cut jobs said plant")
    fresh = candidate("Shares in Acme fell 5% on the news.", 1.4, key="d", terms="shares fell 5% news")
    # marginal relevance: 1.6 - 0.35 × (3/7) × 2.0 = 1.3 for the rewording, 1.4 for the fresh sentence
    assert select([lead, second, rewording, fresh])[:3] == [lead, second, fresh]


def test_a_third_sentence_from_a_story_not_yet_quoted_beats_an_equal_one_from_a_quoted_story():
    lead = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a")
    second = candidate("Unions called a strike for Friday.", 1.9, key="b")
    same_story = candidate("Talks resume next Monday morning.", 1.0, key="b")  # the second's story
    other_story = candidate("Rivals said they would hire.", 0.95, key="c")  # 1.0 × 0.85 < 0.95
    assert select([lead, second, same_story, other_story])[2] is other_story


def test_after_the_premise_checks_evidence_a_second_sentence_needs_only_a_quarter_of_its_score():
    evidence = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a")
    follower = candidate("Unions called a strike for Friday.", 0.6, key="b")  # 0.3 of the lead: under 0.45
    assert select([follower], first=evidence) == [evidence, follower]


def test_a_quoted_storys_next_sentence_still_comes_third_when_it_scores_clearly_higher():
    lead = candidate("Acme will cut 300 jobs in Leeds.", 2.0, key="a")
    second = candidate("Unions called a strike for Friday.", 1.9, key="b")
    same_story = candidate("Talks resume next Monday morning.", 1.2, key="b")  # 1.2 × 0.85 = 1.02 > 0.95
    other_story = candidate("Rivals said they would hire.", 0.95, key="c")
    assert select([lead, second, same_story, other_story])[2] is same_story


def test_a_definition_is_led_by_the_sentence_opening_with_what_the_term_is(monkeypatch):
    from bot.answering.question import AnswerType

    from .test_answering_rerank import traits

    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0))
    said = candidate("Critics say feta is a generic term.", 1.0, key="a", typed=("is a",))
    said.traits = traits(said.text, AnswerType.DEFINITION)
    opening = candidate("Feta is a soft white cheese.", 0.8, key="b", typed=("is a",))
    opening.traits = traits(opening.text, AnswerType.DEFINITION, defines=True)
    assert first_choice([said, opening]) is opening
