"""The ``newsbot`` command line: a second adapter over the same core as the Discord bot."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from retrieval.feeds import FeedError
from retrieval.ingest import IngestError
from retrieval.storage import database_errors, is_postgres_url
from retrieval.store import StoreError

from . import formatting
from .evaluation import EvalFileError, evaluate, load_cases
from .live import SinceError, parse_since
from .service import NewsService, QueryOrigin, QuestionError
from .settings import Settings, SettingsError, parse_shards

log = logging.getLogger("newsbot")


class CliError(RuntimeError):
    """A failure reported to the user as one line."""


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
    settings: Settings, *, ingest: bool = True, require_stories: bool = True, compile_search: bool = False
) -> AsyncIterator[NewsService]:
    """An open service (seeds ingested first unless ``ingest`` is False), closed afterwards."""
    service = await NewsService.open(
        settings, ingest=ingest and settings.rescan, compile_search=compile_search, progress=ProgressBar()
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
    async with _session(settings) as service:
        answer = await service.ask(args.question)
        await service.log_query(answer, QueryOrigin(origin="cli"))
    _show(args, answer.to_json(), formatting.answer_text(answer))
    return 0


async def cmd_latest(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings) as service:
        stories = await service.latest(topic=args.topic, outlet=args.outlet, limit=args.limit)
    _show(args, [_story_json(s) for s in stories], formatting.stories_text(stories))
    return 0


async def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings) as service:
        results = await service.search(args.query, limit=args.limit)
    data = [{**_story_json(r.story), "passage": r.passage, "score": round(r.score, 4)} for r in results]
    _show(args, data, formatting.search_text(results))
    return 0


async def cmd_facets(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, require_stories=False) as service:
        facets = await (service.sources() if args.command == "sources" else service.topics())
    noun = "outlets" if args.command == "sources" else "topics"
    data = [{"name": f.name if f.named else None, "stories": f.count} for f in facets]
    _show(args, data, formatting.facets_text(facets, noun))
    return 0


async def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    async with _session(settings, ingest=False, require_stories=False) as service:
        report = await service.ingest([Path(p) for p in args.paths] or None, progress=ProgressBar())
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
    async with _session(settings, require_stories=False) as service:
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

    async with _session(settings, compile_search=True) as service:
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
    cases = load_cases(Path(args.file))
    async with _session(settings) as service:
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


def _version() -> str:
    from importlib import metadata  # on demand (~20 ms with the email parser it reads metadata with)

    try:
        return metadata.version("newsbot")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


class _VersionAction(argparse.Action):
    """``--version``, looked up only when asked for (argparse's own action needs it up front)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="show program's version number and exit", **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace, values, option_string=None) -> None:
        sys.stdout.write(f"{parser.prog} {_version()}\n")  # where argparse's own action writes it
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsbot", description="Answer questions about news coverage, with citations.")
    parser.add_argument("--seeds", action="append", metavar="PATH",
                        help="article file or folder (repeatable; env NEWSBOT_SEEDS; default: the bundled seeds/)")
    parser.add_argument("--db", metavar="PATH", help="SQLite database file, or a postgresql:// URL for a store shared by several processes "
                        "(env NEWSBOT_DB; default .newsbot/newsbot.db)")
    parser.add_argument("--no-rescan", action="store_true",
                        help="answer from the store as it is, without checking the seeds for changed files "
                        "(env NEWSBOT_RESCAN=0; `ingest` still scans)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = sub.add_parser("ask", help="answer a question with cited sources")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    latest = sub.add_parser("latest", help="newest stories first")
    latest.add_argument("--topic")
    latest.add_argument("--outlet")
    latest.add_argument("--limit", type=int, default=10)
    latest.add_argument("--json", action="store_true")
    search = sub.add_parser("search", help="stories ranked by relevance, with the matching passage")
    search.add_argument("query")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--json", action="store_true")
    for name, text in (("sources", "outlets with story counts"), ("topics", "topics with story counts")):
        sub.add_parser(name, help=text).add_argument("--json", action="store_true")
    ingest = sub.add_parser("ingest", help="ingest article files or folders (default: the seeds)")
    ingest.add_argument("paths", nargs="*")
    ingest.add_argument("--json", action="store_true")
    digest = sub.add_parser("digest", help="what was published since a time, one cited sentence a story, by topic")
    digest.add_argument("--since", default="24h", help="e.g. 24h (default), 90m, 3d, 2w or a date like 2020-06-11")
    digest.add_argument("--json", action="store_true")
    sub.add_parser("chat", help="interactive questions in the terminal (article files changed meanwhile are ingested)")
    evaluate_ = sub.add_parser("eval", help="run a question set and report verdicts")
    evaluate_.add_argument("file")
    evaluate_.add_argument("--json", action="store_true")
    sub.add_parser("stats", help="logged questions: top questions, abstentions, feedback, latency").add_argument(
        "--json", action="store_true"
    )
    run = sub.add_parser("run", help="start the Discord bot (needs DISCORD_TOKEN; polls the feeds in the background)")
    run.add_argument("--shard-count", metavar="N", help="Discord shards in all, when several processes split the "
                     "guilds (env NEWSBOT_SHARD_COUNT)")
    run.add_argument("--shard-ids", metavar="A,B", help="the shards this process runs (env NEWSBOT_SHARD_IDS)")
    database = sub.add_parser("db", help="database tools").add_subparsers(dest="db_command", required=True)
    copy = database.add_parser("copy", help="copy a SQLite store into an empty PostgreSQL store")
    copy.add_argument("source", metavar="SQLITE_PATH")
    copy.add_argument("target", metavar="POSTGRESQL_URL")
    copy.add_argument("--json", action="store_true")
    feeds = sub.add_parser("feeds", help="RSS and Atom feeds: add, list, remove, enable, poll")
    feeds_sub = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    add = feeds_sub.add_parser("add", help="subscribe to a feed (http(s):// or file:// URL) and poll it once")
    add.add_argument("url")
    add.add_argument("--name", help="the outlet its stories are listed under (default: the feed's title)")
    add.add_argument("--topic", help="a topic given to all its stories")
    add.add_argument(
        "--full-text", action="store_true",
        help="fetch the article page behind each new item's link and use its text (default: the feed's own text)",
    )
    feeds_sub.add_parser("list", help="the feeds, their health and item counts")
    for name, text in (("remove", "unsubscribe and remove its stories"), ("enable", "re-enable a failing or disabled feed")):
        feeds_sub.add_parser(name, help=text).add_argument("feed", help="its number in `feeds list`, or its URL")
    poll = feeds_sub.add_parser("poll", help="one pass over the feeds that are due (for cron)")
    poll.add_argument("--all", action="store_true", help="poll every enabled feed, due or not")
    for action in feeds_sub.choices.values():
        action.add_argument("--json", action="store_true")
    return parser


_COMMANDS = {
    "ask": cmd_ask, "latest": cmd_latest, "search": cmd_search, "sources": cmd_facets, "topics": cmd_facets,
    "ingest": cmd_ingest, "digest": cmd_digest, "chat": cmd_chat, "eval": cmd_eval, "stats": cmd_stats,
    "db": cmd_db_copy, "feeds": cmd_feeds,
}


EXIT_BROKEN_PIPE = 141
"""The exit status of a command whose reader went away (``newsbot ask … | head -1``): 128 + SIGPIPE, as
a shell reports for programs that SIGPIPE stops."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``newsbot`` and ``python -m bot``."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        status = _run(args)
        sys.stdout.flush()  # a reader that went away shows here, not in the interpreter's exit
        return status
    except BrokenPipeError:
        # Python's documented way (library/signal, "Note on SIGPIPE"): point stdout at devnull so the
        # flush at exit cannot fail again, and leave quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; a failure the user can fix is one line on stderr and exit status 2."""
    try:
        settings = Settings.from_env(seeds=args.seeds, db=args.db, rescan=False if args.no_rescan else None)
        if args.command == "run":
            if args.shard_count or args.shard_ids:
                count, ids = parse_shards(args.shard_count or str(settings.shard_count or ""), args.shard_ids)
                settings = dataclasses.replace(settings, shard_count=count, shard_ids=ids)
            return cmd_run(settings, args)
        limit = getattr(args, "limit", None)
        if limit is not None and not 1 <= limit <= 100:
            raise CliError("--limit must be between 1 and 100")
        return asyncio.run(_COMMANDS[args.command](settings, args))
    except (
        CliError, SettingsError, StoreError, IngestError, EvalFileError, QuestionError, SinceError, FeedError
    ) as error:
        print(f"newsbot: error: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        if not isinstance(error, database_errors()):  # sqlite3 or psycopg: one line, not a traceback
            raise
        print(f"newsbot: error: database error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
