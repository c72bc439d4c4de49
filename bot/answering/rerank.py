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

from retrieval.analyzer import default_analyzer

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
    "predicate",
    "span_near",
    "many_spans",
    "title_context",
    "negated_yes_no",
    "predicate_near",
    "after_told",
)
"""What the model knows of a candidate sentence, each a number in [0, 1]."""

WEIGHTS: dict[str, float] = {
    "typed": 1.950,
    "typed_name": -0.138,
    "typed_figure": 1.364,
    "typed_date": 1.035,
    "typed_reason": -0.300,
    "typed_definition": -0.036,
    "coverage": 1.740,
    "passage_rank": 2.355,
    "story_order": 2.133,
    "story_lead": -0.754,
    "passage_start": 0.387,
    "length": -0.721,
    "figure": 0.494,
    "quotation": -0.505,
    "subjects_named": 0.221,
    "acting": -0.276,
    "headline": -0.754,
    "anaphoric": 0.173,
    "informative": 0.062,
    "answered": -0.479,
    "predicate": 1.728,
    "span_near": 0.380,
    "many_spans": 0.277,
    "title_context": 1.711,
    "negated_yes_no": 1.982,
    "predicate_near": 0.347,
    "after_told": 1.890,
}
"""Fitted by ``python benchmarks/fit_rerank.py``; written back here by ``--write``."""

NAME_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.NAME, AnswerType.PLACE})
FIGURE_TYPES = frozenset({AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.PERCENTAGE, AnswerType.DURATION})
_DIGIT = re.compile(r"\d")
_QUOTE_OPENERS = "\"“‘'"
LONG_SENTENCE_WORDS = 40
NEAR_WORDS = 4
MANY_SPANS = 3
"""A sentence with this many spans of the asked kind lists them; it does not single out the answer."""


@dataclass(frozen=True, slots=True)
class Place:
    """Where a sentence stands: its passage's score share, its story's order among those read, the passage's
    position in its story and the sentence's line in the passage."""

    passage_rank: float
    story_order: int
    passage_ordinal: int
    line: int


@dataclass(frozen=True, slots=True)
class Traits:
    """The plain facts of a candidate sentence that its signals are read from. Every candidate keeps them (they
    cost a few object references); the signals themselves are built only for the few sentences that may lead."""

    sentence: str
    kind: AnswerType
    typed: tuple[str, ...]
    coverage: float
    place: Place
    subjects_named: float
    acting: bool
    headline: bool
    anaphoric: bool
    informative: float
    answered: bool
    predicate: float = 0.0
    """The share of the question's plain words (beyond its names) that the sentence names."""
    asked: frozenset[str] = frozenset()
    """The question's terms, to tell how near an answering span stands to them."""
    plain: frozenset[str] = frozenset()
    """The question's plain words beyond its names ("cut", "jobs")."""
    title_context: float = 0.0
    """The share of the question that the story's headline names and the sentence does not."""
    before: float = 0.0
    """The share of the question the sentence before it (in its passage) tells."""
    says_no: bool = False
    """To a yes/no question, the sentence says no ("X did not …"), or, asked of anyone or anywhere, limits it
    ("available only in the US")."""
    defines: bool = False
    """To a "what is X?" question, the sentence opens by saying what X is ("Feta is a soft white cheese…")."""


def nearness(sentence: str, spans: Sequence[str], asked: frozenset[str]) -> float:
    """How close the nearest answering span stands to a word the question asks about, in content words (stop
    words aside): 1 beside it, falling with each word between (1 / (1 + between / NEAR_WORDS)), 0 with no span or
    no asked word."""
    if not spans or not asked:
        return 0.0
    analyzer = default_analyzer()
    firsts = {terms[0] for terms in map(analyzer.terms, spans) if terms}
    tokens = analyzer.tokens(sentence)
    at_span = [i for i, t in enumerate(tokens) if t.term in firsts]
    at_asked = [i for i, t in enumerate(tokens) if t.term in asked]
    distance = min((abs(i - j) for i in at_span for j in at_asked if i != j), default=None)
    return 0.0 if distance is None else 1 / (1 + (distance - 1) / NEAR_WORDS)


def signals(traits: Traits) -> tuple[float, ...]:
    """The signals of one candidate sentence, in the order of :data:`SIGNALS`."""
    sentence, kind, typed, place = traits.sentence, traits.kind, bool(traits.typed), traits.place
    values = {
        "typed": typed,
        "typed_name": typed and kind in NAME_TYPES,
        "typed_figure": typed and kind in FIGURE_TYPES,
        "typed_date": typed and kind is AnswerType.DATE,
        "typed_reason": typed and kind is AnswerType.REASON,
        "typed_definition": typed and kind is AnswerType.DEFINITION,
        "coverage": traits.coverage,
        "passage_rank": place.passage_rank,
        "story_order": 1 / (1 + place.story_order),
        "story_lead": place.passage_ordinal == 0 and place.line == 0,
        "passage_start": place.line == 0,
        "length": min(len(sentence.split()) / LONG_SENTENCE_WORDS, 1.0),
        "figure": bool(_DIGIT.search(sentence)),
        "quotation": sentence.lstrip()[:1] in _QUOTE_OPENERS,
        "subjects_named": traits.subjects_named,
        "acting": traits.acting,
        "headline": traits.headline,
        "anaphoric": traits.anaphoric,
        "informative": traits.informative,
        "answered": traits.answered,
        "predicate": traits.predicate,
        "span_near": nearness(sentence, traits.typed, traits.asked),
        "many_spans": typed and len(traits.typed) >= MANY_SPANS,
        "title_context": traits.title_context,
        "negated_yes_no": traits.says_no,  # "did X …?": "X did not …" answers it
        "predicate_near": nearness(sentence, traits.typed, traits.plain),
        "after_told": traits.before,
    }
    return tuple(float(values[name]) for name in SIGNALS)


def correction(values: Sequence[float], weights: dict[str, float] | None = None) -> float:
    """The factor the model sets on a score: exp(w · signals). Scores are only ever compared with one another
    (shares of the best), so a factor common to every sentence changes nothing."""
    weights = WEIGHTS if weights is None else weights
    return math.exp(sum(weights[name] * value for name, value in zip(SIGNALS, values, strict=True)))
