"""`newsbot feeds …` as a user runs it (a subprocess), with a file:// feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from .feedserver import Item, rss
from .test_cli import assert_one_line_error, newsbot

FERRY = Item(
    "Ferry strike ends after three days", text="<p>The ferry strike ended on Monday after unions accepted a 4% pay rise.</p>",
    link="https://harbour.example/ferry-strike", guid="fs-1", published=datetime(2026, 11, 30, 6, tzinfo=UTC),
    categories=["Transport"],
)


def test_a_feed_added_on_the_command_line_is_listed_answered_and_removed(tmp_path):
    db = tmp_path / "newsbot.db"
    feed = tmp_path / "harbour.xml"
    feed.write_bytes(rss([FERRY], title="Harbour Gazette"))

    added = newsbot("feeds", "add", feed.as_uri(), "--topic", "Local", db=db)
    assert added.returncode == 0, added.stderr
    assert "Added feed #1 Harbour Gazette." in added.stdout and "1 new" in added.stdout
    listed = newsbot("feeds", "list", db=db)
    assert "#1  Harbour Gazette [Local] — 1 items — ok, every 30 min" in listed.stdout
    latest = json.loads(newsbot("latest", "--topic", "Transport", "--json", db=db).stdout)
    assert [s["title"] for s in latest] == [FERRY.title] and latest[0]["outlet"] == "Harbour Gazette"
    answer = json.loads(newsbot("ask", "Why did the ferry strike end?", "--json", db=db).stdout)
    assert answer["citations"][0]["url"] == FERRY.link

    polled = json.loads(newsbot("feeds", "poll", "--all", "--json", db=db).stdout)
    assert [p["result"] for p in polled] == ["unchanged"]
    removed = newsbot("feeds", "remove", "1", db=db)
    assert "Removed feed #1 Harbour Gazette and its 1 items." in removed.stdout
    assert json.loads(newsbot("latest", "--topic", "Transport", "--json", db=db).stdout) == []


def test_feed_errors_are_one_line(tmp_path):
    db = tmp_path / "newsbot.db"
    assert_one_line_error(newsbot("feeds", "add", "ftp://example.com/rss", db=db), "not a feed URL")
    assert_one_line_error(newsbot("feeds", "remove", "4", db=db), "no feed '4'")
    missing = newsbot("feeds", "add", (tmp_path / "missing.xml").as_uri(), db=db)
    assert missing.returncode == 0 and "failed (cannot read" in missing.stdout


def test_a_feed_added_with_full_text_is_listed_so_and_keeps_its_own_text_when_the_page_is_unreachable(tmp_path):
    db = tmp_path / "newsbot.db"
    feed = tmp_path / "harbour.xml"
    unreachable = Item(FERRY.title, text=FERRY.text, link="http://127.0.0.1:9/ferry-strike", guid=FERRY.guid,
                       published=FERRY.published)  # port 9 (discard): the connection is refused
    feed.write_bytes(rss([unreachable], title="Harbour Gazette"))

    added = newsbot("feeds", "add", feed.as_uri(), "--full-text", "--json", db=db)
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout)["feed"]["full_text"] is True
    assert "kept the feed's text of 'Ferry strike ends after three days': connection failed" in added.stderr
    assert "Traceback" not in added.stderr
    listed = newsbot("feeds", "list", db=db)
    assert "#1  Harbour Gazette — 1 items — full text — ok" in listed.stdout
    answer = json.loads(newsbot("ask", "Why did the ferry strike end?", "--json", db=db).stdout)
    assert answer["citations"][0]["url"] == unreachable.link
