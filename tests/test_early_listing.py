"""The seeds' listing started before it is needed (``newsbot ask``): it lists what the listing made in
place lists, a child that fails costs only time, and a question asked in a fresh process still finds
every file added, rewritten in place or removed since the last one, answering from the new content."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import retrieval.early_listing as early_module
import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings
from retrieval.early_listing import EarlyListing
from retrieval.listing import quick_listing

from .articles import article_text, write_articles
from .conftest import PROJECT_ROOT


def _tree(root: Path) -> list[Path]:
    """Two folders of articles, a subfolder among one's files, and a file that is not an article."""
    files = write_articles(root / "a", 4) + write_articles(root / "b", 3) + write_articles(root / "b" / "article-00001", 2)
    (root / "a" / "photo.jpg").write_bytes(b"\xff\xd8")
    return files


@pytest.mark.parametrize("fork", [True, False], ids=["child process", "thread"])
def test_an_early_listing_is_the_quick_listing_of_its_roots(tmp_path: Path, fork: bool):
    _tree(tmp_path / "archive")
    roots = [tmp_path / "archive"]
    listing = EarlyListing.start(roots, fork=fork)
    assert listing.forked is fork
    early = listing.result()
    here = quick_listing(roots)
    assert early is not None and here is not None
    assert early.digest == here.digest and list(early.files()) == list(here.files()) and len(early) == 9
    with pytest.raises(RuntimeError):
        listing.result()  # taken once


def test_a_child_that_fails_costs_only_time(tmp_path: Path, monkeypatch):
    _tree(tmp_path / "archive")
    roots = [tmp_path / "archive"]
    parent, real = os.getpid(), early_module.quick_listing

    def fails_in_the_child(given, **options):
        if os.getpid() != parent:
            raise OSError("the child's listing failed")
        return real(given, **options)

    monkeypatch.setattr(early_module, "quick_listing", fails_in_the_child)
    listing = EarlyListing.start(roots, fork=True)
    assert listing.forked
    result, again = listing.result(), real(roots)
    assert result is not None and again is not None and result.digest == again.digest  # listed again, here


def test_a_child_whose_listing_is_not_taken_is_stopped(tmp_path: Path):
    _tree(tmp_path / "archive")
    listing = EarlyListing.start([tmp_path / "archive"], fork=True)
    pid = listing._pid
    assert pid is not None
    listing.close()
    with pytest.raises(ChildProcessError):  # stopped and reaped: no process of ours is left behind
        os.waitpid(pid, os.WNOHANG)
    listing.close()  # twice is harmless


async def test_the_ingest_takes_the_early_listing_of_its_roots_and_ignores_one_of_other_roots(
    tmp_path: Path, monkeypatch
):
    files = _tree(tmp_path / "archive")
    settings = Settings(seeds=(tmp_path / "archive",), db_path=tmp_path / "db" / "newsbot.db")
    service = await NewsService.open(settings)
    await service.close()
    os.utime(files[0], ns=(0, files[0].stat().st_mtime_ns + 1_000_000_000))  # changed since
    listed_here: list[object] = []
    real = ingest_module.quick_listing

    def listing_here(roots):
        listed_here.append(roots)
        return real(roots)

    monkeypatch.setattr(ingest_module, "quick_listing", listing_here)
    early = EarlyListing.start(settings.seeds, fork=True)
    service = await NewsService.open(settings, listing=early)
    try:
        assert listed_here == [] and early.forked is False  # the child's listing was taken
        report = await service.ingest()  # listed here: nothing changed since the early listing's ingest
        assert listed_here and not report.changed
        listed_here.clear()
        report = await service.ingest(listing=EarlyListing.start(settings.seeds, fork=True))
        _, stories, passages = await service.store.counts()  # read while the child listed: the same
        assert listed_here == [] and not report.changed and (report.stories, report.passages) == (stories, passages)
        assert await service.story_count() == stories > 0
    finally:
        await service.close()

    other = EarlyListing.start([tmp_path / "archive" / "a"], fork=True)
    listed_here.clear()
    service = await NewsService.open(settings, listing=other)
    try:
        assert listed_here == [list(settings.seeds)] and other.forked is False  # not its roots: stopped
    finally:
        await service.close()


def _ask(question: str, seeds: Path, db: Path) -> tuple[dict, str]:
    """``newsbot -vv ask QUESTION --json`` in a fresh process: the answer and the log lines."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("NEWSBOT_")}
    completed = subprocess.run(
        [sys.executable, "-m", "bot", "-vv", "--db", str(db), "--seeds", str(seeds), "ask", question, "--json"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, env=environment, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout), completed.stderr


def _cited(answer: dict, path: Path) -> list[str]:
    """The passages the answer quotes from ``path``."""
    return [c["passage"] for c in answer["citations"] if Path(c["source_file"]) == path.resolve()]


def test_a_fresh_question_answers_from_files_added_rewritten_in_place_or_removed_since_the_last(tmp_path: Path):
    seeds, db = tmp_path / "archive", tmp_path / "db" / "newsbot.db"
    files = write_articles(seeds, 6)
    otters, badgers, walruses = files[2], files[4], seeds / "article-00006.md"
    answer, log = _ask("How many otters did volunteers count?", seeds, db)  # ingests them
    assert "in a child process" in log and any("first edition" in p for p in _cited(answer, otters))
    answer, log = _ask("How many otters did volunteers count?", seeds, db)
    assert "the listing is the one stored" in log  # settled by the early listing's digest alone

    # rewritten in place: the same size, a later modification time, the folder's own time untouched
    folder_time, before = os.stat(seeds).st_mtime_ns, otters.stat()
    otters.write_text(article_text(2, "again"), encoding="utf-8")
    os.utime(otters, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert otters.stat().st_size == before.st_size and os.stat(seeds).st_mtime_ns == folder_time
    answer, log = _ask("How many otters did volunteers count?", seeds, db)
    quoted = _cited(answer, otters)
    assert quoted and all("again" in p and "first" not in p for p in quoted), answer  # never the stale text

    walruses.write_text(article_text(6), encoding="utf-8")  # added
    answer, _ = _ask("How many walruses did volunteers count?", seeds, db)
    assert _cited(answer, walruses), answer

    assert _cited(_ask("How many badgers did volunteers count?", seeds, db)[0], badgers)
    badgers.unlink()  # removed
    answer, _ = _ask("How many badgers did volunteers count?", seeds, db)
    assert not _cited(answer, badgers), answer


def test_a_question_starts_the_listing_before_it_imports_the_core(tmp_path: Path):
    write_articles(tmp_path / "archive", 2)
    script = (
        "import sys, retrieval.early_listing as e\n"
        "real = e.EarlyListing.start\n"
        "def start(*a, **k):\n"
        "    print('numpy' in sys.modules, 'bot.service' in sys.modules, file=sys.stderr)\n"
        "    return real(*a, **k)\n"
        "e.EarlyListing.start = start\n"
        "from bot.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, "--db", str(tmp_path / "db" / "newsbot.db"), "--seeds",
         str(tmp_path / "archive"), "ask", "How many zebras were counted?"],
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.splitlines()[0] == "False False"


def test_an_interrupted_question_leaves_no_listing_process_behind(tmp_path: Path):
    write_articles(tmp_path / "archive", 2)
    listing = EarlyListing.start([tmp_path / "archive"], fork=True)
    assert listing._pid is not None
    os.kill(listing._pid, signal.SIGKILL)  # as Ctrl-C or a crash would end it
    result = listing.result()  # the ingest lists here instead
    assert result is not None and len(result) == 2
