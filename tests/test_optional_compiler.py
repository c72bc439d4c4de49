"""Numba is an optional extra (``newsbot[fast]``): without it everything works on NumPy, with the same results."""

from __future__ import annotations

import logging
import sys
import tomllib

import pytest

from bot import service as service_module
from bot.service import NewsService
from retrieval import kernels

from .conftest import PROJECT_ROOT


def _project() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    return {r.split(">")[0].split("<")[0].split("=")[0].split("[")[0].strip().lower() for r in requirements}


def test_numba_is_not_a_core_dependency_but_the_fast_extra():
    project = _project()
    assert not _names(project["dependencies"]) & {"numba", "llvmlite"}
    assert "numba" in _names(project["optional-dependencies"]["fast"])


@pytest.fixture
def without_numba(monkeypatch):
    """As if Numba were not installed: ``import numba`` fails and the kernels were never loaded."""
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.setattr(kernels, "_kernels", None)
    monkeypatch.setattr(kernels, "_failed", False)


def test_without_numba_the_kernels_are_unavailable_and_a_hint_is_logged_once(without_numba, caplog):
    caplog.set_level(logging.INFO, logger=kernels.__name__)
    assert kernels.available() is False
    assert kernels.warm_up() is False and kernels.ready() is None
    assert kernels.warm_up() is False  # not looked up again
    messages = [r for r in caplog.records if r.name == kernels.__name__]
    assert len(messages) == 1 and messages[0].levelno == logging.INFO  # a hint, not a warning with a traceback
    assert "newsbot[fast]" in messages[0].getMessage()


async def test_without_numba_a_long_running_service_answers_on_numpy(without_numba, settings, monkeypatch):
    monkeypatch.setattr(service_module, "COMPILE_MIN_PASSAGES", 0)
    monkeypatch.setattr(service_module, "COMPILE_AFTER_S", 0.0)
    service = await NewsService.open(settings, compile_search=True)
    try:
        assert service.compile_task is not None and await service.compile_task is False
        answer = await service.ask("Who did Microsoft try to sell facial recognition to?")
        assert answer.citations and kernels.ready() is None
    finally:
        await service.close()
