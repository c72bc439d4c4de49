"""Corroboration: the same fact reported by several stories becomes one sentence with several citations.

Sentences from different stories that say nearly the same thing (most of their words shared, or the same
answering span and much of the wording) form a group; the group is quoted once, in its best-written and
best-sourced wording, and cites every story in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .candidates import Candidate, metadata

SAME_FACT_JACCARD = 0.5
SAME_SPAN_JACCARD = 0.3
SAME_SPAN_CONTAINED = 0.6
"""Two sentences with the same answering span, one repeating most of the other, report the same fact."""
SAME_FACT_CONTAINED = 0.7
MIN_CONTAINED_TERMS = 6
"""An untyped sentence of at least this many terms, this much of which another repeats, reports the same fact."""
CLOSE_SHARE = 0.85
"""Wordings of a fact scoring within this share of the best are equally relevant: the best-sourced leads…"""
SOURCED_LEAD_SHARE = 0.65
"""…and one with outlet, date or link leads a bare local file's wording down to this share."""
CORROBORATION_BONUS = 0.05
"""Each further story (up to MAX_EXTRA) that reports the fact lifts it by this share."""
MAX_EXTRA = 3


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # the union's size, without building it


def same_fact(a: Candidate, b: Candidate) -> bool:
    """Do two sentences report the same fact?"""
    if bool(a.typed) != bool(b.typed):
        return False  # one holds an answer the other lacks
    overlap = jaccard(a.terms, b.terms)
    if overlap >= SAME_FACT_JACCARD:
        return True
    if a.typed and b.typed and (overlap >= SAME_SPAN_JACCARD or containment(a.terms, b.terms) >= SAME_SPAN_CONTAINED):
        return bool({_norm(s) for s in a.typed} & {_norm(s) for s in b.typed})
    # a short report the longer one repeats almost whole ("Emails obtained by the ACLU show Microsoft pushed its
    # facial recognition tools to the DEA" in a reworded account that adds the date)
    return (not a.typed and min(len(a.terms), len(b.terms)) >= MIN_CONTAINED_TERMS
            and containment(a.terms, b.terms) >= SAME_FACT_CONTAINED)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """How much of the shorter sentence the longer one repeats."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _norm(span: str) -> str:
    return " ".join(span.casefold().replace("-", " ").split())


def sourcing(candidate: Candidate) -> float:
    """How well sourced and written a wording is: a story with outlet, date and link, a whole sentence,
    a higher quality score."""
    story = candidate.story
    known = metadata(story)
    unit = candidate.unit
    written = 0.0 if unit.headline or (unit.fragment and not unit.elided) else 0.5 if unit.fragment else 1.0
    return known + written + (story.quality or 0) / 1000


def group(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Groups of the same fact, each led by its best wording, best groups first.

    The leader carries the others in ``also`` (one per other story); its score is the best in the group,
    lifted a little for each corroborating story."""
    ordered = sorted(candidates, key=lambda c: -c.score)
    groups: list[list[Candidate]] = []
    for candidate in ordered:
        for members in groups:
            if same_fact(members[0], candidate):
                members.append(candidate)
                break
        else:
            groups.append([candidate])
    leaders: list[Candidate] = []
    for members in groups:
        best = members[0].score
        # equally relevant wordings: the best-sourced leads
        bare = metadata(members[0].story) == 0.0  # a local file: a reader can't open or date it
        close = [m for m in members
                 if m.score >= (SOURCED_LEAD_SHARE if bare and metadata(m.story) > 0 else CLOSE_SHARE) * best]
        leader = max(close, key=lambda m: (sourcing(m), m.score))
        stories = {leader.story_key}
        leader.also = []
        for member in members:
            if member.story_key not in stories:
                stories.add(member.story_key)
                leader.also.append(member)
        leader.score = best * (1 + CORROBORATION_BONUS * min(len(leader.also), MAX_EXTRA))
        leaders.append(leader)
    leaders.sort(key=lambda c: -c.score)
    return leaders
