"""One count of stories everywhere: the ingest report, answers, the outlet list and the chat banner."""

from __future__ import annotations

from bot.service import NewsService
from retrieval.models import NO_OUTLET


async def test_the_ingest_report_and_answers_count_the_same_stories(settings):
    service = await NewsService.open(settings, ingest=False)
    try:
        report = await service.ingest()
        answer = await service.ask("What is the capital of Mars?")
        assert answer.abstained and f"the {report.stories} stories" in answer.text
        # 004 lists its own story among its related stories, and 003's plain article is a story that 004
        # lists too: 42 stored rows, 40 stories
        assert report.stories == await service.story_count() == answer.searched == 40
    finally:
        await service.close()


async def test_outlet_counts_add_up_to_the_stories_and_list_those_without_an_outlet(service):
    sources = await service.sources()
    assert sum(facet.count for facet in sources) == await service.story_count()
    unnamed = [facet for facet in sources if not facet.named]
    assert unnamed == [sources[-1]] and (unnamed[0].name, unnamed[0].count) == (NO_OUTLET, 1)  # seed 002
    assert NO_OUTLET not in await service.complete_outlet("")  # never offered as a filter

