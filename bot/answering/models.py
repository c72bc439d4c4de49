"""What an answer is: verbatim cited sentences, their numbered sources, and the bot's own framing."""

from __future__ import annotations

from dataclasses import dataclass, field

from retrieval.models import Passage, Story


@dataclass(frozen=True, slots=True)
class Citation:
    """A numbered source of an answer: the story and the passage(s) quoted from it."""

    n: int
    story: Story
    passages: tuple[Passage, ...]

    @property
    def passage_text(self) -> str:
        """The quoted passages of this story, in the order the answer uses them."""
        return "\n\n".join(p.text for p in self.passages)

    def to_json(self) -> dict:
        return {
            "n": self.n,
            "title": self.story.title,
            "outlet": self.story.outlet,
            "url": self.story.url,
            "published": self.story.published.isoformat().replace("+00:00", "Z") if self.story.published else None,
            "source_file": self.story.source_file,
            "passage": self.passage_text,
            "story_id": self.story.id,
        }


@dataclass(frozen=True, slots=True)
class AnswerSentence:
    """One verbatim sentence, quoted from passage ``passage_id`` of source ``citation``.

    ``also``: the numbers of other sources that report the same fact (corroboration); the sentence is
    verbatim only in the first source's passage.
    """

    text: str
    citation: int
    passage_id: int
    also: tuple[int, ...] = ()

    @property
    def citations(self) -> tuple[int, ...]:
        """Every source number the sentence carries, the quoted one first."""
        return (self.citation, *self.also)

    @property
    def markers(self) -> str:
        """``[1]`` or ``[1][2][3]``."""
        return "".join(f"[{n}]" for n in self.citations)


@dataclass(frozen=True, slots=True)
class Answer:
    """What the bot says: cited sentences and their sources, or an abstention with its reason.

    ``note``: the bot's own words before the quotes (a premise the coverage does not support); never a
    quote and never cited. It ends with ":" when it introduces the first quote, so the two read as one
    sentence.
    """

    question: str
    sentences: tuple[AnswerSentence, ...] = ()
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    reason: str | None = None
    elapsed_ms: float = 0.0
    searched: int = 0
    query_terms: tuple[str, ...] = field(default=(), repr=False)
    note: str | None = None

    @property
    def text(self) -> str:
        """The answer body: the note, then each sentence followed by its markers; or the abstention."""
        if self.abstained:
            return self.reason or "The coverage doesn't say."
        quoted = " ".join(f"{s.text} {s.markers}" for s in self.sentences)
        return f"{self.note} {quoted}" if self.note else quoted

    def lead(self, count: int = 2) -> list[str]:
        """The first ``count`` sentences a reader sees, the note joined to the quote it introduces."""
        if self.abstained:
            return [self.text]
        parts = [s.text for s in self.sentences[:count]]
        if self.note:
            if parts and self.note.endswith(":"):
                parts[0] = f"{self.note} {parts[0]}"
            else:
                parts = [self.note, *parts][:count]
        return parts

    def to_json(self) -> dict:
        return {
            "question": self.question,
            "answer": self.text,
            "note": self.note,
            "abstained": self.abstained,
            "sentences": [
                {"text": s.text, "citations": list(s.citations), "passage_id": s.passage_id} for s in self.sentences
            ],
            "citations": [c.to_json() for c in self.citations],
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


def format_sources(answer: Answer) -> list[str]:
    """``[1] Title — Outlet, 2020-06-11 <url>`` lines for the numbered sources."""
    return [f"[{c.n}] {c.story.citation_label} <{c.story.url or c.story.source_file}>" for c in answer.citations]
