"""Plain-text rendering of core results, shared by the CLI and the terminal chat."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from retrieval.models import Facet, Feed, FeedStatus, IngestReport, Story

from .answering import Answer, format_sources

if TYPE_CHECKING:
    from retrieval.feeds import PollOutcome

    from .evaluation import EvalSummary
    from .live import Digest
    from .service import SearchResult, UsageStats

WIDTH = 100


ABSTAIN_HINT = "Try `newsbot latest` for the newest stories or `newsbot search` to browse what is covered."


def answer_text(answer: Answer) -> str:
    """The answer wrapped for a terminal, then its numbered sources (an abstention: what to try instead)."""
    text = f"{answer.text} {ABSTAIN_HINT}" if answer.abstained else answer.text
    lines = textwrap.wrap(text, WIDTH) or [""]
    if answer.citations:
        lines += ["", "Sources:", *format_sources(answer)]
    return "\n".join(lines)


def story_line(story: Story) -> str:
    return f"#{story.id}  {story.citation_label}\n      {story.url or story.source_file}"


def stories_text(stories: Sequence[Story]) -> str:
    return "\n".join(story_line(s) for s in stories) if stories else "No stories match."


def search_text(results: Sequence[SearchResult]) -> str:
    if not results:
        return "No stories match."
    blocks = []
    for rank, result in enumerate(results, start=1):
        snippet = textwrap.shorten(" ".join(result.passage.split()), 240, placeholder=" …")
        blocks.append(f"{rank}. {story_line(result.story)}\n      “{snippet}”")
    return "\n".join(blocks)


def facets_text(facets: Sequence[Facet], noun: str) -> str:
    if not facets:
        return f"No {noun} yet."
    width = max(len(f.name) for f in facets)
    return "\n".join(f"{f.name.ljust(width)}  {f.count}" for f in facets)


def digest_text(digest: Digest) -> str:
    """What is new, topic by topic: one quoted sentence a story, numbered, then the numbered sources."""
    since = digest.since.strftime("%Y-%m-%d %H:%M UTC")
    if not digest.groups:
        return f"Nothing published since {since}."
    lines = [f"New since {since}: {digest.count} stories" + (f" (and {digest.more} more)" if digest.more else "")]
    sources: list[str] = []
    for group in digest.groups:
        lines += ["", f"{group.topic}:"]
        for item in group.items:
            sources.append(f"[{len(sources) + 1}] {item.story.citation_label}\n    {item.story.url or item.story.source_file}")
            text = f"“{item.sentence}” [{len(sources)}]" if item.sentence else f"{item.story.title} [{len(sources)}]"
            lines += textwrap.wrap(text, WIDTH, initial_indent="  - ", subsequent_indent="    ")
    return "\n".join([*lines, "", "Sources:", *sources])


def ingest_text(report: IngestReport) -> str:
    lines = [f"Ingest: {report.summary()} ({report.elapsed_s:.2f} s)"]
    for label, paths in (("added", report.added), ("updated", report.updated), ("removed", report.removed)):
        lines += [f"  {label}: {p}" for p in paths]
    lines += [f"  skipped: {s.path} — {s.reason}" + (" (unchanged since reported)" if s.known else "") for s in report.skipped]
    lines.append(f"Store: {report.stories} stories, {report.passages} passages" + (" (index rebuilt)" if report.index_rebuilt else ""))
    return "\n".join(lines)


def duration(seconds: float) -> str:
    """``45 s``, ``12 min``, ``3 h``, ``2 d`` (rounded)."""
    seconds = max(seconds, 0.0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def feed_health(feed: Feed, now: float) -> str:
    """``ok, every 30 min, next in 12 min`` / ``failing (3 failures): HTTP 500`` / ``disabled: timeout after 20 s``."""
    if feed.status is FeedStatus.DISABLED:
        return f"disabled after {feed.failures} failures: {feed.reason}"
    state = f"{feed.status.value}, every {duration(feed.interval_s)}"
    if feed.status is FeedStatus.FAILING or feed.reason:
        state = f"{feed.status.value} ({feed.failures} failure{'s' * (feed.failures != 1)}: {feed.reason})"
    when = "due now" if feed.next_poll <= now else f"next in {duration(feed.next_poll - now)}"
    return f"{state}, {when}"


def feeds_text(feeds: Sequence[Feed], now: float) -> str:
    """One block per feed: number, name, health, item count, URL."""
    if not feeds:
        return "No feeds yet. Add one with `newsbot feeds add URL`."
    lines = []
    for feed in feeds:
        topic = f" [{feed.topic}]" if feed.topic else ""
        full_text = " — full text" if feed.full_text else ""
        lines.append(f"#{feed.id}  {feed.label}{topic} — {feed.items} items{full_text} — {feed_health(feed, now)}")
        lines.append(f"      {feed.url}")
    if any(f.status is FeedStatus.DISABLED for f in feeds):
        lines.append("Re-enable a disabled feed with `newsbot feeds enable NUMBER`.")
    return "\n".join(lines)


def poll_text(outcomes: Sequence[PollOutcome]) -> str:
    if not outcomes:
        return "No feed is due."
    return "\n".join(outcome.summary() for outcome in outcomes)


def _mark(ok: bool | None) -> str:
    return "✓" if ok else "✗"


def _share(rate: float, hits: int, cases: int) -> str:
    """``75.0% (3/4)``, or ``n/a (0 cases)`` when no case counts."""
    return f"{rate:.1%} ({hits}/{cases})" if cases else "n/a (0 cases)"


def eval_text(summary: EvalSummary) -> str:
    lines = []
    for result in summary.results:
        case = result.case
        if case.answerable:
            detail = f"answered {_mark(result.answered)}  cited {_mark(result.cited)}"
            if case.lead:
                detail += f"  lead {_mark(result.led)}"
        elif case.premise:
            detail = f"premise {_mark(result.premise_ok)}"
        else:
            detail = f"abstained {_mark(result.abstained_correctly)}"
        if not result.faithful:
            detail += f"  UNFAITHFUL {result.total_sentences - result.faithful_sentences} sentence(s)"
        lines.append(f"{'PASS' if result.passed else 'FAIL'}  {case.id:<28} {detail}")
        if not result.passed:
            lines.append(f"      Q: {case.question}")
            lines.append("      A: " + textwrap.shorten(result.answer.text, 300, placeholder=" …"))
    totals = summary.to_json()["totals"]
    passed = (
        f"passed {totals['passed']}/{totals['cases']}: answered correctly {totals['answered_correctly']}/{totals['answerable']}, "
        f"cited correctly {totals['cited_correctly']}/{totals['answerable']}, "
        f"abstained correctly {totals['abstained_correctly']}/{totals['unanswerable']}"
    )
    rates = (
        f"answer hit rate {summary.answer_hit_rate:.1%}, citation hit rate {summary.citation_hit_rate:.1%}, "
        f"abstention accuracy {summary.abstention_accuracy:.1%}, faithfulness {summary.faithfulness:.1%}"
    )
    answer_first = (
        f"answer-first rate {_share(summary.answer_first_rate, totals['answer_first'], totals['lead_cases'])}, "
        f"premise accuracy {_share(summary.premise_accuracy, totals['premise_ok'], totals['premise_cases'])}"
    )
    lines += ["", passed, rates, answer_first]
    return "\n".join(lines)


def stats_text(stats: UsageStats) -> str:
    if not stats.queries:
        return "No questions logged yet."
    lines = [
        f"questions: {stats.queries}   abstained: {stats.abstention_rate:.1%}   feedback: 👍 {stats.upvotes} / 👎 {stats.downvotes}",
        f"latency: p50 {stats.latency_p50_ms:.1f} ms, p95 {stats.latency_p95_ms:.1f} ms",
        "top questions:",
    ]
    lines += [f"  {count:>4}  {question}" for question, count in stats.top_questions]
    return "\n".join(lines)
