"""Shared fixtures: the bundled seeds, throw-away databases and an opened service."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
import pytest_asyncio

from bot.service import NewsService
from bot.settings import Settings
from retrieval import kernels

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_answer_caches():
    """Every test reads sentences afresh: the answering caches (spans, headline terms, word forms, unit quality) would
    otherwise carry one test's results into the next, and hide a mutant from mutation testing, which forks
    its runs after a clean one."""
    from bot.answering import candidates, premise, spans, units

    for cached in (spans._spans, spans._asked_words, candidates.headline_terms, premise.forms, units.quality):
        cached.cache_clear()
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
    """The compiled search kernels, compiled once; tests switch them on with ``use_search_path``.

    Numba is optional (the ``fast`` extra): without it, the tests of the compiled paths are skipped and
    the NumPy path is still tested."""
    if not kernels.available():
        pytest.skip("Numba is not installed (pip install 'newsbot[fast]'): only the NumPy path is tested")
    previous = kernels.ready()
    assert kernels.warm_up(), "Numba is installed: the kernels must compile"
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


POSTGRES_URL = os.environ.get("NEWSBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
"""The PostgreSQL server the store contract tests use (``NEWSBOT_TEST_POSTGRES``); each test gets its own
schema in it, so parallel runs never collide."""


def _postgres_unreachable() -> str | None:
    """Why the test server cannot be used, or None when it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"no PostgreSQL server at {POSTGRES_URL} ({str(error).strip().splitlines()[0]})"
    return None


@pytest.fixture
def postgres_url():
    """A ``postgresql://`` URL whose tables live in a fresh schema, dropped afterwards (its connections
    carry the schema's name as application name); the test is skipped, with the reason, when no server
    is reachable."""
    reason = _postgres_unreachable()
    if reason:
        pytest.skip(reason)
    import psycopg

    schema = f"newsbot_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}&application_name={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def store_settings(request, tmp_path: Path, seeds_copy: Path) -> Settings:
    """Settings for the seeds copy over each store: a SQLite file, then a PostgreSQL schema."""
    if request.param == "sqlite":
        return Settings(seeds=(seeds_copy,), db_path=tmp_path / "db" / "newsbot.db")
    return Settings(
        seeds=(seeds_copy,), db_url=request.getfixturevalue("postgres_url"), index_path=tmp_path / "pg.index"
    )


@pytest_asyncio.fixture
async def server():
    """A loopback HTTP server serving scripted feeds and pages (tests/feedserver.py)."""
    from .feedserver import FeedServer

    server = FeedServer()
    await server.start()
    yield server
    await server.stop()
