"""The SciFact benchmark's metrics, and the ranking-quality floor of the project's analyzer + index.

The SciFact check reads ../shared/corpora/scifact (CC BY-NC test data, never in the package) and is
skipped where that folder is absent.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCIFACT = ROOT.parent / "shared" / "corpora" / "scifact"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("retrieval_quality", ROOT / "benchmarks" / "retrieval_quality.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["retrieval_quality"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


rq = _load_benchmark()


def test_ndcg_matches_trec_eval_definition():
    judged = {"a": 1, "b": 1}
    assert rq.ndcg_at(["a", "b", "c"], judged, 10) == pytest.approx(1.0)
    # one relevant at rank 2 of two judged: (1/log2 3) / (1 + 1/log2 3)
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert rq.ndcg_at(["x", "a"], judged, 10) == pytest.approx(expected)
    assert rq.ndcg_at(["x"] * 10 + ["a"], judged, 10) == 0.0


def test_recall_at_k():
    assert rq.recall_at(["a", "x", "b"], {"a": 1, "b": 1}, 2) == 0.5
    assert rq.recall_at(["a", "x", "b"], {"a": 1, "b": 1, "z": 0}, 100) == 1.0


def test_ties_are_broken_like_trec_eval():
    # equal scores: trec_eval ranks the larger docno first
    assert rq._trec_order([("10", 1.0), ("9", 1.0), ("2", 2.0)]) == ["2", "9", "10"]


@pytest.mark.skipif(not (SCIFACT / "corpus.jsonl").exists(), reason="SciFact test collection not available")
def test_scifact_ndcg_floor():
    from retrieval.analyzer import Analyzer
    from retrieval.bm25 import BM25Params

    data = rq.load_scifact(SCIFACT)
    assert len(data.queries) == 300
    metrics = rq.evaluate(rq.project_engine(data, Analyzer().terms, BM25Params()), data.qrels)
    assert metrics["ndcg@10"] >= 0.69
    assert metrics["recall@100"] >= 0.92
