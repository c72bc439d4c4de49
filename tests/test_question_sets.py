"""The extended question sets are well-formed and honest.

Every answerable case's expected phrases must occur verbatim in a story its ``sources_any`` names,
so a correct extractive answer can hold them (benchmarks/questions/check_sets.py); ids are unique;
unanswerable cases carry no expectations. Answer quality itself is measured by
``python benchmarks/answer_quality.py`` (and ``newsbot eval``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _check_sets():
    spec = importlib.util.spec_from_file_location("check_sets", ROOT / "benchmarks" / "questions" / "check_sets.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules["check_sets"] = module
    spec.loader.exec_module(module)
    return module


check_sets = _check_sets()


def test_seed_question_set_is_honest():
    cases = check_sets.yaml.safe_load((ROOT / "benchmarks/questions/seeds.yaml").read_text(encoding="utf-8"))
    assert len(cases) >= 25
    assert sum(1 for c in cases if c.get("answerable", True) is False) >= 5
    assert check_sets.check(ROOT / "benchmarks/questions/seeds.yaml", ROOT / "seeds") == []


@pytest.mark.skipif(not (SHARED / "corpora/smartable-powerapps").is_dir(), reason="smartable corpus not available")
def test_smartable_question_set_is_honest():
    path = ROOT / "benchmarks/questions/smartable.yaml"
    cases = check_sets.yaml.safe_load(path.read_text(encoding="utf-8"))
    assert len(cases) >= 20
    assert sum(1 for c in cases if c.get("answerable", True) is False) >= 3
    assert check_sets.check(path, SHARED / "corpora/smartable-powerapps") == []


def test_sets_do_not_repeat_shared_questions():
    shared = SHARED / "eval/questions.yaml"
    if not shared.exists():
        pytest.skip("shared question set not available")
    taken = {c["question"].casefold() for c in check_sets.yaml.safe_load(shared.read_text(encoding="utf-8"))}
    for name in ("seeds.yaml", "smartable.yaml"):
        for case in check_sets.yaml.safe_load((ROOT / "benchmarks/questions" / name).read_text(encoding="utf-8")):
            assert case["question"].casefold() not in taken, case["id"]


BBC_SETS = ("judged", "validation", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7",
            "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "probe", "probe2", "probe3", "probe4",
            "probe5", "probe6", "probe7", "probe8", "probe9", "probe10", "probe11", "probe12", "probe13")


@pytest.mark.parametrize("name", BBC_SETS)
def test_every_registered_set_loads_and_its_bbc_answers_are_in_the_files_it_names(name):
    """Each set the answer-quality benchmark runs loads with the evaluator's reader; where a case names BBC files,
    one of its expected phrases is in one of them (the judge copied it from the article)."""
    from bot.evaluation import load_cases

    questions = ROOT / "benchmarks" / "questions" / f"{name}.yaml"
    cases = load_cases(questions)
    assert len({c.id for c in cases}) == len(cases)
    bbc = SHARED / "corpora" / "bbc"
    if not bbc.is_dir():
        pytest.skip(f"{bbc} is not here: the BBC articles are checked where ../shared is")
    for case in cases:
        files = [bbc / s for s in case.sources_any if s.count("/") == 1 and s.endswith(".txt")]
        if not case.answerable or not files:
            continue
        text = " ".join(check_sets.norm(f.read_bytes().decode("utf-8", "replace")) for f in files if f.exists())
        assert any(check_sets.norm(e) in text for e in case.expect_any), f"{name}: {case.id}"


@pytest.mark.parametrize("name", ["heldout13", "probe13"])
def test_the_smartable_sets_answers_are_in_the_items_they_name(name):
    """heldout13 and probe13 were written over Smartable items (title and excerpt only): each answerable case's
    expected phrase is in an item whose file name holds one of its sources."""
    from bot.evaluation import load_cases

    smartable = SHARED / "corpora" / "smartable-powerapps"
    if not smartable.is_dir():
        pytest.skip(f"{smartable} is not here: the Smartable items are checked where ../shared is")
    items = {path.name: check_sets.norm(path.read_text(encoding="utf-8")) for path in smartable.glob("*.md")}
    for case in load_cases(ROOT / "benchmarks" / "questions" / f"{name}.yaml"):
        if not case.answerable:
            continue
        texts = [text for name, text in items.items() if any(s in name for s in case.sources_any)]
        assert texts, case.id
        assert any(check_sets.norm(e) in text for e in case.expect_any for text in texts), case.id
