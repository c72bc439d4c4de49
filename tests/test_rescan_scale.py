"""Rescans that scale: every file is stat-ed once, a listing the store already reflects (same digest) is
settled without reading the store's file rows, and every added, changed-in-place and removed file is
still found; trees the quick listing does not model take the full listing (threaded stats)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings

from .articles import article_text, write_articles


async def _rescan(settings: Settings):
    service = await NewsService.open(settings, ingest=False)
    try:
        return await service.ingest()
    finally:
        await service.close()


async def test_a_rescan_finds_added_changed_in_place_and_removed_files(tmp_path: Path, monkeypatch):
    root = tmp_path / "archive"
    folders = [root / name for name in ("a", "b", "c")]
    files = [write_articles(folder, 10) for folder in folders]
    settings = Settings(seeds=(root,), db_path=tmp_path / "db" / "newsbot.db")
    first = await _rescan(settings)
    assert len(first.added) == 30

    changed = files[0][3]  # rewritten in place: same size, a later mtime, the folder's own mtime untouched
    folder_mtime = os.stat(folders[0]).st_mtime_ns
    before = changed.stat()
    changed.write_text(article_text(3, "again"), encoding="utf-8")
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert changed.stat().st_size == before.st_size and os.stat(folders[0]).st_mtime_ns == folder_mtime
    added = folders[1] / "article-00099.md"
    added.write_text(article_text(99), encoding="utf-8")
    removed = files[2][7]
    removed.unlink()

    stat_threads: list[tuple[str, str]] = []
    real_stat = os.stat

    def recording_stat(path, *args, **kwargs):
        if str(path).endswith(".md") and "dir_fd" not in kwargs:  # not the listing's lstat of every entry
            stat_threads.append((threading.current_thread().name, str(path)))
        return real_stat(path, *args, **kwargs)

    planned_in: list[threading.Thread] = []
    real_plan = ingest_module._plan

    def recording_plan(*args):
        planned_in.append(threading.current_thread())
        return real_plan(*args)

    monkeypatch.setattr(ingest_module, "_plan", recording_plan)
    monkeypatch.setattr(os, "stat", recording_stat)
    report = await _rescan(settings)
    monkeypatch.setattr(os, "stat", real_stat)
    assert planned_in and threading.main_thread() not in planned_in  # the pass over every file: off the loop

    assert report.added == ["archive/b/article-00099.md"]
    assert report.updated == ["archive/a/article-00003.md"]
    assert report.removed == ["article-00007.md"]
    assert len(report.unchanged) == 28 and not report.skipped
    assert sorted(path for _, path in stat_threads) == sorted([str(added), str(changed)])  # only these are read


@pytest.mark.parametrize("with_link", [False, True], ids=["quick listing", "full listing"])
async def test_the_folders_are_listed_while_the_store_reads_what_it_holds_of_them(
    tmp_path: Path, monkeypatch, with_link: bool
):
    files = write_articles(tmp_path / "archive", 3)
    if with_link:  # a symbolic link: the full (threaded) listing
        (tmp_path / "archive" / "link.md").symlink_to(files[0])
    settings = Settings(seeds=(tmp_path / "archive",), db_path=tmp_path / "db" / "newsbot.db")
    service = await NewsService.open(settings)
    try:
        os.utime(files[1], ns=(0, files[1].stat().st_mtime_ns + 1_000_000_000))  # the listing changed
        store_reading = threading.Event()
        listing_name = "discover" if with_link else "_candidates"
        real_listing, real_file_states = getattr(ingest_module, listing_name), service.store.file_states

        def listing(roots):
            assert store_reading.wait(timeout=2), "the listing waited for nothing: the store read had not started"
            return real_listing(roots)

        async def file_states(**kwargs):
            store_reading.set()
            return await real_file_states(**kwargs)

        monkeypatch.setattr(ingest_module, listing_name, listing)
        monkeypatch.setattr(service.store, "file_states", file_states)
        report = await service.ingest()
        assert len(report.unchanged) == 3
    finally:
        await service.close()


def test_files_are_listed_in_the_order_of_their_sorted_path_components(tmp_path: Path):
    # names with characters that sort before "/" ("a-b", "a b", "a.b", "a!") and folders named like files
    names = ["a", "a-b", "a b", "a.b", "a!", "a0", "c", "c.md"]
    paths = [f"{folder}/{name}.md" for folder in ("a", "a-b", "a b", "b.md") for name in names] + [
        f"{name}.md" for name in names
    ] + [f"a/{sub}/x.md" for sub in ("a", "a-b", "z")]
    for relative in paths:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("Title\n\nBody text of the article.\n", encoding="utf-8")
    listed = [candidate.display.removeprefix(f"{tmp_path.name}/") for candidate in ingest_module.discover([tmp_path])]
    assert listed == sorted(paths, key=lambda path: path.split("/"))
