"""Plain-text answers as the CLI and the terminal chat print them."""

from __future__ import annotations

from bot.answering import Answer, AnswerSentence, Citation
from bot.formatting import answer_text
from retrieval.models import Passage, Story, StoryKind


def answer(note: str | None = None) -> Answer:
    citations = tuple(
        Citation(n, Story(n, f"k{n}", f"Story {n}", StoryKind.ARTICLE, f"seeds/{n}.txt", url=f"https://outlet{n}.example/{n}"),
                 (Passage(n, n, 0, "Microsoft will not sell facial recognition to police."),))
        for n in (1, 2)
    )
    sentences = (
        AnswerSentence("Microsoft will not sell facial recognition to police.", 1, 1, also=(2,)),
        AnswerSentence("Microsoft will not sell facial recognition to police.", 2, 2),
    )
    return Answer("Did Microsoft stop selling?", sentences, citations, note=note)


def test_a_corroborated_sentence_shows_every_marker_and_every_source() -> None:
    text = answer_text(answer())
    assert "Microsoft will not sell facial recognition to police. [1][2] " in text
    assert "[1] Story 1 <https://outlet1.example/1>" in text and "[2] Story 2 <https://outlet2.example/2>" in text


def test_the_note_comes_first() -> None:
    text = answer_text(answer(note="Microsoft has not stopped for good:"))
    assert text.startswith("Microsoft has not stopped for good: Microsoft will not sell")


def test_an_abstention_in_the_terminal_points_to_the_cli_commands():
    text = answer_text(Answer("Who won?", abstained=True, reason="The coverage doesn't say: no story mentions it."))
    assert text.startswith("The coverage doesn't say: no story mentions it.")
    assert "`newsbot latest`" in text and "`newsbot search`" in text
