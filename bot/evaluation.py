"""Question-set evaluation (the format of ``shared/eval/questions.yaml`` and ``answer_first.yaml``).

A case is a question and what a correct reply must show. Besides ``expect_any``/``sources_any``
(answerable cases) and ``answerable: false`` (the reply must abstain), a case may ask for the answer
first (``lead``: an expected phrase in the first two sentences a reader sees), carry a false premise
(``correct_any``: abstain, or correct the premise in the first sentence) and be a follow-up in a
chat (``context``: the earlier questions).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .answering import Answer

log = logging.getLogger(__name__)

KNOWN_KEYS = frozenset({"id", "question", "answerable", "expect_any", "sources_any", "lead", "correct_any", "context"})


class EvalFileError(ValueError):
    """The question file is missing or not in the expected format."""


class Answerer(Protocol):
    """Anything that answers a question like :meth:`bot.service.NewsService.ask` (the bot, a baseline)."""

    async def ask(self, question: str, *, context: Sequence[str] = ()) -> Answer: ...


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One question and what a correct reply must show.

    ``correct_any``: None when the case has no false premise; otherwise the phrases a correcting first
    sentence holds (empty: only abstaining is right). ``context``: earlier questions of the chat.
    """

    id: str
    question: str
    answerable: bool = True
    expect_any: tuple[str, ...] = ()
    sources_any: tuple[str, ...] = ()
    lead: bool = False
    correct_any: tuple[str, ...] | None = None
    context: tuple[str, ...] = ()

    @property
    def premise(self) -> bool:
        """A false-premise case: judged by :attr:`CaseResult.premise_ok`, not by abstention."""
        return self.correct_any is not None


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The verdicts on one reply; a verdict that does not apply to the case is None."""

    case: EvalCase
    answer: Answer
    answered: bool | None  # answerable cases: the reply holds an expected phrase
    cited: bool | None  # answerable cases: a cited source is an expected one
    abstained_correctly: bool | None  # cases without correct_any: abstained exactly when unanswerable
    faithful_sentences: int
    total_sentences: int
    led: bool | None = None  # lead cases: an expected phrase is in the first two sentences
    premise_ok: bool | None = None  # premise cases: abstained cleanly or corrected the premise first

    @property
    def faithful(self) -> bool:
        return self.faithful_sentences == self.total_sentences

    @property
    def passed(self) -> bool:
        case = self.case
        if case.answerable:
            return bool(
                self.answered and self.cited and not self.answer.abstained and self.faithful
                and (self.led or not case.lead)
            )
        if case.premise:
            return bool(self.premise_ok and self.faithful)
        return bool(self.abstained_correctly and self.faithful)

    def to_json(self) -> dict:
        return {
            "id": self.case.id,
            "question": self.case.question,
            "context": list(self.case.context),
            "answerable": self.case.answerable,
            "lead": self.case.lead,
            "premise": self.case.premise,
            "passed": self.passed,
            "answered_correctly": self.answered,
            "cited_correctly": self.cited,
            "answer_first": self.led,
            "premise_ok": self.premise_ok,
            "abstained_correctly": self.abstained_correctly,
            "faithful_sentences": self.faithful_sentences,
            "sentences": self.total_sentences,
            "answer": self.answer.text,
            "lead_sentences": self.answer.lead(2),
            "sources": [c.story.url or c.story.source_file for c in self.answer.citations],
            "elapsed_ms": round(self.answer.elapsed_ms, 2),
        }


def _rate(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else 1.0


@dataclass(slots=True)
class EvalSummary:
    """Every case's verdicts and the rates over them (a rate over no cases is 1.0)."""

    results: list[CaseResult] = field(default_factory=list)

    @property
    def answerable(self) -> list[CaseResult]:
        return [r for r in self.results if r.case.answerable]

    @property
    def lead_cases(self) -> list[CaseResult]:
        return [r for r in self.results if r.led is not None]

    @property
    def premise_cases(self) -> list[CaseResult]:
        return [r for r in self.results if r.premise_ok is not None]

    @property
    def abstention_cases(self) -> list[CaseResult]:
        """The cases judged on abstention: all but the premise cases."""
        return [r for r in self.results if r.abstained_correctly is not None]

    @property
    def answer_hit_rate(self) -> float:
        return _rate([bool(r.answered) for r in self.answerable])

    @property
    def citation_hit_rate(self) -> float:
        return _rate([bool(r.cited) for r in self.answerable])

    @property
    def answer_first_rate(self) -> float:
        return _rate([bool(r.led) for r in self.lead_cases])

    @property
    def premise_accuracy(self) -> float:
        return _rate([bool(r.premise_ok) for r in self.premise_cases])

    @property
    def abstention_accuracy(self) -> float:
        return _rate([bool(r.abstained_correctly) for r in self.abstention_cases])

    @property
    def faithfulness(self) -> float:
        total = sum(r.total_sentences for r in self.results)
        return sum(r.faithful_sentences for r in self.results) / total if total else 1.0

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    def to_json(self) -> dict:
        unanswerable = [r for r in self.abstention_cases if not r.case.answerable]
        return {
            "cases": [r.to_json() for r in self.results],
            "totals": {
                "cases": len(self.results),
                "passed": self.passed,
                "answered_correctly": sum(bool(r.answered) for r in self.answerable),
                "cited_correctly": sum(bool(r.cited) for r in self.answerable),
                "answerable": len(self.answerable),
                "answer_first": sum(bool(r.led) for r in self.lead_cases),
                "lead_cases": len(self.lead_cases),
                "premise_ok": sum(bool(r.premise_ok) for r in self.premise_cases),
                "premise_cases": len(self.premise_cases),
                "abstained_correctly": sum(bool(r.abstained_correctly) for r in unanswerable),
                "unanswerable": len(unanswerable),
                "answer_hit_rate": round(self.answer_hit_rate, 4),
                "citation_hit_rate": round(self.citation_hit_rate, 4),
                "answer_first_rate": round(self.answer_first_rate, 4),
                "premise_accuracy": round(self.premise_accuracy, 4),
                "abstention_accuracy": round(self.abstention_accuracy, 4),
                "faithfulness": round(self.faithfulness, 4),
            },
        }


# ---------------------------------------------------------------------------- reading a question file
def _strings(value: object, field_name: str, case_id: str) -> tuple[str, ...]:
    """A list of strings (a single string or a number is accepted as one item); None is empty."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value):
        return tuple(str(v) for v in value)
    raise EvalFileError(f"case {case_id!r}: {field_name} must be a list of strings")


def _flag(item: dict, key: str, default: bool, case_id: str) -> bool:
    value = item.get(key, default)
    if not isinstance(value, bool):
        raise EvalFileError(f"case {case_id!r}: {key} must be true or false, not {value!r}")
    return value


def _case(item: dict, case_id: str) -> EvalCase:
    unknown = sorted(str(k) for k in item if k not in KNOWN_KEYS)
    if unknown:
        log.warning("case %r: ignoring unknown field(s) %s", case_id, ", ".join(unknown))
    answerable = _flag(item, "answerable", True, case_id)
    lead = _flag(item, "lead", False, case_id)
    expect_any = _strings(item.get("expect_any"), "expect_any", case_id)
    correct_any = None
    if "correct_any" in item:
        if not isinstance(item["correct_any"], list):
            raise EvalFileError(f"case {case_id!r}: correct_any must be a list of strings ([] to require abstaining)")
        correct_any = _strings(item["correct_any"], "correct_any", case_id)
        if answerable:
            raise EvalFileError(f"case {case_id!r}: correct_any is for false-premise cases (answerable: false)")
    if lead and not (answerable and expect_any):
        raise EvalFileError(f"case {case_id!r}: lead needs an answerable case with expect_any")
    context = item.get("context")
    if context is not None and not (isinstance(context, list) and all(isinstance(q, str) for q in context)):
        raise EvalFileError(f"case {case_id!r}: context must be a list of earlier questions (strings)")
    return EvalCase(
        id=case_id,
        question=item["question"],
        answerable=answerable,
        expect_any=expect_any,
        sources_any=_strings(item.get("sources_any"), "sources_any", case_id),
        lead=lead,
        correct_any=correct_any,
        context=tuple(context or ()),
    )


def _undecodable(error: UnicodeDecodeError) -> str:
    """Where a file stops being UTF-8: ``byte 0xe9 on line 3``."""
    line = error.object[: error.start].count(b"\n") + 1
    return f"byte 0x{error.object[error.start]:02x} on line {line}"


def load_cases(path: Path) -> list[EvalCase]:
    """Read a question file; raises :class:`EvalFileError` with a clear message."""
    import yaml  # on demand: only `newsbot eval` reads question files

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EvalFileError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise EvalFileError(f"{path} is not UTF-8 text ({_undecodable(error)})") from None
    except yaml.YAMLError:
        raise EvalFileError(f"{path} is not valid YAML") from None
    if not isinstance(data, list) or not data:
        raise EvalFileError(f"{path} must be a non-empty list of cases")
    cases: list[EvalCase] = []
    seen: set[str] = set()
    for position, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("question"), str) or not item["question"].strip():
            raise EvalFileError(f"{path}: case {position} needs a 'question'")
        case_id = str(item.get("id") or f"case-{position}")
        if case_id in seen:
            raise EvalFileError(f"{path}: case id {case_id!r} is used twice")
        seen.add(case_id)
        try:
            cases.append(_case(item, case_id))
        except EvalFileError as error:
            raise EvalFileError(f"{path}: {error}") from None
    return cases


# ---------------------------------------------------------------------------- judging
def _squash(text: str) -> str:
    return " ".join(text.split())


def holds(text: str, phrases: Sequence[str]) -> bool:
    """Does the text hold one of the phrases (case folded)?"""
    folded = text.casefold()
    return any(p.casefold() in folded for p in phrases)


def judge(case: EvalCase, answer: Answer) -> CaseResult:
    """Score one reply against its case.

    Faithfulness: each answer sentence must be verbatim (whitespace squashed) in the passage it cites
    (``citation``, ``passage_id``); the note is the bot's own words and is not judged.
    """
    quoted = {(c.n, p.id): _squash(p.text) for c in answer.citations for p in c.passages}
    faithful = sum(1 for s in answer.sentences if _squash(s.text) in quoted.get((s.citation, s.passage_id), ""))
    clean_abstention = answer.abstained and not answer.citations
    answered = cited = led = premise_ok = abstained_correctly = None
    if case.answerable:
        answered = not answer.abstained and (not case.expect_any or holds(answer.text, case.expect_any))
        sources = [(c.story.url or "") + " " + c.story.source_file for c in answer.citations]
        cited = not answer.abstained and (
            not case.sources_any or any(s.casefold() in src.casefold() for s in case.sources_any for src in sources)
        )
        abstained_correctly = not answer.abstained
        if case.lead:
            led = not answer.abstained and holds(" ".join(answer.lead(2)), case.expect_any)
    elif case.correct_any is not None:
        first = answer.lead(1)
        premise_ok = clean_abstention or bool(first and holds(first[0], case.correct_any))
    else:
        abstained_correctly = clean_abstention
    return CaseResult(
        case, answer, answered, cited, abstained_correctly, faithful, len(answer.sentences), led, premise_ok
    )


async def evaluate(service: Answerer, cases: Sequence[EvalCase]) -> EvalSummary:
    """Ask every case's question (with its chat context) and judge the replies."""
    summary = EvalSummary()
    for case in cases:
        summary.results.append(judge(case, await service.ask(case.question, context=case.context)))
    return summary
