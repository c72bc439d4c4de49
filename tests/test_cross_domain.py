"""The cross-domain check (benchmarks/cross_domain.py) on a tiny SciFact-shaped collection."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from benchmarks.cross_domain import Report, as_question, main, reason_kind, run


def _scifact(folder):
    abstracts = [
        ("1", "Vitamin quorvexin lowers blood pressure", "In a trial of 400 adults, quorvexin lowered blood pressure "
         "by 12 points over six weeks compared with placebo."),
        ("2", "Zebrafish fins regrow after injury", "Zebrafish fins regrow within two weeks after amputation, driven "
         "by a population of dedifferentiated cells."),
        ("3", "Soil microbes in arid land", "Arid soils hold microbial communities dominated by actinobacteria."),
    ]
    (folder / "corpus.jsonl").write_text("\n".join(
        json.dumps({"_id": i, "title": t, "text": x}) for i, t, x in abstracts), encoding="utf-8")
    claims = [("10", "Quorvexin lowers blood pressure in adults."), ("11", "Martian rovers carry quorvexin.")]
    (folder / "queries.jsonl").write_text("\n".join(
        json.dumps({"_id": i, "text": t}) for i, t in claims), encoding="utf-8")
    (folder / "qrels").mkdir()
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\n10\t1\t1\n11\t3\t1\n", encoding="utf-8")
    return folder


def test_a_claim_is_asked_as_a_yes_no_question():
    assert as_question("Quorvexin lowers blood pressure.") == "Is it true that quorvexin lowers blood pressure?"


def test_a_refusal_reason_is_counted_without_the_story_count():
    assert reason_kind("The coverage doesn't say: none of the 5178 stories mentions “x”.") == (
        "none of the stories mentions “x”.")


def test_every_claim_is_answered_citing_a_judged_abstract_or_counted_as_a_refusal(tmp_path):
    report = asyncio.run(run(_scifact(tmp_path)))
    assert report.claims == 2
    assert report.cited_judged == 1 and report.refused == 1
    assert sum(report.reasons.values()) == report.refused


def test_the_figures_are_written_as_json_with_each_reason_counted(tmp_path):
    out = tmp_path / "figures.json"
    (tmp_path / "scifact").mkdir()
    assert main(["--scifact", str(_scifact(tmp_path / "scifact")), "--json", str(out)]) == 0
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["claims"] == 2 and figures["refused"] == 1 and figures["cited_judged"] == 1
    assert list(figures["reasons"].values()) == [1] and all(isinstance(r, str) for r in figures["reasons"])


def test_the_json_figures_keep_each_count_and_list_the_commonest_reason_first():
    report = Report(claims=9, refused=5, cited_judged=3, reasons=Counter({"rare reason": 1, "common reason": 4}))
    assert report.to_json() == {"claims": 9, "refused": 5, "cited_judged": 3,
                                "reasons": {"common reason": 4, "rare reason": 1}}
    assert list(report.to_json()["reasons"]) == ["common reason", "rare reason"]


def test_the_json_file_keeps_the_reasons_quotation_marks_as_written(tmp_path):
    out = tmp_path / "figures.json"
    (tmp_path / "scifact").mkdir()
    main(["--scifact", str(_scifact(tmp_path / "scifact")), "--json", str(out)])
    reasons = json.loads(out.read_text(encoding="utf-8"))["reasons"]
    assert all(reason in out.read_text(encoding="utf-8") for reason in reasons)  # “Martian”, not \u201cMartian\u201d
