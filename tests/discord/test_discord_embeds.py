"""Pure rendering: escaping, cutting at sentence boundaries (never inside a link), Discord's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import discord

from bot.answering import Answer, AnswerSentence, Citation
from bot.discord import embeds
from bot.discord.cogs.browse import choices
from bot.service import SearchResult, StoryDetail
from retrieval.models import Facet, Passage, Story, StoryKind

LINK = re.compile(r"\[(?:\\.|[^\]\\])*\]\([^)\s]*\)")


def story(i: int, title: str = "Title", url: str | None = "https://example.com/a_b") -> Story:
    return Story(
        id=i, key=f"k{i}", title=title, kind=StoryKind.ARTICLE, source_file=f"/s/{i}.txt", url=url,
        outlet="Outlet", published=datetime(2020, 6, 11, tzinfo=UTC), topics=("AI",),
    )


def answer(n_sentences: int, n_citations: int, sentence: str = "IBM quit the facial recognition business.") -> Answer:
    citations = tuple(
        Citation(i, story(i, title=f"Story {i} " + "long title " * 20), (Passage(i, i, 0, "passage text " * 40),))
        for i in range(1, n_citations + 1)
    )
    sentences = tuple(
        AnswerSentence(text=sentence, citation=i % n_citations + 1, passage_id=i % n_citations + 1)
        for i in range(n_sentences)
    )
    return Answer("What did IBM decide?", sentences, citations, searched=40, elapsed_ms=12.0)


def assert_within_limits(embed: discord.Embed) -> None:
    assert len(embed) <= embeds.EMBED_TOTAL_LIMIT
    assert len(embed.title or "") <= embeds.TITLE_LIMIT
    assert len(embed.description or "") <= embeds.DESCRIPTION_LIMIT
    assert len(embed.fields) <= embeds.MAX_FIELDS
    for field in embed.fields:
        assert len(field.name or "") <= embeds.FIELD_NAME_LIMIT
        assert len(field.value or "") <= embeds.FIELD_VALUE_LIMIT


def test_everyone_and_user_mentions_are_neutralised() -> None:
    text = embeds.escape("@everyone @here <@123456789012345678> <@&123456789012345678> *bold*")
    assert "@everyone" not in text and "@here" not in text
    assert "<@123456789012345678>" not in text and "<@&123456789012345678>" not in text
    assert "\\*bold\\*" in text


def test_link_text_cannot_break_out_of_its_link() -> None:
    rendered = embeds.link("A [tricky] title](https://evil.example)", "https://example.com/x(1)")
    assert LINK.fullmatch(rendered), rendered
    assert rendered.endswith("(https://example.com/x%281%29)")
    assert embeds.link("No URL", "javascript:alert(1)") == "No URL"


def test_shorten_cuts_at_a_sentence_boundary() -> None:
    text = "First sentence here. Second sentence is longer than that. Third one."
    assert embeds.shorten(text, 40) == "First sentence here. …"
    assert embeds.shorten(text, 500) == text


def test_shorten_never_cuts_inside_a_link() -> None:
    text = "See " + "[a very long link title](https://example.com/" + "x" * 80 + ") and more words after"
    for limit in range(10, len(text)):
        cut = embeds.shorten(text, limit)
        assert len(cut) <= limit
        body = cut.removesuffix(embeds.ELLIPSIS)
        assert "](" not in body or LINK.search(body), cut


def test_a_long_answer_fits_every_limit_and_keeps_whole_sentences() -> None:
    embed = embeds.answer_embed(answer(n_sentences=200, n_citations=40))
    assert_within_limits(embed)
    body = embed.description or ""
    assert body.endswith("…")
    assert all(LINK.fullmatch(m.group()) for m in LINK.finditer(body))
    assert body.count("IBM quit") == body.count("\\[")  # every sentence kept has its marker
    sources = embed.fields[0]
    assert sources.name == "Sources" and "more under **Sources**" in (sources.value or "")


def test_the_full_source_list_fits() -> None:
    assert_within_limits(embeds.sources_embed(answer(n_sentences=3, n_citations=40).citations))


def test_an_abstention_has_no_sources_field() -> None:
    embed = embeds.answer_embed(Answer("Who won?", abstained=True, reason="The coverage doesn't say.", searched=40))
    description = embed.description or ""
    assert description.startswith("The coverage doesn't say.") and not embed.fields
    assert "/latest" in description and "/search" in description  # slash commands, not CLI ones
    assert "newsbot" not in description
    assert embed.footer.text == "Searched 40 articles in 0 ms"


def test_browse_embeds_fit_with_many_long_items() -> None:
    many = [story(i, title="T" * 300) for i in range(1, 40)]
    assert_within_limits(embeds.stories_embed(many, title="Latest", page=0, has_more=True, offset=0))
    results = [SearchResult(s, "word " * 400, 1.0) for s in many[:10]]
    assert_within_limits(embeds.search_embed(results, query="q" * 300, page=0, has_more=False, offset=0))
    detail = StoryDetail(many[0], (Passage(1, 1, 0, "x. " * 2000),), tuple(many), tuple(many))
    assert_within_limits(embeds.story_embed(detail))
    facets = [Facet(f"Outlet {i} " * 10, i) for i in range(500)]
    assert_within_limits(embeds.facets_embed(facets, title="Outlets", noun="outlets"))


def test_autocomplete_offers_at_most_25_choices_of_at_most_100_characters() -> None:
    offered = choices([f"topic {i}" for i in range(40)] + ["x" * 101])
    assert len(offered) == 25
    assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in offered)


def test_fit_content_respects_the_2000_character_limit() -> None:
    assert len(embeds.fit_content("Word. " * 1000)) <= embeds.CONTENT_LIMIT


MARKER_LINK = re.compile(r"\[\\\[(\d+)\\\]\]\(([^)\s]*)\)")


def corroborated_answer(note: str | None = None) -> Answer:
    """One sentence quoted from source 1 and corroborated by sources 2 and 3, each with its own URL."""
    citations = tuple(
        Citation(n, story(n, title=f"Story {n}", url=f"https://outlet{n}.example/story-{n}"), (Passage(n, n, 0, "IBM quit."),))
        for n in (1, 2, 3)
    )
    sentence = AnswerSentence(text="IBM quit the facial recognition business.", citation=1, passage_id=1, also=(2, 3))
    return Answer("What did IBM decide?", (sentence,), citations, note=note)


def test_a_corroborated_sentence_links_each_marker_to_its_own_source() -> None:
    body = embeds.answer_embed(corroborated_answer()).description or ""
    markers = MARKER_LINK.findall(body)
    assert markers == [(str(n), f"https://outlet{n}.example/story-{n}") for n in (1, 2, 3)]
    assert "business. [\\[1\\]](https://outlet1.example/story-1)[\\[2\\]](" in body  # after the sentence, adjacent


def test_the_note_is_shown_in_italics_before_the_first_quote() -> None:
    note = "IBM did not pause its work: it quit."
    body = embeds.answer_embed(corroborated_answer(note=note)).description or ""
    assert body.startswith(f"*{embeds.escape(note)}* ")
    assert body.index(embeds.escape(note)) < body.index("IBM quit the facial recognition business.")
