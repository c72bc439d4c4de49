"""The rescan's digest: a listing the store already reflects is settled without reading the store's file
rows; every kind of change is still found; trees the quick listing does not model, and ingests that did
not settle every file, never leave a digest that could hide a change."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings
from retrieval.listing import quick_listing

from .articles import article_text, write_articles


def _settings(tmp_path: Path, *seeds: Path) -> Settings:
    return Settings(seeds=seeds or (tmp_path / "archive",), db_path=tmp_path / "db" / "newsbot.db")


async def _rescan(
    settings: Settings, monkeypatch=None, *, rows_read: list[str] | None = None, folders_read: list[str] | None = None
):
    service = await NewsService.open(settings, ingest=False)
    try:
        if rows_read is not None:
            real_file_states = service.store.file_states

            async def file_states(**kwargs):
                rows_read.append("file_states")
                if folders_read is not None:
                    folders_read.extend(kwargs.get("folders", ()))
                return await real_file_states(**kwargs)

            monkeypatch.setattr(service.store, "file_states", file_states)
        report = await service.ingest()
        return report, await service.store.listing_digest()
    finally:
        await service.close()


def _archive(tmp_path: Path) -> list[list[Path]]:
    return [write_articles(tmp_path / "archive" / name, 4) for name in ("a", "b")]


async def test_an_unchanged_listing_is_settled_without_reading_the_stored_file_rows(tmp_path: Path, monkeypatch):
    _archive(tmp_path)
    settings = _settings(tmp_path)
    first, digest = await _rescan(settings)
    assert len(first.added) == 8 and digest is not None

    rows_read: list[str] = []
    again, digest_again = await _rescan(settings, monkeypatch, rows_read=rows_read)
    assert rows_read == []
    assert again.unchanged == [f"archive/{f}/article-0000{n}.md" for f in "ab" for n in range(4)]
    assert not (again.added or again.updated or again.removed or again.skipped)
    assert again.stories == first.stories and again.passages == first.passages
    assert digest_again == digest


def _add(files: list[list[Path]]) -> str:
    (files[1][0].parent / "article-00099.md").write_text(article_text(99), encoding="utf-8")
    return "added"


def _change_in_place(files: list[list[Path]]) -> str:
    changed, folder = files[0][2], files[0][2].parent
    before, folder_mtime = changed.stat(), folder.stat().st_mtime_ns
    changed.write_text(article_text(2, "again"), encoding="utf-8")
    os.utime(changed, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    assert changed.stat().st_size == before.st_size and folder.stat().st_mtime_ns == folder_mtime
    return "updated"


def _remove(files: list[list[Path]]) -> str:
    files[1][3].unlink()
    return "removed"


def _replace_by_rename(files: list[list[Path]]) -> str:
    """Same size and modification time, another file (an atomic replace): only the inode tells."""
    target = files[0][1]
    before = target.stat()
    fresh = target.with_name("fresh.tmp")
    fresh.write_text(article_text(1, "again"), encoding="utf-8")
    os.utime(fresh, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert fresh.stat().st_size == before.st_size
    fresh.replace(target)
    return "found"


@pytest.mark.parametrize("change", [_add, _change_in_place, _remove, _replace_by_rename])
async def test_each_kind_of_change_is_found_after_a_rescan_that_recorded_a_digest(tmp_path: Path, change, monkeypatch):
    files = _archive(tmp_path)
    settings = _settings(tmp_path)
    await _rescan(settings)
    _, digest = await _rescan(settings)
    assert digest is not None

    kind = change(files)
    rows_read: list[str] = []
    folders_read: list[str] = []
    report, after = await _rescan(settings, monkeypatch, rows_read=rows_read, folders_read=folders_read)
    assert rows_read == ["file_states"] and after not in (None, digest)  # the comparison ran…
    folder = "b" if kind in ("added", "removed") else "a"
    assert folders_read == [f"{(tmp_path / 'archive' / folder).resolve()}/"]  # …over the changed folder only
    assert len(report.unchanged) + len(report.added) + len(report.updated) == (9 if kind == "added" else 8 - (kind == "removed"))
    if kind == "added":
        assert report.added == ["archive/b/article-00099.md"]
    elif kind == "updated":
        assert report.updated == ["archive/a/article-00002.md"]
    elif kind == "removed":
        assert report.removed == ["article-00003.md"]
    else:  # the per-file comparison (size, time) calls it unchanged, as before: the digest only sends it there
        assert report.unchanged and not report.changed


@pytest.mark.parametrize("odd", ["symbolic link", "hard link", "unreadable folder"])
async def test_trees_the_quick_listing_does_not_model_take_the_full_listing_and_record_no_digest(
    tmp_path: Path, odd: str, monkeypatch
):
    files = _archive(tmp_path)
    if odd == "symbolic link":
        (tmp_path / "archive" / "b" / "link.md").symlink_to(files[0][0])
    elif odd == "hard link":
        os.link(files[0][0], tmp_path / "archive" / "b" / "twin.md")
    else:  # as root could read it whatever its mode: the two ways the listings open a folder refuse it
        real_scandir, real_open = os.scandir, os.open

        def scandir(path="."):
            if str(path).endswith("/b"):
                raise PermissionError(13, "Permission denied")
            return real_scandir(path)

        def open_(path, flags, *args, **kwargs):
            if str(path).endswith("/b") and flags & os.O_DIRECTORY:
                raise PermissionError(13, "Permission denied")
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "scandir", scandir)
        monkeypatch.setattr(os, "open", open_)
    assert quick_listing([tmp_path / "archive"]) is None
    settings = _settings(tmp_path)
    await _rescan(settings)
    rows_read: list[str] = []
    report, digest = await _rescan(settings, monkeypatch, rows_read=rows_read)
    assert digest is None and rows_read == ["file_states"] and not report.changed


async def test_a_file_that_could_not_be_read_leaves_no_digest_and_is_read_by_the_next_rescan(
    tmp_path: Path, monkeypatch
):
    files = _archive(tmp_path)
    settings = _settings(tmp_path)
    unreadable = str(files[0][1])
    real_open = open

    def failing_open(path, *args, **kwargs):
        if str(path) == unreadable:
            raise OSError(5, "Input/output error")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(ingest_module, "open", failing_open, raising=False)
    first, digest = await _rescan(settings)
    assert [item.path for item in first.skipped] == ["archive/a/article-00001.md"] and digest is None
    monkeypatch.undo()
    again, digest = await _rescan(settings)
    assert again.added == ["archive/a/article-00001.md"] and digest is not None


async def test_a_file_changed_between_listing_and_reading_leaves_no_digest(tmp_path: Path, monkeypatch):
    files = _archive(tmp_path)
    settings = _settings(tmp_path)
    real_candidates = ingest_module._candidates

    def candidates_then_a_write(quick):
        listed = real_candidates(quick)
        os.utime(files[1][2], ns=(0, files[1][2].stat().st_mtime_ns + 1_000_000_000))
        return listed

    monkeypatch.setattr(ingest_module, "_candidates", candidates_then_a_write)
    first, digest = await _rescan(settings)
    assert len(first.added) == 8 and digest is None


async def test_a_failed_ingest_forgets_the_digest_before_it_writes(tmp_path: Path, monkeypatch):
    files = _archive(tmp_path)
    settings = _settings(tmp_path)
    await _rescan(settings)
    _add(files)
    service = await NewsService.open(settings, ingest=False)
    try:
        assert await service.store.listing_digest() is not None
        real_replace = service.store.replace_files

        async def replace_files(changes, removals):
            await real_replace(changes, removals)  # committed, then the ingest fails
            raise RuntimeError("disk full")

        monkeypatch.setattr(service.store, "replace_files", replace_files)
        with pytest.raises(RuntimeError):
            await service.ingest()
        assert await service.store.listing_digest() is None
    finally:
        await service.close()


async def test_the_digest_belongs_to_the_roots_it_listed(tmp_path: Path, monkeypatch):
    _archive(tmp_path)
    await _rescan(_settings(tmp_path))
    rows_read: list[str] = []
    folders_read: list[str] = []
    subfolder = tmp_path / "archive" / "a"
    report, _ = await _rescan(_settings(tmp_path, subfolder), monkeypatch, rows_read=rows_read, folders_read=folders_read)
    assert rows_read == ["file_states"] and len(report.unchanged) == 4
    assert folders_read == [str(subfolder.resolve())]  # everything below the root: not the other roots' folders


def _stored(db: Path) -> dict[str, tuple[str, int]]:
    """Every stored file: its content hash and how many passages it has."""
    with sqlite3.connect(db) as connection:
        return {
            path: (sha256, passages) for path, sha256, passages in connection.execute(
                "SELECT f.path, f.sha256, (SELECT COUNT(*) FROM passages p JOIN stories s ON p.story_id = s.id"
                " WHERE s.file_path = f.path) FROM files f"
            )
        }


def _new_folder(root: Path) -> None:
    write_articles(root / "c", 2, version="third")


def _folder_removed(root: Path) -> None:
    shutil.rmtree(root / "b")


def _folder_renamed(root: Path) -> None:
    (root / "a").rename(root / "renamed")


def _nested(root: Path) -> None:
    write_articles(root / "a" / "inner", 2, version="inner")
    (root / "a" / "article-00001.md").unlink()


@pytest.mark.parametrize("change", [_new_folder, _folder_removed, _folder_renamed, _nested])
async def test_a_rescan_of_changed_folders_only_leaves_the_store_a_full_ingest_makes(
    tmp_path: Path, change, monkeypatch
):
    _archive(tmp_path)
    (tmp_path / "archive" / "a" / "broken.md").write_bytes(b"")  # remembered as unusable, in a folder that may not change
    settings = _settings(tmp_path)
    await _rescan(settings)
    change(tmp_path / "archive")
    folders_read: list[str] = []
    report, record = await _rescan(settings, monkeypatch, rows_read=[], folders_read=folders_read)
    assert record is not None and str((tmp_path / "archive").resolve()) not in folders_read  # not the whole tree
    fresh = _settings(tmp_path)
    fresh = Settings(seeds=fresh.seeds, db_path=tmp_path / "fresh" / "newsbot.db")
    await _rescan(fresh)
    assert _stored(settings.db_path) == _stored(fresh.db_path)
    assert ("archive/a/broken.md" in [s.path for s in report.skipped]) == (change is not _folder_renamed)
    again, _ = await _rescan(settings)
    assert not again.changed


def test_the_quick_listing_lists_what_the_full_listing_lists_in_the_same_order(tmp_path: Path):
    names = ["a", "a-b", "a b", "a.b", "a!", "a0", "c", "c.md", "README.md", ".hidden.md", "notes.bin"]
    # names the quick listing settles by their last four characters, and ones that look alike but are not articles
    plain = ["x.txt", "x.TXT", "x.Txt", "x.yml", "x.YAML", "readme.txt", "Licence.TXT", "Changelog.yml", "rx.txt", "x.txt.bin"]
    paths = [f"{folder}/{name}.md" for folder in ("a", "a-b", "a b", "b.md") for name in names] + [
        f"plain/{name}" for name in plain
    ] + [
        f"{name}.md" for name in names
    ] + [f"a/{sub}/x.md" for sub in ("a", "a-b", "z")] + [".hidden/x.md"]
    for relative in paths:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text("Title\n\nBody text of the article.\n", encoding="utf-8")
    single = tmp_path.parent / f"{tmp_path.name}-single.md"
    single.write_text("Title\n\nBody.\n", encoding="utf-8")
    roots = [tmp_path, single]
    quick = quick_listing(roots)
    assert quick is not None
    full = [(c.key, c.display, c.size, c.mtime_ns) for c in ingest_module.discover(roots)]
    assert [tuple(file) for file in quick.files()] == full
    assert quick.displays() == [item[1] for item in full] and len(quick) == len(full)
