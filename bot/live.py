"""Live coverage, pure parts: which new stories a channel subscription takes, "since" times, digests.

Nothing here reads the store or talks to Discord; :class:`~bot.service.NewsService` feeds it.

Matching a query: every analyzed term of the query (the analyzer the index uses: stemming, stop words)
must occur in the story (its title or text). BM25 is not used to decide: a score only means something
relative to the other stories of one search, and there is no threshold at which "this one new story
matches" would hold across queries and corpus sizes. The all-terms test is predictable for the person
who subscribes ("climate protest" takes the stories that mention both) and costs one set test a story.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from retrieval.models import Story

DEFAULT_SINCE = timedelta(hours=24)
NO_TOPIC = "Other stories"
"""The digest's group for stories without a topic."""

_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(min|m|h|d|w)\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SubscriptionRow:
    """A channel's standing request for new stories (a filter left empty matches every story)."""

    id: int
    guild_id: int | None
    channel_id: int
    topic: str | None
    query: str | None
    outlet: str | None
    created_by: int | None
    created_at: datetime


class SinceError(ValueError):
    """A "since" the bot cannot read; the message says what it accepts."""


class SubscriptionError(ValueError):
    """A subscription that cannot be made (no searchable word in its query, too long); the message says why."""


def parse_since(text: str | None, now: datetime) -> datetime:
    """``"24h"``, ``"90m"``, ``"3d"``, ``"2w"``, an ISO date (``2020-06-11``, midnight UTC) or date and time
    (``2020-06-11T08:00``, UTC unless it says otherwise); empty: 24 hours before ``now``."""
    raw = (text or "").strip()
    if not raw:
        return now - DEFAULT_SINCE
    if match := _RELATIVE.match(raw):
        amount, unit = float(match.group(1)), _UNITS[match.group(2).lower()]
        try:
            return now - timedelta(**{unit: amount})
        except OverflowError:
            raise SinceError(f"{raw!r} reaches back further than dates go") from None
    try:
        if len(raw) <= 10:
            return datetime.combine(date.fromisoformat(raw), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise SinceError(
            f"can't read {raw!r} as a time: use e.g. 24h, 90m, 3d, 2w or a date like 2020-06-11"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def matches(subscription: SubscriptionRow, story: Story, story_terms: set[str], query_terms: Iterable[str]) -> bool:
    """Does a new story belong to this subscription? Topic and outlet: equal, ignoring case; query: every
    analyzed term of it occurs in the story (see the module's note)."""
    if subscription.topic and subscription.topic.casefold() not in {t.casefold() for t in story.topics}:
        return False
    if subscription.outlet and subscription.outlet.casefold() != (story.outlet or "").casefold():
        return False
    return all(term in story_terms for term in query_terms)


def describe(subscription: SubscriptionRow) -> str:
    """``topic AI · outlet Reuters · "face recognition"`` (or ``every new story``)."""
    parts = []
    if subscription.topic:
        parts.append(f"topic {subscription.topic}")
    if subscription.outlet:
        parts.append(f"outlet {subscription.outlet}")
    if subscription.query:
        parts.append(f'"{subscription.query}"')
    return " · ".join(parts) or "every new story"


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One story of a digest with one sentence of it, verbatim from passage ``passage_id`` (None: the story
    has no sentence beyond its headline, e.g. an entry listed by another article)."""

    story: Story
    sentence: str | None
    passage_id: int | None


@dataclass(frozen=True, slots=True)
class DigestGroup:
    topic: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """What is new since a time, grouped by topic. ``more``: stories left out past the limit."""

    since: datetime
    groups: tuple[DigestGroup, ...]
    more: int = 0

    @property
    def count(self) -> int:
        return sum(len(g.items) for g in self.groups)


def group_by_topic(items: Sequence[DigestItem]) -> tuple[DigestGroup, ...]:
    """Each story once, under its first topic; the largest groups first (ties: by name), stories without
    a topic last; within a group, the order of ``items`` (newest first)."""
    groups: dict[str, list[DigestItem]] = {}
    for item in items:
        groups.setdefault(item.story.topics[0] if item.story.topics else NO_TOPIC, []).append(item)
    order = sorted(groups, key=lambda topic: (topic == NO_TOPIC, -len(groups[topic]), topic.casefold()))
    return tuple(DigestGroup(topic, tuple(groups[topic])) for topic in order)


def deliveries(
    subscriptions: Sequence[SubscriptionRow], stories: Sequence[Story], terms: Mapping[int, set[str]],
    query_terms: Mapping[int, Sequence[str]], first_seen: Mapping[str, datetime],
) -> dict[int, list[Story]]:
    """The new stories each channel should get (channel id → stories, each once, in the given order).

    A story goes only to subscriptions made before it was first stored: subscribing never replays the
    backlog, even a backlog that a slow rescan announces after the subscription was made."""
    out: dict[int, dict[str, Story]] = {}
    for subscription in subscriptions:
        for story in stories:
            seen = first_seen.get(story.key)
            if seen is None or seen < subscription.created_at:
                continue
            if matches(subscription, story, terms.get(story.id, set()), query_terms.get(subscription.id, ())):
                out.setdefault(subscription.channel_id, {}).setdefault(story.key, story)
    return {channel: list(chosen.values()) for channel, chosen in out.items()}
