"""The ``newsbot`` commands: each opens the service, does one thing and prints it (see :mod:`bot.cli`).

Imported by the command line once the arguments are parsed and the seeds' listing is under way, so that
``newsbot --help`` and argument errors cost no import of the core.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.locations import is_postgres_url

from . import formatting
from .cli import CliError
from .live import parse_since
from .service import NewsService, QueryOrigin, QuestionError
from .settings import Settings

if TYPE_CHECKING:
    import argparse

    from retrieval.early_listing import EarlyListing


class ProgressBar:
    """A one-line progress bar on stderr, shown only on a terminal and for large folders."""

    def __init__(self, stream=sys.stderr, min_total: int = 200) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.min_total = min_total
        self.started = time.perf_counter()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.min_total:
            return
        now = time.perf_counter()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(now - self.started, 1e-9)
        self.stream.write(f"\rIngesting [{'#' * filled}{'.' * (width - filled)}] {done}/{total} files  {rate:,.0f}/s")
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


def _story_json(story) -> dict:
    return {
        "id": story.id,
        "title": story.title,
        "outlet": story.outlet,
        "url": story.url,
        "published": story.published.isoformat().replace("+00:00", "Z") if story.published else None,
        "topics": list(story.topics),
        "quality": story.quality,
        "kind": story.kind.value,
        "source_file": story.source_file,
    }


@asynccontextmanager
async def _session(
    settings: Settings, *, ingest: bool = True, require_stories: bool = True, compile_search: bool = False,
    listing: EarlyListing | None = None,
) -> AsyncIterator[NewsService]:
    """An open service (seeds ingested first unless ``ingest`` is False, from ``listing`` if it was
    started), closed afterwards."""
    service = await NewsService.open(
        settings, ingest=ingest and settings.rescan, compile_search=compile_search, progress=ProgressBar(),
        listing=listing,
    )
    try:
        if require_stories and await service.story_count() == 0:
            where = ", ".join(str(p) for p in settings.seeds)
            raise CliError(f"the corpus is empty: no articles found under {where}")
        yield service
    finally:
        await service.close()


def _show(args: argparse.Namespace, data: object, text: str) -> None:
    """JSON on stdout with ``--json``, the human-readable text otherwise."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        print(text)


async def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, listing=args.listing) as service:
        answer = await service.ask(args.question)
        await service.log_query(answer, QueryOrigin(origin="cli"))
    _show(args, answer.to_json(), formatting.answer_text(answer))
    return 0


async def cmd_latest(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, listing=args.listing) as service:
        stories = await service.latest(topic=args.topic, outlet=args.outlet, limit=args.limit)
    _show(args, [_story_json(s) for s in stories], formatting.stories_text(stories))
    return 0


async def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, listing=args.listing) as service:
        results = await service.search(args.query, limit=args.limit)
    data = [{**_story_json(r.story), "passage": r.passage, "score": round(r.score, 4)} for r in results]
    _show(args, data, formatting.search_text(results))
    return 0


async def cmd_facets(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, require_stories=False, listing=args.listing) as service:
        facets = await (service.sources() if args.command == "sources" else service.topics())
    noun = "outlets" if args.command == "sources" else "topics"
    data = [{"name": f.name if f.named else None, "stories": f.count} for f in facets]
    _show(args, data, formatting.facets_text(facets, noun))
    return 0


async def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, ingest=False, require_stories=False) as service:
        report = await service.ingest([Path(p) for p in args.paths] or None, progress=ProgressBar(), listing=args.listing)
    data = {
        "added": report.added, "updated": report.updated, "unchanged": report.unchanged,
        "removed": report.removed, "skipped": [{"path": s.path, "reason": s.reason, "known": s.known} for s in report.skipped],
        "stories": report.stories, "passages": report.passages, "elapsed_s": round(report.elapsed_s, 3),
        "index_rebuilt": report.index_rebuilt,
    }
    _show(args, data, formatting.ingest_text(report))
    return 0


async def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    since = parse_since(args.since, datetime.now(UTC))
    async with _session(settings, require_stories=False, listing=args.listing) as service:
        digest = await service.digest(since)
    data = {
        "since": since.isoformat().replace("+00:00", "Z"), "stories": digest.count, "more": digest.more,
        "topics": [
            {"topic": group.topic, "stories": [{**_story_json(item.story), "sentence": item.sentence} for item in group.items]}
            for group in digest.groups
        ],
    }
    _show(args, data, formatting.digest_text(digest))
    return 0


async def cmd_chat(settings: Settings, args: argparse.Namespace) -> int:
    from .watch import SeedWatcher  # on demand: watchfiles (and multiprocessing) only for a running chat

    async with _session(settings, compile_search=True, listing=args.listing) as service:
        watcher = SeedWatcher(service) if settings.watch and settings.rescan else None
        if watcher is not None:
            watcher.start()
        try:
            await _chat(service)
        finally:
            if watcher is not None:
                await watcher.stop()
    return 0


async def _chat(service: NewsService) -> None:
    """Questions from the terminal until EOF or 'quit' (the watched folder keeps the coverage current)."""
    history: list[str] = []
    print(f"newsbot chat — {await service.story_count()} stories. Ask a question; 'quit' to leave.")
    while True:
        try:
            question = (await asyncio.to_thread(input, "> ")).strip()
        except EOFError:
            print()
            break
        if question.lower() in {"quit", "exit", ":q"}:
            break
        if not question:
            continue
        try:
            answer = await service.ask(question, context=history)
        except QuestionError as error:
            print(error)
            continue
        await service.log_query(answer, QueryOrigin(origin="chat"))
        history.append(question)
        print(formatting.answer_text(answer) + "\n")


async def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from .evaluation import evaluate, load_cases  # only this command evaluates

    cases = load_cases(Path(args.file))
    async with _session(settings, listing=args.listing) as service:
        summary = await evaluate(service, cases)
    _show(args, summary.to_json(), formatting.eval_text(summary))
    return 0 if summary.passed == len(summary.results) else 1


async def cmd_stats(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, ingest=False, require_stories=False) as service:
        stats = await service.stats()
    data = {
        "queries": stats.queries, "abstention_rate": stats.abstention_rate, "upvotes": stats.upvotes,
        "downvotes": stats.downvotes, "latency_p50_ms": stats.latency_p50_ms,
        "latency_p95_ms": stats.latency_p95_ms, "top_questions": [list(q) for q in stats.top_questions],
    }
    _show(args, data, formatting.stats_text(stats))
    return 0


async def cmd_db_copy(settings: Settings, args: argparse.Namespace) -> int:
    if not is_postgres_url(args.target):
        raise CliError(f"the target must be a postgresql:// URL, got {args.target!r}")
    try:
        from .dbcopy import copy_sqlite_to_postgres
    except ImportError as error:
        raise CliError(f"PostgreSQL support is not installed ({error}): pip install 'newsbot[postgres]'") from None
    report = await copy_sqlite_to_postgres(Path(args.source).expanduser(), args.target)
    _show(args, report.rows, f"Copied {report.summary()}.")
    return 0


def _feed_json(feed) -> dict:
    return {
        "id": feed.id, "url": feed.url, "name": feed.name, "title": feed.title, "topic": feed.topic,
        "full_text": feed.full_text, "status": feed.status.value, "reason": feed.reason, "failures": feed.failures, "items": feed.items,
        "interval_s": feed.interval_s, "next_poll": feed.next_poll, "last_polled": feed.last_polled,
    }


def _outcome_json(outcome) -> dict:
    return {
        "feed": outcome.feed.id, "url": outcome.feed.url, "result": outcome.result.value, "added": outcome.added,
        "updated": outcome.updated, "reason": outcome.reason,
    }


async def cmd_feeds(settings: Settings, args: argparse.Namespace) -> int:
    """``feeds add|list|remove|enable|poll``: the seeds are not rescanned, only feeds are touched."""
    async with _session(settings, ingest=False, require_stories=False) as service:
        action = args.feeds_command
        if action == "add":
            feed, outcomes = await service.add_feed(
                args.url, name=args.name, topic=args.topic, full_text=args.full_text, poll=True
            )
            text = f"Added feed #{feed.id} {feed.label}.\n{formatting.poll_text(outcomes)}"
            _show(args, {"feed": _feed_json(feed), "polled": [_outcome_json(o) for o in outcomes]}, text)
        elif action == "list":
            feeds = await service.list_feeds()
            _show(args, [_feed_json(f) for f in feeds], formatting.feeds_text(feeds, service.clock.now()))
        elif action == "remove":
            feed, report = await service.remove_feed(args.feed)
            text = f"Removed feed #{feed.id} {feed.label} and its {len(report.removed)} items."
            _show(args, {"feed": _feed_json(feed), "removed_items": len(report.removed)}, text)
        elif action == "enable":
            feed, outcomes = await service.enable_feed(args.feed, poll=True)
            text = f"Re-enabled feed #{feed.id} {feed.label}.\n{formatting.poll_text(outcomes)}"
            _show(args, {"feed": _feed_json(feed), "polled": [_outcome_json(o) for o in outcomes]}, text)
        else:  # poll
            outcomes = await service.poll_feeds(force=args.all)
            _show(args, [_outcome_json(o) for o in outcomes], formatting.poll_text(outcomes))
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        from .discord import run_bot
    except ImportError as error:  # pragma: no cover - only without discord.py installed
        raise CliError(f"the Discord adapter is unavailable: {error}") from None
    return run_bot(settings)


COMMANDS = {
    "ask": cmd_ask, "latest": cmd_latest, "search": cmd_search, "sources": cmd_facets, "topics": cmd_facets,
    "ingest": cmd_ingest, "digest": cmd_digest, "chat": cmd_chat, "eval": cmd_eval, "stats": cmd_stats,
    "db": cmd_db_copy, "feeds": cmd_feeds,
}
