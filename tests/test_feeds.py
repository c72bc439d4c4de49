"""Feeds, end to end on loopback: a real aiohttp server serves RSS/Atom fixtures with scripted behaviour,
the real poller fetches them into the real store and index. Time is a FakeClock: nothing sleeps."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from aiohttp import web

from bot.service import NewsService
from retrieval import feeds as feeds_module
from retrieval.feeds import (
    BACKOFF_BASE_S,
    DISABLED_AFTER,
    FAILING_AFTER,
    MAX_INTERVAL_S,
    MIN_INTERVAL_S,
    USER_AGENT,
    FeedError,
    PollResult,
    backoff_delay,
    poll_interval,
)
from retrieval.models import FeedStatus

from .feedserver import FakeClock, Item, Served, article_page, atom, rdf, rss

T0 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)

QUOKKA = Item(
    "Quokka colony found on Rottnest ferry", text="<p>A colony of <b>quokkas</b> was found aboard the ferry.</p>",
    link="https://news.example/quokka", guid="q-1", published=T0, categories=["Animals"],
    content="<p>A colony of <b>quokkas</b> was found aboard the Rottnest ferry on Monday.</p>"
            "<p>Rangers said 17 quokkas had hidden under the benches.</p><script>evil()</script>",
)
GLACIER = Item(
    "Glacier observatory opens in Tromso", text="The Arctic observatory opened to visitors on Sunday.",
    link="https://news.example/glacier", guid="g-1", published=T0 - timedelta(hours=2), categories=["Science"],
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest_asyncio.fixture
async def service(settings, clock):
    service = await NewsService.open(settings, clock=clock)
    try:
        yield service
    finally:
        await service.close()


async def feed_stories(service: NewsService) -> list:
    """The stories that came from feeds, newest first (the seeds' stories left out)."""
    return [story for story in await service.latest(limit=100) if story.source_file.startswith("feed:")]


async def titles(service: NewsService) -> list[str]:
    return [story.title for story in await feed_stories(service)]


# ---- a new item is answerable at once --------------------------------------------------------------
async def test_a_new_item_is_listed_and_answerable_right_after_the_poll_that_found_it(service, server):
    server.serve("/news.rss", Served(rss([GLACIER])))
    feed, _ = await service.add_feed(server.url("/news.rss"), name="Loopback News", topic="Live")
    await service.poll_feeds()
    rebuilds = service.ingestor.rebuild_index

    server.serve("/news.rss", Served(rss([QUOKKA, GLACIER])))
    (outcome,) = await service.poll_feeds(force=True)
    polled = time.perf_counter()
    answer = await service.ask("How many quokkas hid under the benches?")
    latest = await feed_stories(service)
    assert time.perf_counter() - polled < 1.0
    assert outcome.result is PollResult.NEW and outcome.added == 1 and outcome.report is not None
    assert not outcome.report.index_rebuilt and service.ingestor.rebuild_index == rebuilds
    assert not answer.abstained
    assert any("17 quokkas" in s.text for s in answer.sentences)
    assert answer.citations[0].story.url == "https://news.example/quokka"
    story = latest[0]
    assert story.title == QUOKKA.title and story.outlet == "Loopback News" and story.published == T0
    assert set(story.topics) == {"Live", "Animals"} and story.source_file.startswith(f"feed:{feed.id}/")


async def test_item_text_is_the_html_stripped_content_with_the_summary_as_excerpt(service, server):
    server.serve("/news.rss", Served(rss([QUOKKA])))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    (story,) = await feed_stories(service)
    detail = await service.story(story.id)
    text = "\n".join(p.text for p in detail.passages)
    assert "Rangers said 17 quokkas" in text and "<" not in text and "evil" not in text
    assert story.excerpt == "A colony of quokkas was found aboard the ferry."
    assert story.outlet == "Loopback News"  # the feed's own title when no name is given


@pytest.mark.parametrize("build", [atom, rdf], ids=["atom", "rss1.0"])
async def test_atom_and_rss_1_0_feeds_are_read(service, server, build):
    server.serve("/feed", Served(build([GLACIER])))
    await service.add_feed(server.url("/feed"))
    (outcome,) = await service.poll_feeds()
    assert outcome.added == 1
    (story,) = await feed_stories(service)
    assert story.title == GLACIER.title and story.url == GLACIER.link and story.published == GLACIER.published


async def test_a_file_url_feed_is_read(service, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(rss([GLACIER]))
    await service.add_feed(path.as_uri())
    (outcome,) = await service.poll_feeds()
    assert outcome.added == 1 and await titles(service) and GLACIER.title in await titles(service)


# ---- polite and cheap --------------------------------------------------------------------------------
async def test_conditional_get_sends_validators_and_a_304_costs_nothing(service, server, monkeypatch):
    server.serve("/news.rss", Served(rss([GLACIER]), etag='"v1"', last_modified="Mon, 30 Nov 2026 06:00:00 GMT"))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    parses = []
    monkeypatch.setattr(feeds_module, "parse_feed", lambda *a: parses.append(a))

    (outcome,) = await service.poll_feeds(force=True)
    sent = server.hits("/news.rss")[-1]
    assert sent["If-None-Match"] == '"v1"' and sent["If-Modified-Since"] == "Mon, 30 Nov 2026 06:00:00 GMT"
    assert outcome.result is PollResult.NOT_MODIFIED and parses == []


async def test_a_changed_etag_brings_the_new_items(service, server):
    server.serve("/news.rss", Served(rss([GLACIER]), etag='"v1"'))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    server.serve("/news.rss", Served(rss([QUOKKA, GLACIER]), etag='"v2"'))
    (outcome,) = await service.poll_feeds(force=True)
    assert outcome.result is PollResult.NEW and outcome.added == 1
    assert (await service.list_feeds())[0].etag == '"v2"'


async def test_an_unchanged_body_without_validators_is_not_parsed_again(service, server, monkeypatch):
    server.serve("/news.rss", Served(rss([GLACIER])))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    parses = []
    monkeypatch.setattr(feeds_module, "parse_feed", lambda *a: parses.append(a))
    (outcome,) = await service.poll_feeds(force=True)
    assert outcome.result is PollResult.UNCHANGED and parses == []


async def test_requests_carry_a_clear_user_agent_and_gzip_bodies_are_read(service, server):
    server.serve("/news.rss", Served(rss([GLACIER]), gzip=True))
    await service.add_feed(server.url("/news.rss"))
    (outcome,) = await service.poll_feeds()
    headers = server.hits("/news.rss")[0]
    assert headers["User-Agent"] == USER_AGENT and "gzip" in headers["Accept-Encoding"]
    assert outcome.added == 1


async def test_a_feed_is_polled_again_only_when_due(service, server, clock):
    server.serve("/news.rss", Served(rss([GLACIER], ttl=90)))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    (feed,) = await service.list_feeds()
    assert feed.interval_s == 90 * 60 and feed.next_poll == clock.now() + 90 * 60
    assert await service.poll_feeds() == []
    clock.advance(90 * 60)
    assert len(await service.poll_feeds()) == 1


def test_the_interval_follows_the_publishing_rhythm_clamped_and_never_below_ttl_or_max_age():
    hourly = [T0 - timedelta(hours=h) for h in range(6)]
    assert poll_interval(hourly) == 3600
    assert poll_interval([T0 - timedelta(minutes=m) for m in range(6)]) == MIN_INTERVAL_S
    assert poll_interval([T0 - timedelta(days=3 * d) for d in range(4)]) == MAX_INTERVAL_S
    assert poll_interval(hourly, ttl_s=7200) == 7200
    assert poll_interval(hourly, max_age_s=5400) == 5400


async def test_cache_control_max_age_and_retry_after_push_the_next_poll_back(service, server, clock):
    server.serve("/a", Served(rss([GLACIER]), headers={"Cache-Control": "public, max-age=7200"}))

    async def busy(request: web.Request) -> web.Response:
        return web.Response(status=503, headers={"Retry-After": "10800"})

    server.serve("/b", Served(handler=busy))
    await service.add_feed(server.url("/a"))
    await service.add_feed(server.url("/b"))
    await service.poll_feeds()
    a, b = await service.list_feeds()
    assert a.next_poll == clock.now() + 7200
    assert b.next_poll == clock.now() + 10800 and b.reason == "HTTP 503 Service Unavailable"

    server.serve("/a", Served(rss([GLACIER]), etag='"a"', headers={"Cache-Control": "max-age=20000"}))
    await service.poll_feeds(force=True)  # 200 with an ETag, then a 304 that asks for longer
    (outcome,) = await service.poll_feeds(feed_ids=[a.id])
    assert outcome.result is PollResult.NOT_MODIFIED
    assert (await service.list_feeds())[0].next_poll == clock.now() + 20000


async def test_requests_to_one_host_are_limited_while_other_hosts_proceed(service, server):
    for n in range(4):
        server.serve(f"/f{n}", Served(rss([GLACIER], title=f"F{n}")))
        await service.add_feed(server.url(f"/f{n}"))
    server.gate = asyncio.Event()
    polling = asyncio.create_task(service.poll_feeds())
    while server.in_flight < feeds_module.PER_HOST_REQUESTS:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)  # give a third request the chance to (wrongly) arrive
    assert server.in_flight == feeds_module.PER_HOST_REQUESTS
    server.gate.set()
    outcomes = await polling
    assert [o.result for o in outcomes] == [PollResult.NEW] * 4 and server.max_in_flight == 2


# ---- failures ------------------------------------------------------------------------------------------
async def test_failures_back_off_then_mark_the_feed_failing_then_disabled_until_re_enabled(service, server, clock):
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    server.serve("/news.rss", Served(handler=broken))
    feed, _ = await service.add_feed(server.url("/news.rss"))
    statuses = []
    for failure in range(1, DISABLED_AFTER + 1):
        (outcome,) = await service.poll_feeds()
        (feed,) = await service.list_feeds()
        assert outcome.reason == "HTTP 500 Internal Server Error"
        assert feed.next_poll == clock.now() + backoff_delay(failure)
        statuses.append(feed.status)
        clock.advance(backoff_delay(failure))
    assert statuses[: FAILING_AFTER - 1] == [FeedStatus.OK] * (FAILING_AFTER - 1)
    assert statuses[FAILING_AFTER - 1] is FeedStatus.FAILING and statuses[-1] is FeedStatus.DISABLED
    assert backoff_delay(1) == BACKOFF_BASE_S and backoff_delay(2) == 2 * BACKOFF_BASE_S
    assert backoff_delay(50) == feeds_module.BACKOFF_MAX_S
    clock.advance(10 * 24 * 3600)
    assert await service.poll_feeds() == []  # disabled: never polled

    server.serve("/news.rss", Served(rss([GLACIER])))
    enabled, _ = await service.enable_feed(str(feed.id))
    assert enabled.status is FeedStatus.OK and enabled.failures == 0
    (outcome,) = await service.poll_feeds()
    assert outcome.added == 1 and (await service.list_feeds())[0].reason is None


async def test_one_slow_feed_times_out_without_holding_up_the_others(service, server):
    service.feeds.timeout_s = 0.3
    never = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response(status=200)

    server.serve("/slow", Served(handler=slow))
    server.serve("/fine", Served(rss([GLACIER])))
    await service.add_feed(server.url("/slow"))
    await service.add_feed(server.url("/fine"))
    slow_outcome, fine_outcome = await service.poll_feeds()
    never.set()
    assert slow_outcome.reason == "timeout after 0.3 s" and fine_outcome.added == 1


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title><item><title>a</ti", "bad XML"),
        (b"<html><body>Not a feed</body></html>", "not an RSS or Atom feed"),
    ],
    ids=["malformed", "html-page"],
)
async def test_a_body_that_is_not_a_feed_fails_with_the_reason(service, server, body, reason):
    server.serve("/bad", Served(body))
    await service.add_feed(server.url("/bad"))
    (outcome,) = await service.poll_feeds()
    assert outcome.result is PollResult.FAILED and outcome.reason.startswith(reason)
    assert (await service.list_feeds())[0].reason.startswith(reason)


async def test_an_oversized_body_is_refused_without_reading_it_all(service, server):
    service.feeds.max_bytes = 64 * 1024

    async def endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()  # chunked: no Content-Length to refuse up front
        await response.prepare(request)
        for _ in range(1_000):
            await response.write(b"<!-- padding -->" * 1024)
        return response

    server.serve("/huge", Served(handler=endless))
    server.serve("/big", Served(rss([GLACIER]) + b" " * 100_000))
    await service.add_feed(server.url("/huge"))
    await service.add_feed(server.url("/big"))
    outcomes = await service.poll_feeds()
    assert [o.reason for o in outcomes] == ["too large (over 64 KiB)"] * 2


async def test_redirects_are_followed_and_a_permanent_one_updates_the_url(service, server):
    async def moved(request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(server.url("/new.rss"))

    async def found(request: web.Request) -> web.Response:
        raise web.HTTPFound(server.url("/new.rss"))

    server.serve("/old.rss", Served(handler=moved))
    server.serve("/elsewhere.rss", Served(handler=found))
    server.serve("/new.rss", Served(rss([GLACIER])))
    await service.add_feed(server.url("/old.rss"))
    await service.add_feed(server.url("/elsewhere.rss"), name="Elsewhere")
    outcomes = await service.poll_feeds()
    assert all(o.result is PollResult.NEW for o in outcomes)
    urls = [f.url for f in await service.list_feeds()]
    assert urls == [server.url("/new.rss"), server.url("/elsewhere.rss")]


# ---- identity and duplicates -------------------------------------------------------------------------
async def test_an_updated_item_replaces_its_story_and_the_old_text_is_no_longer_quoted(service, server):
    server.serve("/news.rss", Served(rss([GLACIER])))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    corrected = Item(GLACIER.title, text="The Arctic observatory opened to visitors on Tuesday after a delay.",
                     link=GLACIER.link, guid=GLACIER.guid, published=GLACIER.published)
    server.serve("/news.rss", Served(rss([corrected])))
    (outcome,) = await service.poll_feeds(force=True)
    assert (outcome.added, outcome.updated) == (0, 1)
    assert await titles(service) == [GLACIER.title]
    answer = await service.ask("When did the Arctic observatory open to visitors?")
    quoted = " ".join(s.text for s in answer.sentences)
    assert "Tuesday" in quoted and "Sunday" not in quoted


async def test_items_without_guids_are_known_by_link_then_by_title_and_date(service, server):
    no_guid = Item("Harbour bridge repainted", text="The bridge was repainted in green.", link="https://news.example/b")
    bare = Item("Lighthouse keeper retires", text="The last keeper retired.", published=T0)
    server.serve("/news.rss", Served(rss([no_guid, bare])))
    await service.add_feed(server.url("/news.rss"))
    (first,) = await service.poll_feeds()
    server.serve("/news.rss", Served(rss([no_guid, bare]) + b"\n"))  # a new body, the same items
    (again,) = await service.poll_feeds(force=True)
    assert first.added == 2 and again.result is PollResult.UNCHANGED and again.added == again.updated == 0


async def test_a_feed_that_repeats_a_guid_for_different_items_falls_back_to_links(service, server):
    one = Item("Council approves tram line", text="The tram line was approved.", link="https://news.example/t", guid="x")
    two = Item("Museum reopens its west wing", text="The west wing reopened.", link="https://news.example/m", guid="x")
    server.serve("/news.rss", Served(rss([one])))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    server.serve("/news.rss", Served(rss([two, one])))
    (outcome,) = await service.poll_feeds(force=True)
    assert sorted(await titles(service)) == [one.title, two.title]
    assert (await service.list_feeds())[0].guid_unreliable
    assert outcome.report is not None and len(outcome.report.removed) == 1  # the item first stored by GUID, re-keyed
    (again,) = await service.poll_feeds(force=True)
    assert again.result is PollResult.UNCHANGED


async def test_an_item_already_covered_by_a_file_or_another_feed_is_one_story(service, server):
    covered = Item(
        "ACLU Finds Microsoft Tried To Sell Facial Recognition Software to the DEA",
        text="Microsoft pitched its software to the DEA.",
        link="https://www.redmondmag.com/articles/2020/06/17/microsoft-facial-recognition-dea.aspx/?utm_source=rss",
        guid="dea",
    )
    before = await service.story_count()
    server.serve("/a.rss", Served(rss([covered, GLACIER], title="Feed A")))
    server.serve("/b.rss", Served(rss([GLACIER], title="Feed B")))
    await service.add_feed(server.url("/a.rss"))
    await service.add_feed(server.url("/b.rss"))
    await service.poll_feeds()
    assert await service.story_count() == before + 1  # only the glacier is new, however many copies
    assert (await titles(service)).count(GLACIER.title) == 1


# ---- managing feeds ----------------------------------------------------------------------------------
async def test_adding_a_feed_twice_or_a_bad_url_is_a_clear_error(service, server):
    await service.add_feed(server.url("/news.rss"))
    with pytest.raises(FeedError, match="already subscribed"):
        await service.add_feed(server.url("/news.rss"))
    with pytest.raises(FeedError, match="not a feed URL"):
        await service.add_feed("ftp://example.com/feed")
    with pytest.raises(FeedError, match="no feed '9'"):
        await service.remove_feed("9")


async def test_removing_a_feed_removes_its_items_from_answers(service, server):
    server.serve("/news.rss", Served(rss([QUOKKA])))
    feed, _ = await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    assert (await service.list_feeds())[0].items == 1
    removed, report = await service.remove_feed(f"#{feed.id}")
    assert removed.id == feed.id and len(report.removed) == 1
    assert QUOKKA.title not in await titles(service) and await service.list_feeds() == []
    assert (await service.ask("How many quokkas hid under the benches?")).abstained


async def test_the_background_poller_picks_up_a_feed_as_soon_as_it_is_added(service, server):
    server.serve("/news.rss", Served(rss([QUOKKA])))
    service.start_feed_polling()
    await asyncio.sleep(0.1)  # its first pass finds nothing due: it now sleeps up to a minute
    await service.add_feed(server.url("/news.rss"))
    for _ in range(200):
        if QUOKKA.title in await titles(service):
            break
        await asyncio.sleep(0.01)
    assert QUOKKA.title in await titles(service)
    await service.stop_feed_polling()
    assert service.feeds_task is None


async def test_a_feed_polled_by_two_passes_at_once_is_fetched_once(service, server):
    server.serve("/news.rss", Served(rss([GLACIER])))
    await service.add_feed(server.url("/news.rss"))
    server.gate = asyncio.Event()
    first = asyncio.create_task(service.poll_feeds())
    second = asyncio.create_task(service.poll_feeds(force=True))
    while not server.requests:
        await asyncio.sleep(0.01)
    server.gate.set()
    (one,), (two,) = await asyncio.gather(first, second)
    assert len(server.hits("/news.rss")) == 1 and one is two and one.added == 1


async def test_a_store_re_ingested_after_a_layout_change_fetches_its_feeds_again(settings, server, clock):
    import sqlite3

    server.serve("/news.rss", Served(rss([GLACIER]), etag='"v1"'))
    service = await NewsService.open(settings, clock=clock)
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    await service.close()
    with sqlite3.connect(settings.db_path) as db:
        db.execute("PRAGMA user_version = 1")  # written by an older release: the derived rows are dropped
    service = await NewsService.open(settings, clock=clock)
    try:
        (feed,) = await service.list_feeds()
        assert feed.etag is None and feed.body_hash is None and feed.next_poll == 0
        (outcome,) = await service.poll_feeds()
        assert outcome.added == 1 and GLACIER.title in await titles(service)
    finally:
        await service.close()


async def test_only_new_or_changed_items_of_a_changed_body_are_turned_into_stories(service, server, monkeypatch):
    server.serve("/news.rss", Served(rss([GLACIER])))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    built: list[str] = []
    original = feeds_module._article
    monkeypatch.setattr(feeds_module, "_article", lambda item, *a: built.append(item.title) or original(item, *a))
    server.serve("/news.rss", Served(rss([QUOKKA, GLACIER])))
    (outcome,) = await service.poll_feeds(force=True)
    assert built == [QUOKKA.title] and outcome.added == 1 and set(await titles(service)) == {QUOKKA.title, GLACIER.title}


async def test_a_feed_added_and_polled_by_a_command_is_not_due_for_the_background_pass_meanwhile(service, server):
    server.serve("/news.rss", Served(rss([GLACIER])))
    server.gate = asyncio.Event()
    service.feeds.timeout_s = 2.0  # should this fail, it fails fast
    adding = asyncio.create_task(service.add_feed(server.url("/news.rss"), poll=True))
    while not server.requests:
        await asyncio.sleep(0.01)
    assert await service.poll_feeds() == []  # a background pass now: nothing due
    server.gate.set()
    feed, (outcome,) = await adding
    assert outcome.added == 1 and feed.next_poll > service.clock.now()


async def test_feeds_work_the_same_on_a_postgresql_store(tmp_path, seeds_copy, postgres_url, server, clock):
    from bot.settings import Settings

    settings = Settings(seeds=(seeds_copy,), db_url=postgres_url, index_path=tmp_path / "pg.index")
    server.serve("/news.rss", Served(rss([QUOKKA, GLACIER]), etag='"v1"'))
    service = await NewsService.open(settings, clock=clock)
    try:
        feed, (outcome,) = await service.add_feed(server.url("/news.rss"), name="Loopback News", poll=True)
        assert outcome.added == 2 and feed.etag == '"v1"' and feed.items == 2
        with pytest.raises(FeedError, match="already subscribed"):
            await service.add_feed(server.url("/news.rss"))
        answer = await service.ask("How many quokkas hid under the benches?")
        assert answer.citations and answer.citations[0].story.url == QUOKKA.link
        (not_modified,) = await service.poll_feeds(force=True)
        assert not_modified.result is PollResult.NOT_MODIFIED
        _, report = await service.remove_feed(str(feed.id))
        assert len(report.removed) == 2 and await service.list_feeds() == []
    finally:
        await service.close()


async def test_new_feed_items_are_announced_once_like_new_files_searchable_when_heard(service, server):
    heard: list[list[str]] = []

    async def listener(stories) -> None:
        searchable = [(await service.search(s.title, limit=1))[0].story.url == s.url for s in stories]
        heard.append([s.title for s in stories] + (["searchable"] if all(searchable) else []))

    service.new_stories.connect(listener)
    server.serve("/news.rss", Served(rss([QUOKKA])))
    await service.add_feed(server.url("/news.rss"))
    await service.poll_feeds()
    edited = Item(QUOKKA.title, text="Updated.", link=QUOKKA.link, guid=QUOKKA.guid, content=QUOKKA.content)
    server.serve("/news.rss", Served(rss([edited, GLACIER])))
    await service.poll_feeds(force=True)
    assert heard == [[QUOKKA.title, "searchable"], [GLACIER.title, "searchable"]]  # an edited item is not new


# ---- full text: an option per feed ----------------------------------------------------------------------
FERRY_PAGE = article_page(
    QUOKKA.title or "",
    "A colony of quokkas was found aboard the Rottnest ferry on Monday, rangers said.",
    "The ferry captain said the animals had boarded at Fremantle while the crew loaded crates of mangoes.",
    "Rangers returned all 17 quokkas to the island by Tuesday afternoon and fitted a new gate to the gangway.",
)


def linked(item: Item, link: str) -> Item:
    """The item with its link pointing at ``link`` (a page on the loopback server)."""
    return Item(item.title, text=item.text, link=link, guid=item.guid, published=item.published,
                categories=item.categories, content=item.content)


async def story_text(service: NewsService, title: str) -> str:
    story = next(s for s in await feed_stories(service) if s.title == title)
    detail = await service.story(story.id)
    assert detail is not None
    return "\n".join(p.text for p in detail.passages)


async def test_a_full_text_feed_takes_each_new_items_text_from_its_article_page_once(service, server):
    quokka = linked(QUOKKA, server.url("/articles/quokka"))
    server.serve("/articles/quokka", Served(FERRY_PAGE, content_type="text/html"))
    server.serve("/news.rss", Served(rss([quokka])))
    feed, (outcome,) = await service.add_feed(server.url("/news.rss"), full_text=True, poll=True)
    assert feed.full_text and outcome.added == 1

    answer = await service.ask("Where did the quokkas board the ferry?")
    assert not answer.abstained and any("Fremantle" in s.text for s in answer.sentences)
    assert answer.citations[0].story.url == quokka.link
    text = await story_text(service, QUOKKA.title)
    assert "crates of mangoes" in text and "Subscribe" not in text and "Sport" not in text
    (request,) = server.hits("/articles/quokka")
    assert request["User-Agent"] == USER_AGENT and request["Accept"].startswith("text/html")

    glacier = linked(GLACIER, server.url("/articles/glacier"))  # a new body: the quokka item unchanged
    server.serve("/news.rss", Served(rss([quokka, glacier])))
    (again,) = await service.poll_feeds(force=True)
    assert again.added == 1 and len(server.hits("/articles/quokka")) == 1 and len(server.hits("/articles/glacier")) == 1


def _status(status: int) -> Callable[[asyncio.Event], Served]:
    async def respond(request: web.Request) -> web.Response:
        return web.Response(status=status)

    return lambda released: Served(handler=respond)


def _hanging(released: asyncio.Event) -> Served:
    """A page that answers only once the test is over (released)."""

    async def hang(request: web.Request) -> web.Response:
        await released.wait()
        return web.Response(body=FERRY_PAGE, content_type="text/html")

    return Served(handler=hang)


@pytest.mark.parametrize(
    ("serve", "reason"),
    [
        (_status(500), "HTTP 500 Internal Server Error"),
        (_hanging, "timeout after 0.5 s"),
        (lambda _: Served(FERRY_PAGE + b" " * 70_000, content_type="text/html"), "too large (over 64 KiB)"),
        (lambda _: Served(b"%PDF-1.7", content_type="application/pdf"), "not an HTML page (application/pdf)"),
        (lambda _: Served(article_page(QUOKKA.title or "", "Quokkas."), content_type="text/html"),
         "the article page has less text"),
    ],
    ids=["http-500", "timeout", "oversized", "not-html", "less-text"],
)
async def test_a_full_text_feed_keeps_the_feeds_text_when_the_page_fails_and_logs_why_once(
    service, server, caplog, serve, reason
):
    service.feeds.timeout_s, service.feeds.max_bytes = 0.5, 64 * 1024
    released = asyncio.Event()
    server.serve("/articles/quokka", serve(released))
    server.serve("/news.rss", Served(rss([linked(QUOKKA, server.url("/articles/quokka"))])))
    with caplog.at_level("INFO", logger="retrieval.feeds"):
        _, (outcome,) = await service.add_feed(server.url("/news.rss"), full_text=True, poll=True)
    released.set()
    assert outcome.added == 1 and len(server.hits("/articles/quokka")) == 1
    text = await story_text(service, QUOKKA.title)
    assert "Rangers said 17 quokkas had hidden under the benches." in text and "Fremantle" not in text
    (logged,) = [r for r in caplog.records if "kept the feed's text" in r.getMessage()]
    assert reason in logged.getMessage() and "\n" not in logged.getMessage() and logged.exc_info is None


async def test_a_feed_without_the_full_text_option_never_requests_its_items_links(service, server):
    server.serve("/articles/quokka", Served(FERRY_PAGE, content_type="text/html"))
    server.serve("/news.rss", Served(rss([linked(QUOKKA, server.url("/articles/quokka"))])))
    feed, (outcome,) = await service.add_feed(server.url("/news.rss"), poll=True)
    assert not feed.full_text and outcome.added == 1
    assert server.hits("/articles/quokka") == []
    assert "Fremantle" not in await story_text(service, QUOKKA.title)


async def test_a_feeds_table_from_before_the_option_gains_it_switched_off(store_settings, server, clock):
    server.serve("/news.rss", Served(rss([GLACIER])))
    service = await NewsService.open(store_settings, clock=clock)
    try:
        await service.add_feed(server.url("/news.rss"), name="Old Feed", poll=True)
        async with service.store.transaction() as db:  # the table as an earlier release created it
            await db.execute("ALTER TABLE feeds DROP COLUMN full_text")
    finally:
        await service.close()
    for _ in range(2):  # the migration adds the column once, and is harmless when run again
        service = await NewsService.open(store_settings, clock=clock)
        try:
            (feed,) = await service.list_feeds()
            assert feed.name == "Old Feed" and feed.items == 1 and not feed.full_text
        finally:
            await service.close()
    service = await NewsService.open(store_settings, clock=clock)
    try:
        added, _ = await service.add_feed(server.url("/other.rss"), full_text=True)
        assert added.full_text and [f.full_text for f in await service.list_feeds()] == [False, True]
    finally:
        await service.close()
