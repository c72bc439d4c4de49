"""Answer rules: each is a general behaviour, checked on the seeds or a tiny corpus.

"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering.question import AnswerType, analyse
from bot.answering.spans import has_answer
from bot.service import NewsService
from retrieval.analyzer import Analyzer
from retrieval.text import normalise

from .articles import open_service_over


def test_dotted_acronyms_are_one_term():
    analyzer = Analyzer()
    assert analyzer.terms("the U.S. Isn't China") == analyzer.terms("the US isn't China")
    assert [t.surface for t in analyzer.tokens("U.S. police")] == ["US", "police"]
    assert analyzer.terms("Mr. J. Smith said.") == ["mr", "j", "smith"]  # initials are not acronyms


@pytest.mark.parametrize("phrasing", [
    "Tell me about {}", "What is known about {}?", "What happened with {}?", "Any news on {}?", "Explain {}",
])
def test_phrases_that_shape_a_question_are_not_searched_for(phrasing):
    analyzer = Analyzer()
    subject = "Microsoft's pitch to the DEA"

    def searched(text: str) -> list[str]:
        return list(analyse(text, analyzer, lambda term: 1, 100).search)

    assert searched(phrasing.format(subject)) == searched(subject) == ["microsoft", "pitch", "dea"]


async def test_a_question_phrased_as_tell_me_about_is_answered_like_a_direct_one(service):
    direct = await service.ask("What did Microsoft pitch to the DEA?")
    phrased = await service.ask("Tell me about Microsoft's pitch to the DEA")
    assert not phrased.abstained and "tell" not in phrased.query_terms
    assert phrased.citations[0].story.key == direct.citations[0].story.key


def test_html_entities_in_excerpts_are_decoded():
    assert normalise("we&#8217;re R&amp;D") == "we're R&D"


async def test_a_headline_is_quotable_when_it_alone_answers(service):
    # the Times LIVE story says "phrenology" only in its headline
    answer = await service.ask("What does phrenology have to do with facial recognition?")
    assert not answer.abstained
    assert "phrenology" in answer.text.lower()
    assert any("timeslive" in (c.story.url or "") for c in answer.citations)


async def test_a_day_with_no_stories_falls_back_to_the_text(service):
    answer = await service.ask("What did Amazon announce on June 10?")  # published June 11; the text says June 10
    assert not answer.abstained and "June 10" in answer.text
    none = await service.ask("What happened on June 13?")
    assert none.abstained and "June 13" in none.text


async def test_latest_puts_the_newest_matching_story_first(service):
    answer = await service.ask("What's the latest on Amazon and Microsoft's face recognition bans?")
    dates = [c.story.published for c in answer.citations]
    assert dates == sorted(dates, reverse=True)
    assert dates[0].isoformat().startswith("2020-06-2")  # Seattle Times, June 20


async def test_now_in_a_question_is_not_a_recency_request(service):
    answer = await service.ask("Did Amazon explain why it paused police use of its face recognition now?")
    assert "did not say why" in answer.text


@pytest.mark.parametrize(
    "question",
    [
        "How much money did Microsoft make from facial recognition sales to the DEA?",  # no amount anywhere
        "How much did Amazon charge police for Rekognition?",
    ],
)
async def test_amount_questions_need_an_amount(service, question):
    answer = await service.ask(question)
    assert answer.abstained, answer.text


async def test_count_questions_quote_a_number(service):
    answer = await service.ask("How many searches did people linked to the DEA run on Clearview AI?")
    assert "2,000" in answer.text


async def test_light_words_do_not_block_an_answer(service):
    answer = await service.ask("Which federal agencies does Microsoft Azure already work with?")
    assert not answer.abstained and "Immigration and Customs" in answer.text


async def test_where_questions_prefer_a_named_place(service):
    answer = await service.ask("Where did Brad Smith announce that Microsoft would not sell face recognition to police?")
    assert "Washington Post" in answer.text


async def _tiny(tmp_path: Path, items: dict[str, str]) -> NewsService:
    return await open_service_over(tmp_path / "corpus", items, tmp_path / "t.db")


def _item(title: str, excerpt: str, day: str) -> str:
    return (f'---\ntitle: "{title}"\nexcerpt: "{excerpt}"\npublishedDateTime: {day}T10:00:00Z\n'
            f'webUrl: "https://example.com/{title.lower().replace(" ", "-")}"\n---\n')


async def test_names_never_mentioned_together_are_not_answered(tmp_path):
    service = await _tiny(tmp_path, {
        "a.md": _item("Acme uses Zeta's language model", "Acme says it is bringing Zeta's language model to its platform.", "2021-05-25"),
        "b.md": _item("Provance names a CEO", "Kelly Moodie, CEO of Provance, announced ServiceTeam today for customers.", "2021-05-10"),
        "c.md": _item("Ferns grow in shade", "Ferns are plants that grow well in the shade of tall trees.", "2021-05-11"),
    })
    try:
        assert (await service.ask("Who is the CEO of Zeta?")).abstained
        assert not (await service.ask("Who is the CEO of Provance?")).abstained
    finally:
        await service.close()


@pytest.mark.parametrize(
    ("sentence", "names_a_number"),
    [
        ("Police ran 2,000 searches.", True),
        ("Two-thirds of the force used it.", True),
        ("HUNDREDS of officers signed up.", True),
        ("A dozen cities banned it.", True),
        ("The contract ran for years.", False),
        ("Someone phoned the office.", False),  # "one" inside a word is not a number
        ("It was a twentyfold increase.", False),
        ("The vote_one flag was set.", False),  # word characters on both sides
    ],
)
def test_a_count_question_needs_a_sentence_that_names_a_number(sentence, names_a_number):
    assert has_answer(sentence, AnswerType.NUMBER, "How many?") is names_a_number


async def test_a_misspelt_name_the_coverage_knows_is_answered_as_if_spelt_right(service):
    right = await service.ask("What did Microsoft pitch to the DEA?")
    typo = await service.ask("What did Microsfot pitch to the DEA?")
    assert not typo.abstained and "microsoft" in typo.query_terms
    assert typo.citations[0].story.key == right.citations[0].story.key


async def test_a_short_unknown_name_is_not_corrected_into_a_known_word(service):
    answer = await service.ask("Did Apple stop selling facial recognition to police?")
    assert answer.abstained and "Apple" in answer.text


async def test_the_answer_deep_in_the_best_story_is_found_though_its_passage_ranks_low(tmp_path):
    filler = " ".join(
        f"The Delft panorama shows the Delft city hall, the Delft market and the Delft canals, part {i}."
        for i in range(30)
    )
    tail = ("The stitching process ran on five powerful PCs over three days. Engineers watched the machines "
            "closely and checked the colours, the edges and the light of every frame by hand before the "
            "finished picture went on show to visitors in the museum hall.")
    article = f"Delft panorama made from 600 snapshots\n\n{filler}\n\n{tail}"
    service = await _tiny(tmp_path, {"delft.txt": article})
    try:
        assert len(await service.store.story_passages(1)) > 5  # the answer's passage is not among the best four
        answer = await service.ask("How long did it take to make the Delft panorama?")
        assert "three days" in " ".join(answer.lead(2))
    finally:
        await service.close()


def test_a_month_the_question_names_is_searched_as_fully_as_its_own_words():
    asked = analyse("How many jobs did employers add in January?", Analyzer(), lambda term: 10, 1000)
    month = Analyzer().terms("January")[0]
    assert month not in asked.weights  # not required: the publication date may tell it
    assert asked.search[month] == asked.search[Analyzer().terms("jobs")[0]]


async def test_a_date_in_the_question_whose_days_stories_do_not_answer_is_looked_for_in_the_text(tmp_path):
    service = await _tiny(tmp_path, {
        "a.md": _item("Ferns grow in shade", "Ferns are plants that grow well in the shade of tall trees.", "2020-05-05"),
        "b.md": _item("Register to vote", "Voters must register by 11 March if the general election is held on 5 May.",
                      "2020-02-01"),
    })
    try:
        answer = await service.ask("What is the last date to register if the general election is held on 5 May?")
        assert not answer.abstained and "11 March" in answer.lead(1)[0]
    finally:
        await service.close()
