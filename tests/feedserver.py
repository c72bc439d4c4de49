"""A loopback HTTP server (aiohttp.web on 127.0.0.1, a random port) serving RSS and Atom fixtures with
scripted behaviour, and builders for the fixtures. Nothing sleeps: a "slow" response waits on an event."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Item:
    title: str | None
    text: str = ""
    link: str | None = None
    guid: str | None = None
    published: datetime | None = None
    categories: Sequence[str] = ()
    content: str | None = None
    """``content:encoded`` (RSS) or ``<content type="html">`` (Atom)."""


def rss(items: Sequence[Item], *, title: str = "Loopback News", ttl: int | None = None) -> bytes:
    """An RSS 2.0 document."""
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
        f"<title>{escape(title)}</title><link>http://news.example/</link><description>test</description>",
    ]
    if ttl is not None:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        parts.append("<item>")
        if item.title is not None:
            parts.append(f"<title>{escape(item.title)}</title>")
        if item.link:
            parts.append(f"<link>{escape(item.link)}</link>")
        if item.guid:
            parts.append(f'<guid isPermaLink="false">{escape(item.guid)}</guid>')
        if item.published:
            parts.append(f"<pubDate>{format_datetime(item.published)}</pubDate>")
        parts.extend(f"<category>{escape(c)}</category>" for c in item.categories)
        parts.append(f"<description>{escape(item.text)}</description>")
        if item.content:
            parts.append(f"<content:encoded><![CDATA[{item.content}]]></content:encoded>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode()


def atom(items: Sequence[Item], *, title: str = "Loopback Atom") -> bytes:
    """An Atom 1.0 document."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:loopback</id><updated>2026-01-01T00:00:00Z</updated>",
    ]
    for item in items:
        parts.append("<entry>")
        if item.title is not None:
            parts.append(f"<title>{escape(item.title)}</title>")
        if item.link:
            parts.append(f'<link href="{escape(item.link)}"/>')
        parts.append(f"<id>{escape(item.guid or item.link or '')}</id>")
        if item.published:
            parts.append(f"<updated>{item.published.isoformat()}</updated>")
        parts.extend(f'<category term="{escape(c)}"/>' for c in item.categories)
        parts.append(f'<summary type="html">{escape(item.text)}</summary>')
        if item.content:
            parts.append(f'<content type="html">{escape(item.content)}</content>')
        parts.append("</entry>")
    parts.append("</feed>")
    return "".join(parts).encode()


def rdf(items: Sequence[Item], *, title: str = "Loopback RDF") -> bytes:
    """An RSS 1.0 (RDF) document."""
    parts = [
        (
            '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
            ' xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        ),
        (
            f'<channel rdf:about="http://news.example/"><title>{escape(title)}</title><link>http://news.example/</link>'
            "<description>test</description></channel>"
        ),
    ]
    for item in items:
        parts.append(f'<item rdf:about="{escape(item.link or "")}"><title>{escape(item.title or "")}</title>')
        parts.append(f"<link>{escape(item.link or '')}</link><description>{escape(item.text)}</description>")
        if item.published:
            parts.append(f"<dc:date>{item.published.isoformat()}</dc:date>")
        parts.append("</item>")
    parts.append("</rdf:RDF>")
    return "".join(parts).encode()


def article_page(title: str, *paragraphs: str) -> bytes:
    """A news site's HTML page: navigation, the article (a heading and its paragraphs), a footer."""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head><title>{escape(title)} | Loopback News</title></head><body>"
        '<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{escape(title)}</h1>{body}</article>"
        "<footer>Copyright 2026 Loopback News. Subscribe to our newsletter.</footer></body></html>"
    ).encode()


@dataclass
class Served:
    """What a path serves: a body with an ETag and Last-Modified (conditional GETs answered with 304),
    or a scripted handler."""

    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    gzip: bool = False
    handler: Handler | None = None
    content_type: str = "application/rss+xml"


class FeedServer:
    """``server.serve(path, Served(...))``, then fetch ``server.url(path)``; ``requests`` records every request."""

    def __init__(self) -> None:
        self.paths: dict[str, Served] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.gate: asyncio.Event | None = None
        """While set to an unset event, every request waits on it (to observe concurrency)."""
        self._runner: web.AppRunner | None = None
        self.port = 0

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def serve(self, path: str, served: Served) -> None:
        self.paths[path] = served

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.path, dict(request.headers)))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            if self.gate is not None:
                await self.gate.wait()
            served = self.paths.get(request.path)
            if served is None:
                return web.Response(status=404)
            if served.handler is not None:
                return await served.handler(request)
            if served.etag and request.headers.get("If-None-Match") == served.etag:
                return web.Response(status=304, headers=served.headers)
            if served.last_modified and request.headers.get("If-Modified-Since") == served.last_modified:
                return web.Response(status=304, headers=served.headers)
            headers = dict(served.headers)
            if served.etag:
                headers["ETag"] = served.etag
            if served.last_modified:
                headers["Last-Modified"] = served.last_modified
            body = served.body
            if served.gzip:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            return web.Response(body=body, headers=headers, content_type=served.content_type)
        finally:
            self.in_flight -= 1

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        if self._runner is not None:
            await self._runner.cleanup()


class FakeClock:
    """The poller's clock, moved by the test."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self._now = now

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        self._now += seconds
