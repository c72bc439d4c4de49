"""Candidate sentences from the retrieved passages, each scored on answering the question.

A sentence scores on: the share of the question's weighted terms it names (its headline counted at a
discount), holding a span of the expected answer type that the question does not already contain, the
question's subject being the one acting, the rank of its passage, and how well it stands alone.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from retrieval.analyzer import Analyzer, default_analyzer
from retrieval.models import RankedPassage, Story
from retrieval.passages import decode_terms, split_sentences

from .lexicon import PERSON_ROLES, Lexicon, inflections, lexicon, spelled_out
from .question import DOING_AUXILIARY, AnswerType, Question
from .rerank import Place, Traits
from .spans import NEGATION, RESTRICTION, ROLE_BEFORE, STRICT, TYPED, UNIVERSAL, answering_spans, asks_age
from .units import MIN_WORDS, UnitQuality, quality

TITLE_CONTEXT = 0.3
NEGATED_YES_NO_BOOST = 1.3
RANK_WEIGHT = 0.25
TYPE_BOOST = 0.8
"""A sentence holding a span of the expected type (that the question does not hold) scores this much more."""
COMPARED_BOOST = 0.3
"""A comparison of quantities ("which is cheaper", "compare … on speed") is of figures: a sentence holding
one scores a little more."""
QUANTITATIVE = re.compile(
    r"\b(?:more|less|fewer|bigger|smaller|cheaper|dearer|faster|slower|higher|lower|larger|longer|shorter|"
    r"heavier|lighter|richer|poorer|price|prices|cost|costs|speed|growth|rate|rates|money|size|sales|profit|profits|"
    r"revenue|share|figure|figures|number|amount|capacity|much|many)\b", re.IGNORECASE)
CONTRAST = re.compile(
    r"\b(?:in contrast|by contrast|unlike|whereas|while|compared (?:with|to)|than|rival|instead|on the other hand)\b",
    re.IGNORECASE)
CONTRAST_BOOST = 1.2
"""A comparison is answered by the sentence that sets one subject against another ("Boeing, in contrast to
European rival Airbus, …"): such a sentence scores this much more."""
NAME_BOOST = 0.25
"""Names are everywhere in news: a name near the asked words is weaker evidence than a date or a figure."""
OFF_SUBJECT_TYPE_SHARE = 0.3
"""A span of the right type in a sentence that names none of the question's subjects counts at this share."""
FRAMING_CREDIT = 0.5
"""A subject named only elsewhere in the passage or its headline frames a sentence at this share…"""
STORY_FRAMING_CREDIT = 0.25
"""…and one named only in another retrieved passage of the same story at this share."""
ACTING_BOOST = 1.2
"""A sentence whose actor is the question's subject scores this many times more…"""
YES_NO_ACTING_BOOST = 1.35
"""…and a yes/no question's even more: "did Microsoft stop…" is answered by what Microsoft did."""
_PER = re.compile(r"\bper\s+([a-z]{3,})", re.IGNORECASE)
"""A figure asked per something ("price per share", "cost per user") is given per that thing."""
DATED_BOOST = 1.2
"""A sentence naming a month or weekday the question names scores this much more."""
CATEGORY_BOOST = 1.3
"""A place of the kind the question asks for ("which city": "the city of Harbin") over any place named."""
_PLACE_KIND = re.compile(r"\b(city|town|village|country|nation|state|province|region|county|island|capital|port)\b",
                         re.IGNORECASE)
_KINDRED_PLACES = (frozenset({"city", "town", "village", "capital", "port"}), frozenset({"country", "nation", "state"}),
                   frozenset({"province", "region", "county", "state"}))
"""Kinds of place a reader uses for one another: "which town" is answered by "the city of Hanau"."""


def place_kinds(kind: str) -> frozenset[str]:
    """The kind of place asked and the kinds readers use for it."""
    return frozenset({kind}).union(*(group for group in _KINDRED_PLACES if kind in group))


ANSWERED_SHARE = 0.5
"""A follow-up's candidate that the conversation was already answered with scores at this share."""
DEFINITION_COVERAGE = 0.5
INFORMATIVE = 0.15
"""A sentence that says more than the question's own words (up to 8 other terms) scores up to this much more."""


@dataclass(slots=True)
class Candidate:
    """One quotable sentence with its score and where it comes from."""

    text: str
    terms: frozenset[str]
    score: float
    hit: RankedPassage
    line: int
    unit: UnitQuality
    typed: tuple[str, ...] = ()
    coverage: float = 0.0
    also: list[Candidate] = field(default_factory=list)
    traits: Traits | None = None
    """What the fitted model (:mod:`bot.answering.rerank`) reads of the sentence, to choose the one that leads."""
    dated: bool = False
    """The sentence tells of a month or weekday the question names."""

    @property
    def story(self) -> Story:
        return self.hit.story

    @property
    def story_key(self) -> str:
        return self.hit.story.key


@dataclass(frozen=True, slots=True)
class PassageView:
    """A retrieved passage split into sentences with their terms, and the asked terms it names."""

    hit: RankedPassage
    title_terms: frozenset[str]
    lines: tuple[tuple[str, frozenset[str]], ...]
    named: frozenset[str]


class Shares:
    """The share of the question's weighted terms that a set of terms covers, memoised."""

    __slots__ = ("known", "total", "weights")

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.weights = tuple(weights.items())
        self.total = sum(weights.values()) or 1.0
        self.known: dict[frozenset[str], float] = {frozenset(): 0.0}

    def __call__(self, terms: frozenset[str]) -> float:
        share = self.known.get(terms)
        if share is None:
            share = self.known[terms] = sum(w for t, w in self.weights if t in terms) / self.total
        return share


def passage_view(
    hit: RankedPassage, analyzer: Analyzer, asked: frozenset[str], acronyms: frozenset[str] = frozenset(),
    aliases: Mapping[str, frozenset[str]] | None = None,
) -> PassageView:
    """The passage's sentences with their terms: stored at ingest (one sentence a line), or analyzed here;
    ``acronyms``: asked terms typed in capitals ("BNP"), which the words they stand for also name; ``aliases``:
    asked names → their other forms ("californian" → "california"), which name them too."""
    passage = hit.passage
    text_lines = passage.text.split("\n")
    stored = decode_terms(passage.terms, len(text_lines)) if passage.terms is not None else None
    lines: list[tuple[str, frozenset[str]]]
    words = lexicon(analyzer)
    short = acronyms & asked
    if aliases:
        words = words.with_aliases(aliases)
    if stored is not None:
        title_list, line_terms = stored
        lines = [(line, _with(line, frozenset(terms), asked, short, words))
                 for line, terms in zip(text_lines, line_terms, strict=True) if line]
    else:
        title_list = analyzer.terms(hit.story.title)
        lines = [(s, _with(s, frozenset(analyzer.terms(s)), asked, short, words)) for s in split_sentences(passage.text)]
    title_terms = _with(hit.story.title, frozenset(title_list), asked, short, words)
    published = hit.story.published
    if published is not None and str(published.year) in asked:  # a story of 2020 tells of "2020" unsaid
        title_terms |= {str(published.year)}
    named = asked.intersection(title_terms).union(*(asked & terms for _, terms in lines))
    return PassageView(hit, title_terms, tuple(lines), frozenset(named))


def _with(text: str, terms: frozenset[str], asked: frozenset[str], short: frozenset[str], words: Lexicon) -> frozenset[str]:
    """A sentence's terms and the asked terms it names in other words: "norwegian" names "norway", and
    "British National Party" names "bnp"."""
    extra = words.bridged(terms, asked)
    if short - terms:
        extra |= spelled_out(text, short - terms)
    return terms | extra if extra else terms


NAMED = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION})
SUMS = frozenset({AnswerType.AMOUNT, AnswerType.PERCENTAGE})
"""Figures that belong to whom the sentence names: a sum or a share told of two of a question's subjects is theirs,
whatever verb tells it ("donated" for "given", "joining for" for "paying")."""
NEAR_WORDS = 5


HEADLINED = frozenset({
    AnswerType.DATE, AnswerType.DURATION, AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.PERCENTAGE,
    AnswerType.NAME, AnswerType.PLACE, AnswerType.PERSON, AnswerType.REASON,
})
"""Types whose span can answer in a sentence that names nothing asked, when its headline names the subject."""
HEADLINED_SHARE = 0.5
CONTINUED_COVERAGE = 0.1
"""A sentence naming nothing asked may answer with a span of the asked type when the one before it tells this share
of the question ("Ranieri was sacked on Thursday. The club had won once in …"; "Young won the boys' singles at the
Australian Open. But the wildcard was dispatched by Ginepri, 6-2 6-2"): at 0.3 rather than 0.5, three more
development questions led with their answer and none fewer; at 0.1 rather than 0.3, two more and one fewer."""


_WORD_EDGES = "\"'“”‘’(),.;:!?"
"""Quotes and punctuation stripped from a word's ends before it is compared."""


def _bare(word: str) -> str:
    return word.strip(_WORD_EDGES)


def _starts_like(word: str, terms: Iterable[str]) -> bool:
    """Does the (lowercased, bare) word start like one of the stemmed terms ("pitched" like "pitch")?"""
    return any(word.startswith(t[: max(3, len(t) - 1)]) for t in terms)


_ASKS_LEADER = re.compile(
    r"\bwho (?:runs|ran|heads|headed|leads|led|manages|managed|chairs|chaired|bosses|is in charge|was in charge|"
    r"is at the helm|is the (?:boss|head|leader|chief))\b", re.IGNORECASE)
_LEADER_BEFORE = re.compile(
    r"\b(?:chief executive|chief executive officer|ceo|chairman|chairwoman|chair|president|boss|head|leader|"
    r"managing director|director general|director-general|chief|manager|founder|owner)\s+(?:[a-z]+\s+)?$",
    re.IGNORECASE)


def leaders(sentence: str, found: Sequence[str]) -> tuple[str, ...]:
    """The names a leader's title introduces ("Chief Executive Martin Sorrell"): who runs the thing the
    sentence is about, however far the name stands from its name."""
    out = []
    for span in found:
        at = max(_find_word(sentence, span), 0)
        if _LEADER_BEFORE.search(sentence[max(at - 40, 0):at]):
            out.append(span)
    return tuple(out)


def near(sentence: str, found: Sequence[str], terms: frozenset[str]) -> tuple[str, ...]:
    """The spans within NEAR_WORDS words of a word that starts like one of the asked terms."""
    words = sentence.split()
    at = [i for i, w in enumerate(words) if _starts_like(_bare(w).casefold(), terms)]
    out = []
    for span in found:
        first = span.split()[0]
        positions = [i for i, w in enumerate(words) if _bare(w) == first]
        if any(abs(i - j) <= NEAR_WORDS for i in positions for j in at):
            out.append(span)
    return tuple(out)


BARE_SOURCE_FACTOR = 0.85
"""A sentence from a story with no outlet, date or link (a bare local file) scores this share: at equal
relevance, readers get a source they can open."""


def metadata(story: Story) -> float:
    """How much of outlet, publication date and link a story has (0–1)."""
    return sum(bool(v) for v in (story.url, story.outlet, story.published)) / 3


HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "prof", "rev"})
"""Titles before a name ("Mr Jacobsen"): not another actor."""


def acting(sentence: str, subject_surfaces: Sequence[str]) -> bool:
    """Is a subject of the question the one acting: named before any other name, early in the sentence?"""
    lowered = sentence.casefold()
    first_subject = min((i for s in subject_surfaces if (i := _find_word(lowered, s.casefold().split()[0])) >= 0), default=-1)
    if first_subject < 0 or first_subject > 90:
        return False
    before = sentence[:first_subject]
    # another capitalised name before it (not the sentence's first word) makes someone else the actor
    words = before.split()
    return not any(
        w[:1].isupper() and i > 0 and w.strip("\"'“‘(").isalpha() and w.strip(".").casefold() not in HONORIFICS
        for i, w in enumerate(words)
    )


def _find_word(text: str, word: str) -> int:
    start = text.find(word)
    while start >= 0:
        before_ok = start == 0 or not text[start - 1].isalnum()
        if before_ok:
            return start
        start = text.find(word, start + 1)
    return -1


_ASKS_YEAR = re.compile(r"\b(?:what|which|in what|in which) year\b", re.IGNORECASE)
_DAY_OF_MONTH = re.compile(r"\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[A-Z][a-z]+|[A-Z][a-z]+\.?\s+\d{1,2}\b(?!\d)|\d{4}-\d{2}-\d{2}")
_MONTH_NAME = re.compile(r"\b(?:" + "|".join(m for m in calendar.month_name if m) + r")\b")
DAY_PRECISION, MONTH_PRECISION, VAGUE_PRECISION = 1.0, 0.75, 0.5


def date_precision(span: str) -> float:
    """How exactly a date span dates: a day of a month ("1 January 1985") fully, a month ("in February")
    less, a year or a weekday ("in 1985", "on Saturday") least — unless the question asks for the year."""
    if _DAY_OF_MONTH.search(span):
        return DAY_PRECISION
    if _MONTH_NAME.search(span):
        return MONTH_PRECISION
    return VAGUE_PRECISION


_SPEECH = r"(?:said|says|say|told|tells|added|adds|predicted|predicts|warned|warns|argued|argues|explained|insisted|admitted|noted)"
_SPOKEN_AFTER = re.compile(rf"^[’']?\s*,?\s+{_SPEECH}\b", re.IGNORECASE)
_SPOKEN_BEFORE = re.compile(rf"\b(?:{_SPEECH}|according to)\s+(?:[\w-]+\s+){{0,4}}$", re.IGNORECASE)
_SPEECH_QUESTION = re.compile(
    r"\b(?:say|said|says|tell|told|claim|claimed|warn|warned|predict|predicted|argue|argued|comment|commented|call|called|"
    r"urge|urged|describe|described|criticis|criticiz|accuse|accused|speak|spoke|spokes|quote|quoted|blame|blamed)", re.IGNORECASE)


_DESCRIBED_SUBJECT = re.compile(
    r"\b(?:" + DOING_AUXILIARY + r")\s+(?:the|a|an|this|that)\s+((?:[\w'-]+\s+){1,3})", re.IGNORECASE)
_HONORIFIC = frozenset({"mr", "mrs", "ms", "miss", "dr", "sir", "lord", "lady", "dame", "the"})


def describing(question: str) -> frozenset[str]:
    """The terms of the words describing whom a question is about, as its grammatical subject: "London", "mayor"
    of "Which journalist did the London mayor compare to…?". Unlike "Who is the chief executive…?", they describe
    the one asked about, not the answer."""
    found = _DESCRIBED_SUBJECT.search(question)
    return frozenset(default_analyzer().terms(found.group(1) or found.group(2))) if found else frozenset()


def described(sentence: str, span: str, description: frozenset[str]) -> bool:
    """Is the name the one the question describes ("London mayor Mr Livingstone" asked about "the London mayor"):
    is the word before it, honorifics aside, one of the question's describing words? Then it restates the
    question's subject and does not answer it."""
    at = _find_word(sentence, span)
    if at <= 0 or not description:
        return False
    before = [w for w in (_bare(w).casefold() for w in sentence[max(at - 40, 0):at].split()) if w]
    while before and before[-1].rstrip(".") in _HONORIFIC:
        before.pop()
    return bool(before) and _starts_like(before[-1], description)


def speaking(sentence: str, span: str) -> bool:
    """Is this name in the sentence only as who is quoted ("…, predicted Mr Weiner", "Jo Smith said")? A name
    its role introduces ("the new chief executive Peter Lynch said") is more than a speaker."""
    at = _find_word(sentence, span)
    if at < 0 or ROLE_BEFORE.search(sentence[max(at - 40, 0):at]):
        return False
    return bool(_SPOKEN_AFTER.match(sentence[at + len(span):]) or _SPOKEN_BEFORE.search(sentence[max(at - 60, 0):at]))


def introduced(sentence: str, span: str, terms: frozenset[str]) -> bool:
    """Is the name introduced by what the question asks about ("Its inventor, engineer Jo Bloggs, said…" for
    "who invented…?"): a word starting like an asked term among the few words before it?"""
    at = _find_word(sentence, span)
    before = re.split(r"[\"“”]", sentence[max(at - 50, 0):at])[-1].split()[-INTRODUCER_WORDS:] if at > 0 else []
    return any(_starts_like(_bare(w).casefold(), terms) for w in before)  # a quote's own words introduce nobody


INTRODUCER_WORDS = 4

POINTING_WORDS = frozenset({"it", "them", "such", "these", "those", "him"})
"""Words that stand for an object named elsewhere ("that" and "this" left out: after a noun they start
a clause or name the thing itself)."""
POINTED_OBJECT_SHARE = 0.75
"""An open question's own verb followed by a pointing word ("Microsoft pitched such services", "sold it")
takes its object from elsewhere: the sentence names what is asked without saying it, and scores this share."""


def points_past_the_answer(sentence: str, verbs: frozenset[str]) -> bool:
    """Does the question's verb stand in the sentence with a pointing word for its object?"""
    words = [_bare(w).casefold() for w in sentence.split()]
    return any(
        following in POINTING_WORDS and _starts_like(word, verbs) for word, following in itertools.pairwise(words)
    )


PREDICATE_WEIGHT = 0.5
"""A yes/no question is answered by the sentence that holds what it asks of its subjects (its predicate):
the share of its non-subject terms a sentence holds adds this much."""


def _predicate_shares(question: Question) -> Shares | None:
    """Shares of the question's weighted terms beyond its subjects (None when there are none)."""
    rest = {t: w for t, w in question.weights.items() if t not in question.subject_terms}
    return Shares(rest) if rest else None


@lru_cache(maxsize=4096)
def headline_terms(title: str | None) -> frozenset[str]:
    """The terms of a story's headline: a sentence under "AstraZeneca hit by drug failure" is told of
    AstraZeneca though it says "the Anglo-Swedish drug firm"."""
    return frozenset(default_analyzer().terms(title)) if title else frozenset()


def named_by_story(views: Sequence[PassageView]) -> dict[str, frozenset[str]]:
    """The asked terms each story names across its retrieved passages: a later passage of a story about
    Delft ("The stitching took three days") is still about Delft though it never repeats the name."""
    named: dict[str, frozenset[str]] = {}
    for view in views:
        key = view.hit.story.key
        named[key] = named.get(key, frozenset()) | view.named
    return named


_DEFINED = re.compile(
    r"^\W*what\s+(?:(?:exactly|actually|precisely)\s+)?(?:is|are|was|were|counts as|is meant by)\s+(?:an?\s+|the\s+)?"
    r"[\"'“‘]?((?:[\w'-]+\s*){1,3}?)[\"'”’]?\s*(?:,|\bthat\b|\bwhich\b|\?|$)"
    r"|^\W*what\s+(?:does|do)\s+(?:the\s+(?:word|term|name|phrase)\s+)?[\"'“‘]?((?:[\w'-]+\s*){1,3}?)[\"'”’]?\s+"
    r"(?:mean|refer to|stand for)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def role_terms() -> frozenset[str]:
    """The terms of the words for people's roles ("businessman", "striker"): they describe whom a question is
    about, not what a figure measures."""
    analyzer = default_analyzer()
    return frozenset(t for role in PERSON_ROLES if " " not in role for t in analyzer.terms(role))


_QUOTED = re.compile(r"[\"“‘']([^\"”’']{2,60})[\"”’']")
_ASKS_MEANING = re.compile(r"^\W*what\s+(?:(?:exactly|actually)\s+)?(?:is|are|was|were|counts as|do|does)\b", re.IGNORECASE)


def defined_terms(question: str) -> frozenset[str]:
    """The terms of what a "what is X?" question asks to define: "squib" of "What are the squibs that Bruce Willis
    blames for his injury?". A sentence holding them may define X though it shares little else with the question."""
    found = _DEFINED.match(question)
    quoted = _QUOTED.search(question) if found or _ASKS_MEANING.match(question) else None
    if quoted:  # "what counts as a "minority ethnic led" production company …?": the quoted words
        return frozenset(default_analyzer().terms(quoted.group(1)))
    return frozenset(default_analyzer().terms(found.group(1) or found.group(2))) if found else frozenset()


_ASKS_OUTCOME = re.compile(r"\b(?:end(?:ed)? up|final(?:ly)?|actually|in the end|eventually|at last)\b", re.IGNORECASE)
"""A figure question asking how things turned out, not what was planned or feared."""
_PLANNED = re.compile(
    r"\b(?:could|may|might|would|hopes?|hoped|hoping|plans?|planned|planning|expects?|expected|aims?|aimed|"
    r"is looking to|are looking to|wants? to|intends?|proposed|faces?|facing|up to)\b", re.IGNORECASE)
"""A sentence telling what may, or is meant to, happen."""
_ASKS_RESULT = re.compile(r"\b(?:won|beat|defeated|lost|finished|triumphed|topped)\b", re.IGNORECASE)
"""A question after how a contest ended ("who won the final?", "what majority did Labour win?" is not: "win")."""
_FORTHCOMING = re.compile(
    r"\b(?:ahead of|will|is due|are due|is set to|are set to|to be held|upcoming|next (?:week|month|year))\b",
    re.IGNORECASE)
"""A sentence telling of a contest still to come: "confident ahead of the final", "the contest will be held in Kiev"."""
_RESULT_TOLD = re.compile(
    r"\b(?:won|wins|beat|beats|defeated|lost|loses|finished|triumphed|victory|victorious|winners?|champions?)\b",
    re.IGNORECASE)
"""A sentence telling how a contest ended: no preview (unless it is an earlier edition's result)."""


_OPENS_AS = re.compile(r"^\W*(?:the\s+|an?\s+)?(.{1,60}?)\s+(?:is|are|was|were)\s+(?:an?|the|one)\b", re.IGNORECASE)


def opens_definition(sentence: str, defined: frozenset[str]) -> bool:
    """Does the sentence open by saying what the defined words are: "Feta is a soft white cheese…", not "critics
    say feta is a generic term"?"""
    opening = _OPENS_AS.match(sentence)
    if opening is None:
        return False
    terms = default_analyzer().terms(opening.group(1))
    return bool(terms) and terms[0] in defined and defined <= set(terms) and len(set(terms)) <= len(defined) + 1


def asks_result(question: str) -> bool:
    """Does the question ask how a contest ended ("who won the final?")?"""
    return bool(_ASKS_RESULT.search(question))


_EARLIER_EDITION = re.compile(r"\W+(?:\w+\W+){0,2}?(?:last|previous) (?:year|season|time)\b|\W+(?:\w+\W+){0,2}?a year ago\b",
                              re.IGNORECASE)
"""A result told of an earlier edition, just after it: "after Ruslana won last year"."""


def previews(sentence: str) -> bool:
    """Does the sentence tell of a contest still to come, and of no result (but an earlier edition's)?"""
    return bool(_FORTHCOMING.search(sentence)) and not any(
        not _EARLIER_EDITION.match(sentence, told.end()) for told in _RESULT_TOLD.finditer(sentence))


def restates(span: str, asked: frozenset[str], words: Lexicon) -> bool:
    """Is the span only the question's own words, or them in other words ("in Austria" asked "which Austrian
    village")? Then it does not say what was asked."""
    terms = default_analyzer().terms(span)
    return bool(terms) and all(t in asked or words.bridged(frozenset([t]), asked) for t in terms)


_ASKING_TERMS = frozenset(default_analyzer().terms("ask asking want wanting seek seeking demand demanding"))


_NAME_WORDS = re.compile(r"[A-Z][\w'’-]*")


def _names_only(span: str, subject_terms: frozenset[str]) -> bool:
    """Is every capitalised word of the span ("Mr Yoran", "Yoran's") a name of the question's subjects (titles
    aside)?"""
    words = [w for w in _NAME_WORDS.findall(span) if w.lower() not in HONORIFICS]
    terms = {t for w in words for t in default_analyzer().terms(w)}
    return bool(terms) and terms <= subject_terms


def score_candidates(question: Question, views: Sequence[PassageView], shares: Shares) -> list[Candidate]:
    """Every quotable sentence of the passages, scored."""
    if not views:
        return []
    top_score = views[0].hit.score or 1.0
    asked = frozenset(question.weights)
    subjects = question.subjects
    kind = question.answer_type
    out: list[Candidate] = []
    sourced: dict[int, float] = {}
    # what a figure question measures: its plain words beyond the subjects ("employ", "staff"), not the
    # names and figures of what it is about ("Half-Life 2", "V8")
    measured = question.plain
    # "how much has businessman X given?": "businessman" says who, not what is measured ("how many members?" counts them)
    counted = measured - role_terms() if kind is not AnswerType.NUMBER else measured
    if kind is AnswerType.AMOUNT:  # "how much is she asking for?": asking says only that a sum is wanted
        counted -= _ASKING_TERMS
    story_named = named_by_story(views)
    subject_terms = question.subject_terms
    spanned = kind is not AnswerType.COMPARISON or bool(QUANTITATIVE.search(question.text))
    predicate = _predicate_shares(question) if kind is AnswerType.YES_NO and subjects else None
    asks_year = bool(_ASKS_YEAR.search(question.text))
    universal = kind is AnswerType.YES_NO and bool(UNIVERSAL.search(question.text))
    asks_speech = bool(_SPEECH_QUESTION.search(question.text))
    asks_leader = kind is AnswerType.PERSON and bool(_ASKS_LEADER.search(question.text))
    asked_kind = _PLACE_KIND.search(question.text) if kind is AnswerType.PLACE else None
    kinds = place_kinds(asked_kind.group(1).casefold()) if asked_kind else frozenset()
    words = lexicon(default_analyzer())
    age = asks_age(question.text)  # "how old is the hacker?": the age is told of a name, not of "hacker"
    defined = defined_terms(question.text) if kind is AnswerType.DEFINITION else frozenset()
    outcome = kind in STRICT and bool(_ASKS_OUTCOME.search(question.text))
    result = kind in TYPED and asks_result(question.text)
    rate = _PER.search(question.text)
    per = re.escape(rate.group(1)[:5]) if rate else ""  # "per share": "a share", "per shares"
    # the words describing whom a "which …" question is about ("the London mayor"), not what it asks for
    description = describing(question.text) & question.plain if kind in NAMED else frozenset()
    # what is asked about, in the question's words or their other forms ("written" for "wrote")
    reach = asked.union(*map(inflections(default_analyzer()).others, asked)) if kind in NAMED else asked
    story_order: dict[str, int] = {}
    for view in views:
        story_order.setdefault(view.hit.story.key, len(story_order))
    for view in views:
        hit = view.hit
        title_terms = asked & view.title_terms
        in_story = story_named[hit.story.key]
        if subjects and not any(s.named_in(in_story) for s in subjects):
            continue  # a story that names none of the question's subjects answers another question
        rank = RANK_WEIGHT * (hit.score / top_score)
        sourced[id(view)] = BARE_SOURCE_FACTOR + (1 - BARE_SOURCE_FACTOR) * metadata(hit.story)
        tie_break = 1e-3 * ((hit.story.quality or 0) / 100) + (1e-4 if hit.story.url else 0.0)
        told_before = 0.0  # the coverage of the sentence before: the next one may go on about it
        for line, (sentence, all_terms) in enumerate(view.lines):
            terms = asked & all_terms
            coverage = shares(terms)
            before, told_before = told_before, coverage
            if len(sentence.split()) < MIN_WORDS:
                continue
            if not terms and not (kind in HEADLINED and shares(title_terms) >= HEADLINED_SHARE) and (
                    kind not in TYPED or before < CONTINUED_COVERAGE):
                continue  # a sentence naming nothing asked can only answer under a headline that does, or go on
                # from the sentence before it when that one tells what is asked
            typed = tuple(answering_spans(sentence, kind, question.text)) if kind in TYPED and spanned else ()
            if not terms and not typed:
                continue
            named = sum(1 for s in subjects if s.terms & all_terms)
            if kind is AnswerType.PLACE and typed:
                typed = tuple(span for span in typed if not restates(span, asked, words))
            if kind is AnswerType.DEFINITION and coverage < DEFINITION_COVERAGE and not (defined and defined <= all_terms):
                typed = ()  # "X is a …" defines X only in a sentence about X
            elif kind in NAMED and typed and terms:
                # a name of the subject answers nothing about it: in a chat, "who replaced him?" is not "Mr Yoran"
                typed = tuple(span for span in typed if not _names_only(span, subject_terms))
                typed = tuple(span for span in typed if not described(sentence, span, description))
                close = near(sentence, typed, reach)  # the name that answers stands by what is asked about
                typed = close + tuple(span for span in leaders(sentence, typed) if span not in close) if asks_leader else close
                if typed and not asks_speech:  # "who founded Yahoo?" is not answered by who commented on it
                    typed = tuple(span for span in typed
                                  if not speaking(sentence, span) or introduced(sentence, span, measured))
            elif (kind in STRICT and typed and counted and not counted & all_terms and not age
                  and not (kind in SUMS and named >= 2)):
                typed = ()  # a figure about something else the question does not ask after; but a sum in a
                # sentence naming two of its subjects is theirs ("Bullock has donated $1m to the Red Cross")
            elif kind in STRICT and typed and per and not re.search(rf"\b(?:per|a|an|each)\s+{per}", sentence, re.I):
                typed = ()  # "price per share" is not answered by the total raised
            if typed and outcome and _PLANNED.search(sentence):
                typed = ()  # "what did the shares finally go for?" is not answered by what the firm hoped to get
            if typed and result and previews(sentence):
                typed = ()  # "who won the final?" is not answered by who is confident ahead of it
            context = TITLE_CONTEXT * shares(title_terms - terms)
            novel = len(all_terms - asked)
            score = coverage + context + rank + tie_break + INFORMATIVE * min(novel / 8, 1.0)
            if predicate is not None:  # "does X give Y an exemption?": the sentence that speaks of exemptions
                score += PREDICATE_WEIGHT * predicate(terms)
            framing = sum(
                FRAMING_CREDIT if s.terms & view.named else STORY_FRAMING_CREDIT
                for s in subjects if not s.terms & all_terms and s.terms & in_story
            )
            if typed:  # a figure or a name in a passage about someone else does not answer
                boost = NAME_BOOST if kind in NAMED else COMPARED_BOOST if kind is AnswerType.COMPARISON else TYPE_BOOST
                if kind is AnswerType.DATE and not asks_year:
                    boost *= max(date_precision(span) for span in typed)
                score *= 1 + (boost if named or framing or not subjects else OFF_SUBJECT_TYPE_SHARE * boost)
            if subjects:
                score *= 0.45 + 0.55 * (named + framing) / len(subjects)
            actor = bool(question.actors) and acting(sentence, question.actors)
            if actor:
                score *= YES_NO_ACTING_BOOST if kind is AnswerType.YES_NO else ACTING_BOOST
            if kind is AnswerType.OPEN and measured and points_past_the_answer(sentence, measured):
                score *= POINTED_OBJECT_SHARE
            if kind is AnswerType.COMPARISON and CONTRAST.search(sentence):
                score *= CONTRAST_BOOST
            says_no = kind is AnswerType.YES_NO and bool(
                NEGATION.search(sentence) or (universal and RESTRICTION.search(sentence)))
            if says_no:
                score *= NEGATED_YES_NO_BOOST  # "did X …?" — "X did not …" answers it outright
            if typed and kinds and any(k in span.casefold().split() for span in typed for k in kinds):
                score *= CATEGORY_BOOST
            dated = bool(question.dated & all_terms)
            if dated:
                score *= DATED_BOOST  # "in January" asked, and this sentence tells of January
            answered = sentence in question.answered
            if answered:
                score *= ANSWERED_SHARE  # a follow-up asks for something the last answer did not say
            unit = quality(sentence, hit.story.title)
            score *= unit.factor * sourced[id(view)]
            place = Place(hit.score / top_score, story_order[hit.story.key], hit.passage.ordinal, line)
            traits = Traits(
                sentence, kind, typed, coverage, place,
                subjects_named=(named + framing) / len(subjects) if subjects else 1.0, acting=actor,
                headline=unit.headline, anaphoric=unit.anaphoric, informative=min(novel / 8, 1.0), answered=answered,
                predicate=len(measured & all_terms) / len(measured) if measured else 0.0, asked=asked, plain=measured,
                title_context=shares(title_terms - terms), before=before, says_no=says_no,
                defines=bool(defined) and opens_definition(sentence, defined))
            out.append(Candidate(sentence, all_terms, score, hit, line, unit, typed, coverage, traits=traits, dated=dated))
    return out
