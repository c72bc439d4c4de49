"""Feeds: RSS and Atom subscriptions, polled politely into the coverage.

A poll fetches a feed with a conditional GET (a 304 costs nothing), skips a body it has seen (same
SHA-256), parses the rest with ``feedparser`` off the event loop, and hands every item to the ingest
path as a :class:`~retrieval.ingest.Document` keyed ``feed:<feed id>/<entry key>``: the same
all-or-nothing transaction, story keys (an item already covered by a file or another feed is one
story) and incremental index update as article files. Each feed is polled on its own schedule, from
how often it publishes, never sooner than its ``<ttl>``, ``Cache-Control: max-age`` or ``Retry-After``;
failures back off exponentially, then mark the feed failing, then disabled.

A feed added with ``full_text`` has the article page behind each new or changed item's link fetched
(the same timeout, size cap, per-host limit and User-Agent) and its text extracted with ``trafilatura``:
it becomes the story's text when it says more than the feed's own, which is kept otherwise.

Time comes from a :class:`Clock`, so tests move it instead of sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import hashlib
import itertools
import json
import logging
import re
import statistics
import xml.sax
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from .feedtable import (  # noqa: F401 - re-exported: the feeds' table and the light names live there
    FEED_KEY_PREFIX,
    Clock,
    FeedError,
    FeedTable,
    SystemClock,
    validate_url,
)
from .ingest import Document
from .models import Article, Feed, FeedStatus, IngestReport
from .parsing import clean_body
from .storage import NewsStore, database_errors
from .text import normalise_inline, title_key
from .urls import canonical_url

if TYPE_CHECKING:  # aiohttp, feedparser and BeautifulSoup are imported on first use: `newsbot ask` needs none
    import aiohttp

log = logging.getLogger(__name__)

USER_AGENT = "newsbot/0.1 (feed reader; +https://github.com/newsbot/newsbot)"
ARTICLE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
ACCEPT = "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
MIN_INTERVAL_S = 5 * 60
MAX_INTERVAL_S = 24 * 3600
DEFAULT_INTERVAL_S = 30 * 60
"""A feed whose items carry no dates (or one) is polled this often."""
MAX_FEED_BYTES = 5 * 1024 * 1024
"""A feed body larger than this (after decompression) is refused; reading stops at the cap."""
FETCH_TIMEOUT_S = 20.0
PER_HOST_REQUESTS = 2
"""At most this many requests to one host at a time."""
CONCURRENT_POLLS = 32
BACKOFF_BASE_S = 5 * 60
BACKOFF_MAX_S = 6 * 3600
FAILING_AFTER = 3
"""Consecutive failures after which a feed is marked failing (still polled, with backoff)."""
DISABLED_AFTER = 8
"""Consecutive failures after which a feed is disabled (no longer polled until re-enabled)."""
EXCERPT_CHARS = 300
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr",
    "section", "article", "figure", "figcaption", "hr",
)


class FetchFailure(Exception):
    """A poll failed; ``reason`` is shown in the feed list. ``retry_after``: the server's wish, in seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Fetched:
    """A fetched feed: its body (None: 304 Not Modified), its validators and caching hints."""

    body: bytes | None
    etag: str | None = None
    last_modified: str | None = None
    max_age_s: float | None = None
    moved_to: str | None = None
    """The new URL after permanent redirects only (301, 308)."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed body holds: its title, its ``<ttl>``, its items as documents, and whether its GUIDs repeat."""

    title: str | None
    ttl_s: float | None
    documents: tuple[Document, ...]
    published: tuple[datetime, ...]
    guid_unreliable: bool
    skipped: tuple[str, ...] = ()


class PollResult(str, Enum):
    NEW = "new"
    UNCHANGED = "unchanged"
    NOT_MODIFIED = "not modified"
    FAILED = "failed"


@dataclass(slots=True)
class PollOutcome:
    """What one poll of one feed did."""

    feed: Feed
    result: PollResult
    added: int = 0
    updated: int = 0
    reason: str | None = None
    report: IngestReport | None = None

    def summary(self) -> str:
        if self.result is PollResult.FAILED:
            return f"#{self.feed.id} {self.feed.label}: failed ({self.reason})"
        if self.result is PollResult.NEW:
            return f"#{self.feed.id} {self.feed.label}: {self.added} new, {self.updated} updated"
        return f"#{self.feed.id} {self.feed.label}: {self.result.value}"


# ---- parsing -----------------------------------------------------------------------------------
def html_to_text(markup: str) -> str:
    """Text of an HTML fragment: block elements become paragraphs, inline ones stay in their sentence."""
    if "<" not in markup:
        return markup
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "iframe", "noscript"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    return soup.get_text()


def _entry_date(entry: Any) -> datetime | None:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            try:
                return datetime(*value[:6]).replace(tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return None


def _host(url: str | None) -> str | None:
    host = (urlsplit(url).hostname or "").lower() if url else ""
    return host.removeprefix("www.") or None


def _excerpt(text: str) -> str | None:
    flat = normalise_inline(text)
    if len(flat) <= EXCERPT_CHARS:
        return flat or None
    return flat[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def _entry_texts(entry: Any) -> tuple[str, str]:
    """(summary text, full text): ``content:encoded`` / Atom content when the feed carries it."""
    summary = html_to_text(entry.get("summary") or "")
    contents = [c.get("value") or "" for c in entry.get("content") or []]
    content = html_to_text(max(contents, key=len)) if contents else ""
    return summary, content if len(content) > len(summary) else summary


def _identities(entry: Any, title: str, published: datetime | None) -> tuple[str | None, str | None, str]:
    """The entry's GUID, canonical link and title-and-date keys."""
    guid = (entry.get("id") or "").strip() or None
    link = canonical_url(entry.get("link"))
    return guid, link, f"{title_key(title)}|{published.isoformat() if published else ''}"


def _digest(value: str) -> str:
    return hashlib.sha1(value.encode()).hexdigest()[:20]


ITEM_FORMAT = 1
"""Part of every item's fingerprint: bump when items are turned into articles differently."""


@dataclass(frozen=True, slots=True)
class _Entry:
    """A feed entry before it is turned into an article: its title, identities and fingerprint."""

    entry: Any
    title: str
    published: datetime | None
    guid: str | None
    link: str | None
    title_date: str
    fingerprint: str


def _entry(raw: Any, feed: Feed, outlet: str | None) -> _Entry | None:
    """An entry's identities and a fingerprint of everything its article is made from (cheap: no HTML
    is parsed unless the title is missing); None for an entry with neither title nor text."""
    title = normalise_inline(html_to_text(raw.get("title") or ""))
    summary = raw.get("summary") or ""
    contents = [c.get("value") or "" for c in raw.get("content") or []]
    if not title:
        text = _entry_texts(raw)[1].strip()
        title = normalise_inline(text.split("\n")[0])[:120] if text else ""
    if not title:
        return None
    published = _entry_date(raw)
    guid, link, title_date = _identities(raw, title, published)
    tags = [t.get("term") or "" for t in raw.get("tags") or []]
    material = [ITEM_FORMAT, outlet, feed.topic, title, raw.get("link"), guid, str(published), summary, contents, tags]
    fingerprint = hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()
    return _Entry(raw, title, published, guid, link, title_date, fingerprint)


def _article(item: _Entry, feed: Feed, outlet: str | None, key: str) -> Article:
    """The story an entry becomes: text from ``content:encoded`` / Atom content or the summary, HTML stripped."""
    summary, text = _entry_texts(item.entry)
    topics = [feed.topic] if feed.topic else []
    topics += [normalise_inline(t.get("term") or "") for t in item.entry.get("tags") or []]
    link = (item.entry.get("link") or "").strip() or None
    return Article(
        title=item.title, body=clean_body(text, title=item.title, outlets=(outlet,)), source_file=key,
        excerpt=_excerpt(summary), url=link, outlet=outlet, outlet_domain=_host(link) or _host(feed.url),
        published=item.published, topics=tuple(dict.fromkeys(t for t in topics if t)),
    )


def parse_feed(body: bytes, feed: Feed, url: str | None = None, stored: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed body into documents (CPU-bound: run it in a worker thread). FetchFailure on a body
    that is not a feed (bad XML, an HTML page).

    ``stored``: the fingerprints of the feed's stored items by key; an entry whose fingerprint matches is
    left out (not turned into an article again), so a feed with one new item costs one item's work."""
    import feedparser

    # The body is judged as XML whatever Content-Type the server sent (many send text/html). HTML is
    # neither sanitised nor resolved (2.3x faster): it only ever becomes plain text, scripts dropped.
    parsed = feedparser.parse(
        body, response_headers={"content-location": url or feed.url, "content-type": "application/xml"},
        sanitize_html=False, resolve_relative_uris=False,
    )
    problem = parsed.get("bozo_exception")
    bad_xml = f"bad XML: {' '.join(str(problem).split())[:120]}" if isinstance(problem, xml.sax.SAXException) else None
    if not parsed.entries and not bad_xml and not parsed.get("version"):
        raise FetchFailure("not an RSS or Atom feed")
    info = parsed.feed
    feed_title = normalise_inline(html_to_text(info.get("title") or "")) or None
    outlet = feed.name or feed_title or _host(info.get("link")) or _host(feed.url)
    ttl_s: float | None = None
    with contextlib.suppress(TypeError, ValueError):
        ttl_s = float(info.get("ttl")) * 60 if info.get("ttl") else None

    items: list[_Entry] = []
    skipped: list[str] = []
    for raw in parsed.entries:
        item = _entry(raw, feed, outlet)
        if item is None:
            skipped.append("an item with neither a title nor text")
        else:
            items.append(item)
    if bad_xml and not items:  # a feed cut short keeps the items read before the break; none at all fails
        raise FetchFailure(bad_xml)
    if bad_xml:
        log.info("feed %s: %s (kept the %d items before it)", feed.url, bad_xml, len(items))

    # Different items under one GUID: the feed's GUIDs cannot be trusted (now or from now on).
    by_guid: dict[str, set[tuple[str | None, str]]] = {}
    for item in items:
        if item.guid:
            by_guid.setdefault(item.guid, set()).add((item.link, item.title_date))
    unreliable = feed.guid_unreliable or any(len(seen) > 1 for seen in by_guid.values())

    stored = stored or {}
    seen: set[str] = set()
    documents: list[Document] = []
    for item in items:
        if item.guid and not unreliable:
            entry_key = f"guid:{_digest(item.guid)}"
        elif item.link:
            entry_key = f"link:{_digest(item.link)}"
        else:
            entry_key = f"title:{_digest(item.title_date)}"
        key = f"{FEED_KEY_PREFIX}{feed.id}/{entry_key}"
        if key in seen:  # the same item twice in one body: the first wins
            continue
        seen.add(key)
        if stored.get(key) == item.fingerprint:
            continue
        article = _article(item, feed, outlet, key)
        documents.append(Document(key, f"{outlet}: {item.title}", item.fingerprint, (article,)))
    dates = tuple(item.published for item in items if item.published is not None)
    return ParsedFeed(feed_title, ttl_s, tuple(documents), dates, unreliable, tuple(skipped))


# ---- scheduling --------------------------------------------------------------------------------
def publish_interval(dates: Sequence[datetime]) -> float | None:
    """The median gap between the newest items' dates (seconds), or None with fewer than two dates."""
    recent = sorted(set(dates), reverse=True)[:20]
    gaps = [(a - b).total_seconds() for a, b in itertools.pairwise(recent)]
    return statistics.median(gaps) if gaps else None


def poll_interval(dates: Sequence[datetime], *, ttl_s: float | None = None, max_age_s: float | None = None) -> float:
    """How long to wait before polling again: the feed's publishing rhythm clamped to 5 min–24 h, never
    shorter than its ``<ttl>`` or the server's ``max-age``."""
    rhythm = publish_interval(dates)
    interval = min(max(rhythm if rhythm is not None else DEFAULT_INTERVAL_S, MIN_INTERVAL_S), MAX_INTERVAL_S)
    return max(interval, ttl_s or 0.0, max_age_s or 0.0)


def backoff_delay(failures: int) -> float:
    """Capped exponential backoff after ``failures`` consecutive failures (1 → 5 min, 2 → 10 min, … 6 h)."""
    return float(min(BACKOFF_BASE_S * 2 ** max(failures - 1, 0), BACKOFF_MAX_S))


def _retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` in seconds (a number, or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError):
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - now)
    return None


def _max_age(cache_control: str | None) -> float | None:
    match = re.search(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", cache_control or "")
    return float(match.group(1)) if match else None


# ---- fetching ----------------------------------------------------------------------------------
async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    if response.content_length is not None and response.content_length > max_bytes:
        raise FetchFailure(f"too large (over {max_bytes // 1024} KiB)")
    chunks, size = [], 0
    async for chunk in response.content.iter_chunked(64 * 1024):  # decompressed: a gzip bomb stops here too
        size += len(chunk)
        if size > max_bytes:
            raise FetchFailure(f"too large (over {max_bytes // 1024} KiB)")
        chunks.append(chunk)
    return b"".join(chunks)


def _read_file(url: str, max_bytes: int) -> bytes:
    path = Path(url2pathname(urlsplit(url).path))
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as error:
        raise FetchFailure(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise FetchFailure(f"too large (over {max_bytes // 1024} KiB)")
    return data


async def fetch(
    session: aiohttp.ClientSession, feed: Feed, *, now: float, timeout_s: float = FETCH_TIMEOUT_S,
    max_bytes: int = MAX_FEED_BYTES,
) -> Fetched:
    """GET the feed with its validators (ETag, Last-Modified); FetchFailure with a one-line reason."""
    import aiohttp

    if feed.url.startswith("file:"):
        return Fetched(await asyncio.to_thread(_read_file, feed.url, max_bytes))
    headers = {}
    if feed.etag:
        headers["If-None-Match"] = feed.etag
    if feed.last_modified:
        headers["If-Modified-Since"] = feed.last_modified
    try:
        async with session.get(
            feed.url, headers=headers, timeout=aiohttp.ClientTimeout(total=timeout_s), max_redirects=5
        ) as response:
            retry_after = _retry_after(response.headers.get("Retry-After"), now)
            if response.status == 304:
                return Fetched(None, feed.etag, feed.last_modified, _max_age(response.headers.get("Cache-Control")))
            if response.status >= 400:
                raise FetchFailure(f"HTTP {response.status} {response.reason or ''}".strip(), retry_after)
            body = await _read_capped(response, max_bytes)
            moved = None
            if response.history and all(r.status in (301, 308) for r in response.history):
                moved = str(response.url)
            return Fetched(
                body, response.headers.get("ETag"), response.headers.get("Last-Modified"),
                _max_age(response.headers.get("Cache-Control")), moved,
            )
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise _fetch_failure(error, timeout_s) from None


def _fetch_failure(error: Exception, timeout_s: float) -> FetchFailure:
    """The one-line reason for an error of the HTTP client (a timeout, a redirect loop, a failed connection)."""
    import aiohttp

    if isinstance(error, TimeoutError):
        return FetchFailure(f"timeout after {timeout_s:g} s")
    if isinstance(error, aiohttp.TooManyRedirects):
        return FetchFailure("too many redirects")
    if isinstance(error, aiohttp.ClientResponseError):
        return FetchFailure(f"HTTP {error.status} {error.message}".strip())
    return FetchFailure(f"connection failed: {' '.join(str(error).split()) or type(error).__name__}")


async def fetch_article(
    session: aiohttp.ClientSession, url: str, *, timeout_s: float = FETCH_TIMEOUT_S, max_bytes: int = MAX_FEED_BYTES
) -> bytes:
    """GET the HTML page an item links to; FetchFailure with a one-line reason (not http(s), an HTTP
    error, not HTML, too large, timeout)."""
    import aiohttp

    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchFailure(f"not an http(s) link: {url[:120]}")
    try:
        async with session.get(
            url, headers={"Accept": ARTICLE_ACCEPT}, timeout=aiohttp.ClientTimeout(total=timeout_s), max_redirects=5
        ) as response:
            if response.status >= 400:
                raise FetchFailure(f"HTTP {response.status} {response.reason or ''}".strip())
            if response.content_type not in ("text/html", "application/xhtml+xml"):
                raise FetchFailure(f"not an HTML page ({response.content_type})")
            return await _read_capped(response, max_bytes)
    except (TimeoutError, aiohttp.ClientError, OSError) as error:
        raise _fetch_failure(error, timeout_s) from None


def extract_article_text(page: bytes, url: str | None = None) -> str:
    """The article text of an HTML page (``trafilatura``: no navigation, comments or boilerplate),
    paragraphs separated by blank lines; '' when it finds none. CPU-bound: run it in a worker thread."""
    import trafilatura

    text = trafilatura.extract(page, url=url, include_comments=False, include_tables=False) or ""
    return "\n\n".join(line.strip() for line in text.splitlines() if line.strip())


# ---- polling -----------------------------------------------------------------------------------
IngestDocuments = Callable[[Sequence[Document], Sequence[str]], Awaitable[IngestReport]]


@dataclass(slots=True)
class FeedPoller:
    """Polls the stored feeds when they are due and hands their new items to ``ingest``.

    ``run()`` is the background loop of a long-running process; ``poll()`` is one pass (cron, tests)."""

    store: NewsStore
    ingest: IngestDocuments
    clock: Clock = field(default_factory=SystemClock)
    may_write: Callable[[], Awaitable[bool]] | None = None
    """Whether this process may poll (ingest) now: with a store shared by several processes, only the
    leader does. None: always."""
    table: FeedTable = field(init=False)
    timeout_s: float = FETCH_TIMEOUT_S
    max_bytes: int = MAX_FEED_BYTES
    per_host: int = PER_HOST_REQUESTS
    _session: aiohttp.ClientSession | None = None
    _wake: asyncio.Event = field(default_factory=asyncio.Event)
    _polls: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENT_POLLS))
    _in_flight: dict[int, asyncio.Future[PollOutcome]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.table = FeedTable(self.store)

    def session(self) -> aiohttp.ClientSession:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
                connector=aiohttp.TCPConnector(limit=CONCURRENT_POLLS, limit_per_host=self.per_host),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def wake(self) -> None:
        """Poll at once (a feed was added or re-enabled)."""
        self._wake.set()

    async def poll(self, *, force: bool = False, feed_ids: Sequence[int] | None = None) -> list[PollOutcome]:
        """Poll the feeds due now (``force``: every enabled feed), concurrently; one failing or slow feed
        never holds up the others beyond its own timeout."""
        if self.may_write is not None and not await self.may_write():
            raise FeedError("another newsbot process leads this database and polls the feeds")
        now = self.clock.now()
        feeds = await self.table.due(float("inf") if force or feed_ids else now)
        if feed_ids is not None:
            feeds = [f for f in feeds if f.id in set(feed_ids)]
        return list(await asyncio.gather(*(self._poll_guarded(feed) for feed in feeds)))

    async def _poll_guarded(self, feed: Feed) -> PollOutcome:
        """Poll a feed, or join the poll of it already in flight (the background pass and a command at
        once): one feed is never fetched twice at the same time, nor its failures counted twice."""
        running = self._in_flight.get(feed.id)
        if running is None:
            running = self._in_flight[feed.id] = asyncio.ensure_future(self._poll_limited(feed))
            running.add_done_callback(lambda _: self._in_flight.pop(feed.id, None))
        return await asyncio.shield(running)

    async def _poll_limited(self, feed: Feed) -> PollOutcome:
        async with self._polls:
            try:
                return await self.poll_feed(feed)
            except Exception as error:  # a bug with one feed must not stop the pass
                log.exception("polling feed %s failed unexpectedly", feed.url)
                return await self._failed(feed, FetchFailure(f"internal error: {type(error).__name__}"))

    async def poll_feed(self, feed: Feed) -> PollOutcome:
        """Fetch, parse and ingest one feed; record its validators, schedule and health."""
        now = self.clock.now()
        try:
            fetched = await fetch(self.session(), feed, now=now, timeout_s=self.timeout_s, max_bytes=self.max_bytes)
            if fetched.body is None:
                return await self._unchanged(feed, fetched, PollResult.NOT_MODIFIED)
            body_hash = hashlib.sha256(fetched.body).hexdigest()
            if body_hash == feed.body_hash:
                return await self._unchanged(feed, fetched, PollResult.UNCHANGED)
            stored = {
                key: state.sha256 for key, state in (
                    await self.store.file_states(folders=[f"{FEED_KEY_PREFIX}{feed.id}"])
                ).items()
            }
            parsed = await asyncio.to_thread(parse_feed, fetched.body, feed, fetched.moved_to or feed.url, stored)
        except FetchFailure as failure:
            return await self._failed(feed, failure)
        removals: list[str] = []
        if parsed.guid_unreliable and not feed.guid_unreliable:  # re-key the items first stored by GUID
            removals = [key for key in stored if "/guid:" in key]
        documents = parsed.documents
        if feed.full_text and documents:  # only the new or changed items: an unchanged one was left out above
            documents = await self._with_full_text(feed, documents)
        report = await self.ingest(documents, removals)
        for reason in parsed.skipped:
            log.info("feed %s: skipped %s", feed.url, reason)
        changes: dict[str, Any] = {
            "title": parsed.title, "etag": fetched.etag, "last_modified": fetched.last_modified, "body_hash": body_hash,
            "interval_s": poll_interval(parsed.published, ttl_s=parsed.ttl_s, max_age_s=fetched.max_age_s),
            "last_polled": now, "status": FeedStatus.OK, "reason": None, "failures": 0,
            "guid_unreliable": int(parsed.guid_unreliable),
        }
        changes["next_poll"] = now + changes["interval_s"]
        if fetched.moved_to and fetched.moved_to != feed.url:
            changes["url"] = fetched.moved_to
        try:
            await self.table.update(feed.id, **changes)
        except database_errors():  # the new URL is another feed's (UNIQUE): keep the old one
            changes.pop("url", None)
            await self.table.update(feed.id, **changes)
        added = len(report.added)
        result = PollResult.NEW if report.changed else PollResult.UNCHANGED
        if added:
            log.info("feed %s: %d new item(s)", feed.url, added)
        return PollOutcome(replace(feed, title=parsed.title), result, added, len(report.updated), report=report)

    async def _with_full_text(self, feed: Feed, documents: Sequence[Document]) -> tuple[Document, ...]:
        """The items with the text of the article pages they link to, fetched at most ``per_host`` at a time
        (so none waits for a connection while its timeout runs)."""
        turns = asyncio.Semaphore(self.per_host)

        async def one(document: Document) -> Document:
            async with turns:
                return await self._full_text_document(feed, document)

        return tuple(await asyncio.gather(*(one(document) for document in documents)))

    async def _full_text_document(self, feed: Feed, document: Document) -> Document:
        """The item with its article page's text, or as it is (the reason logged in one line) when the
        page cannot be fetched, has no article text, or says less than the feed."""
        (article,) = document.articles
        try:
            if not article.url:
                raise FetchFailure("the item has no link")
            page = await fetch_article(self.session(), article.url, timeout_s=self.timeout_s, max_bytes=self.max_bytes)
            text = await asyncio.to_thread(extract_article_text, page, article.url)
        except FetchFailure as failure:
            log.warning("feed %s: kept the feed's text of %r: %s", feed.url, article.title, failure.reason)
            return document
        body = clean_body(text, title=article.title, outlets=(article.outlet,))
        if len(body) <= len(article.body):
            log.info("feed %s: kept the feed's text of %r: the article page has less text (%d characters, feed %d)",
                     feed.url, article.title, len(body), len(article.body))
            return document
        return replace(document, articles=(replace(article, body=body),))

    async def _unchanged(self, feed: Feed, fetched: Fetched, result: PollResult) -> PollOutcome:
        now = self.clock.now()
        interval = max(feed.interval_s, fetched.max_age_s or 0.0)
        await self.table.update(
            feed.id, last_polled=now, next_poll=now + interval, status=FeedStatus.OK, reason=None, failures=0,
            etag=fetched.etag or feed.etag, last_modified=fetched.last_modified or feed.last_modified,
        )
        return PollOutcome(feed, result)

    async def _failed(self, feed: Feed, failure: FetchFailure) -> PollOutcome:
        now = self.clock.now()
        failures = feed.failures + 1
        status = (
            FeedStatus.DISABLED if failures >= DISABLED_AFTER
            else FeedStatus.FAILING if failures >= FAILING_AFTER else FeedStatus.OK
        )
        delay = max(backoff_delay(failures), failure.retry_after or 0.0)
        await self.table.update(
            feed.id, failures=failures, status=status, reason=failure.reason, last_polled=now, next_poll=now + delay
        )
        log.warning("feed %s: %s (failure %d%s)", feed.url, failure.reason, failures,
                    ", disabled" if status is FeedStatus.DISABLED else "")
        return PollOutcome(feed, PollResult.FAILED, reason=failure.reason)

    async def run(self, *, idle_s: float = 60.0) -> None:
        """Poll due feeds for ever: wakes when the next feed is due (at most ``idle_s`` later) or on :meth:`wake`."""
        while True:
            self._wake.clear()
            try:
                if self.may_write is None or await self.may_write():
                    await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("a feed poll pass failed; trying again later")
            upcoming = await self.table.next_due()
            delay = idle_s if upcoming is None else min(max(upcoming - self.clock.now(), 0.5), idle_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
