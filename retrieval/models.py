"""Plain data shared by parsing, storage, retrieval and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class StoryKind(str, Enum):
    """Where a story came from inside its file."""

    ARTICLE = "article"  # the file's own story (front matter or plain-text body)
    RELATED = "related"  # an entry of a front-matter item's ``related:`` list


@dataclass(frozen=True, slots=True)
class Article:
    """One story parsed from a file, before it is stored.

    ``body`` holds the text to index (excerpt and/or article body); ``related`` are the stories the
    item lists, each a full story with its own citation.
    """

    title: str
    body: str
    source_file: str
    kind: StoryKind = StoryKind.ARTICLE
    excerpt: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_domain: str | None = None
    published: datetime | None = None
    topics: tuple[str, ...] = ()
    quality: int | None = None
    image_url: str | None = None
    related: tuple[Article, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    """A stored story, as the adapters see it."""

    id: int
    key: str
    title: str
    kind: StoryKind
    source_file: str
    excerpt: str | None = None
    url: str | None = None
    outlet: str | None = None
    outlet_domain: str | None = None
    published: datetime | None = None
    topics: tuple[str, ...] = ()
    quality: int | None = None
    parent_id: int | None = None

    @property
    def citation_label(self) -> str:
        """``Title — Outlet, 2020-06-11`` (whatever of it is known)."""
        tail = ", ".join(p for p in (self.outlet, self.published_date) if p)
        return f"{self.title} — {tail}" if tail else self.title

    @property
    def published_date(self) -> str | None:
        return self.published.date().isoformat() if self.published else None


@dataclass(frozen=True, slots=True)
class Passage:
    """A stored passage: a quotable chunk of one story."""

    id: int
    story_id: int
    ordinal: int
    text: str
    terms: str | None = field(default=None, compare=False, repr=False)
    """The analyzed terms stored at ingest (``retrieval.passages.encode_terms``), when read with the
    passage (None: not loaded). Split only where used, by the responder."""


@dataclass(frozen=True, slots=True)
class RankedPassage:
    """A passage with its BM25 score and its story."""

    passage: Passage
    story: Story
    score: float


NO_OUTLET = "(no outlet)"
"""The outlet facet of the stories that name no outlet."""


@dataclass(frozen=True, slots=True)
class Facet:
    """A name with a count (outlets, topics). ``named``: False for a group without a name of its own
    (:data:`NO_OUTLET`): listed with its count, never offered as a filter."""

    name: str
    count: int
    named: bool = True


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file left out of the store, and why. ``known``: skipped before and unchanged since, so it was
    neither read nor warned about again."""

    path: str
    reason: str
    known: bool = False


@dataclass(slots=True)
class IngestReport:
    """What one ingest changed."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    stories: int = 0
    passages: int = 0
    elapsed_s: float = 0.0
    index_rebuilt: bool = False
    new_stories: list[str] = field(default_factory=list)
    """Keys of the stories stored for the first time (not merely changed), in the order they were stored."""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """One line: ``added 2, updated 0, unchanged 3, removed 0, skipped 1``."""
        return (
            f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
            f"removed {len(self.removed)}, skipped {len(self.skipped)}"
        )


class FeedStatus(str, Enum):
    """A feed's health: polled (``ok``), failing but still polled with backoff, or ``disabled`` (no longer
    polled until a manager re-enables it)."""

    OK = "ok"
    FAILING = "failing"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class Feed:
    """A subscribed RSS or Atom feed, as stored: its HTTP validators, its schedule and its health.

    Times are seconds since the epoch (from the poller's clock)."""

    id: int
    url: str
    name: str | None = None
    topic: str | None = None
    title: str | None = None
    """The feed's own title, from its last successful parse."""
    status: FeedStatus = FeedStatus.OK
    reason: str | None = None
    """Why the last poll failed (HTTP status, bad XML, too large, timeout); None after a success."""
    failures: int = 0
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    interval_s: float = 1800.0
    next_poll: float = 0.0
    last_polled: float | None = None
    guid_unreliable: bool = False
    """Set once the feed gave different items the same GUID: its entries are then known by link or title."""
    full_text: bool = False
    """Each new or changed item's text is the article page its link leads to (when that says more)."""
    items: int = 0
    """How many of its items are in the coverage (filled in by listings)."""

    @property
    def label(self) -> str:
        """The name a reader knows it by: the name given, else the feed's title, else its URL."""
        return self.name or self.title or self.url
