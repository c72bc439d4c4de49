"""Answer composition: the best 2–5 verbatim sentences with citations, or an honest abstention.

Pure functions over ranked passages; knows nothing of Discord, SQLite or the CLI.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from retrieval.analyzer import Analyzer
from retrieval.models import Passage, RankedPassage, Story
from retrieval.passages import split_sentences
from retrieval.text import title_key

from .answering.models import Answer, AnswerSentence, Citation

MAX_SENTENCES = 5
MIN_SENTENCES = 2
MAX_ANSWER_CHARS = 700
MIN_SENTENCE_WORDS = 5
COVERAGE_TO_ANSWER = 0.5
"""Share of the question's (IDF-weighted) terms the best passage must contain to be an answer."""
SECOND_SENTENCE_RATIO = 0.45
"""A further sentence must score at least this share of the best sentence."""
SAME_STORY_PENALTY = 0.8
REDUNDANCY_JACCARD = 0.6
HEADLINE_DISCOUNT = 0.8
PLACE_BONUS = 1.5
SUBJECT_MAX_SHARE = 0.5
RECENT_STORIES = 3
RECENT_TOPIC_SHARE = 0.5
"""A story counts as being about the topic of a "latest on X" question at this share of the best match."""


@dataclass(frozen=True, slots=True)
class QuerySignal:
    """The question as the responder sees it.

    ``weights``: term → importance (1 + IDF, so topic words the whole corpus shares still count);
    ``subjects``: terms of names in the question that the coverage knows (an answer should name them);
    ``unknown_names``: capitalised names or numbers the coverage never mentions (a reason to abstain).
    """

    weights: Mapping[str, float]
    unknown_names: tuple[str, ...] = ()
    subjects: frozenset[str] = frozenset()
    recency: bool = False
    answer_type: str | None = None  # "amount" (how much money), "count" (how many/much), "place" (where)


QUESTION_FILLER = frozenset({
    "happen", "news", "stori", "coverag", "report", "know", "known", "tell", "explain", "describ", "latest", "recent",
    "newest", "much", "mani",
})
"""Stems that shape a question ("what happened", "latest news on", "tell me about", "what is known about")
without naming its subject."""

_RECENCY = re.compile(r"\b(latest|newest|most recent|recently|recent|lately|this week|last week|today|so far|what.s new)\b", re.I)
LIGHT_WORDS = frozenset(
    "work make get take think use want need go come give tri keep seem mean becom start continu "
    "alreadi still realli actual current enough ever even just quit rather els thing way lot".split()
)
"""Stems of light verbs and adverbs that frame a question; they count at LIGHT_WORD_WEIGHT."""
LIGHT_WORD_WEIGHT = 0.3

_QUANTITY = re.compile(r"\bhow\s+(?:much|many)\b", re.I)
_MONEY_QUESTION = re.compile(
    r"\b(?:money|cost|costs|price|priced|pay|paid|earn|earned|spend|spent|worth|revenue|fees?|charged?|charges)\b", re.I)
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"\w+")
_NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty hundred hundreds "
    "thousand thousands million millions billion billions dozen dozens".split()
)
"""A digit or one of these whole words names a number (a set lookup: an alternation regex costs 2.4× more)."""
_MONEY = re.compile(r"[$€£¥]\s?\d|\b\d[\d,.]*\s*(?:dollars|euros|pounds|million|billion)\b|\b(?:dollars|euros)\b", re.I)
_WHERE_QUESTION = re.compile(r"^\W*where\b|\bwhere\s+(?:did|does|do|is|was|were|will|has|have)\b", re.I)
_PLACE = re.compile(r"\b(?:at|in|to|on|from|during)\s+(?:(?:the|a|an)\s+)?[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*)+")
"""A preposition before a multi-word proper name: "at a Washington Post Live event", "in New York"."""


def answer_type(question: str) -> str | None:
    """What kind of fact the question asks for: "amount"/"count" (a sentence without one cannot answer),
    "place" (a sentence naming a place or venue answers best), or None."""
    if _QUANTITY.search(question):
        return "amount" if _MONEY_QUESTION.search(question) else "count"
    if _WHERE_QUESTION.search(question):
        return "place"
    return None


def has_answer_type(sentence: str, kind: str | None) -> bool:
    if kind not in ("amount", "count"):
        return True
    if kind == "amount":
        return bool(_MONEY.search(sentence))
    return bool(_DIGIT.search(sentence)) or not _NUMBER_WORDS.isdisjoint(_WORD.findall(sentence.lower()))


_NAMING = re.compile(r"\b(?:called|named|known as)\s*\??\s*$", re.I)


def _is_name(surface: str, question: str) -> bool:
    """A capitalised word that is not merely the question's first word (or an acronym anywhere)."""
    if surface.isupper() and len(surface) > 1:
        return True
    return surface[:1].isupper() and not question.lstrip(" \"'“‘(").startswith(surface)


def question_terms(question: str, analyzer: Analyzer) -> list[str]:
    """The terms to retrieve with: the question's analyzed terms without question-shaping words."""
    return [t for t in analyzer.terms(_NAMING.sub("", question)) if t not in QUESTION_FILLER]


def analyse_question(
    question: str, analyzer: Analyzer, doc_freq: Mapping[str, int], n_docs: int,
    context: Sequence[str] = (),
) -> QuerySignal:
    """Weight the question's terms; find the names it asks about, known or not."""
    shaped = _NAMING.sub("", question)  # "what is X called?" asks for a name, not for "call"
    known: dict[str, float] = {}
    unknown_terms: list[str] = []
    unknown_names: list[str] = []
    subjects: set[str] = set()
    for token in analyzer.tokens(shaped):
        if token.term in QUESTION_FILLER:
            continue
        df = doc_freq.get(token.term, 0)
        name = _is_name(token.surface, shaped)
        if df == 0:
            if (name or any(ch.isdigit() for ch in token.surface)) and token.surface not in unknown_names:
                unknown_names.append(token.surface)
            unknown_terms.append(token.term)
            continue
        known[token.term] = 1.0 + math.log1p((n_docs - df + 0.5) / (df + 0.5))
        if token.term in LIGHT_WORDS:  # "work", "already", "think": rare in news, yet not what is asked about
            known[token.term] *= LIGHT_WORD_WEIGHT
        if name and df <= SUBJECT_MAX_SHARE * n_docs:  # a name most of the coverage shares is its topic, not a subject
            subjects.add(token.term)
    weights = dict(known)
    # A word the coverage never uses may be a paraphrase: it counts like a typical known word.
    typical = statistics.median(known.values()) if known else 1.0
    for term in unknown_terms:
        weights.setdefault(term, typical * (LIGHT_WORD_WEIGHT if term in LIGHT_WORDS else 1.0))
    for previous in context[-2:]:
        for token in analyzer.tokens(previous):
            df = doc_freq.get(token.term, 0)
            if df and token.term not in weights:
                weights[token.term] = 0.5 * (1.0 + math.log1p((n_docs - df + 0.5) / (df + 0.5)))
    return QuerySignal(weights=weights, unknown_names=tuple(unknown_names), subjects=frozenset(subjects),
                       recency=bool(_RECENCY.search(question)), answer_type=answer_type(question))


@dataclass(slots=True)
class _Candidate:
    text: str
    tokens: list[str]
    score: float
    hit: RankedPassage
    story_key: str
    _terms: frozenset[str] | None = None

    @property
    def terms(self) -> frozenset[str]:
        """The sentence's terms as a set (built on first use: only sentences considered for the answer)."""
        if self._terms is None:
            self._terms = frozenset(self.tokens)
        return self._terms


class _Shares:
    """The share of the question's (IDF-weighted) terms that a set of terms covers, memoised: the
    sentences of the top passages name the same few subsets of the asked terms over and over."""

    __slots__ = ("weights", "total", "known")

    def __init__(self, weights: Sequence[tuple[str, float]], total: float) -> None:
        self.weights = weights
        self.total = total
        self.known: dict[frozenset[str], float] = {frozenset(): 0.0}

    def __call__(self, terms: frozenset[str]) -> float:
        share = self.known.get(terms)
        if share is None:  # summed in the question's term order, whatever the set's order
            share = self.known[terms] = sum(w for t, w in self.weights if t in terms) / self.total
        return share


def _recency_key(story: Story) -> float:
    return story.published.timestamp() if story.published else 0.0


def passage_sentences(hit: RankedPassage, analyzer: Analyzer) -> tuple[frozenset[str], list[tuple[str, frozenset[str]]]]:
    """The title's terms and each sentence of the passage with its terms.

    Stored passages carry the terms computed at ingest (one sentence a line), so nothing is
    re-analyzed; a passage without them is split and analyzed here.
    """
    title_terms, lines = _passage_lines(hit, analyzer)
    return frozenset(title_terms), [(sentence, frozenset(terms)) for sentence, terms in lines]


def _passage_lines(hit: RankedPassage, analyzer: Analyzer) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The title's terms and each sentence with its terms, as lists (see :func:`passage_sentences`)."""
    passage = hit.passage
    if passage.terms is not None:
        title, *encoded = passage.terms.split("\n")
        lines = passage.text.split("\n")
        if len(lines) == len(encoded):
            return title.split(), [(line, terms.split()) for line, terms in zip(lines, encoded) if line]
    return analyzer.terms(hit.story.title), [(s, analyzer.terms(s)) for s in split_sentences(passage.text)]


def compose_answer(
    question: str,
    signal: QuerySignal,
    ranked: Sequence[RankedPassage],
    analyzer: Analyzer,
    *,
    searched: int,
    max_passages: int = 8,
) -> Answer:
    """Choose verbatim sentences from the top passages and number their sources, or abstain."""
    total = sum(signal.weights.values())
    hint = "Try `latest` for the newest stories or `search` to browse what is covered."
    if signal.unknown_names:
        names = ", ".join(f"“{name}”" for name in signal.unknown_names)
        return Answer(question, abstained=True, searched=searched,
                      reason=f"The coverage doesn't say: none of the {searched} stories mentions {names}. {hint}")
    if not ranked or total <= 0:
        return Answer(question, abstained=True, searched=searched,
                      reason=f"The coverage doesn't say: nothing in the {searched} stories matches that question. {hint}")

    top_score = ranked[0].score or 1.0
    share = _Shares(tuple(signal.weights.items()), total)
    asked = frozenset(signal.weights)  # only these terms count below (the subjects are among them)
    candidates: list[_Candidate] = []
    best_passage_coverage = 0.0
    seen_stories: set[str] = set()
    story_terms: dict[str, frozenset[str]] = {}
    story_coverage: dict[str, float] = {}
    for hit in ranked:
        story_key = hit.story.key
        seen_stories.add(story_key)
        if len(seen_stories) > max_passages and not signal.recency:  # "latest": the newest may rank lower
            break
        title_tokens, lines = _passage_lines(hit, analyzer)
        title_terms = asked.intersection(title_tokens)
        # the sentences that name an asked term, with those terms (no other sentence can be quoted)
        sentence_terms = [(sentence, terms, tokens) for sentence, tokens in lines if (terms := asked.intersection(tokens))]
        passage_terms = frozenset().union(*(terms for _, terms, _ in sentence_terms))
        around = passage_terms | title_terms  # the asked terms the passage and its headline name
        story_terms[story_key] = story_terms.get(story_key, frozenset()) | around
        passage_coverage = share(around)
        best_passage_coverage = max(best_passage_coverage, passage_coverage)
        story_coverage[story_key] = max(story_coverage.get(story_key, 0.0), passage_coverage)
        if not sentence_terms or (signal.subjects and not signal.subjects & around):
            continue  # a passage of a story that names none of the question's subjects answers another question
        rank_bonus = 0.25 * (hit.score / top_score)
        tie_break = 1e-3 * ((hit.story.quality or 0) / 100) + 1e-12 * _recency_key(hit.story)
        for sentence, terms, tokens in sentence_terms:
            coverage = share(terms)
            if coverage <= 0 or len(sentence.split()) < MIN_SENTENCE_WORDS:
                continue
            # the story's title gives context to its sentences, counted at a discount
            context = 0.3 * share(title_terms - terms)
            score = coverage + context + rank_bonus + tie_break
            if sentence == hit.story.title:  # the headline: quotable, but a body sentence says more
                score *= HEADLINE_DISCOUNT
            elif signal.answer_type == "place" and _PLACE.search(sentence):
                score *= PLACE_BONUS  # "where did …": a sentence that names a place or venue
            if signal.subjects:  # a sentence that names none of the question's subjects answers another question
                # a subject named by the sentence's own passage or headline still frames it, at a discount
                framing = len(signal.subjects & around - terms)
                named = (len(signal.subjects & terms) + 0.5 * framing) / len(signal.subjects)
                score *= 0.5 + 0.5 * named
            candidates.append(_Candidate(sentence, tokens, score, hit, story_key))

    if len(signal.subjects) > 1 and not any(signal.subjects <= terms for terms in story_terms.values()):
        # every name the question joins appears somewhere, but no story mentions them together
        return Answer(question, abstained=True, searched=searched,
                      reason=f"The coverage doesn't say: no story among the {searched} mentions all of the names "
                      f"in that question together. {hint}")
    gives_figure: Callable[[_Candidate], bool] | None = None
    if signal.answer_type is not None:
        kind = signal.answer_type
        gives_figure = lambda c: has_answer_type(c.text, kind)  # noqa: E731
        if signal.recency:
            candidates = [c for c in candidates if gives_figure(c)]
        elif not any(gives_figure(c) for c in candidates):  # stops at the first that gives one
            candidates = []
        if not candidates:
            figure = "an amount" if signal.answer_type == "amount" else "a number"
            return Answer(question, abstained=True, searched=searched,
                          reason=f"The coverage doesn't say: none of the {searched} stories gives {figure} for that. {hint}")
    if best_passage_coverage < COVERAGE_TO_ANSWER or not candidates:
        return Answer(question, abstained=True, searched=searched,
                      reason=f"The coverage doesn't say: the {searched} stories don't answer that question. {hint}")

    if signal.recency:
        # "latest on X": the newest stories about X (matched at least COVERAGE_TO_ANSWER), newest first, one sentence each
        on_topic = {k for k, c in story_coverage.items() if c >= max(COVERAGE_TO_ANSWER, RECENT_TOPIC_SHARE * best_passage_coverage)}
        chosen = _select_recent([c for c in candidates if c.story_key in on_topic])
    else:
        chosen = _select(candidates, gives_figure)
    sentences, citations = _cite([(c.text, c.hit) for c in chosen])
    return Answer(question, sentences, citations, searched=searched, query_terms=tuple(signal.weights))


def _cite(picked: Sequence[tuple[str, RankedPassage]]) -> tuple[tuple[AnswerSentence, ...], tuple[Citation, ...]]:
    """Number sources by first use, one number per story, each holding the passages it quotes."""
    numbers: dict[str, int] = {}
    passages: dict[str, list[Passage]] = {}
    stories: dict[str, Story] = {}
    sentences = []
    for text, hit in picked:
        key = hit.story.key
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            passages[key], stories[key] = [], hit.story
        if all(p.id != hit.passage.id for p in passages[key]):
            passages[key].append(hit.passage)
        sentences.append(AnswerSentence(text, numbers[key], hit.passage.id))
    citations = tuple(Citation(numbers[k], stories[k], tuple(passages[k])) for k in numbers)
    return tuple(sentences), citations


def compose_digest(question: str, ranked: Sequence[RankedPassage], *, searched: int, day: str) -> Answer:
    """The leading sentence of each of the day's top stories (for "what happened on June 11?")."""
    picked: list[tuple[str, RankedPassage]] = []
    used = 0
    for hit in ranked:
        if any(h.story.key == hit.story.key for _, h in picked) or len(picked) >= MAX_SENTENCES - 1:
            continue
        lead = next((s for s in split_sentences(hit.passage.text) if len(s.split()) >= MIN_SENTENCE_WORDS), None)
        if lead is None or (picked and used + len(lead) + 5 > MAX_ANSWER_CHARS):
            continue
        picked.append((lead, hit))
        used += len(lead) + 5
    if not picked:
        return Answer(question, abstained=True, searched=searched,
                      reason=f"The coverage doesn't say: none of the {searched} stories was published on {day}. "
                      "Try `latest` for the newest stories.")
    sentences, citations = _cite(picked)
    return Answer(question, sentences, citations, searched=searched)


def _select_recent(candidates: list[_Candidate], stories: int = RECENT_STORIES) -> list[_Candidate]:
    """The best sentence of each of the newest ``stories`` stories, newest first, within the length budget."""
    best: dict[str, _Candidate] = {}
    for candidate in candidates:
        key = candidate.story_key
        if key not in best or candidate.score > best[key].score:
            best[key] = candidate
    chosen: list[_Candidate] = []
    used_chars = 0
    seen_text: set[str] = set()
    for candidate in sorted(best.values(), key=lambda c: (-_recency_key(c.hit.story), -c.score)):
        key = title_key(candidate.text)
        if key in seen_text or (chosen and used_chars + len(candidate.text) + 5 > MAX_ANSWER_CHARS):
            continue
        chosen.append(candidate)
        seen_text.add(key)
        used_chars += len(candidate.text) + 5
        if len(chosen) >= stories:
            break
    return chosen


def _select(candidates: list[_Candidate], accepts: Callable[[_Candidate], bool] | None = None) -> list[_Candidate]:
    """Greedy selection with redundancy removal, a same-story penalty and a length budget.

    ``accepts``: the candidates that can answer at all (checked only for those the selection reaches)."""
    chosen: list[_Candidate] = []
    used_chars = 0
    seen_text: set[str] = set()
    pool = sorted(candidates, key=lambda c: -c.score)
    if accepts is not None:
        pool = pool[next(i for i, c in enumerate(pool) if accepts(c)):]
    best_score = pool[0].score
    quoted_per_story: Counter[str] = Counter()
    penalty: dict[str, float] = {}  # story → SAME_STORY_PENALTY ** (sentences quoted from it)

    def adjusted(c: _Candidate) -> float:
        return c.score * penalty.get(c.story_key, 1.0)

    stale = False  # the pool's order no longer reflects the same-story penalties
    while pool and len(chosen) < MAX_SENTENCES:
        if stale:
            pool.sort(key=lambda c: -adjusted(c))
            stale = False
        candidate = pool.pop(0)
        if accepts is not None and not accepts(candidate):
            continue
        if seen_text and title_key(candidate.text) in seen_text:
            continue
        if candidate.text == candidate.hit.story.title:
            quoted = frozenset().union(*(c.terms for c in chosen if c.story_key == candidate.story_key))
            if quoted and len(candidate.terms & quoted) >= 0.5 * len(candidate.terms):
                continue  # the headline of a story already quoted adds little
        if any(_jaccard(candidate.terms, c.terms) >= REDUNDANCY_JACCARD for c in chosen):
            continue
        if chosen and adjusted(candidate) < SECOND_SENTENCE_RATIO * best_score:
            break
        extra = len(candidate.text) + 5
        if chosen and used_chars + extra > MAX_ANSWER_CHARS:
            if len(chosen) >= MIN_SENTENCES:
                break
            continue
        chosen.append(candidate)
        quoted_per_story[candidate.story_key] += 1
        penalty[candidate.story_key] = SAME_STORY_PENALTY ** quoted_per_story[candidate.story_key]
        stale = True
        seen_text.add(title_key(candidate.text))
        used_chars += extra
    return chosen


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
