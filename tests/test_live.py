"""Live coverage in the core: the new-stories signal, subscriptions' matching, "since" times and digests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.live import (
    NO_TOPIC,
    DigestItem,
    SinceError,
    SubscriptionError,
    SubscriptionRow,
    deliveries,
    group_by_topic,
    matches,
    parse_since,
)
from bot.service import MAX_SUBSCRIPTIONS_PER_GUILD, NewsService
from bot.settings import Settings
from retrieval.models import Story, StoryKind

from .live_articles import BUDGET, GLACIER, OTTERS, write_story

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def story(key: str = "k", *, topics: tuple[str, ...] = (), outlet: str | None = None, story_id: int = 1) -> Story:
    return Story(id=story_id, key=key, title=key, kind=StoryKind.ARTICLE, source_file="f", outlet=outlet, topics=topics)


def subscription(
    *, topic: str | None = None, query: str | None = None, outlet: str | None = None, channel: int = 7,
    created: datetime = NOW, sub_id: int = 1,
) -> SubscriptionRow:
    return SubscriptionRow(sub_id, 1, channel, topic, query, outlet, None, created)


# ---- since --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, NOW - timedelta(hours=24)),
        ("", NOW - timedelta(hours=24)),
        ("24h", NOW - timedelta(hours=24)),
        (" 90m ", NOW - timedelta(minutes=90)),
        ("90min", NOW - timedelta(minutes=90)),
        ("3d", NOW - timedelta(days=3)),
        ("2W", NOW - timedelta(weeks=2)),
        ("1.5h", NOW - timedelta(minutes=90)),
        ("2020-06-11", datetime(2020, 6, 11, tzinfo=UTC)),
        ("2020-06-11T08:30", datetime(2020, 6, 11, 8, 30, tzinfo=UTC)),
        ("2020-06-11T08:30+02:00", datetime(2020, 6, 11, 6, 30, tzinfo=UTC)),
    ],
)
def test_since_reads_durations_back_from_now_and_iso_dates_in_utc(text: str | None, expected: datetime) -> None:
    assert parse_since(text, NOW) == expected


@pytest.mark.parametrize("text", ["yesterday", "24", "h", "2020-13-01", "-3d", "99999999999w"])
def test_a_since_that_cannot_be_read_is_one_clear_error(text: str) -> None:
    with pytest.raises(SinceError) as raised:
        parse_since(text, NOW)
    assert "\n" not in str(raised.value) and (text in str(raised.value))


# ---- matching -----------------------------------------------------------------------------------
def test_topic_and_outlet_match_exactly_ignoring_case() -> None:
    s = story(topics=("AI", "Computer Vision"), outlet="Reuters")
    assert matches(subscription(topic="computer vision"), s, set(), [])
    assert not matches(subscription(topic="Computer"), s, set(), [])
    assert matches(subscription(outlet="REUTERS"), s, set(), [])
    assert not matches(subscription(outlet="Reuters UK"), s, set(), [])
    assert not matches(subscription(topic="AI", outlet="BBC"), s, set(), [])


def test_a_query_matches_when_every_term_is_in_the_story() -> None:
    terms = {"otter", "river", "thame"}
    assert matches(subscription(query="x"), story(), terms, ["otter", "river"])
    assert not matches(subscription(query="x"), story(), terms, ["otter", "glacier"])
    assert matches(subscription(), story(), set(), []), "no filter: every new story"


def test_a_story_goes_only_to_subscriptions_made_before_it_was_first_seen() -> None:
    old = subscription(channel=1, created=NOW - timedelta(hours=1), sub_id=1)
    new = subscription(channel=2, created=NOW + timedelta(seconds=1), sub_id=2)
    s = story("fresh")
    chosen = deliveries([old, new], [s], {}, {}, {"fresh": NOW})
    assert chosen == {1: [s]}


def test_a_story_matching_two_subscriptions_of_a_channel_is_delivered_once() -> None:
    a = subscription(topic="AI", sub_id=1, created=NOW - timedelta(hours=1))
    b = subscription(outlet="Reuters", sub_id=2, created=NOW - timedelta(hours=1))
    s = story("both", topics=("AI",), outlet="Reuters")
    assert deliveries([a, b], [s], {}, {}, {"both": NOW}) == {7: [s]}


# ---- digest grouping ----------------------------------------------------------------------------
def test_a_digest_groups_each_story_once_under_its_first_topic_largest_groups_first() -> None:
    items = [
        DigestItem(story("a", topics=("Science", "AI"), story_id=1), "A.", 1),
        DigestItem(story("b", topics=("AI",), story_id=2), "B.", 2),
        DigestItem(story("c", story_id=3), "C.", 3),
        DigestItem(story("d", topics=("AI",), story_id=4), "D.", 4),
    ]
    groups = group_by_topic(items)
    assert [(g.topic, [i.story.key for i in g.items]) for g in groups] == [
        ("AI", ["b", "d"]), ("Science", ["a"]), (NO_TOPIC, ["c"]),
    ]


# ---- the service --------------------------------------------------------------------------------
@pytest.fixture
def folder(tmp_path: Path) -> Path:
    folder = tmp_path / "news"
    write_story(folder, *OTTERS, topics=("Wildlife",))
    return folder


@pytest.fixture
async def live(tmp_path: Path, folder: Path):
    service = await NewsService.open(Settings(seeds=(folder,), db_path=tmp_path / "db" / "newsbot.db"))
    try:
        yield service
    finally:
        await service.close()


async def test_an_ingest_announces_only_stories_it_stores_for_the_first_time(live: NewsService, folder: Path) -> None:
    heard: list[list[str]] = []
    searchable: list[bool] = []

    async def listener(stories: list[Story]) -> None:
        heard.append([s.title for s in stories])
        searchable.append(bool(await live.search("glacier ice")))  # committed and indexed when announced

    live.new_stories.connect(listener)
    write_story(folder, *GLACIER)
    report = await live.ingest()
    assert heard == [[GLACIER[1]]] and report.new_stories and searchable == [True]

    write_story(folder, OTTERS[0], OTTERS[1], OTTERS[2] + " A third paragraph was added.", topics=("Wildlife",))
    (folder / "glacier.md").unlink()
    await live.ingest()
    write_story(folder, *GLACIER)  # it comes back: seen before, so not new
    await live.ingest()
    assert heard == [[GLACIER[1]]], "a changed, removed or returning story is not new"


async def test_a_failing_listener_never_fails_the_ingest(live: NewsService, folder: Path) -> None:
    async def broken(stories: list[Story]) -> None:
        raise RuntimeError("boom")

    live.new_stories.connect(broken)
    write_story(folder, *BUDGET)
    report = await live.ingest()
    assert report.added == ["news/budget.md"]


async def test_a_store_from_before_stories_were_remembered_does_not_announce_its_stories(
    tmp_path: Path, folder: Path
) -> None:
    settings = Settings(seeds=(folder,), db_path=tmp_path / "db" / "newsbot.db")
    async with await NewsService.open(settings) as first, first.store.transaction() as db:
        await db.execute("DELETE FROM story_seen")  # as an older version left it
    async with await NewsService.open(settings, ingest=False) as reopened:
        heard: list[list[Story]] = []

        async def listener(stories: list[Story]) -> None:
            heard.append(stories)

        reopened.new_stories.connect(listener)
        write_story(folder, OTTERS[0], OTTERS[1], OTTERS[2] + " Changed.", topics=("Wildlife",))
        await reopened.ingest()
    assert heard == []


async def test_subscriptions_are_stored_listed_and_removed_per_guild(live: NewsService) -> None:
    made = await live.subscribe(guild_id=1, channel_id=10, topic=" Wildlife ", query="river  otters", created_by=5)
    assert (made.topic, made.query, made.outlet) == ("Wildlife", "river otters", None)
    await live.subscribe(guild_id=2, channel_id=20)
    assert [s.id for s in await live.subscriptions(guild_id=1)] == [made.id]
    assert not await live.unsubscribe(made.id, guild_id=2), "another guild's subscription is not yours to remove"
    assert await live.unsubscribe(made.id, guild_id=1)
    assert await live.subscriptions(guild_id=1) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"query": "the and of"}, "no word to look for"), ({"query": "x" * 201}, "200 characters"),
     ({"topic": "t" * 101}, "100 characters")],
)
async def test_a_subscription_that_cannot_work_is_refused_with_the_reason(
    live: NewsService, fields: dict, message: str
) -> None:
    with pytest.raises(SubscriptionError, match=message):
        await live.subscribe(guild_id=1, channel_id=10, **fields)


async def test_a_guild_has_a_bounded_number_of_subscriptions(live: NewsService) -> None:
    for _ in range(MAX_SUBSCRIPTIONS_PER_GUILD):
        await live.subscribe(guild_id=1, channel_id=10)
    with pytest.raises(SubscriptionError, match="/unsubscribe"):
        await live.subscribe(guild_id=1, channel_id=10)


async def test_deliveries_match_queries_against_the_new_stories_text(live: NewsService, folder: Path) -> None:
    await live.subscribe(guild_id=1, channel_id=10, query="glaciologists melt")
    await live.subscribe(guild_id=1, channel_id=11, query="tram lines")
    await live.subscribe(guild_id=1, channel_id=12, topic="wildlife")
    heard: list[list[Story]] = []

    async def listener(stories: list[Story]) -> None:
        heard.append(stories)

    live.new_stories.connect(listener)
    write_story(folder, *GLACIER)
    write_story(folder, *BUDGET)
    await live.ingest()
    chosen = await live.deliveries(heard[0])
    assert {channel: [s.title for s in stories] for channel, stories in chosen.items()} == {
        10: [GLACIER[1]], 11: [BUDGET[1]],
    }


async def test_a_story_is_claimed_for_a_channel_once(live: NewsService) -> None:
    assert await live.claim_posts(10, ["a", "b", "a"]) == ["a", "b"]
    assert await live.claim_posts(10, ["b", "c"]) == ["c"]
    assert await live.claim_posts(11, ["a"]) == ["a"]


async def test_a_digest_lists_what_was_published_since_with_one_verbatim_sentence_each(
    live: NewsService, folder: Path
) -> None:
    write_story(folder, *GLACIER, topics=("Climate",), published="2026-11-29T09:00:00Z")
    write_story(folder, *BUDGET, topics=(), published="2026-11-20T09:00:00Z")
    await live.ingest()
    digest = await live.digest(datetime(2026, 11, 29, tzinfo=UTC))
    assert [(g.topic, [i.story.title for i in g.items]) for g in digest.groups] == [
        ("Climate", [GLACIER[1]]), ("Wildlife", [OTTERS[1]]),
    ]
    for group in digest.groups:
        for item in group.items:
            assert item.passage_id is not None
            passage = (await live.store.passages([item.passage_id]))[item.passage_id]
            assert item.sentence and item.sentence in passage.text and passage.story_id == item.story.id
    assert digest.groups[0].items[0].sentence == GLACIER[2].split(". ")[0] + "."
    assert (await live.digest(datetime(2026, 11, 1, tzinfo=UTC))).count == 3


async def test_a_long_digest_says_how_many_more_there_are(live: NewsService, folder: Path) -> None:
    write_story(folder, *GLACIER)
    write_story(folder, *BUDGET)
    await live.ingest()
    digest = await live.digest(datetime(2026, 1, 1, tzinfo=UTC), limit=2)
    assert digest.count == 2 and digest.more == 1
