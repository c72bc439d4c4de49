"""Premise check: does the evidence bear out what the question takes for granted?

A question's marked words (a qualifier such as "permanently", a verdict such as "vetoed", a direction such
as "rose", a figure) must be found in the passages about its subject. When the evidence says otherwise (a
one-year moratorium for "permanently", "fell" for "rose", another figure), the reply says so first in the
bot's own words, then quotes what the coverage does say. When the evidence is silent on a claimed event
("vetoed", "agreed to sell"), the bot abstains and names the claim.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from retrieval.analyzer import Token, default_analyzer

from .candidates import Candidate, PassageView, headline_terms, named_by_story
from .dates import find_dates
from .lexicon import lexicon
from .question import (
    CLAIMS,
    DIRECTIONS,
    MOVES_AN_OBJECT,
    OPPOSITES,
    QUALIFIERS,
    STEADY,
    YEAR,
    AnswerType,
    Question,
    Subject,
)
from .spans import NEGATION, NUMBER_VALUES, NUMBER_WORDS, spans

PERMANENCE = frozenset(OPPOSITES[3][0])
MIN_EVIDENCE_COVERAGE = 0.3
"""A sentence must name this share of the question's weighted terms to count as evidence about it."""
NEGATED_EVIDENCE_SHARE = 0.5
"""A negated sentence that holds this share of what a positive question asks contradicts it."""

_DIGITS = re.compile(r"\d[\d,.]*")
_SCALE = re.compile(r"\s*(million|billion|trillion|bn|m)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Premise:
    """The outcome of a premise check.

    ``status``: "ok", "contradicted" (``evidence`` says otherwise; the reply corrects ``word`` first),
    "negated" (``evidence`` reports the opposite of what the question takes for granted) or "unsupported"
    (the evidence is silent on the claimed ``word``; the bot abstains).
    """

    status: str
    word: str = ""
    evidence: Candidate | None = None
    reversed_verb: bool = False
    """The evidence reports the opposite direction of a verb the question asks "did … <verb>" about."""

    @property
    def note(self) -> str | None:
        if self.status == "negated":
            return "The coverage doesn't say that; it reports:"
        if self.status != "contradicted":
            return None
        if self.reversed_verb:  # "why did Barclays' profits fall?" where they rose
            return f"By the coverage's account it didn't {self.word.lower()}; it reports:"
        return f"The coverage doesn't say “{self.word}”; it reports:"


OK = Premise("ok")


@lru_cache(maxsize=1)
def _family_terms() -> list[tuple[frozenset[str], frozenset[str]]]:
    """The claim families as index terms (stemmed like the evidence)."""
    analyzer = default_analyzer()

    def stem(words: Iterable[str]) -> frozenset[str]:
        return frozenset(t for w in words for t in analyzer.terms(w))

    return [(stem(a), stem(b)) for a, b in OPPOSITES]




def _moved(question: Question, surface: str) -> frozenset[str]:
    """What a direction word says went up or down: the question's nearest plain word beside it, before it ("shares"
    in "Phytopharm shares fall") or, for a verb that moves an object, after it ("rates" in "cut rates"), names and
    light words aside."""
    tokens = default_analyzer().tokens(question.text)
    at = next((i for i, t in enumerate(tokens) if t.surface == surface), None)
    if at is None:
        return frozenset()
    plain = question.plain - {tokens[at].term}
    for distance in range(1, 4):
        sides = (at + distance, at - distance) if surface.lower() in MOVES_AN_OBJECT else (at - distance, at + distance)
        for i in sides:
            if 0 <= i < len(tokens) and tokens[i].term in plain:
                return frozenset({tokens[i].term})
    return frozenset()


WENT_WORDS = 4
"""A direction word tells of what moved when it stands this close after it ("output fell", not "unemployment rose")."""
DOER_WORDS = 4
"""At most this many words between "did" and the verb it asks about: the subject ("did Barclays' profits fall")."""


def _went(told: Candidate, same: frozenset[str], other: frozenset[str], moved: frozenset[str]) -> bool:
    """Does the sentence say it went the way the question says? Where it says which way what the question says moved
    went (the direction word nearest after it: "output fell in October while unemployment rose"), that decides; a
    word of the question's direction after a "no" goes the other way ("audience figures failed to rise")."""
    way = _way(told, same, other, moved)
    if way is not None:
        return way
    return bool(same & told.terms)


_NOT_MOVED = re.compile(r"\b(?:not|no|never|fail(?:ed|s)?\s+to|without)\s+(?:\w+\s+)?$|n't\s+(?:\w+\s+)?$", re.IGNORECASE)
"""A "no" just before a direction word: "failed to rise", "did not fall", "hasn't really grown"."""


def _way(told: Candidate, same: frozenset[str], other: frozenset[str], moved: frozenset[str]) -> bool | None:
    """Which way the sentence says what moved went: True the question's way, False the other (or not at all, after a
    "no"), None when no direction word stands within WENT_WORDS after it."""
    if not moved & told.terms:
        return None
    tokens = default_analyzer().tokens(told.text)
    for at in (i for i, token in enumerate(tokens) if token.term in moved):
        for i in range(at + 1, min(at + 1 + WENT_WORDS, len(tokens))):
            term = tokens[i].term
            if term in same or term in other:
                said_no = _NOT_MOVED.search(_text_before(told.text, tokens, i)[-NO_BEFORE_CHARS:]) is not None
                return (term in same) != said_no
    return None


def _owner(question: Question, surface: str) -> Subject | None:
    """The subject a direction word tells of, when the question names several: the nearest one before it."""
    if len(question.subjects) < 2:
        return None
    at = question.text.find(surface)
    before = [(question.text.rfind(s.surface.split()[0], 0, at), s) for s in question.subjects]
    placed = [(p, s) for p, s in before if p >= 0]
    return max(placed, key=lambda ps: ps[0])[1] if placed else None


def _about_the_subjects(question: Question, views: Sequence[PassageView]) -> list[PassageView]:
    """The passages naming the most of the question's subjects (all of them when one does): a premise about
    Danny Kruger is judged on his story, not on another that shares only Michael Howard's name."""
    if not question.subjects:
        return list(views)
    counts = [sum(1 for s in question.subjects if s.terms & v.named) for v in views]
    most = max(counts, default=0)
    return [v for v, n in zip(views, counts, strict=True) if n == most] if most else list(views)


@lru_cache(maxsize=1)
def _steady_terms() -> frozenset[str]:
    """Words telling that something stayed where it was ("left unchanged", "on hold"): neither rose nor fell."""
    return frozenset(t for w in STEADY for t in default_analyzer().terms(w))


@lru_cache(maxsize=1)
def _direction_terms() -> frozenset[str]:
    return frozenset(t for w in DIRECTIONS for t in default_analyzer().terms(w))


@lru_cache(maxsize=4096)
def forms(word: str) -> frozenset[str]:
    """The terms of a word's inflections ("sue": sue, sued, sues, suing), which stemming may not join."""
    analyzer = default_analyzer()
    base = word.lower()
    for suffix in ("ing", "ed", "es", "s", "d"):
        if base.endswith(suffix) and len(base) - len(suffix) >= 3:
            base = base[: -len(suffix)]
            break
    stems = {base, base + "e"}
    variants = {word.lower()} | {f"{b}{end}" for b in stems for end in ("", "s", "d", "ed", "ing", "es")}
    return frozenset(t for v in variants for t in analyzer.terms(v))


def _family_of(term: str) -> tuple[frozenset[str], frozenset[str]] | None:
    for same, opposite in _family_terms():
        if term in same:
            return same, opposite
        if term in opposite:
            return opposite, same
    return None


_FRAMED_BY_THE_VERB = frozenset({
    AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE, AnswerType.DATE, AnswerType.DURATION,
    AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.PERCENTAGE})
"""Questions whose verb of direction frames what they ask for ("where had Federer beaten Ljubicic?", "by what
percentage did sales drop?", "how long did it take to shoot the film that won best picture?"): the sentence that
answers tells which way it went, so the verb is not judged as a premise (not judging it: 4 more passed over every
question set, no false premise missed). A level the question states of what it asks about ("how long before they paid
a higher price?") is still judged."""
_LEVELS = frozenset({"higher", "lower", "up", "down"})


def check(question: Question, views: Sequence[PassageView], candidates: Sequence[Candidate]) -> Premise:
    """Check the question's marked words and figures against the passages about its subject."""
    if not views:
        return OK
    about = _about_the_subjects(question, views)
    evidence_terms = frozenset().union(*(terms for v in about for _, terms in v.lines), *(v.title_terms for v in about))
    relevant = [c for c in candidates if c.coverage >= MIN_EVIDENCE_COVERAGE]
    about_hits = {id(v.hit) for v in about}
    about_stories = {v.hit.story.key for v in about}
    relevant = [c for c in relevant if id(c.hit) in about_hits] or relevant  # told of the subjects, if any is
    result = _result_told_otherwise(question, candidates)
    if result is not None:  # "how did Liverpool beat Chelsea?" where "Chelsea clung on to win… Liverpool's defeat"
        return Premise("negated", "", result)
    for surface, term in question.marked:
        word = surface.lower()
        family = _family_of(term)
        if family is not None and (word in DIRECTIONS or term in _direction_terms()):
            if question.answer_type in _FRAMED_BY_THE_VERB and word not in _LEVELS:
                continue  # "who beat Agassi?" is not contradicted by "Agassi suffered a defeat by Melzer"
            # a direction is judged where the fact is told: the sentence that best covers the question
            same, opposite = family
            # the sentence that tells which way it went: one with a word of direction, if any has one
            owner = _owner(question, surface)  # "Toyota" of "Toyota's sales slide while Detroit carmakers cut"
            owned = [c for c in candidates if owner is not None and owner.named_in(c.terms)
                     and c.coverage >= MIN_EVIDENCE_COVERAGE and c.story_key in about_stories]
            directed = ([c for c in owned if (same | opposite | _steady_terms()) & c.terms]
                        or [c for c in relevant if (same | opposite | _steady_terms()) & c.terms])
            moved = _moved(question, surface)  # "shares" of "why did Phytopharm shares fall?"
            # of those stating its figure, if any does ("jumped 76%" for "fall 76%"), those telling most of its
            # subjects ("the Dubai final", not last week's in Rotterdam)
            directed = [c for c in directed if states_a_figure(question, c.text)] or directed
            # …of the month the question names, if any tells of it ("in October", not January's figures)
            directed = [c for c in directed if question.dated & c.terms] or directed
            most = max((_names_subjects(c, question) for c in directed), default=0)
            directed = [c for c in directed if _names_subjects(c, question) == most]
            # …saying which way what moved went ("exports leapt", "audience figures failed to rise"), if any does:
            # not that something else went ("the dollar … in relentless decline")
            others = opposite | _steady_terms()
            directed = [c for c in directed if _way(c, same, others, moved) is not None] or directed
            told = _best_evidence([c for c in directed if moved & c.terms] or directed or relevant, question)
            # a sentence with no word of direction says nothing either way; one saying "failed to rise" has only
            # the question's own word, after a "no"
            if told is not None and (same | others) & told.terms and not _went(told, same, others, moved):
                # "did <the subject, a few words> fall", not "did Ukraine sign up to pay a higher price"
                asked_done = re.search(rf"\b(?:did|does|do|will|would)\s+(?:[\w'’-]+\s+){{1,{DOER_WORDS}}}?"
                                       rf"{re.escape(surface)}\b", question.text, re.IGNORECASE)
                plain_verb = asked_done is not None and not word.endswith(("ing", "ed"))  # not "didn't cutting"
                return Premise("contradicted", surface, told, reversed_verb=plain_verb)
            continue
        if word in PERMANENCE and question.subjects:
            # "why did Collins get a lifetime ban?": judged on the sentences naming its subjects, not on another's
            # lifetime ban in the same story
            own = [c for c in relevant if _names_subjects(c, question) == len(question.subjects)]
            if own and not any(forms(word) & (c.terms | headline_terms(c.hit.story.title)) for c in own):
                holder = _first_with(own, AnswerType.DURATION, exclude=PERMANENCE)
                if holder is not None:
                    return Premise("contradicted", surface, holder)
        if forms(word) & evidence_terms:
            denial = _denied(question, word, term, candidates, {v.hit.story.key for v in about})
            if denial is not None:  # "Why was he arrested?" where "no arrests have been made"
                return Premise("contradicted", surface, denial)
            continue
        if word in PERMANENCE:
            holder = _first_with(relevant, AnswerType.DURATION, exclude=PERMANENCE)
            if holder is not None:
                return Premise("contradicted", surface, holder)
            continue
        if word in QUALIFIERS or (word in CLAIMS and question.answer_type is AnswerType.REASON):
            # "why did X veto…" takes the veto for granted; "was X convicted?" asks about it
            return Premise("unsupported", surface)
    for period in _PERIOD.finditer(question.text):
        # "in only six months" where the evidence reports "six years": a stated duration none of the
        # relevant sentences repeats, while one of them states another
        said = _normal_period(period.group(0))
        unit = said.split()[1]
        stated = [c for c in relevant if _normal_periods(c.text) - {said}]
        if stated and not any(said in _normal_periods(c.text) for c in (*relevant, *candidates)):  # "an hour's session"
            evidence = max(stated, key=lambda c: (_has_unit(c.text, unit), _told(c, question), c.score))
            return Premise("contradicted", period.group(0), evidence)
    # what the coverage tells of the subjects anywhere, read once for the score and the figures the question states
    figured = bool(question.figures) or _SCORELINE.search(question.text) is not None
    told_about = _told_of_subjects(about, candidates, about_stories) if figured else []
    scoreline = _scoreline_told_otherwise(question, candidates, told_about, about_stories)
    if scoreline is not None:  # "beat Aberdeen 3-1" where the story tells "making it 4-1"
        return Premise("contradicted", scoreline[0], scoreline[1])
    day = _day_told_otherwise(question, relevant, told_about, about_stories)
    if day is not None:  # "a 5 June election" where the stories tell of "an election on 5 May"
        return Premise("contradicted", day[0], day[1])
    for figure in question.figures:
        if _PERIOD.search(question.text[question.text.find(figure):][: len(figure) + 12]):
            continue  # a duration, checked above
        digits = _DIGITS.findall(figure)
        kind, unit = _figure_kind(question.text, figure)
        stating = [c for c in relevant if any(unit in span.casefold() for span in spans(c.text, kind))]
        scale = _SCALE.match(question.text, question.text.find(figure) + len(figure))
        if not digits:
            continue
        telling = [c for c in relevant if any(_scaled_in_text(d, scale.group(1) if scale else "", [c.text]) for d in digits)]
        if telling and not NEGATION.search(question.text) and all(_DENIAL.search(c.text) for c in telling):
            # "why did X get a £3m pay-off?" where the coverage tells of it only to deny it
            return Premise("negated", "", max(telling, key=lambda c: (_names_subjects(c, question), c.score)))
        if not stating or telling:
            continue
        if any(_scaled_in_text(d, scale.group(1) if scale else "", told_about) for d in digits):
            continue  # told elsewhere of the subjects: a headline's "Ireland 21-19 Argentina", "the G20 group"
        figure_terms = frozenset(default_analyzer().terms(figure))
        # the words by the figure; names too when there is nothing else ("31 of Britain's 659 MPs")
        slot = (_slot(question, figure_terms) or _slot(question, figure_terms, names=True)) - _SCALE_TERMS
        in_slot = [c for c in relevant if _filler(question, slot, [c], figure=True)]  # "50th birthday" for "40th"
        # of the month the question names: told in the sentence, else in its story ("157,000 new jobs were added last
        # month" in the story of December's figures, not October's 337,000)
        dated = {c.story_key for c in candidates if question.dated & c.terms}
        # the same measure with another number ("about 300 homes" for "3,000 homes") tells what the coverage says
        # instead: among the sentences filling the figure's slot, else anywhere in the stories about the subjects
        alike = _measured_alike(question.text, figure, [c for c in candidates if c.story_key in about_stories])
        counting = {id(c) for c in alike}
        pool = ([c for c in in_slot if id(c) in counting] or in_slot or [c for c in stating if id(c) in counting]
                or alike or stating)
        return Premise("contradicted", figure, max(pool, key=lambda c: (
            bool(question.dated & c.terms), c.story_key in dated, _names_subjects(c, question), _told(c, question),
            c.score)))
    reversed_roles = _roles_reversed(question, relevant) if question.answer_type not in _ASKING else None
    if reversed_roles is not None:  # "Why did Mann sue Evans?" where "Mr Evans sued Mr Mann"
        return Premise("negated", "", reversed_roles)
    replaced = _replaced(question, views, candidates) if question.answer_type in _PLACING else None
    if replaced is not None:  # "signed in Jerusalem" where the story tells "signed in Cairo"
        return Premise("contradicted", replaced[0], _placed(question, replaced[0], replaced[1], candidates))
    for subject in question.subjects if question.answer_type is AnswerType.REASON else ():
        wrong = _other_actor(question, subject, candidates)
        if wrong is not None:
            return Premise("contradicted", subject.surface, _placed(question, subject.surface, wrong, candidates))
    if question.answer_type is AnswerType.REASON and not NEGATION.search(question.text):
        told = _best_evidence(relevant, question)
        if told is not None and _told(told, question) >= NEGATED_EVIDENCE_SHARE:
            # "why did X start selling…?" where X "won't sell": among the sentences that tell the fact as
            # fully as the best one, one that says no of the subject contradicts the premise
            fullest = _told(told, question)
            told_share = _told_share(question)
            saying_no = [c for c in relevant if told_share(c) >= fullest - 1e-9
                         and (c is told or _names_subjects(c, question) == len(question.subjects))
                         and _says_no_to(c, question)]  # the pattern last: it costs the most (~13 µs a sentence)
            if saying_no:
                return Premise("negated", "", max(saying_no, key=lambda c: c.score))
    if question.answer_type is AnswerType.REASON:
        return Premise("ok", evidence=_told_event(question, relevant))
    return OK


_SCORELINE = re.compile(r"(?<![\w.-])(\d{1,3})\s?[-–]\s?(\d{1,3})(?![\w-]|\.\d)")
_BEAT = (r"(?:beat|beats|beating|defeat|defeats|defeated|overcame|overcome|thrashed|routed|edged|edged out|saw off|"
         r"sees off|knocked out|knock out|dispatched|downed|stunned|outclassed|swept aside)")
_LOST_TO = (r"(?:lost|lose|loses|losing|fell|falls|went down|go down|goes down|succumbed|crashed|slumped|was beaten|"
            r"were beaten|been beaten)")
_GAP = r"(?:(?!\b(?:not|never|failed|fail|fails|unable|without|could|would|might|may|if)\b|n't\b)[^.;:!?]){0,%d}?"
"""The words between the sides of a result: no "no" or "if" among them ("failed to beat", "could beat")."""
RESULT_GAP = 60
"""At most this many characters between a side, the verb of a result and the other side ("Ireland consigned England to
their third straight Six Nations defeat" is told by its own pattern)."""


def _result_patterns(winner: str, loser: str) -> tuple[str, ...]:
    """The ways a text tells that ``winner`` beat ``loser``: "Hewitt beat Safin", "Safin lost to Hewitt" (the two a
    question words a result by, too), then "Hewitt's win over Safin", "Ireland consigned England to defeat",
    "Safin's defeat by Hewitt"."""
    w, lo, gap = re.escape(winner), re.escape(loser), _GAP % RESULT_GAP
    return (
        rf"\b{w}\b{gap}\b{_BEAT}\b{gap}\b{lo}\b",
        rf"\b{lo}\b{gap}\b{_LOST_TO}\b{gap}\bto\s+{gap}\b{w}\b",
        rf"\b{w}(?:'s|’s)?\b{gap}\b(?:win|victory|triumph|winner)\s+(?:over|against)\s+{gap}\b{lo}\b",
        rf"\b{w}\b{gap}\bconsigned\s+{lo}\b{gap}\bdefeat\b",
        rf"\b{lo}(?:'s|’s)\s+(?:[\w-]+\s+){{0,3}}(?:defeat|loss)\s+(?:by|to|against|at the hands of)\s+{gap}\b{w}\b",
    )


def _claimed_result(question: Question) -> tuple[str, str] | None:
    """The winner and the loser a question takes for granted, worded as the first two of :func:`_result_patterns`:
    "how did Liverpool beat Chelsea?" (Liverpool, Chelsea), "why did Safin lose the final to Hewitt?" (Hewitt, Safin);
    as the last words of the subjects' names."""
    sides = [s.surface.split()[-1] for s in question.subjects]
    if len(sides) < 2:
        return None
    for a in sides:
        for b in sides:
            if a == b:
                continue
            if re.search(_result_patterns(a, b)[0], question.text):  # a beat b
                return a, b
            if re.search(_result_patterns(b, a)[1], question.text):  # a lost to b
                return b, a
    return None


def _tells_winner(text: str, winner: str, loser: str) -> bool:
    """Does the sentence tell that ``winner`` beat ``loser`` (any of :func:`_result_patterns`)?"""
    return any(re.search(pattern, text) for pattern in _result_patterns(winner, loser))


def _result_told_otherwise(question: Question, candidates: Sequence[Candidate]) -> Candidate | None:
    """The sentence telling that the side a question says won lost to the other, when no sentence tells it won."""
    claimed = _claimed_result(question)
    if claimed is None:
        return None
    winner, loser = claimed
    both = [c for c in candidates if winner in c.text and loser in c.text]
    if any(_tells_winner(c.text, winner, loser) for c in both):
        return None
    reversed_ = [c for c in both if _tells_winner(c.text, loser, winner)]
    return max(reversed_, key=lambda c: (bool(_SCORELINE.search(c.text)), c.score), default=None)
"""A score ("4-1", "24-21")."""
_RESULT_WORDS = re.compile(r"\b(?:beat|beating|won|win|wins|lost|loses|defeat|defeated|victory|making it|final score)\b",
                           re.IGNORECASE)
"""Words telling how a contest ended: a score beside them is its result, not one along the way."""


def _told_of_subjects(about: Sequence[PassageView], candidates: Sequence[Candidate], stories: set[str]) -> list[str]:
    """What the coverage tells of the question's subjects: the passages about them with their headlines, and every
    sentence of their stories read for the answer ("…fluffed a chance to make it 2-0" in a passage naming only Duff)."""
    return [*(text for v in about for text in (v.hit.passage.text, v.hit.story.title)),
            *(c.text for c in candidates if c.story_key in stories)]


def _scorelines(text: str) -> set[tuple[str, str]]:
    """The scores a text states, each as its two numbers, the higher first ("3-4" and "4-3" alike)."""
    return {_higher_first(m) for m in _SCORELINE.finditer(text)}


def _higher_first(score: re.Match[str]) -> tuple[str, str]:
    first, second = score.group(1), score.group(2)
    return (first, second) if int(first) >= int(second) else (second, first)


def _scoreline_told_otherwise(question: Question, candidates: Sequence[Candidate], told_about: Sequence[str],
                              stories: set[str]) -> tuple[str, Candidate] | None:
    """A score the question states ("beat Aberdeen 3-1") that nothing told of its subjects (``told_about``, see
    :func:`_told_of_subjects`) states, where a sentence about them states another: the score, and that sentence (one
    telling the result first)."""
    asked = [(m.group(0), _higher_first(m)) for m in _SCORELINE.finditer(question.text)]
    if not asked or not told_about:
        return None
    told = set().union(*map(_scorelines, told_about))
    stating = [c for c in candidates if c.story_key in stories and _scorelines(c.text)]
    for surface, score in asked:
        if score in told or not stating:
            continue
        return surface, max(stating, key=lambda c: (bool(_RESULT_WORDS.search(c.text)), _names_subjects(c, question),
                                                    _told(c, question), c.score))
    return None


def _day_told_otherwise(question: Question, relevant: Sequence[Candidate], told_about: Sequence[str],
                        stories: set[str]) -> tuple[str, Candidate] | None:
    """A day the question names ("a 5 June election") that nothing told of its subjects names (``told_about``, see
    :func:`_told_of_subjects`; a story's day of publication counts as told), where a sentence about them names
    another day: the day as the question writes it, and that sentence (one naming the subjects, then one sharing
    the day's month or number)."""
    asked = find_dates(question.text)
    if not asked or not told_about:
        return None
    told = {d.day_of_year for text in told_about for d in find_dates(text)}
    told |= {(c.story.published.month, c.story.published.day) for c in relevant if c.story.published is not None}
    untold = next((d for d in asked if d.day_of_year not in told), None)
    if untold is None:
        return None
    dating = [(c, {d.day_of_year for d in find_dates(c.text)}) for c in relevant if c.story_key in stories]
    dating = [(c, days) for c, days in dating if days]
    if not dating:
        return None
    told_share = _told_share(question)
    evidence, _ = max(dating, key=lambda pair: (
        _names_subjects(pair[0], question), any(m == untold.month or d == untold.day for m, d in pair[1]),
        told_share(pair[0]), pair[0].score))
    return question.text[untold.span[0]:untold.span[1]], evidence


_PLACED = r"\b(?:in|at|near|from|outside)\s+(?:the\s+)?"
_TELLS_PLACE = re.compile(_PLACED + r"(?:\d+\s+)?[A-Z]")
"""A sentence naming where: "near 10 Downing Street", "in Swansea" (not "in south Wales": no town is named)."""


def _placed(question: Question, word: str, evidence: Candidate, candidates: Sequence[Candidate]) -> Candidate:
    """For a place the coverage does not bear out ("why was Wasp set in Manchester?"), the sentence of the evidence's
    story that tells where instead ("…filmed on an estate in Dartford"), if one does; else the evidence."""
    siblings = [c for c in candidates if c.story_key == evidence.story_key and _names_a_sibling(word, c.text)]
    if siblings:  # "the French Open", where the story tells of the Australian Open
        return max(siblings, key=lambda c: (_told(c, question), c.score))
    if not word[:1].isupper() or not re.search(_PLACED + re.escape(word), question.text) or _TELLS_PLACE.search(
            evidence.text):
        return evidence  # not a place's name ("in 1980" is a time), or the evidence names where already
    placing = [c for c in candidates if c.story_key == evidence.story_key and word.casefold() not in c.text.casefold()
               and any(not re.search(re.escape(p), question.text, re.IGNORECASE) for p in spans(c.text, AnswerType.PLACE))]
    return max(placing, key=lambda c: (_told(c, question), c.score), default=evidence)


def _names_a_sibling(name: str, text: str) -> bool:
    """Does the text name another of the same kind as a name of several words: one ending the same ("Australian Open"
    for "French Open", "Great Ireland Run" for "Great Scotland Run")?"""
    words = name.split()
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return False
    return any(not m.group(0).casefold().endswith(name.casefold())
               for m in re.finditer(rf"\b(?:[A-Z][\w'’-]*\s+)+{re.escape(words[-1])}\b", text))


EVENT_TOLD = 0.5
"""A sentence holding this share of what a "why" question asks beyond its names reports the event it takes for granted."""


def _told_event(question: Question, relevant: Sequence[Candidate]) -> Candidate | None:
    """The sentence reporting the event a "why" question takes for granted, to be quoted first: what happened,
    then why. A reader who asks "why did X praise Y?" sees first that X criticised Y, if that is what the
    coverage says."""
    most = max((_names_subjects(c, question) for c in relevant), default=0)
    told = _best_evidence([c for c in relevant if _names_subjects(c, question) == most], question)
    if told is None or _told(told, question) < EVENT_TOLD:
        return None
    plain = question.plain
    return None if plain <= told.terms else told  # told in the question's own words: it bears the premise out


SLOT_WORDS = 2
"""A name's slot: the question's content words this close to it, on either side ("signed", "Speaker")."""
FILLER_WORDS = 3
"""…and another name fills it in a sentence this close to one of them ("relocating to smaller premises in Miami")."""


def _slot(question: Question, terms: frozenset[str], *, names: bool = False) -> frozenset[str]:
    """The content words standing by a name in the question, names aside (``names``: with them): "sign" of
    "signed in Jerusalem"."""
    tokens = default_analyzer().tokens(question.text)
    at = [i for i, t in enumerate(tokens) if t.term in terms]
    if not at:
        return frozenset()
    near = tokens[max(min(at) - SLOT_WORDS, 0) : min(at)] + tokens[max(at) + 1 : max(at) + 1 + SLOT_WORDS]
    words = frozenset(t.term for t in near if not t.surface[:1].isdigit()) - question.years
    return words if names else words - question.subject_terms


def _filler(question: Question, slot: frozenset[str], candidates: Sequence[Candidate], year: bool = False, *,
            figure: bool = False) -> Candidate | None:
    """The sentence with another name in the slot (or another year, or figure): within FILLER_WORDS of a slot word,
    a capitalised word the question does not use ("signed in Cairo"), not the one opening the sentence."""
    asked = frozenset(question.weights)
    others = lexicon(default_analyzer()).others
    found = []
    for candidate in candidates:
        if not slot & candidate.terms:
            continue
        tokens = default_analyzer().tokens(candidate.text)
        for i, token in enumerate(tokens):
            if token.term not in slot and not others(token.term) & slot:  # "relocating" in the slot of "moving"
                continue
            for other in tokens[max(i - FILLER_WORDS, 0) : i + FILLER_WORDS + 1]:
                if other.term in asked or other.term in slot:
                    continue
                if figure:
                    fills = other.surface[:1].isdigit()
                elif year:
                    fills = bool(YEAR.match(other.surface))
                else:
                    fills = other.surface[:1].isupper() and not candidate.text.startswith(other.surface)
                if fills:
                    found.append(candidate)
                    break
            else:
                continue
            break
    return max(found, key=lambda c: (_told(c, question), c.score), default=None)


def _replaced(question: Question, views: Sequence[PassageView],
              candidates: Sequence[Candidate]) -> tuple[str, Candidate] | None:
    """A name or year of a "why" question that the story best telling its event never mentions, where that
    story names another in its place: "Why was the protocol signed in Jerusalem?" told "signed in Cairo". The
    name and the sentence naming the other."""
    in_story = named_by_story(views)
    named = {c.story_key: in_story.get(c.story_key, frozenset()) | headline_terms(c.hit.story.title) for c in candidates}
    subjects_named = {key: sum(s.named_in(terms) for s in question.subjects) for key, terms in named.items()}
    # the story telling the event: it names every subject but one, and the most of them of any that does
    least = max(len(question.subjects) - 1, 1)
    naming = [c for c in candidates if c.coverage >= MIN_EVIDENCE_COVERAGE and _names_subjects(c, question)
              and subjects_named[c.story_key] >= least]
    best = max(naming, key=lambda c: (subjects_named[c.story_key], _told(c, question), _names_subjects(c, question),
                                      c.score), default=None)
    if best is None:
        return None
    told_names = named[best.story_key]
    told = [c for c in candidates if c.story_key == best.story_key]
    claims = [(s.surface, s.terms, False) for s in question.subjects
              if len(question.subjects) > 1 and not s.named_in(told_names)]
    if all(s.named_in(told_names) for s in question.subjects):
        claims += [(y, frozenset({y}), True) for y in sorted(question.years - told_names)]
        # a name the coverage never uses, where the story telling the event names another in its place
        if question.unknown_names:
            story_words = {w for c in told for w in _CAPITALISED.findall(c.text)}
            claims += [(name, frozenset(default_analyzer().terms(name)), False) for name in question.unknown_names
                       if not name[:1].isdigit() and not _misspelt(name, story_words)]
    for surface, terms, year in claims:
        filler = _filler(question, _slot(question, terms), told, year)
        if filler is None and year:  # "in 1969" where asked "back in 1979": the story's year nearest the one asked
            asked_year = int(surface)
            dated = [(min(years), c) for c in told
                     if (years := [abs(int(w) - asked_year) for w in re.findall(r"\d{4}", c.text) if YEAR.match(w)])]
            filler = max(dated, key=lambda pair: (-pair[0], _told(pair[1], question), pair[1].score),
                         default=(0, None))[1]
        if filler is not None:
            return surface, filler
    return None


_CAPITALISED = re.compile(r"\b[A-Z][\w'-]+")
MISSPELT_EDITS = 2
"""A name this many edits (or fewer) from a word of the story is taken as a misspelling of it ("Agasi"), not another
name: one edit for names under 8 letters."""


def _misspelt(name: str, words: Iterable[str]) -> bool:
    """Is every word of the name a word of ``words`` or a few edits from one ("Agasi" for "Agassi")?"""
    from rapidfuzz.distance import OSA  # imported on first use, as the speller does

    def near(part: str) -> bool:
        edits = MISSPELT_EDITS if len(part) >= 8 else 1
        return any(OSA.distance(part.casefold(), w.casefold(), score_cutoff=edits) <= edits for w in words)

    parts = name.split()
    return bool(parts) and all(near(part) for part in parts)


_ASKING = frozenset({AnswerType.YES_NO, AnswerType.COMPARISON, AnswerType.DEFINITION, AnswerType.LATEST})
"""Questions that ask whether or what something is, rather than taking an act for granted."""
_PLACING = frozenset({AnswerType.REASON, AnswerType.OPEN, AnswerType.NAME})
"""Questions taking every name they give for granted ("why was it signed in Jerusalem?", "what is the name of the
Hungarian group…?"): a figure's or a name's question ("how many came to the show in Bangalore?", "which Hollywood
studio…?") often names a setting the story leaves unsaid."""
_AGENT_BEFORE = re.compile(r"\bby\s+(?:(?:mr|mrs|ms|miss|dr|sir|lord|lady|the)\.?\s+)*(?:[A-Z][\w'-]*\s+)?$",
                           re.IGNORECASE)
"""The agent of a passive just before a name: "sued by Mr …", "bought by the …", "sued by Charles …"."""


_GIVING = frozenset(default_analyzer().terms("sell give hand lend send award license transfer lease pass"))
"""Acts whose other party follows "to": "Why did EA sell its rights to ESPN?" where "ESPN sold EA the rights"."""


_UNSURE_BEFORE = re.compile(
    r"\b(?:not|never|fail(?:ed|s)?\s+to|unable\s+to|could|would|might|may|if)\s+(?:\w+\s+)?$|n't\s+(?:\w+\s+)?$",
    re.IGNORECASE)
"""A "no", a "may" or an "if" just before an act: "failed to beat", "could beat", "hasn't sued"."""


def _roles_reversed(question: Question, relevant: Sequence[Candidate]) -> Candidate | None:
    """The sentence telling the act a question takes for granted with its two names the other way round: "Why
    did Mann sue Evans?" where "Mr Evans sued Mr Mann", or "Mann was sued by Evans". The act is the word after "did
    <name>" (a short description may come first: "did studio boss Brandt sue …"); the other name, the first after it."""
    if len(question.subjects) < 2:
        return None
    analyzer = default_analyzer()
    tokens = analyzer.tokens(question.text)
    plain = question.plain
    doing = next((found for s in question.subjects if (found := re.search(
        rf"\b(?:did|does|do|will|would|has|have|had)\s+(?:[\w'-]+\s+){{0,3}}?{re.escape(s.surface)}(?:'s)?\s+(\w+)",
        question.text, re.IGNORECASE))), None)
    act = next(iter(analyzer.terms(doing.group(1))), None) if doing else None
    if doing is None or act not in plain:
        return None  # the act must be what a name does: "did Mann sue …", not "the Tom Hanks film of …"
    first = next(s for s in question.subjects if doing.group(0).casefold().find(s.surface.casefold()) >= 0)
    placed = [(next((i for i, t in enumerate(tokens) if t.term in s.terms), -1), s) for s in question.subjects]
    at_first = next(i for i, s in placed if s is first)
    at_act = next((i for i, t in enumerate(tokens) if i > at_first and t.term == act), -1)
    after = [(i, s) for i, s in placed if i > at_act >= 0
             and not re.search(rf"\b(?:its|his|her|their)\s+{re.escape(s.surface)}", question.text, re.IGNORECASE)]
    if not after:
        return None  # "did EA sell its TV rights": what is its own is no other party
    second = min(after, key=lambda p: p[0])[1]
    between = question.text[doing.end():question.text.find(second.surface, doing.end())]
    giving = act in _GIVING and re.search(r"\bto\s+(?:the\s+)?$", between, re.IGNORECASE)  # "sell the rights to ESPN"
    if not giving and re.search(r"\b(?:for|with|in|at|on|to|from|by|against|over|under|of)\b", between, re.IGNORECASE):
        return None  # "did Henman win for Great Britain": the other name is no object of the act
    acts = forms(act) | {act} | lexicon(analyzer).others(act)
    for candidate in sorted(relevant, key=lambda c: -c.score):
        if not (acts & candidate.terms and first.named_in(candidate.terms) and second.named_in(candidate.terms)):
            continue
        said = analyzer.tokens(candidate.text)
        at_one = next((i for i, t in enumerate(said) if t.term in first.terms), None)
        at_other = next((i for i, t in enumerate(said) if t.term in second.terms), None)
        at_told = next((i for i, t in enumerate(said) if t.term in acts), None)
        if at_told is None or at_one is None or at_other is None:
            continue
        if _UNSURE_BEFORE.search(_text_before(candidate.text, said, at_told)[-NO_BEFORE_CHARS:]):
            continue  # "Dorvia failed to beat Kelmar", "could beat": no act told
        by_agent = bool(_AGENT_BEFORE.search(_text_before(candidate.text, said, max(at_one, at_other))))
        active_reversed = at_other < at_told < at_one and not by_agent
        passive_reversed = at_one < at_told < at_other and by_agent
        if active_reversed or passive_reversed:
            return candidate
        if at_one < at_told < at_other and not by_agent:
            return None  # told the question's way round
    return None


def _text_before(text: str, tokens: Sequence[Token], index: int) -> str:
    """The text before the ``index``-th token (found by its surface, in order)."""
    at = 0
    for i, token in enumerate(tokens):
        found = text.find(token.surface, at)
        if found < 0:
            return text[:at]
        if i == index:
            return text[:found]
        at = found + len(token.surface)
    return text


def _denied(question: Question, word: str, term: str, candidates: Sequence[Candidate],
            stories: set[str]) -> Candidate | None:
    """For a "why" question taking an event for granted ("Why was X arrested?"): the sentence of the stories about
    its subjects that best tells of the event, when that sentence says it did not happen ("no arrests have been
    made")."""
    if question.answer_type is not AnswerType.REASON or word not in CLAIMS:
        return None
    said = forms(word) | {term}
    holding = [c for c in candidates if c.story_key in stories and said & c.terms]
    told = max(holding, key=lambda c: (_names_subjects(c, question), _told(c, question), c.score), default=None)
    if told is None:
        return None
    stem = re.escape(term[: max(4, len(term) - 1)])
    between = r"(?:(?!other\b|further\b|more\b|additional\b)\w+\s+){0,2}"  # "no other arrests": someone was
    said_no = re.search(rf"\b(?:no|not|never|without|cannot)\s+{between}{stem}|n't\s+{between}{stem}", told.text, re.IGNORECASE)
    return told if said_no else None


NO_BEFORE_CHARS = 30
"""A "no" tells against what the question takes for granted when it stands this close before one of its plain words
("won't sell", "has no plans to stop"), not anywhere in the sentence ("a restraining order against paparazzi")."""


def _says_no_to(candidate: Candidate, question: Question) -> bool:
    """Does the sentence say no just before one of the question's plain words (or a word for it)? The question's word
    itself is no "no" ("will miss" for "why will he miss …?")."""
    plain = question.plain
    words = lexicon(default_analyzer())
    tokens = default_analyzer().tokens(candidate.text)
    return any(
        (token.term in plain or words.others(token.term) & plain)
        and _no_before(_text_before(candidate.text, tokens, i)[-NO_BEFORE_CHARS:], token.surface, question)
        for i, token in enumerate(tokens))


def _no_before(before: str, word: str, question: Question) -> bool:
    """Does a "no" end before the word ("won't sell", "no plans to stop")? Not one taking the word in, nor one the
    question says itself ("will miss the rest" for "why will he miss the rest …?")."""
    asked = question.plain
    return any(m.end() <= len(before) and not asked & frozenset(default_analyzer().terms(m.group(0)))
               for m in NEGATION.finditer(before + word))


def _names_subjects(candidate: Candidate, question: Question) -> int:
    """How many of the question's subjects the sentence names: a figure that corrects "IBM's 5,000
    patents" is told of IBM, not in a quote about the industry."""
    return sum(1 for s in question.subjects if s.named_in(candidate.terms))


def _told(candidate: Candidate, question: Question) -> float:
    """The share of what the question asks beyond its subjects that the sentence holds."""
    return _told_share(question)(candidate)


def _told_share(question: Question) -> Callable[[Candidate], float]:
    """:func:`_told` of the question's sentences, its weights looked up once."""
    subject_terms = question.subject_terms
    rest = {t: w for t, w in question.weights.items() if t not in subject_terms} or dict(question.weights)
    total = sum(rest.values()) or 1.0
    return lambda candidate: sum(w for t, w in rest.items() if t in candidate.terms) / total


def _best_evidence(candidates: Sequence[Candidate], question: Question) -> Candidate | None:
    """The sentence that tells the fact asked about: one stating the question's figure if any does, else one
    naming the month or day it asks about ("in December") if any does; of those, the one covering most of it."""
    figures = [d for f in question.figures for d in _DIGITS.findall(f)]
    stating = [c for c in candidates if any(re.search(rf"(?<![\d.]){re.escape(d)}(?!\d)", c.text) for d in figures)]
    dated = [c for c in candidates if question.dated & c.terms]
    pool = stating or dated or list(candidates)
    return max(pool, key=lambda c: (_names_subjects(c, question), _told(c, question), c.coverage, c.score), default=None)


def _first_with(candidates: Sequence[Candidate], kind: AnswerType, exclude: frozenset[str]) -> Candidate | None:
    for candidate in sorted(candidates, key=lambda c: -c.score):
        found = [s for s in spans(candidate.text, kind) if s.casefold() not in exclude]
        if found:
            return candidate
    return None


_PERIOD = re.compile(
    rf"\b(?:\d+(?:\.\d+)?|{NUMBER_WORDS}|a|an)[\s-](?:year|month|week|day|hour|decade)s?\b", re.IGNORECASE)
_WORD_VALUES = {word: str(value) for word, value in NUMBER_VALUES.items()} | {"a": "1", "an": "1"}


def _normal_period(text: str) -> str:
    """"Six months", "6-month", "6 months" → "6 month"."""
    value, unit = re.split(r"[\s-]", text.casefold(), maxsplit=1)
    return f"{_WORD_VALUES.get(value, value)} {unit.rstrip('s')}"


def _has_unit(text: str, unit: str) -> bool:
    """Does the text state a period in this unit ("year")?"""
    return any(p.endswith(unit) for p in _normal_periods(text))


def _normal_periods(text: str) -> set[str]:
    return {_normal_period(p) for p in _PERIOD.findall(text)}


def states_a_figure(question: Question, text: str) -> bool:
    """Does the text state one of the question's figures, as a whole number ("£5m" in "£5m lower")?"""
    return any(_in_text(d, [text]) for figure in question.figures for d in _DIGITS.findall(figure))


_DENIAL = re.compile(
    r"\b(?:denied|denies|deny|denying|untrue|nonsense|no truth|(?:dismissed|dismisses|rejected|rejects) "
    r"(?:the |as )?(?:reports?|claims?|suggestions?|speculation|rumours?))\b", re.IGNORECASE)
"""A sentence telling of something only to deny it ("denied reports that he had been given a £3m pay-off")."""
_SCALE_TERMS = frozenset({"m", "million", "bn", "billion", "trillion", "tn", "th", "st", "nd", "rd"})
_SCALES = {"m": "m|million", "million": "m|million", "bn": "bn|billion", "billion": "bn|billion",
           "trillion": "trillion|tn"}


def _scaled_in_text(digits: str, scale: str, texts: Sequence[str]) -> bool:
    """Is the figure in the texts at its scale ("1 billion" or "1bn"; not the "1" of "1 million")?"""
    if not scale:
        return _in_text(digits, texts)
    plain = re.escape(digits.replace(",", "").rstrip("."))
    said = re.compile(rf"(?<![\d.]){plain}\s?(?:{_SCALES[scale.lower()]})\b", re.IGNORECASE)
    return any(said.search(text.replace(",", "")) for text in texts)


def _in_text(digits: str, texts: Sequence[str]) -> bool:
    """Is the figure in the texts, as a whole number (not inside "2005" or "1,200")?"""
    plain = digits.replace(",", "").rstrip(".")
    whole = re.compile(rf"(?<![\d.]){re.escape(plain)}(?![\d])")
    return any(whole.search(text.replace(",", "")) for text in texts)


_MEASURE = re.compile(r"\s*(?:(million|billion|bn|thousand|m)\b\s*)?([A-Za-z][\w-]*)")
_COUNT_BEFORE = re.compile(rf"(?:\d[\d,.]*|\b(?:{NUMBER_WORDS}|hundreds|thousands|several|dozens))"
                           r"\s+(?:(?:million|billion|thousand)\s+)?(?:[\w-]+\s+)?$", re.IGNORECASE)
"""A count just before a word ("about 300 homes", "one million hijacked computers")."""
_WORD = re.compile(r"[A-Za-z][\w-]*")


def _measured_alike(question: str, figure: str, candidates: Sequence[Candidate]) -> list[Candidate]:
    """The sentences counting what the question's figure counts ("homes" of "3,000 homes in Darlington", in its
    scale: "10 million PCs") with another number ("about 300 homes")."""
    measure = _MEASURE.match(question, question.find(figure) + len(figure))
    if measure is None:  # the figure ends the question
        return []
    analyzer = default_analyzer()
    counted = frozenset(analyzer.terms(measure.group(2)))
    if not counted:  # "in 2005", "to the": the figure counts nothing
        return []
    scale = measure.group(1)
    digits = _DIGITS.findall(figure)[0]
    alike: list[Candidate] = []
    for candidate in candidates:
        if not counted & candidate.terms:
            continue
        for word in _WORD.finditer(candidate.text):
            if not counted & frozenset(analyzer.terms(word.group(0))):
                continue
            count = _COUNT_BEFORE.search(candidate.text, 0, word.start())
            if (count is not None and (scale is None or scale.casefold() in count.group(0).casefold())
                    and not _in_text(digits, [count.group(0)])):
                alike.append(candidate)
                break
    return alike


def _figure_kind(question: str, figure: str) -> tuple[AnswerType, str]:
    """What a figure in the question measures (money, a percentage, a duration, a plain number) and the
    unit a contradicting span must share ("" for any)."""
    at = question.find(figure)
    around = question[max(at - 2, 0) : at + len(figure) + 12]
    if re.search(r"[$€£¥]|\b(?:dollars|euros|pounds|bn|m)\b", around):
        return AnswerType.AMOUNT, ""
    if re.search(r"%|\bper ?cent", around):
        return AnswerType.PERCENTAGE, ""
    unit = re.match(r"\d[\d,.]*[\s-]*(year|month|week|day|hour)s?\b", question[at:])
    if unit:
        return AnswerType.DURATION, unit.group(1)
    return AnswerType.NUMBER, ""


OTHER_ACTOR_COVERAGE = 0.75
"""A sentence that tells the question's fact this fully, about someone else, answers who really did it."""


def _other_actor(question: Question, subject: Subject, candidates: Sequence[Candidate]) -> Candidate | None:
    """The fact a "why" question takes for granted, told of another actor: the sentence that best covers
    everything but ``subject`` does not name it, and no sentence naming it tells half as much ("Why did
    easyJet order…" when Ryanair did)."""
    rest = {t: w for t, w in question.weights.items() if t not in subject.terms}
    total = sum(rest.values())
    if total <= 0 or len(rest) < 2:
        return None

    def told(c: Candidate) -> float:
        return sum(w for t, w in rest.items() if t in c.terms) / total

    best = max(candidates, key=told, default=None)
    if best is None or told(best) < OTHER_ACTOR_COVERAGE or subject.named_in(best.terms):
        return None
    if subject.named_in(headline_terms(best.hit.story.title)):
        return None  # "Shares in the Anglo-Swedish drug firm…" under "AstraZeneca hit by drug failure": told of it
    naming = [told(c) for c in candidates if subject.named_in(c.terms)]
    if naming and max(naming) >= 0.5 * told(best):
        return None
    plain = question.plain
    if plain and not plain & best.terms:
        # the story's sentence that tells what the question says was done ("Slater is replacing actor Dallas
        # Roberts"), rather than the one sharing the most names with it
        doing = [c for c in candidates if c.story_key == best.story_key and plain & c.terms and not subject.terms & c.terms]
        if doing:
            return max(doing, key=told)
    return best
