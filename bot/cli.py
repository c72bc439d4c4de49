"""The ``newsbot`` command line: a second adapter over the same core as the Discord bot.

This module stays light: it parses the arguments and, for a command that rescans the seeds, starts their
listing (:class:`retrieval.early_listing.EarlyListing`) before it imports the core and its commands
(:mod:`bot.commands`), so that listing runs while those imports and the index's opening take place.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import os
import sys
from collections.abc import Sequence

from .settings import Settings, SettingsError, parse_shards

log = logging.getLogger("newsbot")

RESCANNING_COMMANDS = frozenset({"ask", "latest", "search", "sources", "topics", "digest", "chat", "eval"})
"""Commands that bring the store up to date with the seeds before they run (unless told not to)."""


class CliError(RuntimeError):
    """A failure reported to the user as one line."""


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
    parser.set_defaults(listing=None)  # the seeds' early listing, set by main (see _start_listing)
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


EXIT_BROKEN_PIPE = 141
"""The exit status of a command whose reader went away (``newsbot ask … | head -1``): 128 + SIGPIPE, as
a shell reports for programs that SIGPIPE stops."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``newsbot`` and ``python -m bot``."""
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    # NumPy's OpenBLAS starts a thread per core when it loads (~40 ms of CPU); nothing here uses BLAS
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
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


def _start_listing(args: argparse.Namespace, settings: Settings) -> None:
    """For a command about to rescan the seeds in a local store, start their listing now (see the module's
    docstring); a shared store is ingested by its leader only, so nothing is started for it."""
    rescans = args.command in RESCANNING_COMMANDS or (args.command == "ingest" and not args.paths)
    if rescans and settings.rescan and settings.db_url is None:
        from retrieval.early_listing import EarlyListing

        args.listing = EarlyListing.start(settings.seeds)


def _user_errors() -> tuple[type[Exception], ...]:
    """Failures the user can fix, reported as one line (imported only once something failed)."""
    from retrieval.feedtable import FeedError
    from retrieval.ingest import IngestError
    from retrieval.store import StoreError

    from .evaluation import EvalFileError
    from .live import SinceError
    from .service import QuestionError

    return CliError, SettingsError, StoreError, IngestError, EvalFileError, QuestionError, SinceError, FeedError


def _run(args: argparse.Namespace) -> int:
    """Run the parsed command; a failure the user can fix is one line on stderr and exit status 2."""
    try:
        settings = Settings.from_env(seeds=args.seeds, db=args.db, rescan=False if args.no_rescan else None)
        if args.command == "run":
            if args.shard_count or args.shard_ids:
                count, ids = parse_shards(args.shard_count or str(settings.shard_count or ""), args.shard_ids)
                settings = dataclasses.replace(settings, shard_count=count, shard_ids=ids)
            from .commands import cmd_run

            return cmd_run(settings, args)
        limit = getattr(args, "limit", None)
        if limit is not None and not 1 <= limit <= 100:
            raise CliError("--limit must be between 1 and 100")
        _start_listing(args, settings)
        try:
            import asyncio

            from .commands import COMMANDS

            return asyncio.run(COMMANDS[args.command](settings, args))
        finally:
            if args.listing is not None:  # taken by the ingest, or stopped here
                args.listing.close()
    except KeyboardInterrupt:
        print("newsbot: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if isinstance(error, _user_errors()):
            print(f"newsbot: error: {error}", file=sys.stderr)
            return 2
        from retrieval.storage import database_errors

        if not isinstance(error, database_errors()):  # sqlite3 or psycopg: one line, not a traceback
            raise
        print(f"newsbot: error: database error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
