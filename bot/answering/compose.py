"""Composing the reply: understand → score sentences → decide → check the premise → group corroboration →
select → cite. Every quoted sentence is verbatim from the passage it cites."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from retrieval.analyzer import Analyzer
from retrieval.models import Passage, RankedPassage, Story
from retrieval.passages import split_sentences
from retrieval.text import title_key

from . import premise as premises
from .abstain import decide
from .candidates import Candidate, PassageView, Shares, passage_view, score_candidates
from .corroborate import group
from .models import Answer, AnswerSentence, Citation
from .question import Question
from .select import LEAD_SHARE, MAX_ANSWER_CHARS, MAX_QUOTED, MAX_SENTENCES, quoted_length, select
from .spans import TYPED
from .units import MIN_WORDS, quality

MAX_STORIES = 10
"""Passages of at most this many stories are read for an answer (all of them for "latest")."""
FURTHER_PASSAGE_STORIES = 1
"""Once MAX_STORIES stories are read, the further passages retrieved of the first this many are read too: the
sentence holding the answer ("The Lions leave for New Zealand on 24 May") often shares few words with the
question, so its passage ranks below the first passages of other stories. Over every question set the first
story's gave 4 more passed; the first three stories' gave no more on the development sets (one more on an
acceptance set, which does not choose). Neither costs measurable CPU time at a million passages."""
RECENT_STORIES = 3
RECENT_TOPIC_SHARE = 0.5
"""A story counts as being about a "latest on X" topic at this share of the best match (and at least half)."""


def abstain(question: str, searched: int, why: str) -> Answer:
    """An abstention saying why; each adapter adds what to try instead in its own words (a CLI command,
    a slash command)."""
    return Answer(question, abstained=True, searched=searched, reason=f"The coverage doesn't say: {why}.")


def compose_answer(
    question: Question, ranked: Sequence[RankedPassage], analyzer: Analyzer, *, searched: int,
    one_story: bool = False,
) -> Answer:
    """Quote the sentences that answer the question, with their sources; or abstain, saying why.
    ``one_story``: the passages are of the one story a conversation is about, so a sentence holding an answer
    of the asked kind leads however it scores against the others."""
    if not ranked or not question.weights:
        return abstain(question.text, searched, f"nothing in the {searched} stories matches that question")
    asked = frozenset(question.weights)
    shares = Shares(question.weights)
    views = _views(ranked, analyzer, asked, None if question.recency else MAX_STORIES, question.acronyms,
                   aliases=question.aliases)
    candidates = score_candidates(question, views, shares)
    if question.answer_type in TYPED and len(views) < len(ranked) and not _typed_answer(candidates):
        # no good sentence of the best stories holds an answer of the asked type: read every retrieved passage
        views = _views(ranked, analyzer, asked, None, question.acronyms, views, aliases=question.aliases)
        candidates = score_candidates(question, views, shares)
    decision = decide(question, views, candidates, shares, searched)
    if not decision.answer:
        return abstain(question.text, searched, decision.why)
    if question.recency:
        chosen = _select_recent(question, views, candidates, shares)
        note = None
    else:
        check = premises.check(question, views, candidates)
        if check.status == "unsupported":
            subject = " ".join(s.surface for s in question.subjects) or "the subject"
            return abstain(question.text, searched,
                           f"none of the {searched} stories reports “{check.word}” about {subject}")
        leaders = group(candidates)
        first = _evidence_first(check.evidence, leaders)
        kind = question.answer_type
        answers = (lambda c: bool(c.typed)) if kind in TYPED else None
        lead_share = 0.0 if one_story else LEAD_SHARE
        if check.status == "ok":  # the event a "why" question takes for granted, then what best answers it
            chosen = _event_first(first, select(leaders, answers=answers, lead_share=lead_share))
        else:
            chosen = select(leaders, answers=answers, first=first, lead_share=lead_share)
        chosen = _per_subject(question, chosen, leaders)
        note = check.note
        chosen = _with_antecedents(chosen, views, shares, asked, keep_first=note is not None)
    if not chosen:
        return abstain(question.text, searched, f"the {searched} stories don't answer that question")
    sentences, citations = cite(chosen)
    return Answer(question.text, sentences, citations, searched=searched, query_terms=tuple(question.weights), note=note)


def _evidence_first(evidence: Candidate | None, leaders: list[Candidate]) -> Candidate | None:
    """The premise check's evidence in its own wording, to lead the reply: a group led by another wording
    of the same fact ("needs a law before selling" for "won't sell") hands it its place and citations."""
    if evidence is None or any(c is evidence for c in leaders):
        return evidence
    for at, leader in enumerate(leaders):
        if any(m is evidence for m in leader.also):
            evidence.also = [leader, *(m for m in leader.also if m is not evidence)]
            evidence.score = leader.score
            leaders[at] = evidence
            return evidence
    return evidence  # a same-story wording of a quoted fact: it leads, the other is dropped as redundant


def _event_first(event: Candidate | None, chosen: list[Candidate]) -> list[Candidate]:
    """The sentence reporting the event a question takes for granted leads; the sentences chosen on their own
    merit follow, as many as fit."""
    if event is None or not chosen or chosen[0] is event:
        return chosen
    out = [event, *(c for c in chosen if c is not event)][:MAX_SENTENCES]
    while len(out) > 2 and sum(quoted_length(c.text) for c in out) > MAX_ANSWER_CHARS:
        out.pop()
    return out


def _typed_answer(candidates: Sequence[Candidate]) -> bool:
    """Is there a sentence with a span of the asked type that can lead (see :func:`select`)?"""
    best = max((c.score for c in candidates), default=0.0)
    return any(c.typed and c.score >= LEAD_SHARE * best for c in candidates)


def _views(
    ranked: Sequence[RankedPassage], analyzer: Analyzer, asked: frozenset[str], max_stories: int | None,
    acronyms: frozenset[str] = frozenset(), done: Sequence[PassageView] = (), *,
    aliases: Mapping[str, frozenset[str]] | None = None,
) -> list[PassageView]:
    """The retrieved passages as sentence views, in rank order, of the first ``max_stories`` stories (None: all);
    once that many are read, only the first FURTHER_PASSAGE_STORIES stories' further passages are.
    ``done``: views already made (an earlier call's, with the same question), reused."""
    made = {view.hit.passage.id: view for view in done}
    views: list[PassageView] = []
    stories: list[str] = []
    full = False
    for hit in ranked:
        key = hit.story.key
        if key not in stories:
            if max_stories is not None and len(stories) >= max_stories:
                full = True
                continue  # a further passage of one of the first stories may still come
            stories.append(key)
        elif full and key not in stories[:FURTHER_PASSAGE_STORIES]:
            continue
        view = made.get(hit.passage.id)
        views.append(view if view is not None else passage_view(hit, analyzer, asked, acronyms, aliases))
    return views


def _per_subject(question: Question, chosen: list[Candidate], leaders: Sequence[Candidate]) -> list[Candidate]:
    """A comparison, or a question joining subjects, gives each of them a sentence of its own."""
    if not question.per_subject:
        return chosen
    out = list(chosen)
    for subject in question.subjects:
        if any(subject.terms & c.terms for c in out):
            continue
        best = next((c for c in leaders if subject.terms & c.terms and c not in out), None)
        if best is not None:
            if len(out) >= MAX_SENTENCES:
                out.pop()
            out.append(best)
    return out


def _with_antecedents(
    chosen: list[Candidate], views: Sequence[PassageView], shares: Shares, asked: frozenset[str], *,
    keep_first: bool = False,
) -> list[Candidate]:
    """A sentence that points back ("The next day, …", "He said …") is quoted after the sentence it
    points to; without one in its passage, it follows the next sentence instead of leading (never dropped:
    it may hold the answer). ``keep_first``: the first sentence is the evidence a note introduces, and
    stays first."""
    out: list[Candidate] = []
    deferred: list[Candidate] = []
    by_hit = {id(v.hit): v for v in views}
    used = sum(quoted_length(c.text) for c in chosen)
    for candidate in chosen:
        previous = out[-1] if out else None
        if keep_first and not out:
            out.append(candidate)
            continue
        if candidate.unit.anaphoric and not candidate.unit.connective and not (
            previous is not None and previous.hit is candidate.hit and previous.line == candidate.line - 1
        ):
            view = by_hit.get(id(candidate.hit))
            if view is not None and candidate.line > 0:
                text, terms = view.lines[candidate.line - 1]
                quoted = any(c.text == text for c in out)  # already said: not again
                if not quoted and len(text.split()) >= MIN_WORDS and used + quoted_length(text) <= MAX_ANSWER_CHARS + 200:
                    out.append(Candidate(text, terms, 0.0, candidate.hit, candidate.line - 1,
                                         candidate.unit, coverage=shares(asked & terms)))
                    used += quoted_length(text)
            elif not out and len(chosen) > 1:
                deferred.append(candidate)  # no antecedent to be had: another sentence leads, this one follows
                continue
        if any(c.text == candidate.text for c in out):
            continue
        out.append(candidate)
        out.extend(d for d in deferred if all(c.text != d.text for c in out))
        deferred.clear()
    return (out + deferred)[:MAX_QUOTED]


def _select_recent(
    question: Question, views: Sequence[PassageView], candidates: Sequence[Candidate], shares: Shares
) -> list[Candidate]:
    """"Latest on X": the best sentence of each of the newest stories about X, newest first."""
    asked = frozenset(question.weights)
    coverage: dict[str, float] = {}
    for view in views:
        key = view.hit.story.key
        coverage[key] = max(coverage.get(key, 0.0), shares(asked & view.named))
    best_coverage = max(coverage.values(), default=0.0)
    on_topic = {k for k, c in coverage.items() if c >= max(0.5, RECENT_TOPIC_SHARE * best_coverage)}
    best: dict[str, Candidate] = {}
    for candidate in candidates:
        key = candidate.story_key
        if key in on_topic and (key not in best or candidate.score > best[key].score):
            best[key] = candidate
    chosen: list[Candidate] = []
    used = 0
    seen: set[str] = set()
    for candidate in sorted(best.values(), key=lambda c: (-_published(c.story), -c.score)):
        key = title_key(candidate.text)
        if key in seen or (chosen and used + quoted_length(candidate.text) > MAX_ANSWER_CHARS):
            continue
        chosen.append(candidate)
        seen.add(key)
        used += quoted_length(candidate.text)
        if len(chosen) >= RECENT_STORIES:
            break
    return chosen


def _published(story: Story) -> float:
    return story.published.timestamp() if story.published else 0.0


def cite(chosen: Sequence[Candidate]) -> tuple[tuple[AnswerSentence, ...], tuple[Citation, ...]]:
    """Number sources by first use, one number per story, each holding the passages it quotes or that
    corroborate a quote."""
    numbers: dict[str, int] = {}
    passages: dict[str, list[Passage]] = {}
    stories: dict[str, Story] = {}

    def number(hit: RankedPassage) -> int:
        key = hit.story.key
        if key not in numbers:
            numbers[key] = len(numbers) + 1
            passages[key], stories[key] = [], hit.story
        if all(p.id != hit.passage.id for p in passages[key]):
            passages[key].append(hit.passage)
        return numbers[key]

    sentences = []
    for candidate in chosen:
        n = number(candidate.hit)
        also = tuple(dict.fromkeys(m for c in candidate.also if (m := number(c.hit)) != n))
        sentences.append(AnswerSentence(candidate.text, n, candidate.hit.passage.id, also))
    citations = tuple(Citation(numbers[k], stories[k], tuple(passages[k])) for k in numbers)
    return tuple(sentences), citations


def lead_sentence(text: str, title: str) -> str | None:
    """The first sentence of a passage that says something: long enough, and not the headline (verbatim)."""
    return next((s for s in split_sentences(text) if len(s.split()) >= MIN_WORDS and s != title), None)


def compose_digest(question: str, ranked: Sequence[RankedPassage], *, searched: int, day: str) -> Answer:
    """The leading sentence of each of the day's top stories (for "what happened on June 11?")."""
    picked: list[Candidate] = []
    used = 0
    for hit in ranked:
        if any(c.hit.story.key == hit.story.key for c in picked) or len(picked) >= MAX_SENTENCES:
            continue
        lead = lead_sentence(hit.passage.text, hit.story.title)
        if lead is None or (picked and used + quoted_length(lead) > MAX_ANSWER_CHARS):
            continue
        picked.append(Candidate(lead, frozenset(), 0.0, hit, 0, quality(lead, hit.story.title)))
        used += quoted_length(lead)
    if not picked:
        return abstain(question, searched, f"none of the {searched} stories was published on {day}")
    sentences, citations = cite(picked)
    return Answer(question, sentences, citations, searched=searched)
