"""Shared fixtures: the bundled seeds, throw-away databases and an opened service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.settings import Settings
from retrieval import kernels

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT_ROOT / "seeds"
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private, writable copy of the five seed articles."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, seeds_copy: Path) -> Settings:
    return Settings(seeds=(seeds_copy,), db_path=tmp_path / "db" / "newsbot.db")


@pytest.fixture
async def service(settings: Settings):
    service = await NewsService.open(settings)
    try:
        yield service
    finally:
        await service.close()


@pytest.fixture(scope="session")
def compiled_kernels():
    """The compiled search kernels, compiled once; tests switch them on with ``use_kernels``."""
    previous = kernels.ready()
    assert kernels.warm_up(), "Numba is a dependency: the kernels must compile"
    compiled = kernels.ready()
    kernels._kernels = previous  # every other test starts where it would have: on NumPy
    return compiled


SEARCH_PATHS = ("numpy", "compiled", "max-score")


def use_search_path(name: str, monkeypatch, compiled) -> None:
    """``numpy``: term-at-a-time with NumPy; ``compiled``: term-at-a-time with the compiled kernels on
    every posting list; ``max-score``: the compiled document-at-a-time search for every query."""
    from retrieval import bm25

    monkeypatch.setattr(kernels, "_kernels", None if name == "numpy" else compiled)
    monkeypatch.setattr(bm25, "_COMPILED_MIN_POSTINGS", 0)
    monkeypatch.setattr(bm25, "_MAX_SCORE_TERMS", 10**6 if name == "max-score" else 0)


@pytest.fixture(params=SEARCH_PATHS)
def search_path(request, monkeypatch):
    """Run a test once on each search path (see :func:`use_search_path`)."""
    compiled = request.getfixturevalue("compiled_kernels") if request.param != "numpy" else None
    use_search_path(request.param, monkeypatch, compiled)
    return request.param
