"""What one answer works out once and reuses (pure speed: the results are those of working it out afresh):
the lexicon groups of the asked words, each sentence's spans, the passage views of the best stories."""

from __future__ import annotations

import random

from bot.answering.candidates import passage_view
from bot.answering.compose import _views
from bot.answering.lexicon import Lexicon, lexicon
from bot.answering.question import AnswerType
from bot.answering.spans import _find_spans, answering_spans, spans

from .test_answering_units import ANALYZER, analysed, hit


def _bridged_by_definition(words: Lexicon, terms: frozenset[str], asked: frozenset[str]) -> frozenset[str]:
    return frozenset(a for a in asked - terms if words.others(a) & terms)


def test_the_asked_words_said_in_other_words_are_those_the_groups_give():
    words = lexicon(ANALYZER)
    rng = random.Random(3)
    pool = sorted({*words.mates, "bank", "platform", "kettle", "said"})
    for _ in range(2_000):
        asked = frozenset(rng.sample(pool, rng.randint(0, 6)))
        terms = frozenset(rng.sample(pool, rng.randint(0, 12)))
        assert words.bridged(terms, asked) == _bridged_by_definition(words, terms, asked), (terms, asked)


def test_many_questions_keep_their_groups_right():
    words = Lexicon(ANALYZER, [("norway", "norwegian"), ("uk", "britain")])
    for n in range(600):  # more questions than are kept: the kept groups start afresh, never go wrong
        asked = frozenset({"norway", f"word{n}"} if n % 2 else {"uk", f"word{n}"})
        named = words.bridged(frozenset({"norwegian", "britain"}), asked)
        assert named == ({"norway"} if n % 2 else {"uk"})


def test_spans_are_those_found_afresh_and_each_caller_gets_its_own_list():
    sentence = ("Shares rose 5% on 3 March 2021 because sales grew, said Jo Bloggs, who runs Acme Corp; two days "
                "later it paused trading for a week.")
    for kind in AnswerType:
        for lags in (False, True):
            first = spans(sentence, kind, lags=lags)
            assert first == _find_spans(sentence, kind, lags=lags)
            first.append("changed by a caller")
            assert spans(sentence, kind, lags=lags) == _find_spans(sentence, kind, lags=lags)
    assert spans(sentence, AnswerType.DURATION, lags=True) != spans(sentence, AnswerType.DURATION)  # "two days later"


def test_answering_spans_leave_out_what_any_question_already_says():
    sentence = "Acme said on 3 March that profits rose 5% in 2020."
    assert answering_spans(sentence, AnswerType.DATE, "When did Acme report profits?") == ["3 March", "2020"]
    assert answering_spans(sentence, AnswerType.DATE, "Did Acme report profits in 2020?") == ["3 March"]
    assert answering_spans(sentence, AnswerType.DATE, "When did Acme report profits?") == ["3 March", "2020"]


def test_views_made_for_the_best_stories_are_reused_for_every_passage():
    question = analysed("How many kettles did Acme sell?")
    asked = frozenset(question.weights)
    ranked = [hit(f"s{i % 12}", f"Kettle story {i % 12}", [f"Acme sold {i} kettles in Norway last year, it said."],
                  1.0 - i / 100) for i in range(30)]
    best = _views(ranked, ANALYZER, asked, 10)
    assert 0 < len(best) < len(ranked)
    every = _views(ranked, ANALYZER, asked, None, done=best)
    afresh = [passage_view(h, ANALYZER, asked) for h in ranked]
    assert every == afresh
    reused = {id(view) for view in every}
    assert all(id(view) in reused for view in best)
