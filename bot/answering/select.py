"""Choosing the sentences to quote: the answer first, the fitted model's next choice second, then what adds to
them (maximal marginal relevance)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from retrieval.text import title_key

from .candidates import Candidate, metadata
from .corroborate import jaccard
from .question import AnswerType
from .rerank import correction, signals

LEAD_SHARE = 0.5
"""A sentence holding the answer leads when it scores at least this share of the best sentence."""
CHOICE_SHARE = 0.2
"""The fitted model chooses the lead among the sentences scoring at least this share of the best hand-set score:
it is fitted on every candidate, and the answer often scores well under half the best (a restricted choice, at
half, led with the answer 6 fewer times on the development sets)."""
SOURCED_SHARE = 0.5
"""A story a reader can open leads over a bare file when its sentence tells at least half of what the sentence
telling most of the question tells (coverage): at equal relevance, not from another story that merely shares a
word ("want", "power")."""
SECOND_ANSWER_SHARE = 0.3
"""…and otherwise comes second when it scores at least this share."""
MAX_SENTENCES = 4
MAX_QUOTED = MAX_SENTENCES + 1
"""The chosen sentences, and at most one earlier sentence quoted so that a pointing-back one reads right."""
MIN_SENTENCES = 2
MAX_ANSWER_CHARS = 700
MARKER_CHARS = 5
"""What a quoted sentence adds to an answer's length besides its text: a space and its ``[n]`` marker."""
FURTHER_SENTENCE_RATIO = 0.45
"""A further sentence must score at least this share of the first…"""
SECOND_SENTENCE_RATIO = 0.25
"""…except the second, which only needs this share: one sentence rarely tells the whole of it."""
NOVELTY = 0.35
"""Maximal marginal relevance: a candidate's score minus this share × its overlap with what is chosen."""
SECOND_NOVELTY = 0.6
"""The second sentence, the fitted model's next choice, loses this share of its reading per unit of overlap with the
first: it should say what the first does not (over every question set, 2 fewer passed at 0.35, as for the rest, or
at 0.45; 1 fewer at 0.75; as many at 0.9)."""
REDUNDANT_JACCARD = 0.6
SAME_STORY_PENALTY = 0.85
CONTINUATION_BONUS = 1.2
"""The sentence next to one already chosen, in the same passage, goes on with the same account."""


def quoted_length(text: str) -> int:
    """The characters a sentence takes in an answer (its text, a space, its marker)."""
    return len(text) + MARKER_CHARS


def leading(candidate: Candidate) -> float:
    """How fit a sentence is to lead: its score as the fitted model corrects it."""
    return candidate.score * correction(signals(candidate.traits)) if candidate.traits else candidate.score


def first_choice(pool: Sequence[Candidate], lead_share: float = CHOICE_SHARE,
                 lead: Callable[[Candidate], float] | None = None) -> Candidate:
    """The sentence to lead with, of those scoring at least ``lead_share`` of the best (``pool`` is best first):
    one telling of the month the question names, then, for a comparison, one naming every compared subject with a
    figure (:func:`compares_all`), for a "what is X?" question one opening with what X is ("Feta is a soft white
    cheese…"), then one a reader can open and date (outlet, date or link) telling at least
    SOURCED_SHARE as much of the question as the sentence telling most of it, over the rest; among equals, the fitted
    model's choice (``lead``: :func:`leading`, or a remembered reading of it). A headline leads only when it scores
    best: it is quoted as a last resort."""
    fitted = lead or leading
    close = [c for c in pool if c is pool[0] or (c.score >= lead_share * pool[0].score and not c.unit.headline)]
    told = max(c.coverage for c in close)
    return max(close, key=lambda c: (c.dated, compares_all(c), bool(c.traits and c.traits.defines),
                                     metadata(c.story) > 0 and c.coverage >= SOURCED_SHARE * told, fitted(c)))


def compares_all(candidate: Candidate) -> bool:
    """Does the sentence answer a comparison on its own: naming every compared subject, with a figure?"""
    traits = candidate.traits
    return (traits is not None and traits.kind is AnswerType.COMPARISON and traits.subjects_named >= 1.0
            and bool(candidate.typed))


def select(
    leaders: Sequence[Candidate],
    *,
    answers: Callable[[Candidate], bool] | None = None,
    first: Candidate | None = None,
    lead_share: float = LEAD_SHARE,
) -> list[Candidate]:
    """The sentences to quote, in order.

    ``answers``: candidates that hold the answer; the first sentence is the best of them when they score
    at least ``lead_share`` of the best overall. ``first``: a sentence that must lead (the premise check's
    evidence).

    The second sentence, unless the premise's evidence leads or an answer-holding one was put second, is the lead
    model's next choice (:func:`leading`, less what it repeats of the first) among the sentences scoring
    CHOICE_SHARE of the first: when the lead misses, the answer is more often the model's runner-up than the
    hand-set score's (9 more development questions passed, 11 more on the held-out sets 3 to 7). Later sentences are
    chosen by marginal relevance on the hand-set score.
    """
    pool = [c for c in leaders if c is not first]
    if not pool and first is None:
        return []
    corrected: dict[int, float] = {}

    def lead(c: Candidate) -> float:  # the model's score, read once per sentence (for the first and the second)
        if id(c) not in corrected:
            corrected[id(c)] = leading(c)
        return corrected[id(c)]

    chosen: list[Candidate] = []
    if first is not None:
        chosen.append(first)
    else:
        best = first_choice(pool, lead=lead)
        if answers is not None and not answers(best):
            holding = next((c for c in pool if answers(c)), None)
            if holding is not None and holding.score >= lead_share * best.score:
                best = holding
        chosen.append(best)
        pool.remove(best)
        if answers is not None and not answers(best):
            # the best sentence does not hold the answer: the best one that does comes second, so the
            # reader meets it in the first two sentences
            holding = next((c for c in pool if answers(c)), None)
            if holding is not None and holding.score >= SECOND_ANSWER_SHARE * best.score:
                chosen.append(holding)
                pool.remove(holding)
    top = chosen[0].score
    used = sum(quoted_length(c.text) for c in chosen)
    seen = {title_key(c.text) for c in chosen}
    per_story: dict[str, int] = {}
    for c in chosen:
        per_story[c.story_key] = per_story.get(c.story_key, 0) + 1

    def overlap(c: Candidate) -> float:
        return max(jaccard(c.terms, d.terms) for d in chosen)

    def story(c: Candidate) -> float:
        follows = any(d.hit is c.hit and abs(d.line - c.line) == 1 for d in chosen)
        return CONTINUATION_BONUS if follows else SAME_STORY_PENALTY ** per_story.get(c.story_key, 0)

    def marginal(c: Candidate) -> float:
        return c.score * story(c) - NOVELTY * overlap(c) * top

    def modelled(c: Candidate) -> float:
        return lead(c) * story(c) * (1 - SECOND_NOVELTY * overlap(c))

    while pool and len(chosen) < MAX_SENTENCES:
        close = [c for c in pool if c.score >= CHOICE_SHARE * top and not c.unit.headline]
        by_model = first is None and len(chosen) == 1 and bool(close)
        candidate = max(close, key=modelled) if by_model else max(pool, key=marginal)
        pool.remove(candidate)
        if title_key(candidate.text) in seen or any(jaccard(candidate.terms, d.terms) >= REDUNDANT_JACCARD for d in chosen):
            continue
        if candidate.unit.headline:
            if len(chosen) >= MIN_SENTENCES:
                continue  # a headline is a last resort: the reply says enough in sentences already
            quoted = frozenset().union(*(d.terms for d in chosen if d.story_key == candidate.story_key))
            if quoted and len(candidate.terms & quoted) >= 0.5 * len(candidate.terms):
                continue  # the headline of a story already quoted adds little
        ratio = SECOND_SENTENCE_RATIO if len(chosen) < MIN_SENTENCES else FURTHER_SENTENCE_RATIO
        if not by_model and marginal(candidate) < ratio * top:
            break
        extra = quoted_length(candidate.text)
        if used + extra > MAX_ANSWER_CHARS:
            if len(chosen) >= MIN_SENTENCES:
                break
            continue
        chosen.append(candidate)
        seen.add(title_key(candidate.text))
        per_story[candidate.story_key] = per_story.get(candidate.story_key, 0) + 1
        used += extra
    return chosen
