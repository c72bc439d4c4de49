"""A naive answerer to measure the bot against (benchmarks and tests only; needs ``rank-bm25``).

``rank_bm25.BM25Okapi`` over every stored passage, tokenised with the project's analyzer; the reply
quotes the top two passages whole (each passage line an answer sentence, cited [1] and [2]) and never
abstains. It returns :class:`~bot.answering.Answer` objects, so the same judge scores it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rank_bm25 import BM25Okapi

from retrieval.analyzer import Analyzer
from retrieval.models import Passage, Story
from retrieval.storage import NewsStore
from retrieval.store import chunks

from .answering import Answer, AnswerSentence, Citation

TOP = 2
"""Passages quoted in every reply."""


@dataclass(slots=True)
class Bm25Baseline:
    """Top-2 BM25Okapi passages quoted whole, for any question (``context`` is ignored)."""

    passages: list[tuple[Passage, Story]]
    analyzer: Analyzer = field(default_factory=Analyzer)
    bm25: BM25Okapi | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        if self.passages:  # BM25Okapi cannot be built over no documents
            self.bm25 = BM25Okapi([self.analyzer.terms(p.text) for p, _ in self.passages])

    @classmethod
    def from_store(cls, store: NewsStore, analyzer: Analyzer | None = None) -> Bm25Baseline:
        """Every passage the store holds, with its story, in passage id order."""
        ids = [pid for pid, _ in store.iter_all_terms()]
        rows: dict[int, tuple[Passage, Story]] = {}
        for group in chunks(ids, 10_000):
            rows.update(store.read_passages(group))
        return cls([rows[pid] for pid in ids if pid in rows], analyzer or Analyzer())

    def top(self, question: str, count: int = TOP) -> list[tuple[Passage, Story]]:
        """The ``count`` best-scoring passages (ties: the lower passage id first)."""
        if self.bm25 is None:
            return []
        scores = np.asarray(self.bm25.get_scores(self.analyzer.terms(question)))
        order = np.argsort(-scores, kind="stable")[:count]
        return [self.passages[i] for i in order]

    async def ask(self, question: str, *, context: Sequence[str] = ()) -> Answer:
        """The top passages quoted whole; never an abstention."""
        started = time.perf_counter()
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        for n, (passage, story) in enumerate(self.top(question), start=1):
            citations.append(Citation(n, story, (passage,)))
            sentences += [
                AnswerSentence(text=line.strip(), citation=n, passage_id=passage.id)
                for line in passage.text.split("\n")
                if line.strip()
            ]
        return Answer(
            question,
            tuple(sentences),
            tuple(citations),
            elapsed_ms=(time.perf_counter() - started) * 1000,
            searched=len({story.id for _, story in self.passages}),
        )
