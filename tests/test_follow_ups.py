"""Follow-ups in a chat: a short question that leans on the one before is answered from the story the
conversation is about, with what the last answer did not already say."""

from __future__ import annotations

from pathlib import Path

import pytest

from .articles import open_service_over
from .test_answering_units import analysed

STORIES = {
    "mac.txt": (
        "Creator of first Apple Mac dies\n\n"
        "Jef Raskin, head of the team behind the first Macintosh computer, has died.\n\n"
        "The original Macintosh team, headed by Jef Raskin, came up with the first computer of its kind in 1984. "
        "The result was the 1984 Macintosh that did away with the text-based interface of its day. "
        "Users navigated around the machine using a mouse and by pointing and clicking. "
        "In 1982, Mr Raskin left Apple entirely and founded another company called Information Appliance. "
        "He was also an accomplished musician who conducted the Chamber Opera Society. "
        "Mr Raskin was diagnosed with pancreatic cancer in December 2004 and died on 26 February at his home.\n"
    ),
    "spam.txt": (
        "US state acts to stop spammers\n\n"
        "US state Texas has filed a lawsuit against two men believed to be among the world's top spammers.\n\n"
        "The Texas attorney general said the messages sent by the alleged spammers broke three state laws. "
        "The lawsuit was filed against Ryan Pitylak, a university student, and Mark Trotter of California. "
        "Both are thought to run the companies suspected of sending millions of unwanted e-mail messages.\n"
    ),
    "race.txt": (
        "Brothers lead the indoor mile\n\n"
        "The two men led the indoor two mile race from the start in Birmingham on Friday evening.\n\n"
        "The Olympic champion said the two men had trained together all winter for the race. "
        "Spectators in the packed arena cheered as the brothers crossed the line side by side.\n"
    ),
}


@pytest.fixture
async def chat(tmp_path: Path):
    service = await open_service_over(tmp_path / "stories", STORIES, tmp_path / "db" / "news.db")
    try:
        yield service
    finally:
        await service.close()


async def test_a_follow_up_is_answered_with_what_the_last_answer_did_not_say(chat):
    first = await chat.ask("Who headed the team that came up with the original Macintosh?")
    assert "Jef Raskin" in first.lead(1)[0]
    answer = await chat.ask("when did he die?", context=["Who headed the team that came up with the original Macintosh?"])
    assert "26 February" in answer.lead(1)[0]


async def test_a_follow_up_is_answered_from_the_story_the_conversation_is_about(chat):
    context = ["What has the state of Texas filed against the spammers?"]
    answer = await chat.ask("Who are the two men?", context=context)
    assert "Pitylak" in " ".join(answer.lead(2))
    assert all("spam" in c.story.source_file for c in answer.citations[:1])


def test_other_words_searched_for_do_not_make_a_short_question_a_standalone_one():
    # "buy" brings "purchase", "acquire", "takeover"… into the search; the question still has one word of its own
    assert analysed("did they buy it?", context=["What did Microsoft pitch to the DEA?"]).follow_up


def test_a_short_question_about_a_definite_thing_with_no_name_of_its_own_is_a_follow_up():
    context = ["Which company did MCI agree to be bought by?"]
    assert analysed("how much is the deal worth?", context=context).follow_up
    assert not analysed("What is the Verizon deal?", context=context).follow_up
