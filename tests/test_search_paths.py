"""``benchmarks/search_paths.py``: every search path is timed on every query, their results compared, and the
path in force before is restored."""

from __future__ import annotations

from collections import Counter

import pytest

from benchmarks.search_paths import PATHS, search_path, time_paths
from retrieval import bm25, kernels


async def test_every_path_is_timed_and_finds_the_same_passages(service, compiled_kernels, monkeypatch):
    monkeypatch.setattr(kernels, "_kernels", compiled_kernels)
    queries = [Counter(service.analyzer.terms(q)) for q in ("Microsoft DEA facial recognition", "hacker T-Mobile")]
    times = time_paths(service.index, queries, 10, runs=1)
    assert times.differing == [] and all(len(times.ms[name]) == len(queries) for name in PATHS)
    assert kernels.ready() is compiled_kernels and bm25._MAX_SCORE_TERMS == 0  # as before


def test_a_path_that_needs_the_kernels_says_so(monkeypatch):
    monkeypatch.setattr(kernels, "_kernels", None)
    with pytest.raises(RuntimeError), search_path("compiled"):
        pass
    with search_path("numpy"):
        assert kernels.ready() is None


async def test_a_path_finding_other_passages_is_reported(service, compiled_kernels, monkeypatch):
    monkeypatch.setattr(kernels, "_kernels", compiled_kernels)
    real = service.index.search

    def numpy_differs(terms, k=10):
        found = real(terms, k)
        return found[::-1] if kernels.ready() is None else found  # the NumPy path, in the wrong order

    monkeypatch.setattr(service.index, "search", numpy_differs)
    queries = [Counter(service.analyzer.terms(q)) for q in ("Microsoft DEA facial recognition", "zzzz-nothing")]
    assert time_paths(service.index, queries, 10, runs=1).differing == [0]
