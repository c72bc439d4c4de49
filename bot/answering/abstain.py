"""Abstention as one weighed decision: term coverage, retrieval strength, unknown names, the subjects and
the presence of an answer of the expected type count together, instead of each vetoing on its own."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .candidates import Candidate, PassageView, Shares, asks_result, headline_terms, named_by_story, previews
from .premise import states_a_figure
from .question import AnswerType, Question, Subject
from .spans import NUMBER_VALUES, STRICT, TYPED

ANSWER_AT = 0.5
"""The confidence at which the bot answers."""
UNKNOWN_NAME_PENALTY = 0.45
"""Per name the coverage never mentions (after spelling correction)."""
UNSEEN_PENALTY = 1.0
MATURE_COVERAGE = 1000
"""A plain word the coverage never uses ("bitcoin") is likely a paraphrase in a small collection, but in one of
a thousand stories or more it more likely names what the coverage lacks: it counts against answering by its
share of the question, times UNSEEN_PENALTY, in proportion to the collection's size up to this many stories."""
UNFOCUSED_PENALTY = 0.3
"""When no passage about the subjects names any of what the question asks about them, the coverage speaks of
the subject but not of that."""
OTHER_YEAR_PENALTY = 0.55
"""A year the question names that no story about its subjects names or dates from counts this much against
answering (weighed, not a veto: a story may tell of the year without naming it)."""
FOCUS_MISSING_PENALTY = 0.5
"""What a "what …" question asks for, named by no story about its subjects, counts this much against answering."""
TYPE_FOUND_BONUS = 0.1
UNNAMED_PENALTY = 0.6
"""A "who …?" or "which company …?" question whose passages name nobody of that kind near what it asks: weighs
against answering (names are found by cues, which miss some, so this does not veto)."""
NAMING = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION})
_ASKS_A_NAME = re.compile(r"\bnames?\b", re.IGNORECASE)
TYPED_EVIDENCE_SHARE = 0.3
"""A span of the asked type counts as found only in a sentence scoring this share of the best: a "top 10"
in a story about something else does not give the Aston Martin's top speed."""
SUBJECTS_TOGETHER_BONUS = 0.1
RETRIEVAL_WEIGHT = 0.15
MARGIN_WEIGHT = 0.15
"""A best passage that names every subject, its story far ahead of the next (up to twice its score), counts
for answering: a reworded story sharing few of the question's words is still the one it is about when
nothing else comes close."""
PRESUPPOSED_COVERAGE = 0.5
"""A "why" question is answered only where one sentence reports at least this share of what it takes for granted."""
UNREPORTED_PENALTY = 0.35
"""…and where none does, that counts this much against answering."""
APART_PENALTY = 0.25
"""Names a question joins that no passage mentions together count against answering (a paraphrase such as
"Americans" for "US" can leave a name apart, so this weighs rather than vetoes)."""


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to answer, the confidence behind it, and (when abstaining) why, in a phrase."""

    answer: bool
    confidence: float
    why: str = ""


def story_margin(views: Sequence[PassageView]) -> float:
    """How far the best story's score is ahead of the best other story's (1.0: level; 2.0: twice)."""
    if not views:
        return 1.0
    top = views[0].hit
    other = next((v.hit.score for v in views if v.hit.story.key != top.story.key), 0.0)
    return top.score / other if other > 0 else 2.0


def best_coverage(question: Question, views: Sequence[PassageView], shares: Shares) -> float:
    """The largest share of the question's weighted terms one passage (with its headline) names."""
    asked = frozenset(question.weights)
    return max((shares(asked & v.named) for v in views), default=0.0)


def best_sentence_coverage(question: Question, candidates: Sequence[Candidate]) -> float:
    """The largest share of the question one sentence that names its subjects (if any; its headline may name
    them) holds."""
    subject_terms = question.subject_terms
    return max((c.coverage for c in candidates if not subject_terms or _names(c, subject_terms)), default=0.0)


def _names(candidate: Candidate, terms: frozenset[str]) -> bool:
    """Does the sentence, or the headline of its story, name any of these terms?"""
    return bool(candidate.terms & terms or headline_terms(candidate.hit.story.title) & terms)


def focus_named(question: Question, views: Sequence[PassageView]) -> bool:
    """Does some story that names the question's subjects (in the passages read) also name one of its plain
    words — what it asks about them ("weather" in "What will the weather be like in Seattle tomorrow?")?"""
    subject_terms = question.subject_terms
    plain = question.plain
    if not plain:
        return True
    return any(named & plain for named in named_by_story(views).values() if not subject_terms or named & subject_terms)


def anchor(question: Question, views: Sequence[PassageView]) -> Subject | None:
    """The question's most distinctive subject ("Harbin" of "Bank of China officials in Harbin"), when the best
    story names it: evidence of the asked type counts only in a story that names it too."""
    if not question.subjects or not views:
        return None
    rarest = max(question.subjects, key=lambda s: (question.weights.get(s.key, 0.0), s.key))
    return rarest if rarest.named_in(views[0].named) else None


def states_the_figure(question: Question, candidates: Sequence[Candidate]) -> bool:
    """Does a sentence told of the subjects state a figure the question gives ("£5m" of "knock £5m off its profit
    forecast")? Then it reports the event however the question words it."""
    subject_terms = question.subject_terms
    return any(states_a_figure(question, c.text) for c in candidates if not subject_terms or _names(c, subject_terms))


def told_of_another(question: Question, candidates: Sequence[Candidate]) -> bool:
    """Does a sentence that names none of the question's subjects report what it asks at least half-way?"""
    subject_terms = question.subject_terms
    return bool(subject_terms) and any(
        c.coverage >= PRESUPPOSED_COVERAGE for c in candidates if not _names(c, subject_terms))


def focus_told(question: Question, views: Sequence[PassageView]) -> bool:
    """Does a story about the subjects name what a "what …" question asks for ("speed" of "What connection speed
    does the library's service offer?")? A story that never does tells of the subject but not of that."""
    for named in named_by_story(views).values():
        if (not question.subjects or any(s.named_in(named) for s in question.subjects)) and question.focus & named:
            return True
    return False


def year_told(question: Question, views: Sequence[PassageView]) -> bool:
    """Does a story about the subjects name a year the question asks about, or date from it? "Who won the 2006
    Hopman Cup?" read in stories that tell of 2004 and 2005 only is asked of a time the coverage lacks."""
    for view in views:
        if question.subjects and not any(s.named_in(view.named) for s in question.subjects):
            continue
        if question.years & view.named:  # its text, its headline or its date (see passage_view)
            return True
    return False


NUMBER_NAMES = {value: name for name, value in NUMBER_VALUES.items() if value <= 20}


def _numbered(name: str) -> re.Pattern[str]:
    """How a text names a numbered name: "PlayStation 3", "Playstation3", "Formula One"."""
    word, number = name.rsplit(" ", 1)
    spelt = NUMBER_NAMES.get(int(number))
    either = f"{number}(?!\\d)|{spelt}\\b" if spelt else f"{number}(?!\\d)"
    return re.compile(rf"\b{re.escape(word)}\s*-?\s*(?:{either})", re.IGNORECASE)


def numbered_in(question: Question, views: Sequence[PassageView]) -> tuple[list[str], set[str]]:
    """The numbered names of the question ("PlayStation 3") that no retrieved passage names with their number (the
    coverage tells of another model or edition, "PlayStation 2", or of the name alone), and the stories whose
    passages name one of them."""
    missing = []
    stories: set[str] = set()
    for name in question.numbered:
        told = _numbered(name)
        naming = {v.hit.story.key for v in views if told.search(v.hit.passage.text) or told.search(v.hit.story.title)}
        if not naming:
            missing.append(name)
        stories |= naming
    return missing, stories


def decide(question: Question, views: Sequence[PassageView], candidates: Sequence[Candidate], shares: Shares,
           searched: int) -> Decision:
    """Weigh the evidence for answering this question from these passages."""
    if not views or not candidates:
        return Decision(False, 0.0, f"nothing in the {searched} stories matches that question")
    if question.asks_advice:
        return Decision(False, 0.0, f"that asks for advice; the {searched} stories report news, they don't recommend")
    coverage = best_coverage(question, views, shares)
    confidence = coverage
    unnumbered, numbered_stories = numbered_in(question, views)
    if unnumbered:  # the coverage tells of another model or edition: "Xbox 2", not "Xbox 3"
        names = ", ".join(f"“{name}”" for name in unnumbered)
        return Decision(False, 0.0, f"none of the {searched} stories mentions {names}")
    confidence -= UNKNOWN_NAME_PENALTY * len(question.unknown_names)
    unseen = frozenset(term for _, term in question.unseen)
    if unseen:
        confidence -= UNSEEN_PENALTY * shares(unseen) * min(searched / MATURE_COVERAGE, 1.0)
    strength = views[0].hit.score / max(sum(v for t, v in question.search.items() if t in question.weights), 1.0)
    confidence += RETRIEVAL_WEIGHT * min(strength / 4.0, 1.0)
    if question.subjects and not question.unknown_names and all(s.named_in(views[0].named) for s in question.subjects):
        confidence += MARGIN_WEIGHT * min(max(story_margin(views) - 1.0, 0.0), 1.0)
    if not question.follow_up and not focus_named(question, views):
        confidence -= UNFOCUSED_PENALTY
    if question.focus and not focus_told(question, views):
        confidence -= FOCUS_MISSING_PENALTY
    if question.years and not year_told(question, views):
        confidence -= OTHER_YEAR_PENALTY
    kind = question.answer_type
    top = max(candidates, key=lambda c: c.score)
    best = top.score
    if kind in TYPED and asks_result(question.text) and previews(top.text):
        return Decision(False, confidence, f"the {searched} stories tell of it only before it was decided")
    anchored = anchor(question, views)
    in_story = named_by_story(views)
    typed = any(
        c.typed and c.score >= TYPED_EVIDENCE_SHARE * best
        and (anchored is None or anchored.named_in(in_story[c.hit.story.key]))
        and (not question.numbered or c.story_key in numbered_stories)  # the price of "PlayStation 3", not the PSP's
        for c in candidates)
    if kind in STRICT and not typed:
        figure = {"amount": "an amount", "percentage": "a percentage"}.get(kind.value, "a number")
        return Decision(False, confidence, f"none of the {searched} stories gives {figure} for that")
    if typed:
        confidence += TYPE_FOUND_BONUS
    elif kind in NAMING or kind is AnswerType.NAME:
        if _ASKS_A_NAME.search(question.text):  # "what was the name of the pilot?": a name, or nothing
            return Decision(False, confidence, f"none of the {searched} stories gives that name")
        if kind in NAMING:  # "what is his album called?" may be told without "called"
            confidence -= UNNAMED_PENALTY
    if len(question.subjects) > 1:
        together = any(all(s.terms & v.named for s in question.subjects) for v in views)
        if together:
            confidence += SUBJECTS_TOGETHER_BONUS
        elif not question.per_subject:
            confidence -= APART_PENALTY
            if confidence < ANSWER_AT:
                return Decision(False, confidence,
                                f"no story among the {searched} mentions all of the names in that question together")
    presupposes = question.described or not question.follow_up  # "why did they go?" takes the chat's event
    if (kind is AnswerType.REASON and presupposes and best_sentence_coverage(question, candidates) < PRESUPPOSED_COVERAGE
            and not states_the_figure(question, candidates)):
        # "why did X …?" takes an event for granted: one sentence should report it. Told of someone else
        # ("Ryanair ordered new jets" for "why did EasyJet order…"), it is not reported; else it may be reworded
        # across sentences, which weighs against answering without vetoing it
        confidence -= UNREPORTED_PENALTY
        if confidence < ANSWER_AT or told_of_another(question, candidates):
            return Decision(False, confidence, f"none of the {searched} stories reports that")
    if (question.unknown_names or question.unseen) and confidence < ANSWER_AT:
        names = ", ".join(f"“{name}”" for name in (*question.unknown_names, *(word for word, _ in question.unseen)))
        return Decision(False, confidence, f"none of the {searched} stories mentions {names}")
    if confidence < ANSWER_AT:
        return Decision(False, confidence, f"the {searched} stories don't answer that question")
    return Decision(True, confidence)
