"""Property-based fuzzing (hypothesis): whatever a file or a question holds, the core answers with a
result or with its own error, never with an unexpected exception.

- an article file (any bytes, any text, any front matter) is parsed into titled articles or refused
  with a :class:`ParseError`; in an ingest it is stored or skipped with a reason;
- a question (any text, with or without earlier questions) is answered, abstained on, or refused with a
  :class:`QuestionError`.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.answering import Answer
from bot.service import NewsService, QuestionError
from bot.settings import Settings
from retrieval.analyzer import Analyzer
from retrieval.ingest import _Candidate, _prepare
from retrieval.models import Article
from retrieval.parsing import ParseError, parse_bytes, parse_text

from .conftest import SEEDS

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = (".txt", ".md", ".markdown", ".yaml", ".yml")

# ---------------------------------------------------------------------------- strategies
yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40), st.dates(),
    st.datetimes(),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ("title", "headline", "excerpt", "publishedDateTime", "webUrl", "url", "provider", "topics", "tags",
          "quality", "images", "related", "body", "content", "date", "outlet")
field_values = st.one_of(yaml_scalars, st.text(max_size=20), yaml_values)  # scalars most often
titled_item = st.builds(  # a title, so that the other fields are read too
    lambda title, fields: {**fields, "title": title},
    st.text(min_size=1, max_size=40),
    st.dictionaries(st.sampled_from([name for name in FIELDS if name != "title"]), field_values, max_size=6),
)
front_matter = st.one_of(
    titled_item,
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), yaml_values, max_size=8),
    st.builds(lambda item, related: {**item, "related": related}, titled_item, st.lists(titled_item, max_size=3)),
)
article_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("-:\n[]{}#*_>|'\" \t\r"),
    max_size=400,
)


def _check_articles(articles: list[Article]) -> None:
    assert articles, "a parsed file holds at least one article"
    for article in articles:
        assert isinstance(article, Article) and article.title.strip()
        for related in article.related:
            assert related.title.strip()


def _parse_or_refuse(parse, *args) -> None:
    try:
        articles = parse(*args)
    except ParseError as error:
        assert str(error), "a refusal says why"
        return
    _check_articles(articles)


# ---------------------------------------------------------------------------- files
@FUZZ
@given(data=st.binary(max_size=2_000), suffix=st.sampled_from(SUFFIXES))
def test_any_bytes_are_parsed_or_refused_with_a_reason(data: bytes, suffix: str) -> None:
    _parse_or_refuse(parse_bytes, data, f"fuzz{suffix}")


@FUZZ
@given(text=article_text, suffix=st.sampled_from(SUFFIXES))
def test_any_text_is_parsed_or_refused_with_a_reason(text: str, suffix: str) -> None:
    _parse_or_refuse(parse_text, text, f"fuzz{suffix}")


@FUZZ
@given(meta=article_text, body=article_text, suffix=st.sampled_from(SUFFIXES))
def test_any_text_as_front_matter_is_parsed_or_refused_with_a_reason(meta: str, body: str, suffix: str) -> None:
    _parse_or_refuse(parse_text, f"---\n{meta}\n---\n{body}", f"fuzz{suffix}")


@FUZZ
@given(item=front_matter, body=article_text, as_list=st.booleans(), suffix=st.sampled_from(SUFFIXES))
def test_any_yaml_item_is_parsed_or_refused_with_a_reason(item: dict, body: str, as_list: bool, suffix: str) -> None:
    dumped = yaml.safe_dump([item] if as_list else item, allow_unicode=True)
    _parse_or_refuse(parse_text, f"---\n{dumped}---\n{body}", f"fuzz{suffix}")
    _parse_or_refuse(parse_text, dumped, f"fuzz{suffix}")


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@FUZZ
@given(data=st.binary(max_size=2_000) | article_text.map(str.encode), suffix=st.sampled_from(SUFFIXES))
def test_an_ingested_file_is_stored_or_skipped_with_a_reason(scratch: Path, data: bytes, suffix: str) -> None:
    path = scratch / f"article{suffix}"
    path.write_bytes(data)
    prepared = _prepare([_Candidate(str(path), path.name)], {}, _ANALYZER)
    assert len(prepared.changes) + len(prepared.skipped) == 1
    for skipped in prepared.skipped:
        assert skipped.path == path.name and skipped.reason
    for _, change in prepared.changes:
        assert change.stories and all(story.title and story.passages for story in change.stories)


_ANALYZER = Analyzer()

# ---------------------------------------------------------------------------- questions
WORDS = ("what", "who", "when", "why", "how", "long", "many", "did", "Microsoft", "Amazon", "IBM", "DEA",
         "police", "ban", "facial", "recognition", "permanently", "June", "11", "2020", "$5", "50%", "and",
         "he", "it", "latest", "on", "?", "Rekognition", "Brad", "Smith", "year", "the", "stop")
questions = st.text(max_size=300) | st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)


@given(question=questions)
@FUZZ
def test_any_text_is_a_question_or_a_question_error(question: str) -> None:
    try:
        cleaned = NewsService.validate_question(question)
    except QuestionError as error:
        assert str(error)
        return
    assert cleaned and cleaned == " ".join(cleaned.split())


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[asyncio.AbstractEventLoop, NewsService]]:
    """A service over the bundled seeds on its own event loop (hypothesis runs examples synchronously)."""
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as folder:
        service = loop.run_until_complete(NewsService.open(Settings(seeds=(SEEDS,), db_path=Path(folder) / "n.db")))
        try:
            yield loop, service
        finally:
            loop.run_until_complete(service.close())
            loop.close()


@FUZZ
@given(question=questions, context=st.lists(questions, max_size=2))
def test_any_question_is_answered_abstained_on_or_refused(seeded, question: str, context: list[str]) -> None:
    loop, service = seeded
    try:
        answer = loop.run_until_complete(service.ask(question, context=context))
    except QuestionError as error:
        assert str(error)
        return
    assert isinstance(answer, Answer)
    assert answer.abstained or answer.citations  # an answer cites, an abstention says why
    if answer.abstained:
        assert answer.text
