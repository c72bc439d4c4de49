"""Every case of the shared development sets passes ``newsbot eval`` on the bundled seeds.

``../shared/eval/questions.yaml`` (answers, citations, abstentions) and
``../shared/eval/answer_first.yaml`` (the answer in the first two sentences; false premises corrected
first or abstained on), judged by the same ``evaluate`` as ``newsbot eval FILE``.
"""

from __future__ import annotations

import textwrap

import pytest

from bot.evaluation import CaseResult, evaluate, load_cases

from .conftest import SHARED

EVAL = SHARED / "eval"


def verdicts(result: CaseResult) -> str:
    """The verdicts that failed, e.g. ``answered ✗, lead ✗``."""
    checks = {
        "answered": result.answered, "cited": result.cited, "lead": result.led, "premise": result.premise_ok,
        "abstained correctly": result.abstained_correctly, "faithful": result.faithful,
    }
    return ", ".join(f"{name} ✗" for name, ok in checks.items() if ok is False)


def explain(result: CaseResult) -> str:
    first = " | ".join(result.answer.lead(2))
    return (
        f"{result.case.id} ({verdicts(result)}): {result.case.question}\n"
        f"    first sentences: {textwrap.shorten(first, 300, placeholder=' …')}"
    )


@pytest.mark.skipif(not EVAL.is_dir(), reason=f"shared question sets not available ({EVAL} missing)")
@pytest.mark.parametrize("name", ["questions.yaml", "answer_first.yaml"])
async def test_every_shared_case_passes(service, name: str) -> None:
    path = EVAL / name
    if not path.exists():
        pytest.skip(f"{path} missing")
    summary = await evaluate(service, load_cases(path))
    failures = [explain(r) for r in summary.results if not r.passed]
    assert not failures, f"{len(failures)}/{len(summary.results)} cases of {name} fail:\n" + "\n".join(failures)
