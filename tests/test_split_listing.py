"""A folder root's quick listing shared with a second process (``retrieval.split_listing``): the same
listing as one process makes (runs in sorted path order, folders' digests, the listing's digest), what only
the full listing handles found in either half, and a second process that fails or is killed costing only time."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import retrieval.split_listing as split_module
from retrieval.listing import quick_listing

from .articles import write_articles


def _tree(root: Path) -> Path:
    """A root whose files sort between its subfolders, five subfolders (the halves each get some), nested
    folders, files that are not articles and hidden entries."""
    write_articles(root, 3)
    (root / "zz-last.txt").write_text("Last\n\nA story after every folder.\n", encoding="utf-8")
    for number, name in enumerate(("a", "article-00001", "b", "c", "d")):
        write_articles(root / name, number + 1)
    write_articles(root / "b" / "inner", 2)
    write_articles(root / "d" / "x" / "y", 2)
    (root / "c" / "photo.jpg").write_bytes(b"\xff\xd8")
    (root / "d" / ".hidden.md").write_text("hidden", encoding="utf-8")
    (root / ".git").mkdir()
    return root


def test_the_shared_listing_is_the_listing_one_process_makes(tmp_path: Path):
    root = _tree(tmp_path / "archive")
    split, alone = quick_listing([root], split=True), quick_listing([root])
    assert split is not None and alone is not None
    assert split == alone  # runs (in order), digest, folders' digests, roots
    assert [f.display for f in split.files()] == sorted((f.display for f in alone.files()), key=lambda d: d.split("/"))
    assert len(split) == 3 + 1 + 15 + 2 + 2


def test_several_roots_and_a_root_without_subfolders_are_listed_as_by_one_process(tmp_path: Path):
    first, second = _tree(tmp_path / "one"), tmp_path / "two"
    write_articles(second, 4)
    assert quick_listing([first, second], split=True) == quick_listing([first, second])
    assert quick_listing([second], split=True) == quick_listing([second])


@pytest.mark.parametrize("folder", ["a", "article-00001"], ids=["this process's half", "the other process's half"])
def test_a_link_in_either_half_takes_the_full_listing(tmp_path: Path, folder: str):
    root = _tree(tmp_path / "archive")
    (root / folder / "linked.md").symlink_to(root / "article-00000.md")
    assert quick_listing([root]) is None
    assert quick_listing([root], split=True) is None


def test_a_hard_link_in_the_other_half_takes_the_full_listing(tmp_path: Path):
    root = _tree(tmp_path / "archive")
    os.link(root / "article-00001" / "article-00000.md", root / "article-00001" / "again.md")
    assert quick_listing([root], split=True) is None


@pytest.mark.parametrize("how", ["raises", "killed", "sends garbage"])
def test_a_second_process_that_fails_costs_only_time(tmp_path: Path, monkeypatch, how: str):
    root = _tree(tmp_path / "archive")
    parent, real = os.getpid(), split_module._walk_many
    children: list[int] = []

    def fails_in_the_child(tree, items):
        if os.getpid() != parent:
            if how == "raises":
                raise RuntimeError("the second process failed")
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            return "not a listing"
        return real(tree, items)

    real_start = split_module._start

    def start(tree, items):
        started = real_start(tree, items)
        assert started is not None
        children.append(started[0])
        return started

    monkeypatch.setattr(split_module, "_walk_many", fails_in_the_child)
    monkeypatch.setattr(split_module, "_start", start)
    assert quick_listing([root], split=True) == quick_listing([root])
    assert len(children) == 1
    with pytest.raises(ChildProcessError):  # reaped: no process of ours is left behind
        os.waitpid(children[0], os.WNOHANG)
