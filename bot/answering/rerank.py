"""Which sentence answers: a fitted correction of the hand-set sentence score.

The hand-set score (:func:`bot.answering.candidates.score_candidates`) weighs each sign of an answer by a
constant chosen case by case. Here a log-linear model, fitted on the development question sets by
``benchmarks/fit_rerank.py`` (a conditional logit: of a question's candidate sentences, the one holding an
expected phrase should score highest), says how much each sign is really worth. The sentence that leads a reply
is chosen on

    score × exp(w · signals)

(:func:`bot.answering.select.leading`); every other use of the score (abstention, premises, corroboration, the
rest of the selection) keeps the hand-set score. With every weight at zero nothing changes.
The signals are plain facts about a sentence and its place in the coverage, the same for any question set.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .question import AnswerType

SIGNALS: tuple[str, ...] = (
    "typed",
    "typed_name",
    "typed_figure",
    "typed_date",
    "typed_reason",
    "typed_definition",
    "coverage",
    "passage_rank",
    "story_order",
    "story_lead",
    "passage_start",
    "length",
    "figure",
    "quotation",
    "subjects_named",
    "acting",
    "headline",
    "anaphoric",
    "informative",
    "answered",
)
"""What the model knows of a candidate sentence, each a number in [0, 1]."""

WEIGHTS: dict[str, float] = {
    "typed": 2.185,
    "typed_name": -0.104,
    "typed_figure": 1.648,
    "typed_date": 1.038,
    "typed_reason": -0.535,
    "typed_definition": 0.012,
    "coverage": 2.635,
    "passage_rank": 2.982,
    "story_order": 1.888,
    "story_lead": -0.865,
    "passage_start": -0.203,
    "length": -0.549,
    "figure": 0.403,
    "quotation": -0.437,
    "subjects_named": -0.558,
    "acting": -0.370,
    "headline": -0.865,
    "anaphoric": 0.118,
    "informative": 0.084,
    "answered": -0.616,
}
"""Fitted by ``python benchmarks/fit_rerank.py``; written back here by ``--write``."""

NAME_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.NAME, AnswerType.PLACE})
FIGURE_TYPES = frozenset({AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.PERCENTAGE, AnswerType.DURATION})
_DIGIT = re.compile(r"\d")
_QUOTE_OPENERS = "\"“‘'"
LONG_SENTENCE_WORDS = 40


@dataclass(frozen=True, slots=True)
class Place:
    """Where a sentence stands: its passage's score share, its story's order among those read, the passage's
    position in its story and the sentence's line in the passage."""

    passage_rank: float
    story_order: int
    passage_ordinal: int
    line: int


def signals(
    sentence: str, kind: AnswerType, *, typed: bool, coverage: float, place: Place, subjects_named: float,
    acting: bool, headline: bool, anaphoric: bool, informative: float, answered: bool,
) -> tuple[float, ...]:
    """The signals of one candidate sentence, in the order of :data:`SIGNALS`."""
    values = {
        "typed": typed,
        "typed_name": typed and kind in NAME_TYPES,
        "typed_figure": typed and kind in FIGURE_TYPES,
        "typed_date": typed and kind is AnswerType.DATE,
        "typed_reason": typed and kind is AnswerType.REASON,
        "typed_definition": typed and kind is AnswerType.DEFINITION,
        "coverage": coverage,
        "passage_rank": place.passage_rank,
        "story_order": 1 / (1 + place.story_order),
        "story_lead": place.passage_ordinal == 0 and place.line == 0,
        "passage_start": place.line == 0,
        "length": min(len(sentence.split()) / LONG_SENTENCE_WORDS, 1.0),
        "figure": bool(_DIGIT.search(sentence)),
        "quotation": sentence.lstrip()[:1] in _QUOTE_OPENERS,
        "subjects_named": subjects_named,
        "acting": acting,
        "headline": headline,
        "anaphoric": anaphoric,
        "informative": informative,
        "answered": answered,
    }
    return tuple(float(values[name]) for name in SIGNALS)


def correction(values: Sequence[float], weights: dict[str, float] | None = None) -> float:
    """The factor the model sets on a score: exp(w · signals). Scores are only ever compared with one another
    (shares of the best), so a factor common to every sentence changes nothing."""
    weights = WEIGHTS if weights is None else weights
    return math.exp(sum(weights[name] * value for name, value in zip(SIGNALS, values, strict=True)))
