"""What each ingest batch asks SQLite stays proportional to the batch, not to the store: the statements
are planned on the indexes made for them (their plans are read, not timed)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from retrieval.store import ENRICH_CLEAR, ENRICH_FROM_LISTED, KNOWN_KEYS, NEW_STORY_KEYS, SCHEMA


@pytest.fixture
def db(tmp_path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(tmp_path / "plans.db")
    connection.executescript(SCHEMA)
    connection.execute("CREATE TEMP TABLE enrich_keys (title_key TEXT PRIMARY KEY)")
    return connection


def _plan(db: sqlite3.Connection, sql: str, parameters: tuple = ()) -> str:
    return "\n".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", parameters))


def test_the_enrichment_reads_only_the_listed_and_the_enriched_stories_of_a_title(db):
    # a title shared by thousands of plain articles (no URL) must not make every batch read them all
    assert "stories_with_url_by_title" in _plan(db, ENRICH_FROM_LISTED)
    clear = _plan(db, ENRICH_CLEAR)
    assert "stories_enriched_by_title" in clear and "stories_with_url_by_title" in clear
    assert "stories_by_title " not in clear


def test_known_keys_read_only_the_stories_that_name_an_outlet(db):
    assert "stories_with_outlet_by_title" in _plan(db, KNOWN_KEYS.format(marks="?,?"), ("a", "b"))


def test_new_story_keys_are_found_by_their_ids_not_by_a_scan_of_every_key(db):
    plan = _plan(db, NEW_STORY_KEYS, (1,))
    assert "INTEGER PRIMARY KEY (rowid>?)" in plan and "SCAN s" not in plan


def test_new_story_keys_come_once_each_in_key_order(db):
    rows = [("c", 1), ("e", 2), ("a", 3), ("d", 4), ("b", 5), ("a", 6)]
    db.executemany("INSERT INTO files VALUES (?, '', 0, 0, '')", [("f",)])
    db.executemany(
        "INSERT INTO stories(id, file_path, ordinal, kind, story_key, title_key, title, own_url)"
        " VALUES (?, 'f', 0, 'article', ?, 't', 't', 0)",
        [(story_id, key) for key, story_id in rows],
    )
    db.execute("INSERT INTO story_seen VALUES ('d', '')")
    assert [row[0] for row in db.execute(NEW_STORY_KEYS, (2,))] == ["a", "b", "e"]
