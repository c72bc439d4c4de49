"""Question-set evaluation (the format of ``shared/eval/questions.yaml``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .answering import Answer
from .service import NewsService


class EvalFileError(ValueError):
    """The question file is missing or not in the expected format."""


@dataclass(frozen=True, slots=True)
class EvalCase:
    id: str
    question: str
    answerable: bool = True
    expect_any: tuple[str, ...] = ()
    sources_any: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: EvalCase
    answer: Answer
    answered: bool | None  # answerable cases: the reply holds an expected phrase
    cited: bool | None  # answerable cases: a cited source is an expected one
    abstained_correctly: bool  # abstained exactly when the case is unanswerable
    faithful_sentences: int
    total_sentences: int

    @property
    def passed(self) -> bool:
        faithful = self.faithful_sentences == self.total_sentences
        if not self.case.answerable:
            return self.abstained_correctly and faithful
        return bool(self.answered and self.cited and self.abstained_correctly and faithful)

    def to_json(self) -> dict:
        return {
            "id": self.case.id,
            "question": self.case.question,
            "answerable": self.case.answerable,
            "passed": self.passed,
            "answered_correctly": self.answered,
            "cited_correctly": self.cited,
            "abstained_correctly": self.abstained_correctly,
            "faithful_sentences": self.faithful_sentences,
            "sentences": self.total_sentences,
            "answer": self.answer.text,
            "sources": [c.story.url or c.story.source_file for c in self.answer.citations],
            "elapsed_ms": round(self.answer.elapsed_ms, 2),
        }


@dataclass(slots=True)
class EvalSummary:
    results: list[CaseResult] = field(default_factory=list)

    def _rate(self, values: Sequence[bool]) -> float:
        return sum(values) / len(values) if values else 1.0

    @property
    def answerable(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.answerable]

    @property
    def answer_hit_rate(self) -> float:
        return self._rate([bool(r.answered) for r in self.answerable])

    @property
    def citation_hit_rate(self) -> float:
        return self._rate([bool(r.cited) for r in self.answerable])

    @property
    def abstention_accuracy(self) -> float:
        return self._rate([r.abstained_correctly for r in self.results])

    @property
    def faithfulness(self) -> float:
        total = sum(r.total_sentences for r in self.results)
        return sum(r.faithful_sentences for r in self.results) / total if total else 1.0

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    def to_json(self) -> dict:
        unanswerable = [r for r in self.results if not r.case.answerable]
        return {
            "cases": [r.to_json() for r in self.results],
            "totals": {
                "cases": len(self.results),
                "passed": self.passed,
                "answered_correctly": sum(bool(r.answered) for r in self.answerable),
                "cited_correctly": sum(bool(r.cited) for r in self.answerable),
                "answerable": len(self.answerable),
                "abstained_correctly": sum(r.abstained_correctly for r in unanswerable),
                "unanswerable": len(unanswerable),
                "answer_hit_rate": round(self.answer_hit_rate, 4),
                "citation_hit_rate": round(self.citation_hit_rate, 4),
                "abstention_accuracy": round(self.abstention_accuracy, 4),
                "faithfulness": round(self.faithfulness, 4),
            },
        }


def _strings(value: object, field_name: str, case_id: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return tuple(str(v) for v in value)
    raise EvalFileError(f"case {case_id!r}: {field_name} must be a list of strings")


def load_cases(path: Path) -> list[EvalCase]:
    """Read a question file; raises :class:`EvalFileError` with a clear message."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EvalFileError(f"cannot read {path}: {error.strerror or error}") from None
    except yaml.YAMLError:
        raise EvalFileError(f"{path} is not valid YAML") from None
    if not isinstance(data, list) or not data:
        raise EvalFileError(f"{path} must be a non-empty list of cases")
    cases = []
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            raise EvalFileError(f"{path}: case {position} needs a 'question'")
        case_id = str(item.get("id") or f"case-{position}")
        cases.append(
            EvalCase(
                id=case_id,
                question=item["question"],
                answerable=bool(item.get("answerable", True)),
                expect_any=_strings(item.get("expect_any"), "expect_any", case_id),
                sources_any=_strings(item.get("sources_any"), "sources_any", case_id),
            )
        )
    return cases


def _squash(text: str) -> str:
    return " ".join(text.split())


def judge(case: EvalCase, answer: Answer) -> CaseResult:
    """Score one reply against its case."""
    quoted = {(c.n, p.id): _squash(p.text) for c in answer.citations for p in c.passages}
    faithful = sum(1 for s in answer.sentences if _squash(s.text) in quoted.get((s.citation, s.passage_id), ""))
    if case.answerable:
        text = answer.text.casefold()
        answered = not answer.abstained and (not case.expect_any or any(e.casefold() in text for e in case.expect_any))
        sources = [(c.story.url or "") + " " + c.story.source_file for c in answer.citations]
        cited = not answer.abstained and (
            not case.sources_any or any(s.casefold() in src.casefold() for s in case.sources_any for src in sources)
        )
        abstained_correctly = not answer.abstained
    else:
        answered = cited = None
        abstained_correctly = answer.abstained and not answer.citations
    return CaseResult(case, answer, answered, cited, abstained_correctly, faithful, len(answer.sentences))


async def evaluate(service: NewsService, cases: Sequence[EvalCase]) -> EvalSummary:
    """Ask every case's question and judge the replies."""
    summary = EvalSummary()
    for case in cases:
        summary.results.append(judge(case, await service.ask(case.question)))
    return summary
