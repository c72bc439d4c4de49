"""Hostile seed folders: symbolic link loops and second paths to the same file, and unusable files that
are remembered instead of being read and reported on every command."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings

from .conftest import SEEDS

SEED_NAMES = sorted(p.name for p in SEEDS.iterdir())


async def _ingest(folder: Path, db: Path):
    service = await NewsService.open(Settings(seeds=(folder,), db_path=db), ingest=False)
    try:
        report = await service.ingest()
        with_paths = await service.store.file_states()
        return report, sorted(with_paths)
    finally:
        await service.close()


def _stored_names(paths: list[str]) -> list[str]:
    return sorted(Path(p).name for p in paths)


# ---------------------------------------------------------------------------- symbolic links
async def test_a_file_link_to_itself_is_skipped_as_a_loop_and_the_rest_goes_in(tmp_path, seeds_copy):
    (seeds_copy / "loop.txt").symlink_to("loop.txt")
    report, stored = await _ingest(seeds_copy, tmp_path / "db" / "n.db")
    assert _stored_names(stored) == SEED_NAMES
    assert [(s.path, s.reason.split(" (")[0]) for s in report.skipped] == [("seeds/loop.txt", "symbolic link loop")]


async def test_folder_links_back_into_their_ancestors_are_loops_listed_once(tmp_path, seeds_copy):
    (seeds_copy / "a").symlink_to(".")
    (seeds_copy / "b").mkdir()
    (seeds_copy / "b" / "c").symlink_to("..")
    report, stored = await _ingest(seeds_copy, tmp_path / "db" / "n.db")
    assert _stored_names(stored) == SEED_NAMES  # each file once, under its own path
    assert all(Path(p).parent == seeds_copy.resolve() for p in stored)
    assert {s.path: "symbolic link loop" in s.reason for s in report.skipped} == {"seeds/a": True, "seeds/b/c": True}


async def test_a_folder_link_to_a_sibling_folder_adds_nothing_twice(tmp_path, seeds_copy):
    (seeds_copy / "archive").mkdir()
    (seeds_copy / "archive" / "zebra.txt").write_text("Zebra news\n\nZebras crossed the river at dawn.\n")
    (seeds_copy / "mirror").symlink_to("archive")
    report, stored = await _ingest(seeds_copy, tmp_path / "db" / "n.db")
    assert _stored_names(stored) == sorted([*SEED_NAMES, "zebra.txt"])
    assert str(seeds_copy.resolve() / "archive" / "zebra.txt") in stored  # the path through no link
    assert report.skipped == [] and len(report.added) == 6


async def test_a_folder_link_to_a_folder_outside_is_followed(tmp_path, seeds_copy):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "zebra.txt").write_text("Zebra news\n\nZebras crossed the river at dawn.\n")
    (seeds_copy / "linked").symlink_to(outside)
    report, stored = await _ingest(seeds_copy, tmp_path / "db" / "n.db")
    assert "seeds/linked/zebra.txt" in report.added and len(stored) == 6


async def test_a_file_link_beside_its_target_is_one_file(tmp_path, seeds_copy):
    first = seeds_copy / SEED_NAMES[0]
    (seeds_copy / "again.txt").symlink_to(first.name)
    report, stored = await _ingest(seeds_copy, tmp_path / "db" / "n.db")
    assert _stored_names(stored) == SEED_NAMES and str(first.resolve()) in stored
    assert report.skipped == [] and len(report.added) == 5


async def test_every_hostile_link_at_once_and_every_command_still_works(tmp_path, seeds_copy):
    (seeds_copy / "loop.txt").symlink_to("loop.txt")
    (seeds_copy / "a").symlink_to(".")
    (seeds_copy / "b").mkdir()
    (seeds_copy / "b" / "c").symlink_to("..")
    (seeds_copy / "sub").mkdir()
    (seeds_copy / "sub" / "zebra.txt").write_text("Zebra news\n\nZebras crossed the river at dawn.\n")
    (seeds_copy / "sibling").symlink_to("sub")
    (seeds_copy / "copy.txt").symlink_to(SEED_NAMES[1])
    service = await NewsService.open(Settings(seeds=(seeds_copy,), db_path=tmp_path / "db" / "n.db"))
    try:
        assert _stored_names(list(await service.store.file_states())) == sorted([*SEED_NAMES, "zebra.txt"])
        assert not (await service.ask("What did Microsoft pitch to the DEA?")).abstained
        again = await service.ingest()
        assert len(again.unchanged) == 6 and sorted(s.path for s in again.skipped) == [
            "seeds/a", "seeds/b/c", "seeds/loop.txt"
        ]
    finally:
        await service.close()


# ---------------------------------------------------------------------------- remembered unusable files
@pytest.fixture
def parse_calls(monkeypatch) -> list[str]:
    """The files the ingest parses, by display name (the real parser still runs)."""
    calls: list[str] = []
    real = ingest_module.parse_bytes

    def spy(data: bytes, source_file: str):
        calls.append(source_file)
        return real(data, source_file)

    monkeypatch.setattr(ingest_module, "parse_bytes", spy)
    return calls


async def test_an_unusable_file_is_read_and_warned_about_once_until_it_changes(
    settings, seeds_copy, parse_calls, caplog
):
    bad = seeds_copy / "bad.yaml"
    bad.write_text("title: [oops\n")
    caplog.set_level(logging.WARNING, logger="retrieval.ingest")
    service = await NewsService.open(settings)
    try:
        assert parse_calls.count("seeds/bad.yaml") == 1 and caplog.text.count("skipped seeds/bad.yaml") == 1
        caplog.clear()
        again = await service.ingest()
        assert parse_calls.count("seeds/bad.yaml") == 1  # not read again
        assert "skipped" not in caplog.text  # nor warned about again
        [known] = again.skipped
        assert (known.path, known.known) == ("seeds/bad.yaml", True) and "invalid YAML" in known.reason

        bad.write_text("title: [still, broken\nexcerpt: [x\n")  # an edit: read again, still bad, warned again
        os.utime(bad, ns=(bad.stat().st_atime_ns, bad.stat().st_mtime_ns + 1_000_000_000))
        edited = await service.ingest()
        assert parse_calls.count("seeds/bad.yaml") == 2 and caplog.text.count("skipped seeds/bad.yaml") == 1
        assert [s.known for s in edited.skipped] == [False]

        bad.write_text("title: Zebra news\nbody: Zebras crossed the river at dawn.\n")  # fixed
        os.utime(bad, ns=(bad.stat().st_atime_ns, bad.stat().st_mtime_ns + 2_000_000_000))
        fixed = await service.ingest()
        assert fixed.added == ["seeds/bad.yaml"] and fixed.skipped == []
        assert await service.store.skipped_files() == {}
    finally:
        await service.close()


async def test_a_good_file_that_turns_bad_keeps_its_last_version_and_is_reported_once(
    settings, seeds_copy, parse_calls, caplog
):
    service = await NewsService.open(settings)
    try:
        good = seeds_copy / SEED_NAMES[0]
        good.write_text("---\ntitle: [this edit broke the YAML\n---\n")
        caplog.set_level(logging.WARNING, logger="retrieval.ingest")
        parse_calls.clear()
        first = await service.ingest()
        assert [s.known for s in first.skipped] == [False] and parse_calls == [f"seeds/{good.name}"]
        second = await service.ingest()
        assert [s.known for s in second.skipped] == [True] and parse_calls == [f"seeds/{good.name}"]
        assert caplog.text.count(f"skipped seeds/{good.name}") == 1
        assert str(good.resolve()) in await service.store.file_states()  # the last good version is kept
    finally:
        await service.close()


async def test_a_remembered_file_that_disappears_is_forgotten(settings, seeds_copy):
    bad = seeds_copy / "bad.yaml"
    bad.write_text("title: [oops\n")
    service = await NewsService.open(settings)
    try:
        assert list(await service.store.skipped_files()) == [str(bad.resolve())]
        bad.unlink()
        report = await service.ingest()
        assert report.skipped == [] and await service.store.skipped_files() == {}
    finally:
        await service.close()


async def test_a_folder_that_cannot_be_listed_is_skipped_and_its_stored_files_are_kept(
    settings, seeds_copy, monkeypatch
):
    archive = seeds_copy / "archive"
    archive.mkdir()
    (archive / "zebra.txt").write_text("Zebra news\n\nZebras crossed the river at dawn.\n")
    service = await NewsService.open(settings)
    try:
        real_scandir = os.scandir

        def scandir(path):
            if Path(path) == archive.resolve():
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        real_open = os.open

        def open_(path, flags, *args, **kwargs):  # how the quick listing opens a folder
            if flags & os.O_DIRECTORY and Path(path) == archive.resolve():
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "scandir", scandir)  # as for a folder its owner made unreadable
        monkeypatch.setattr(os, "open", open_)
        report = await service.ingest()
        skipped = [(s.path, s.reason) for s in report.skipped]
        assert skipped == [("seeds/archive", "unreadable folder: Permission denied")]
        assert report.removed == [] and (await service.search("zebras river"))[0].story.title == "Zebra news"
    finally:
        await service.close()
