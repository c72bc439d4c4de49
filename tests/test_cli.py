"""The `newsbot` command line, run as a user would (a subprocess, no token)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import PROJECT_ROOT, SHARED


def _environment(db: Path, env: dict | None = None) -> dict[str, str]:
    environment = {**os.environ, "NEWSBOT_DB": str(db), **(env or {})}
    environment.pop("NEWSBOT_SEEDS", None)
    environment.pop("DISCORD_TOKEN", None)
    return environment


def newsbot(*args: str, db: Path, env: dict | None = None, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=cwd, env=_environment(db, env),
        timeout=120, check=False,
    )


def assert_one_line_error(result: subprocess.CompletedProcess, message: str) -> None:
    """A failing exit with exactly one line on stderr, holding ``message``, and no traceback."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr and "Exception" not in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli") / "newsbot.db"


def test_ask_json_has_the_documented_shape(db):
    result = newsbot("ask", "What did Microsoft pitch to the DEA?", "--json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"question", "answer", "note", "abstained", "sentences", "citations", "elapsed_ms"}
    for sentence in data["sentences"]:
        assert sentence["text"] in data["answer"] and sentence["citations"]
    assert data["abstained"] is False and data["citations"]
    for citation in data["citations"]:
        assert {"n", "title", "outlet", "url", "published", "source_file", "passage"} <= set(citation)
        assert Path(citation["source_file"]).exists()
    assert "[1]" in data["answer"]


def test_the_quickstart_answer_leads_with_a_source_a_reader_can_open_and_date(db):
    data = json.loads(newsbot("ask", "What did Microsoft pitch to the DEA?", "--json", db=db).stdout)
    first = data["citations"][data["sentences"][0]["citations"][0] - 1]
    assert first["url"] and first["outlet"] and first["published"]


def test_ask_abstains_in_json_with_no_citations(db):
    data = json.loads(newsbot("ask", "Did Apple stop selling facial recognition to police?", "--json", db=db).stdout)
    assert data["abstained"] is True and data["citations"] == []


def test_latest_is_newest_first_and_filters_by_outlet_and_topic(db):
    stories = json.loads(newsbot("latest", "--limit", "50", "--json", db=db).stdout)
    dates = [s["published"] for s in stories if s["published"]]
    assert dates == sorted(dates, reverse=True) and len(stories) == len({(s["title"], s["url"]) for s in stories})
    forbes = json.loads(newsbot("latest", "--outlet", "forbes", "--json", db=db).stdout)
    assert forbes and all(s["outlet"] == "Forbes" for s in forbes)
    vision = json.loads(newsbot("latest", "--topic", "Computer Vision", "--json", db=db).stdout)
    assert vision and all("Computer Vision" in s["topics"] for s in vision)


def test_search_ranks_stories_with_their_matching_passage(db):
    results = json.loads(newsbot("search", "Rekognition moratorium", "--limit", "3", "--json", db=db).stdout)
    assert results and "Rekognition" in results[0]["passage"]
    assert len({r["id"] for r in results}) == len(results)


def test_sources_and_topics_list_counts(db):
    sources = newsbot("sources", db=db)
    assert sources.returncode == 0 and "Forbes" in sources.stdout
    topics = json.loads(newsbot("topics", "--json", db=db).stdout)
    assert {"name": "AI", "stories": 3} in topics


def test_ingest_reports_what_changed(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("Zebra news\n\nZebras crossed the road in 2021.\n")
    (folder / "bad.yaml").write_text("title: [oops\n")
    result = newsbot("--seeds", str(folder), "ingest", "--json", db=tmp_path / "i.db")
    report = json.loads(result.stdout)
    assert report["added"] == ["articles/a.txt"]
    assert report["skipped"] == [  # the unclosed flow list ends at EOF
        {"path": "articles/bad.yaml", "reason": "invalid YAML at line 2", "known": False}
    ]
    again = newsbot("--seeds", str(folder), "ingest", db=tmp_path / "i.db")
    assert "added 0, updated 0, unchanged 1, removed 0, skipped 1" in again.stdout
    assert "skipped: articles/bad.yaml — invalid YAML at line 2 (unchanged since reported)" in again.stdout
    assert "WARNING" not in again.stderr  # warned about once, when it was first seen


def test_shared_question_set_passes_every_case(db):
    questions = SHARED / "eval" / "questions.yaml"
    if not questions.exists():
        pytest.skip("../shared/eval/questions.yaml is not beside this checkout")
    result = newsbot("eval", str(questions), "--json", db=db)
    totals = json.loads(result.stdout)["totals"]
    assert result.returncode == 0, result.stdout
    assert totals["passed"] == totals["cases"] and totals["faithfulness"] == 1.0


@pytest.mark.parametrize(
    "args, message",
    [
        (("--seeds", "/nonexistent/folder", "ask", "hi"), "no such file or folder"),
        (("eval", "/nonexistent/q.yaml"), "cannot read"),
        (("ask", "   "), "Please ask a question"),
        (("latest", "--limit", "0"), "--limit must be between 1 and 100"),
    ],
)
def test_errors_are_one_clear_line_and_a_failing_exit(tmp_path, args, message):
    result = newsbot(*args, db=tmp_path / "e.db")
    assert result.returncode != 0
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_unreadable_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = newsbot("latest", db=bad)
    assert result.returncode == 2 and "cannot open database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_empty_corpus_is_a_clear_error(tmp_path):
    (tmp_path / "empty").mkdir()
    result = newsbot("--seeds", str(tmp_path / "empty"), "ask", "anything?", db=tmp_path / "x.db")
    assert result.returncode == 2 and "the corpus is empty" in result.stderr


def test_chat_answers_questions_and_follow_ups(db):
    environment = {**os.environ, "NEWSBOT_DB": str(db)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input="How long is the ban on police use of face recognition?\nand Amazon?\nquit\n",
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=environment, timeout=120,
    )
    assert result.returncode == 0
    assert result.stdout.count("Sources:") == 2


def test_stats_summarises_logged_questions(db):
    newsbot("ask", "What did Microsoft pitch to the DEA?", db=db)
    stats = json.loads(newsbot("stats", "--json", db=db).stdout)
    assert stats["queries"] >= 1 and stats["latency_p50_ms"] > 0


@pytest.mark.parametrize("where", ["a folder", "below a file"])
def test_a_database_path_that_cannot_be_opened_is_one_line(tmp_path, where):
    """(A racing second traceback from aiosqlite's thread is ruled out by tests/test_store.py.)"""
    (tmp_path / "file").write_text("not a folder")
    db = tmp_path if where == "a folder" else tmp_path / "file" / "n.db"
    assert_one_line_error(newsbot("latest", db=db), "cannot open database")


def test_eval_of_a_file_that_is_not_utf8_is_one_line(tmp_path):
    questions = tmp_path / "q.yaml"
    questions.write_bytes("- question: Was the caf\u00e9 closed?\n".encode("latin-1"))
    assert_one_line_error(newsbot("eval", str(questions), db=tmp_path / "e.db"), "is not UTF-8 text (byte 0xe9 on line 1)")


def test_a_dotenv_with_a_latin1_byte_is_one_line(tmp_path):
    (tmp_path / ".env").write_bytes("# settings\nNEWSBOT_USER_HASH_SALT=caf\u00e9\n".encode("latin-1"))
    result = newsbot("latest", db=tmp_path / "e.db", cwd=tmp_path)
    assert_one_line_error(result, ".env is not UTF-8 text (byte 0xe9 on line 2)")


def test_a_reader_that_goes_away_ends_the_command_quietly(db):
    """``newsbot ask … | head -1``: the reader closes the pipe before the answer is written."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "What did Microsoft pitch to the DEA?"], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, cwd=PROJECT_ROOT, env=_environment(db),
    )
    process.stdout.close()  # every write now fails with EPIPE
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 141 and stderr == b""


def test_each_numbered_source_line_links_its_own_story(db):
    """Every "[n] …" line under "Sources:" carries the URL of citation n, not of another source."""
    question = "Did Microsoft stop selling facial recognition to police?"
    citations = json.loads(newsbot("ask", question, "--json", db=db).stdout)["citations"]
    urls = {citation["n"]: citation["url"] or citation["source_file"] for citation in citations}
    assert len(set(urls.values())) >= 2  # the check means something only with distinct sources
    text = newsbot("ask", question, db=db).stdout
    source_lines = text.split("\nSources:\n", 1)[1].strip().splitlines()
    assert len(source_lines) == len(urls)
    for line in source_lines:
        number = int(line[1 : line.index("]")])
        assert line.endswith(f"<{urls[number]}>"), line


def test_chat_answers_from_a_file_added_while_it_runs(tmp_path):
    from .live_articles import GLACIER, write_story

    seeds = tmp_path / "seeds"
    write_story(seeds, "first", "Harbour cranes return to work", "The harbour cranes were back at work on Monday.")
    chat = subprocess.Popen(
        [sys.executable, "-m", "bot", "--seeds", str(seeds), "chat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, cwd=PROJECT_ROOT, env=_environment(tmp_path / "chat.db"),
    )
    try:
        assert chat.stdout is not None and chat.stdout.readline().startswith("newsbot chat — 1 stories")
        time.sleep(0.5)  # the watching thread has started
        write_story(seeds, *GLACIER)
        time.sleep(2.0)  # the watcher groups changes for up to 1 s, then rescans
        out, err = chat.communicate("What did glaciologists report about the Rhone glacier?\nquit\n", timeout=60)
    finally:
        chat.kill()
    assert chat.returncode == 0, err
    assert "Sources:" in out and GLACIER[1] in out


def test_digest_json_lists_stories_by_topic_with_a_sentence_each(db):
    result = newsbot("digest", "--since", "2020-06-01", "--json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["since"] == "2020-06-01T00:00:00Z" and data["stories"] == sum(len(t["stories"]) for t in data["topics"])
    assert data["topics"][0]["stories"][0]["sentence"] and data["topics"][-1]["topic"] == "Other stories"
    text = newsbot("digest", "--since", "2020-06-01", db=db).stdout
    assert text.startswith("New since 2020-06-01 00:00 UTC") and "\nSources:\n[1] " in text


def test_digest_with_an_unreadable_time_is_one_line(db):
    assert_one_line_error(newsbot("digest", "--since", "last week", db=db), "can't read 'last week' as a time")
