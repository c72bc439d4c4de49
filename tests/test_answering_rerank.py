"""Specifications of the fitted lead model (``bot/answering/rerank.py``) and of its fitting
(``benchmarks/fit_rerank.py``): what it knows of a sentence, how it picks the sentence that leads, and that
the fit learns what the data says."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks import fit_rerank
from bot.answering import rerank
from bot.answering.question import AnswerType
from bot.answering.rerank import SIGNALS, Place, Traits, correction, nearness, signals
from bot.answering.select import leading, select
from retrieval.analyzer import default_analyzer

from .test_answering_mutants import candidate, views_and_candidates
from .test_answering_units import hit

FIRST = Place(passage_rank=1.0, story_order=0, passage_ordinal=0, line=0)
LATER = Place(passage_rank=0.5, story_order=2, passage_ordinal=1, line=3)


def traits(sentence: str = "Acme said on Monday it would cut 300 jobs.", kind: AnswerType = AnswerType.NUMBER, *,
           typed: bool = True, place: Place = FIRST, **overrides) -> Traits:
    fields = dict(coverage=0.6, subjects_named=1.0, acting=True, headline=False, anaphoric=False,
                  informative=0.5, answered=False) | overrides
    return Traits(sentence, kind, ("300",) if typed else (), place=place, **fields)


def told(*args, **kwargs) -> dict[str, float]:
    return dict(zip(SIGNALS, signals(traits(*args, **kwargs)), strict=True))


def test_a_sentence_holding_a_figure_for_a_figure_question_is_typed_as_a_figure():
    values = told()
    assert values["typed"] == values["typed_figure"] == 1.0
    assert values["typed_name"] == values["typed_date"] == values["typed_reason"] == values["typed_definition"] == 0.0
    assert values["figure"] == 1.0


@pytest.mark.parametrize(("kind", "signal"), [
    (AnswerType.PERSON, "typed_name"), (AnswerType.PLACE, "typed_name"), (AnswerType.DATE, "typed_date"),
    (AnswerType.REASON, "typed_reason"), (AnswerType.DEFINITION, "typed_definition"),
    (AnswerType.DURATION, "typed_figure"), (AnswerType.PERCENTAGE, "typed_figure"),
])
def test_each_kind_of_answer_has_its_own_typed_signal(kind, signal):
    assert told(kind=kind)[signal] == 1.0
    assert told(kind=kind, typed=False)[signal] == 0.0


def test_where_a_sentence_stands_is_told_by_its_place():
    first, later = told(place=FIRST), told(place=LATER)
    assert first["story_lead"] == first["passage_start"] == 1.0 and first["story_order"] == 1.0
    assert later["story_lead"] == later["passage_start"] == 0.0
    assert later["story_order"] == pytest.approx(1 / 3) and later["passage_rank"] == 0.5
    assert told(place=Place(1.0, 0, 2, 0))["story_lead"] == 0.0  # a passage's start is no story's lead
    assert told(place=Place(1.0, 0, 2, 0))["passage_start"] == 1.0


def test_length_quotation_and_the_passed_facts_are_signals():
    assert told("Short one here.")["length"] == pytest.approx(3 / rerank.LONG_SENTENCE_WORDS)
    assert told(" ".join(["word"] * 80) + ".")["length"] == 1.0
    assert told("“We will fight on,” he said.")["quotation"] == 1.0
    assert told("  “We will fight on,” he said.")["quotation"] == 1.0  # as split, with the space before it
    assert told("No figure, no quote here.")["figure"] == 0.0
    values = told(coverage=0.25, subjects_named=0.5, acting=False, headline=True, anaphoric=True,
                  informative=0.75, answered=True)
    assert (values["coverage"], values["subjects_named"], values["informative"]) == (0.25, 0.5, 0.75)
    assert values["acting"] == 0.0 and values["headline"] == values["anaphoric"] == values["answered"] == 1.0


def test_the_correction_is_the_exponential_of_the_weighted_signals():
    weights = dict.fromkeys(SIGNALS, 0.0) | {"typed": 1.0, "coverage": -2.0}
    values = tuple(told().values())
    assert correction(values, weights) == pytest.approx(math.exp(1.0 - 2.0 * 0.6))
    assert correction(values, dict.fromkeys(SIGNALS, 0.0)) == 1.0
    with pytest.raises(ValueError):  # signals of another model's making are refused, not silently cut short
        correction(values[:-1], weights)


def test_the_shipped_weights_are_fitted_not_zero():
    assert set(rerank.WEIGHTS) == set(SIGNALS)
    assert any(w != 0.0 for w in rerank.WEIGHTS.values())


def test_the_fitted_model_chooses_the_sentence_that_leads(monkeypatch):
    plain = candidate("Acme said the plan was good for everyone involved.", 1.0, key="a")
    figure = candidate("Acme will cut 300 jobs at its plant.", 0.8, key="b", typed=("300",))
    plain.traits = traits(typed=False)
    figure.traits = traits()
    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0))
    assert select([plain, figure])[0] is plain  # no model: the hand-set score decides
    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0) | {"typed": 1.0})
    assert leading(figure) == pytest.approx(0.8 * math.e)
    assert select([plain, figure])[0] is figure
    assert leading(candidate("No signals known.", 0.7)) == 0.7


def test_scored_candidates_carry_what_their_signals_are_read_from():
    article = hit("a", "Acme to cut jobs", ["Acme will cut 300 jobs at its Leeds plant by March."])
    _, _, candidates, _ = views_and_candidates("How many jobs will Acme cut?", [article])
    assert candidates[0].traits is not None
    values = dict(zip(SIGNALS, signals(candidates[0].traits), strict=True))
    assert values["typed_figure"] == 1.0 and values["story_lead"] == 1.0 and values["coverage"] > 0.5
    assert values["predicate"] == 1.0  # "cut" and "jobs", the question's plain words, are both named
    assert values["span_near"] > 0.5  # "300" stands beside "jobs"


def test_scoring_builds_no_signals_only_the_lead_choice_does(monkeypatch):
    def refuse(_traits):
        raise AssertionError("signals built while scoring")

    monkeypatch.setattr(rerank, "signals", refuse)
    article = hit("a", "Acme to cut jobs", ["Acme will cut 300 jobs at its Leeds plant by March."])
    _, _, candidates, _ = views_and_candidates("How many jobs will Acme cut?", [article])
    assert candidates  # scored, with no signal built


def test_the_share_of_the_plain_words_named_is_the_predicate_signal():
    assert told(predicate=0.5)["predicate"] == 0.5
    assert told()["predicate"] == 0.0


def test_an_answering_span_near_the_asked_words_is_nearer_than_one_far_from_them():
    asked = frozenset(default_analyzer().terms("jobs cut"))
    near = nearness("Acme will cut 300 jobs in Leeds.", ["300"], asked)
    far = nearness("Acme, which was founded in 1901 by two brothers from Hull, will say 300 more people will lose jobs.",
                   ["1901"], asked)
    assert near == 1.0 and 0.0 < far < near
    assert nearness("Acme will cut 300 jobs.", [], asked) == 0.0  # no span
    assert nearness("Acme will cut 300 jobs.", ["300"], frozenset()) == 0.0  # nothing asked
    assert nearness("Acme will cut 300 jobs.", ["Leeds"], asked) == 0.0  # a span the sentence does not hold
    assert told(asked=asked)["span_near"] == 1.0  # "cut 300 jobs"
    # stop words do not count: one content word ("Monday") stands between "cut" and "300"
    assert nearness("Acme cut, it said on Monday, 300 posts.", ["300"], asked) == pytest.approx(1 / (1 + 1 / rerank.NEAR_WORDS))
    assert told(asked=asked, typed=False)["span_near"] == 0.0
    assert told(plain=frozenset({"job"}))["predicate_near"] == 1.0


def test_a_sentence_listing_many_spans_of_the_kind_is_told_apart():
    many = signals(Traits("Acme, Bolt and Cogs bid.", AnswerType.ORGANISATION, ("Acme", "Bolt", "Cogs"), 0.5, FIRST,
                          1.0, False, False, False, 0.5, False))
    one = signals(Traits("Acme bid.", AnswerType.ORGANISATION, ("Acme",), 0.5, FIRST, 1.0, False, False, False, 0.5,
                         False))
    assert dict(zip(SIGNALS, many, strict=True))["many_spans"] == 1.0
    assert dict(zip(SIGNALS, one, strict=True))["many_spans"] == 0.0


def test_the_headline_context_is_a_signal():
    assert told(title_context=0.4)["title_context"] == 0.4


@pytest.mark.parametrize(("question", "sentence", "says_no"), [
    ("Did Acme cut jobs at its Leeds plant?", "Acme did not cut jobs at its Leeds plant, it said.", True),
    ("Did Acme cut jobs at its Leeds plant?", "Acme cut jobs at its Leeds plant, it said.", False),
    ("How many jobs did Acme cut at its Leeds plant?", "Acme did not cut 300 jobs at its Leeds plant.", False),
    ("Can people anywhere use Acme's new photo app?", "Acme said its photo app is available only in the US.", True),
    ("Did Acme launch its new photo app?", "Acme said its photo app is available only in the US.", False),  # asks of no one
])
def test_a_no_or_a_limit_to_a_yes_no_question_is_a_signal(question, sentence, says_no):
    _, _, candidates, _ = views_and_candidates(question, [hit("a", "Acme news", [sentence])])
    assert dict(zip(SIGNALS, signals(candidates[0].traits), strict=True))["negated_yes_no"] == float(says_no)


# ---- the fit -------------------------------------------------------------------------------------------
def _planted(seed: int, questions: int = 120) -> list[fit_rerank.Question]:
    """Questions whose answer-holding candidate is the one with the "typed" signal, hidden under a hand-set
    score that favours another candidate."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(questions):
        n = 6
        values = rng.random((n, len(SIGNALS))) * 0.1
        answer = int(rng.integers(n))
        values[:, SIGNALS.index("typed")] = 0.0
        values[answer, SIGNALS.index("typed")] = 1.0
        offsets = rng.normal(0.0, 0.3, n)
        offsets[(answer + 1) % n] += 1.0  # the hand-set score prefers a wrong sentence
        answers = np.zeros(n, dtype=bool)
        answers[answer] = True
        out.append(fit_rerank.Question("planted", str(i), values, offsets, answers))
    return out


def test_the_fit_learns_a_planted_signal_and_picks_the_answers():
    questions = _planted(1)
    zero = np.zeros(len(SIGNALS))
    weights = fit_rerank.fit(questions)
    assert weights[SIGNALS.index("typed")] > 1.0
    assert max(abs(w) for i, w in enumerate(weights) if i != SIGNALS.index("typed")) < weights[SIGNALS.index("typed")]
    held_out = _planted(2)
    assert fit_rerank.top_hits(held_out, weights) > fit_rerank.top_hits(held_out, zero) + 30


def test_the_gradient_is_the_derivative_of_the_loss():
    data = fit_rerank.Stacked.of(_planted(3, questions=20))
    w = np.random.default_rng(4).normal(0, 0.5, len(SIGNALS))
    _, grad = fit_rerank.loss_and_gradient(w, data, 2.0)
    for i in (0, 3, 7):
        step = np.zeros_like(w)
        step[i] = 1e-5
        up, _ = fit_rerank.loss_and_gradient(w + step, data, 2.0)
        down, _ = fit_rerank.loss_and_gradient(w - step, data, 2.0)
        assert grad[i] == pytest.approx((up - down) / 2e-5, rel=1e-4, abs=1e-7)


def test_a_question_with_several_answer_holding_candidates_counts_them_together():
    values = np.zeros((3, len(SIGNALS)))
    both = fit_rerank.Question("s", "q", values, np.zeros(3), np.array([True, True, False]))
    loss, _ = fit_rerank.loss_and_gradient(np.zeros(len(SIGNALS)), fit_rerank.Stacked.of([both]), 0.0)
    assert loss == pytest.approx(-math.log(2 / 3))


def test_the_penalty_pulls_weights_towards_zero():
    questions = _planted(5, questions=40)
    loose, tight = fit_rerank.fit(questions, penalty=0.0), fit_rerank.fit(questions, penalty=50.0)
    assert np.abs(tight).sum() < np.abs(loose).sum()


def test_writing_the_weights_rewrites_only_the_weights(tmp_path, monkeypatch):
    source = (fit_rerank.ROOT / "bot" / "answering" / "rerank.py").read_text(encoding="utf-8")
    (tmp_path / "bot" / "answering").mkdir(parents=True)
    target = tmp_path / "bot" / "answering" / "rerank.py"
    target.write_text(source, encoding="utf-8")
    monkeypatch.setattr(fit_rerank, "ROOT", tmp_path)
    fit_rerank.write(np.arange(len(SIGNALS), dtype=float))
    written = target.read_text(encoding="utf-8")
    assert f'    "{SIGNALS[-1]}": {len(SIGNALS) - 1:.3f},\n}}' in written
    assert written.replace(written[written.index("WEIGHTS: dict"):written.index("}\n", written.index("WEIGHTS: dict"))], "") \
        == source.replace(source[source.index("WEIGHTS: dict"):source.index("}\n", source.index("WEIGHTS: dict"))], "")


def test_a_headline_leads_only_when_it_scores_best(monkeypatch):
    from bot.answering.select import first_choice
    from bot.answering.units import UnitQuality

    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0) | {"headline": 3.0})
    body = candidate("Acme will cut 300 jobs at its Leeds plant.", 1.0, key="a")
    title = candidate("Acme to cut jobs in Leeds", 0.9, key="b", unit=UnitQuality(0.7, headline=True))
    body.traits = traits(headline=False)
    title.traits = traits(headline=True)
    assert first_choice([body, title]) is body  # the model would prefer it: a headline is a last resort
    assert first_choice([title, body]) is title  # …but when it scores best, it may lead


def test_a_story_a_reader_can_open_leads_over_a_bare_file_the_model_prefers(monkeypatch):
    from bot.answering.select import first_choice

    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0) | {"typed": 3.0})
    bare = candidate("Acme will cut 300 jobs at its Leeds plant.", 1.0, key="a", url=None, outlet=None)
    sourced = candidate("Acme said jobs would go in Leeds.", 0.9, key="b")
    bare.traits = traits()
    sourced.traits = traits(typed=False)
    assert first_choice([bare, sourced]) is sourced
    sourced.score = 0.15  # below a fifth of the best: not in the running
    assert first_choice([bare, sourced]) is bare


def test_scored_candidates_carry_the_headline_context_and_the_plain_words_near_the_span():
    article = hit("a", "Acme to cut jobs in Leeds", ["Acme said on Monday it will cut 300 jobs.", "Acme shares rose 5%."])
    _, _, candidates, _ = views_and_candidates("How many jobs will Acme cut in Leeds?", [article])
    first = dict(zip(SIGNALS, signals(candidates[0].traits), strict=True))
    assert first["title_context"] > 0.0  # "Leeds" is in the headline, not in the sentence
    assert first["predicate_near"] > 0.5  # "300" stands by "cut" and "jobs", the question's plain words


def test_a_question_of_names_alone_has_no_plain_words_to_name():
    article = hit("a", "Acme and Bolt", ["Acme and Bolt signed a deal with Cogs in 2004."])
    _, _, candidates, _ = views_and_candidates("What about Acme and Bolt?", [article])
    assert candidates and dict(zip(SIGNALS, signals(candidates[0].traits), strict=True))["predicate"] == 0.0


def test_the_first_sentence_of_a_passage_goes_on_from_nothing():
    opening = "The club had lost three games after a poor run since October."
    article = hit("a", "Football news", [opening, "Valencia sacked coach Claudio Ranieri on Friday."])
    _, _, candidates, _ = views_and_candidates("Why did Valencia sack Claudio Ranieri?", [article])
    assert opening not in {c.text for c in candidates}  # it names nothing asked, and nothing came before it


def test_how_much_of_the_question_the_sentence_before_tells_is_a_signal():
    told_first = "Valencia sacked coach Claudio Ranieri on Friday."
    goes_on = "The club had lost three games after a poor run since October."
    _, _, candidates, _ = views_and_candidates("Why did Valencia sack Claudio Ranieri?",
                                               [hit("a", "Football news", [told_first, goes_on])])
    after = {c.text: dict(zip(SIGNALS, signals(c.traits), strict=True))["after_told"] for c in candidates}
    assert after[told_first] == 0.0  # nothing before it
    assert after[goes_on] == pytest.approx(next(c.coverage for c in candidates if c.text == told_first))
    assert rerank.WEIGHTS["after_told"] > 0.0  # fitted: the answer often follows the sentence restating the question
