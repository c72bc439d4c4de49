"""Packaging: every package of the source tree is installed, and the seeds ship with the code."""

from __future__ import annotations

import tomllib

from .conftest import PROJECT_ROOT


def test_every_package_in_the_tree_is_listed_for_installation():
    listed = set(tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(PROJECT_ROOT).parts)
        for top in ("bot", "retrieval")
        for init in (PROJECT_ROOT / top).rglob("__init__.py")
    }
    assert found <= listed and "newsbot_seeds" in listed


def test_the_bundled_seeds_are_found_without_a_source_checkout(monkeypatch, tmp_path):
    from bot import settings

    monkeypatch.setattr(settings, "PROJECT_ROOT", tmp_path)  # an install: no seeds/ beside the code
    found = settings.bundled_seeds()
    assert found != tmp_path / "seeds"
    assert sorted(p.name for p in found.glob("*.txt")) == sorted(p.name for p in (PROJECT_ROOT / "seeds").glob("*.txt"))
