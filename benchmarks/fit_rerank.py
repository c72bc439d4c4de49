"""Fit the sentence model of ``bot/answering/rerank.py`` on the development question sets.

For every answerable ``lead`` case of the training sets, the bot is asked the question with the model off
(every weight zero); the candidate sentences of the composition that made its reply are kept with their
signals, their hand-set score and whether they hold an expected phrase. A conditional logit is fitted:
among a question's candidates, P(c) ∝ score(c) × exp(w · signals(c)), maximising the probability of the
candidates that hold the answer, with an L2 penalty. Held-out sets (``heldout3`` to ``heldout12``)
are never read here.

    python benchmarks/fit_rerank.py                 # leave-one-set-out figures, then the weights
    python benchmarks/fit_rerank.py --write         # …and write them into bot/answering/rerank.py

It prints, per left-out set, how often the best-scoring candidate holds the answer (among questions where
some candidate does) with the hand-set score and with the fitted correction.
"""

from __future__ import annotations

import argparse
import asyncio
import pickle
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import bot.answering.compose as compose  # noqa: E402
import bot.service as service_module  # noqa: E402
from benchmarks.answer_quality import COMBINED, SETS  # noqa: E402
from bot.answering import rerank  # noqa: E402
from bot.answering.candidates import Candidate  # noqa: E402
from bot.evaluation import holds, load_cases  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.settings import Settings  # noqa: E402

TRAINING = ("judged", "validation", "heldout", "heldout2", "probe", "probe2", "probe3", "probe4", "probe5",
            "probe6", "probe7", "probe8", "probe9")
"""Development sets over the combined corpus; the held-out sets are left out."""
PENALTY = 2.0
STEPS = 3000
RATE = 0.05
MIN_SCORE = 1e-9


@dataclass(frozen=True, slots=True)
class Question:
    """One question's candidates: signals (n × d), log hand-set scores (n) and which hold the answer (n)."""

    set_name: str
    case_id: str
    signals: np.ndarray
    offsets: np.ndarray
    answers: np.ndarray


@contextmanager
def recorded() -> Iterator[list[dict]]:
    """Record each composition the service makes (its answer and its scored candidates), model off."""
    calls: list[dict] = []
    score, answer = compose.score_candidates, service_module.compose_answer

    def scoring(*args, **kwargs):
        out = score(*args, **kwargs)
        calls[-1]["candidates"] = out
        return out

    def composing(*args, **kwargs):
        calls.append({})
        calls[-1]["answer"] = answer(*args, **kwargs)
        return calls[-1]["answer"]

    weights = dict(rerank.WEIGHTS)
    compose.score_candidates, service_module.compose_answer = scoring, composing
    rerank.WEIGHTS.update(dict.fromkeys(rerank.SIGNALS, 0.0))
    try:
        yield calls
    finally:
        compose.score_candidates, service_module.compose_answer = score, answer
        rerank.WEIGHTS.update(weights)


def _final(calls: list[dict], sentences: tuple) -> list[Candidate] | None:
    """The candidates of the composition whose reply was given."""
    for call in reversed(calls):
        if "candidates" in call and call["answer"].sentences == sentences:
            return call["candidates"]
    return None


async def collect(names: tuple[str, ...], db: Path) -> list[Question]:
    service = await NewsService.open(Settings(seeds=COMBINED, db_path=db))
    out: list[Question] = []
    try:
        with recorded() as calls:
            for name in names:
                for case in load_cases(SETS[name][0]):
                    if not (case.answerable and case.lead and case.expect_any):
                        continue
                    calls.clear()
                    answer = await service.ask(case.question, context=case.context)
                    final = _final(calls, answer.sentences) if not answer.abstained else None
                    # every scored candidate has its traits; one row per candidate, in the same order
                    rows = [(c, traits) for c in final or () if (traits := c.traits) is not None]
                    if not rows:
                        continue
                    answers = np.array([holds(c.text, case.expect_any) for c, _ in rows])
                    if answers.all() or not answers.any():
                        continue  # nothing to learn: every candidate, or none, holds the answer
                    out.append(Question(
                        name, case.id, np.array([rerank.signals(traits) for _, traits in rows]),
                        np.log(np.maximum([c.score for c, _ in rows], MIN_SCORE)), answers))
    finally:
        await service.close()
    return out


@dataclass(frozen=True, slots=True)
class Stacked:
    """Every question's candidates in one matrix: ``starts`` marks where each question's rows begin."""

    signals: np.ndarray
    offsets: np.ndarray
    answers: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, questions: list[Question]) -> Stacked:
        sizes = [len(q.offsets) for q in questions]
        return cls(np.vstack([q.signals for q in questions]), np.concatenate([q.offsets for q in questions]),
                   np.concatenate([q.answers for q in questions]), np.cumsum([0, *sizes[:-1]]))


def _segment_logsumexp(x: np.ndarray, starts: np.ndarray, rows: np.ndarray) -> np.ndarray:
    top = np.maximum.reduceat(x, starts)
    return top + np.log(np.add.reduceat(np.exp(x - top[rows]), starts))


def loss_and_gradient(w: np.ndarray, data: Stacked, penalty: float) -> tuple[float, np.ndarray]:
    """Mean negative log probability of the answer-holding candidates, plus the L2 penalty."""
    rows = np.repeat(np.arange(len(data.starts)), np.diff(np.append(data.starts, len(data.offsets))))
    x = data.offsets + data.signals @ w
    every = _segment_logsumexp(x, data.starts, rows)
    held = np.where(data.answers, x, -np.inf)
    holding = _segment_logsumexp(held, data.starts, rows)
    p = np.exp(x - every[rows])
    q = np.where(data.answers, np.exp(held - holding[rows]), 0.0)
    n = len(data.starts)
    loss = float((every - holding).sum()) / n + penalty / 2 * float(w @ w) / n
    return loss, ((p - q) @ data.signals) / n + penalty * w / n


def fit(questions: list[Question], penalty: float = PENALTY) -> np.ndarray:
    """Adam on the (smooth) objective; a few thousand steps settle it for a score of signals."""
    data = Stacked.of(questions)
    w = np.zeros(len(rerank.SIGNALS))
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, STEPS + 1):
        _, g = loss_and_gradient(w, data, penalty)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= RATE * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def top_hits(questions: list[Question], w: np.ndarray) -> int:
    """Questions whose best-scoring candidate, corrected by ``w``, holds the answer (a proxy: at run time the
    choice is also bounded by :func:`bot.answering.select.first_choice`'s guards)."""
    return sum(bool(q.answers[np.argmax(q.offsets + q.signals @ w)]) for q in questions)


def write(w: np.ndarray) -> None:
    path = ROOT / "bot" / "answering" / "rerank.py"
    body = "".join(f'    "{name}": {value:.3f},\n' for name, value in zip(rerank.SIGNALS, w, strict=True))
    text = path.read_text(encoding="utf-8")
    text, count = re.subn(r"WEIGHTS: dict\[str, float\] = (?:dict\.fromkeys\(SIGNALS, 0\.0\)|\{\n(?:    .*\n)*\})",
                          "WEIGHTS: dict[str, float] = {\n" + body + "}", text)
    if count != 1:
        raise SystemExit(f"could not find WEIGHTS in {path}")
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help="write the fitted weights into rerank.py")
    parser.add_argument("--penalty", type=float, default=PENALTY)
    parser.add_argument("--db", type=Path, help="an ingested database of the combined corpus to reuse")
    parser.add_argument("--cache", type=Path, help="keep the collected candidates in this file (pickle) and reuse them")
    args = parser.parse_args(argv)
    names = tuple(n for n in TRAINING if SETS[n][0].exists())
    if not all(p.exists() for p in COMBINED):
        print("skipped: the combined corpus (../shared) is missing")
        return 0
    if args.cache and args.cache.exists():
        questions = pickle.loads(args.cache.read_bytes())
    else:
        with tempfile.TemporaryDirectory(prefix="newsbot-fit-") as tmp:
            questions = asyncio.run(collect(names, args.db or Path(tmp) / "fit.db"))
        if args.cache:
            args.cache.write_bytes(pickle.dumps(questions))
    zero = np.zeros(len(rerank.SIGNALS))
    print(f"{len(questions)} questions with candidates that do and do not hold the answer\n")
    print("| left out | questions | best candidate holds the answer: hand-set | fitted on the others |")
    print("|---|---|---|---|")
    totals = [0, 0, 0]
    for name in names:
        test = [q for q in questions if q.set_name == name]
        if not test:
            continue
        w = fit([q for q in questions if q.set_name != name], args.penalty)
        hand, fitted = top_hits(test, zero), top_hits(test, w)
        totals = [totals[0] + len(test), totals[1] + hand, totals[2] + fitted]
        print(f"| {name} | {len(test)} | {hand} | {fitted} |")
    print(f"| all | {totals[0]} | {totals[1]} | {totals[2]} |\n")
    w = fit(questions, args.penalty)
    for name, value in zip(rerank.SIGNALS, w, strict=True):
        print(f"{name:18s} {value:+.3f}")
    if args.write:
        write(w)
    return 0


if __name__ == "__main__":
    sys.exit(main())
