"""The core's question check, shared by the CLI and Discord: empty, invisible and over-long questions."""

from __future__ import annotations

import pytest

from bot.service import MAX_QUESTION_CHARS, NewsService, QuestionError

validate = NewsService.validate_question


def refusal(question: str) -> str:
    with pytest.raises(QuestionError) as caught:
        validate(question)
    return str(caught.value)


@pytest.mark.parametrize(
    "invisible",
    ["\u200b\u200d\ufeff", "\u200b \u2060 \u200c", "\u3164\u3164", "\u2800", " \u00ad "],
    ids=["zero-width", "zero-width-and-spaces", "hangul-filler", "braille-blank", "soft-hyphen"],
)
def test_a_question_of_only_invisible_characters_is_refused_clearly(invisible: str) -> None:
    assert refusal(invisible) == "That question has only invisible characters; please type it in words."


def test_a_question_with_some_invisible_characters_is_still_asked() -> None:
    assert validate("\u200bwhat did IBM decide?\ufeff") == "\u200bwhat did IBM decide?\ufeff"


def test_too_long_reports_the_length_as_typed_and_the_inclusive_limit() -> None:
    assert refusal("x" * 9999) == (
        f"That question is too long (9999 characters); keep it to {MAX_QUESTION_CHARS} characters or fewer."
    )
    assert "(2000 characters)" in refusal("why " * 499 + "why?")


def test_the_limit_itself_is_allowed_and_one_more_is_not() -> None:
    assert validate("x" * MAX_QUESTION_CHARS) == "x" * MAX_QUESTION_CHARS
    assert f"({MAX_QUESTION_CHARS + 1} characters)" in refusal("x" * (MAX_QUESTION_CHARS + 1))


def test_whitespace_inside_counts_as_discord_counts_it() -> None:
    """Discord's max_length counts every character typed; the core must not let a longer one through."""
    padded = "what" + " " * MAX_QUESTION_CHARS + "now?"
    assert "(1008 characters)" in refusal(padded)
    assert validate("  what   now?  ") == "what now?"
