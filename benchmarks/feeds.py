"""Feed polling at scale: N feeds on a loopback server, polled by one bot process (the real service).

    python -m benchmarks.feeds                 # 500 feeds x 20 items, 50 hosts (10 feeds a host)
    python -m benchmarks.feeds --feeds 50 --json out.json

Items are BBC News articles from ``../shared/corpora/bbc`` (headline, first paragraphs as
``content:encoded``), so parsing, HTML stripping, passage splitting and indexing do real work. The
server runs in a separate process (its CPU is not the bot's). Measured, per poll cycle of every feed:
wall time and the bot process's CPU time, for (1) the first poll (every item new), (2) a poll where
every feed answers 304, (3) a poll where every feed has one new item (new ETag, every body re-parsed),
(4) a poll where every body is unchanged but the server sends no validators (body hash).
Then the delay from a new item being served to it being answerable by ``ask``, with the background
poller running and the feed due (median and max of several items).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "corpora" / "bbc"
T0 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def load_articles(limit: int) -> list[tuple[str, list[str]]]:
    """(headline, paragraphs) of BBC articles, in a fixed order."""
    out = []
    for path in sorted(BBC.glob("*/*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="latin-1").split("\n")]
        paragraphs = [line for line in lines[1:] if line]
        out.append((lines[0], paragraphs[:6]))
        if len(out) == limit:
            break
    return out


def rss_body(feed: int, items: list[tuple[int, tuple[str, list[str]]]]) -> bytes:
    parts = [
        (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        ),
        f"<title>Feed {feed}</title><link>http://feed{feed}.example/</link><description>bench</description>",
    ]
    for number, (title, paragraphs) in items:
        html = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
        parts.append(
            f"<item><title>{escape(title)} ({feed}-{number})</title>"
            f"<link>http://feed{feed}.example/{number}</link><guid>f{feed}-{number}</guid>"
            f"<pubDate>{format_datetime(_published(number))}</pubDate>"
            f"<description>{escape(paragraphs[0] if paragraphs else title)}</description>"
            f"<content:encoded><![CDATA[{html}]]></content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def _published(number: int) -> datetime:
    """The first items an hour apart going back; items added later (numbered from 1000) newer than all."""
    return T0 + timedelta(minutes=number) if number >= 1000 else T0 - timedelta(hours=number)


# ---- the server (its own process) ------------------------------------------------------------------
@dataclass
class _Feed:
    items: list[tuple[int, tuple[str, list[str]]]]
    version: int = 1
    body: bytes = b""
    validators: bool = True

    def render(self, feed: int) -> None:
        self.body = rss_body(feed, self.items)


def serve(feeds: int, items: int, hosts: int, ports: multiprocessing.Queue, commands: multiprocessing.Queue) -> None:
    """Serve ``feeds`` feeds on ``hosts`` ports of 127.0.0.1; obey commands ('new', 'novalidators', 'add1 N', 'stop')."""
    articles = load_articles(feeds * items + feeds * 20)  # fewer in the corpus (2,225): reused, under new titles and links
    state: dict[int, _Feed] = {}
    cursor = 0
    for feed in range(feeds):
        state[feed] = _Feed([(n, articles[(cursor + n) % len(articles)]) for n in range(items)])
        state[feed].render(feed)
        cursor += items

    async def handle(request: web.Request) -> web.Response:
        feed = state[int(request.match_info["feed"])]
        etag = f'"v{feed.version}"'
        if feed.validators and request.headers.get("If-None-Match") == etag:
            return web.Response(status=304)
        headers = {"ETag": etag} if feed.validators else {}
        return web.Response(body=feed.body, headers=headers, content_type="application/rss+xml")

    async def main() -> None:
        nonlocal cursor
        app = web.Application()
        app.router.add_get("/feed/{feed}.rss", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        bound = []
        for _ in range(hosts):
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            bound.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ports.put(bound)
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, commands.get)
            if command == "stop":
                break
            if command == "new":  # one new item in every feed
                for number, feed in state.items():
                    feed.items.insert(0, (1000 + feed.version, articles[cursor % len(articles)]))
                    cursor += 1
                    feed.version += 1
                    feed.render(number)
            elif command == "novalidators":
                for feed in state.values():
                    feed.validators = False
            elif command.startswith("add1 "):
                number = int(command.split()[1])
                feed = state[number]
                feed.items.insert(0, (10_000 + cursor, articles[cursor % len(articles)]))
                cursor += 1
                feed.version += 1
                feed.render(number)
                ports.put(f"http://feed{number}.example/{feed.items[0][0]}")
                continue
            ports.put("ok")
        await runner.cleanup()

    asyncio.run(main())


# ---- the bot side ---------------------------------------------------------------------------------
@dataclass
class Cycle:
    name: str
    wall_s: float
    cpu_s: float
    results: dict[str, int] = field(default_factory=dict)


async def run(feeds: int, items: int, hosts: int, latency_samples: int) -> dict:
    from bot.service import NewsService
    from bot.settings import Settings

    context = multiprocessing.get_context("spawn")
    ports_queue: multiprocessing.Queue = context.Queue()
    commands: multiprocessing.Queue = context.Queue()
    server = context.Process(target=serve, args=(feeds, items, hosts, ports_queue, commands), daemon=True)
    server.start()
    ports = ports_queue.get(timeout=120)

    def command(text: str) -> str:
        commands.put(text)
        return ports_queue.get(timeout=120)

    with tempfile.TemporaryDirectory() as work:
        settings = Settings(seeds=(ROOT / "seeds",), db_path=Path(work) / "newsbot.db")
        service = await NewsService.open(settings)
        for number in range(feeds):
            await service.add_feed(f"http://127.0.0.1:{ports[number % hosts]}/feed/{number}.rss")
        cycles: list[Cycle] = []

        async def cycle(name: str) -> None:
            wall, cpu = time.perf_counter(), time.process_time()
            outcomes = await service.poll_feeds(force=True)
            done = Cycle(name, time.perf_counter() - wall, time.process_time() - cpu)
            for outcome in outcomes:
                done.results[outcome.result.value] = done.results.get(outcome.result.value, 0) + 1
            done.results["items added"] = sum(o.added for o in outcomes)
            cycles.append(done)
            print(f"{name:<44} wall {done.wall_s:7.2f} s   CPU {done.cpu_s:7.2f} s   {done.results}", flush=True)

        await cycle("first poll (every item new)")
        await cycle("all 304 Not Modified")
        command("new")
        await cycle("all changed (one new item a feed)")
        command("novalidators")
        await cycle("all 200, unchanged body (hash)")

        # the delay from an item being served to it being answerable, with the background poller running
        service.start_feed_polling()
        delays: list[float] = []
        answered = 0
        for sample in range(latency_samples):
            number = (sample * 7) % feeds
            url = command(f"add1 {number}")
            served = time.perf_counter()
            await service.feeds.table.update(number + 1, next_poll=0.0)  # the feed falls due as the item appears
            service.feeds.wake()
            title = ""
            while True:  # listed by latest, then found by the index that ask searches
                latest = await service.latest(limit=1)
                if latest and latest[0].url == url:
                    title = latest[0].title
                    hits = await service.search(title, limit=1)
                    if hits and hits[0].story.url == url:
                        break
                await asyncio.sleep(0.005)
            delays.append(time.perf_counter() - served)
            answer = await service.ask(f"What is the latest on {title.rsplit(' (', 1)[0]}?")
            answered += any(c.story.url == url for c in answer.citations)
        stories = await service.story_count()
        await service.close()
    commands.put("stop")
    server.join(timeout=10)
    figures = {
        "feeds": feeds, "items_per_feed": items, "hosts": hosts,
        "cycles": [c.__dict__ for c in cycles],
        "served_to_answerable_s": {
            "median": statistics.median(delays), "max": max(delays), "samples": len(delays),
            "asked_and_cited": answered,
        } if delays else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "cpus": os.cpu_count(),
        "stories": stories,
    }
    if delays:
        print(f"served → answerable: median {statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms "
              f"({len(delays)} items; `ask` cited {answered} of them)")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=20, help="items per feed")
    parser.add_argument("--hosts", type=int, default=50, help="server ports (aiohttp limits requests per host)")
    parser.add_argument("--latency-samples", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures = asyncio.run(run(args.feeds, args.items, min(args.hosts, args.feeds), args.latency_samples))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
