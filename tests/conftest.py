"""Shared fixtures: the bundled seeds, throw-away databases and an opened service."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.service import NewsService
from bot.settings import Settings

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
