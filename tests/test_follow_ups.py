"""Follow-ups in a chat: a short question that leans on the one before is answered from the story the
conversation is about, with what the last answer did not already say."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering import Answer, AnswerSentence
from bot.answering.candidates import Shares, passage_view, score_candidates
from bot.answering.question import AnswerType, answer_type

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
    "hillbillies.txt": (
        "Hillbillies singer dies\n\n"
        "Jerry Scoggins, who sang the theme tune to The Beverly Hillbillies, has died.\n\n"
        "The country singer died at his home in Dallas, Texas, aged 93. "
        "He recorded the song in 1962 with the bluegrass duo Flatt and Scruggs.\n"
    ),
    "verdict.txt": (
        "Rapper's murder verdict quashed\n\n"
        "A judge threw out the verdict against the rapper convicted of killing a 16-year-old who died in a club.\n\n"
        "The teenager died after a fight broke out in the crowded nightclub near New Orleans.\n"
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


async def test_a_follow_up_is_answered_from_the_conversations_story_though_another_matches_its_words(chat):
    context = ["Who sang the theme tune to The Beverly Hillbillies?"]
    answer = await chat.ask("How old was he when he died?", context=context)
    assert "93" in answer.lead(1)[0]


async def test_a_follow_up_answer_from_the_conversations_story_must_lead_with_what_it_asks(chat):
    asked, _ = await chat._understand_in_chat("When did he die?", ["Who designed the Macintosh?"])

    def leading(text: str) -> Answer:
        return Answer("When did he die?", (AnswerSentence(text, 1, 1),))

    from .test_answering_units import hit

    story = [hit("mac", "Creator of first Apple Mac dies", ["Mr Raskin died on 26 February at his home."])]
    assert chat._leads_with_answer(leading("He died on 26 February at his home."), asked, story)
    assert not chat._leads_with_answer(leading("He died at his home after a long illness."), asked, story)  # no date
    assert not chat._leads_with_answer(leading("He designed the Macintosh in 1979."), asked, story)  # not his death
    pointed = Answer("When did he die?", (AnswerSentence("Mr Raskin founded Information Appliance.", 1, 1),
                                          AnswerSentence("He died on 26 February at his home.", 1, 2)))
    assert chat._leads_with_answer(pointed, asked, story)  # the answer second, after what it points back to
    # a story that tells it in other words ("passed away") cannot be asked to repeat the follow-up's own word
    reworded = [hit("mac", "Creator of first Apple Mac passes away", ["Mr Raskin passed away on 26 February."])]
    assert chat._leads_with_answer(leading("Mr Raskin passed away on 26 February."), asked, reworded)


async def test_a_follow_up_naming_nothing_is_answered_from_the_conversations_story_over_another_sharing_its_words(
        tmp_path: Path):
    stories = {
        "hack.txt": (
            "Hacker charged over phone firm break-in\n\n"
            "A man has been charged with hacking into the computers of the US arm of a mobile phone firm.\n\n"
            "Mr Jacobsen tried at least twice to hack the network and took the names of 400 customers. "
            "Although Mr Jacobsen, 21, managed to get in, he was caught by the Secret Service.\n"
        ),
        "office.txt": (
            "How old is too old for a hacker's computer?\n\n"
            "I looked around my office and found a 12-year-old laptop that no hacker would touch.\n\n"
            "Old computers are not good enough for a hacker to run modern programs, the analyst said.\n"
        ),
    }
    service = await open_service_over(tmp_path / "stories", stories, tmp_path / "db" / "news.db")
    try:
        context = ["Who has been charged with hacking into the phone firm's computers?"]
        first = await service.ask(context[0])
        assert "hack.txt" in first.citations[0].story.source_file
        for follow_up in ("How old is he?", "How old is the hacker?"):
            answer = await service.ask(follow_up, context=context)
            assert "21" in " ".join(answer.lead(2))
            assert "hack.txt" in answer.citations[0].story.source_file
    finally:
        await service.close()


async def test_a_follow_up_asks_for_the_kind_of_answer_its_questions_ask_for_not_its_last_answers(chat):
    asked, story = await chat._understand_in_chat("and what about him?", ["When did Jef Raskin die?"])
    assert asked.follow_up and story is not None
    assert asked.answer_type is AnswerType.DATE


def test_other_words_searched_for_do_not_make_a_short_question_a_standalone_one():
    # "buy" brings "purchase", "acquire", "takeover"… into the search; the question still has one word of its own
    assert analysed("did they buy it?", context=["What did Microsoft pitch to the DEA?"]).follow_up


def test_a_short_question_about_a_definite_thing_with_no_name_of_its_own_is_a_follow_up():
    context = ["Which company did MCI agree to be bought by?"]
    assert analysed("how much is the deal worth?", context=context).follow_up
    assert not analysed("What is the Verizon deal?", context=context).follow_up


def test_money_recovered_donated_or_awarded_is_an_amount():
    assert answer_type("How much is she trying to recover?") is AnswerType.AMOUNT
    assert answer_type("How much did the bank donate to the victims?") is AnswerType.AMOUNT


def test_a_sentence_holding_the_answer_can_be_made_to_lead_however_it_scores():
    from dataclasses import replace as with_fields

    from bot.answering.select import select

    from .test_answering_units import ANALYZER, hit

    asked = analysed("How much is Spears claiming?")
    sentences = ["Spears is suing eight insurers over her cancelled world tour, her lawyers said on Monday.",
                 "Papers filed in New York put the whole claim at five million pounds."]
    views = [passage_view(hit("s", "Spears", sentences), ANALYZER, frozenset(asked.weights))]
    talk, figure = score_candidates(asked, views, Shares(asked.weights))
    talk, figure = with_fields(talk, score=1.0, typed=()), with_fields(figure, score=0.15, typed=("five million",))
    holds = lambda c: bool(c.typed)  # noqa: E731
    assert select([talk, figure], answers=holds)[0] is talk  # too far behind to lead
    assert select([talk, figure], answers=holds, lead_share=0.0)[0] is figure


async def test_when_another_story_would_answer_a_nameless_follow_up_the_conversations_story_is_kept(
        chat, monkeypatch):
    import bot.service as service_module

    real = service_module.compose_answer

    def elsewhere(asked, ranked, analyzer, *, searched, one_story=False):
        if one_story:
            return real(asked, ranked, analyzer, searched=searched, one_story=True)
        other = [hit for hit in ranked if "verdict" in hit.story.source_file] or list(ranked)
        return real(asked, other, analyzer, searched=searched)  # as if another story's words matched best

    monkeypatch.setattr(service_module, "compose_answer", elsewhere)
    context = ["Who sang the theme tune to The Beverly Hillbillies?"]
    # its lead does not name the bluegrass duo the story speaks of, so the whole coverage is asked too
    answer = await chat.ask("How old was the bluegrass duo's partner?", context=context)
    assert "hillbillies" in answer.citations[0].story.source_file
    assert "93" in answer.lead(1)[0]


def test_a_follow_up_takes_the_chats_first_subject_whole_so_either_of_its_names_tells_of_it():
    asked = analysed("What does he blame for it?",
                     context=["Why was the tennis player Stefan Koubek banned by the Quorvex Federation?"])
    assert [(s.surface, s.terms) for s in asked.subjects] == [("Stefan Koubek", frozenset({"stefan", "koubek"}))]


def test_a_person_pointed_back_to_before_any_name_of_its_own_makes_a_follow_up():
    context = ["Which former Quorvex minister has died in a London hospice?"]
    assert analysed("Who took over his seat in the Commons?", context=context).follow_up
    assert analysed("How much has he given them altogether since 1999?", context=context).follow_up
    assert not analysed("Why did Blair say he would resign from the Commons?", context=context).follow_up


def test_a_follow_up_with_its_own_question_about_a_person_keeps_its_own_kind_of_answer():
    context = ["Who runs the Quorvex Nurse Association?"]
    asked = analysed("what's he overhauling with the power platform", context=context)
    assert asked.follow_up and asked.answer_type is AnswerType.OPEN
    assert analysed("and what about this year?", context=["How much did Quorvex earn?"]).answer_type is AnswerType.AMOUNT


def test_a_follow_ups_weights_are_the_same_bits_whatever_the_hash_seed():
    """A float sum over a set adds in hash order, and its last bits can decide a near-tie between sentences."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = (
        "from tests.test_answering_units import analysed\n"
        "context = \"Who broke the women's world indoor record at the Boston Games in Tokyo, Sydney, Lagos and Lima?\"\n"
        "from tests.test_answering_units import ANALYZER\n"
        "known = {t: 3 + 7 * i for i, t in enumerate(ANALYZER.terms(context))}\n"
        "q = analysed('What was her winning time?', context=[context], known=known)\n"
        "print(repr(sorted(q.weights.items())))\n"
    )
    root = Path(__file__).resolve().parents[1]
    runs = {
        subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2", "3", "4", "5", "6")
    }
    assert len(runs) == 1
