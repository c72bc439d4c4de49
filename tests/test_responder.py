"""Answers: verbatim cited sentences, honest abstentions, and the shape of a good reply."""

from __future__ import annotations

import re

import pytest

from bot.answering.select import MAX_ANSWER_CHARS, MAX_QUOTED
from bot.service import QuestionError, find_date

QUESTIONS = [
    "What did Microsoft pitch to the DEA?",
    "How long is Amazon's ban on police use of its face recognition software?",
    "Why did the DEA decide not to buy Microsoft's technology?",
    "Which companies stopped selling face recognition to police?",
    "What did Brad Smith say about a national law?",
    "Who is Kade Crockford?",
    "What happened on June 11?",
    "What is the latest on Amazon?",
]


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("question", QUESTIONS)
async def test_every_sentence_is_verbatim_from_the_passage_it_cites(service, question):
    answer = await service.ask(question)
    assert not answer.abstained, answer.text
    assert 1 <= len(answer.sentences) <= MAX_QUOTED  # the chosen sentences, and one antecedent at most
    numbers = [c.n for c in answer.citations]
    assert numbers == list(range(1, len(numbers) + 1))
    for sentence in answer.sentences:
        cited = answer.citations[sentence.citation - 1]
        [passage] = [p for p in cited.passages if p.id == sentence.passage_id]
        assert squash(sentence.text) in squash(passage.text)
        assert squash(sentence.text) in squash(cited.to_json()["passage"])
    assert {n for s in answer.sentences for n in s.citations} == set(numbers)  # nothing listed that is not cited
    assert len({c.story.key for c in answer.citations}) == len(numbers)  # never the same story twice
    body = " ".join(s.text for s in answer.sentences)
    assert len(body) <= MAX_ANSWER_CHARS or len(answer.sentences) == 1
    assert re.search(r"(\[\d\])+$", answer.text)


async def test_sources_carry_title_outlet_date_and_link(service):
    answer = await service.ask("How long is Amazon's ban on police use of its face recognition software?")
    citation = answer.citations[0].to_json()
    assert citation["title"] and citation["outlet"] and citation["url"].startswith("https://")
    assert re.match(r"\d{4}-\d{2}-\d{2}T", citation["published"])


@pytest.mark.parametrize(
    "question",
    [
        "What is the best recipe for sourdough bread?",
        "Did Apple stop selling facial recognition to police?",
        "What did Google say to the FBI about facial recognition?",
        "Who won the 2019 Champions League final?",
    ],
)
async def test_abstains_when_the_coverage_does_not_answer(service, question):
    answer = await service.ask(question)
    assert answer.abstained and answer.citations == () and answer.sentences == ()
    assert answer.text.startswith("The coverage doesn't say: ")  # what to try instead is each adapter's own


async def test_abstention_names_the_missing_subject(service):
    answer = await service.ask("Did Apple stop selling facial recognition to police?")
    assert "Apple" in answer.text


async def test_multi_story_questions_cite_several_stories(service):
    answer = await service.ask("Which companies stopped selling face recognition to police?")
    assert len(answer.citations) >= 2
    text = answer.text
    assert sum(name in text for name in ("Amazon", "Microsoft", "IBM")) >= 2


async def test_date_questions_use_publication_dates(service):
    answer = await service.ask("What happened on June 17?")
    assert not answer.abstained
    assert all(c.story.published.date().isoformat() == "2020-06-17" for c in answer.citations)
    nothing = await service.ask("What happened on March 3?")
    assert nothing.abstained


async def test_recency_questions_prefer_newer_stories(service):
    answer = await service.ask("What is the latest on Microsoft and facial recognition?")
    dates = [c.story.published for c in answer.citations]
    assert dates[0] == max(dates)


async def test_follow_up_uses_the_earlier_question_as_context(service):
    answer = await service.ask("and Amazon?", context=["How long is the ban on police use of face recognition?"])
    assert not answer.abstained
    assert any(phrase in answer.text.lower() for phrase in ("one year", "a year", "one-year", "1-year"))


@pytest.mark.parametrize("bad", ["", "   ", "x" * 2000])
async def test_bad_questions_get_a_clear_message(service, bad):
    with pytest.raises(QuestionError):
        await service.ask(bad)


def test_dates_are_found_in_questions():
    assert (find_date("What happened on June 11?").month, find_date("What happened on June 11?").day) == (6, 11)
    assert find_date("news from 11th of June 2020").year == 2020
    assert find_date("on 2020-06-17").day == 17
    assert find_date("What did IBM decide?") is None
