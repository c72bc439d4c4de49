"""How ``newsbot eval`` judges a reply, reads a question file, and what the naive baseline answers.

The judge is exercised with hand-built answers, so each rule is checked on its own: answer first
(``lead``), false premises (``correct_any``), abstention and faithfulness.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.answering import Answer, AnswerSentence, Citation
from bot.baseline import Bm25Baseline
from bot.evaluation import (
    EvalCase,
    EvalFileError,
    EvalSummary,
    evaluate,
    judge,
    load_cases,
)
from bot.formatting import eval_text
from retrieval.models import Passage, Story, StoryKind

from .articles import open_service_over

BACKGROUND = "Amazon has sold its Rekognition software to police departments since 2016."
FACT = "Amazon said the pause on police use of Rekognition would last one year."
CONTEXT = "Civil rights groups had asked for the software to be withdrawn."
PASSAGE = Passage(7, 1, 0, f"{BACKGROUND}\n{FACT}\n{CONTEXT}")
STORY = Story(1, "k1", "Amazon pauses police use of Rekognition", StoryKind.ARTICLE, "seeds/001.txt", url="https://example.com/amazon")


def reply(*texts: str, note: str | None = None, passage: Passage = PASSAGE) -> Answer:
    """An answer quoting ``texts`` from ``passage`` as source [1]."""
    sentences = tuple(AnswerSentence(text, 1, passage.id) for text in texts)
    return Answer("?", sentences, (Citation(1, STORY, (passage,)),), note=note)


def abstention(*, citations: tuple[Citation, ...] = ()) -> Answer:
    return Answer("?", citations=citations, abstained=True, reason="The coverage doesn't say.")


LEAD = EvalCase("length", "How long is Amazon's pause?", expect_any=("one year",), sources_any=("example.com",), lead=True)
PREMISE = EvalCase("permanent", "Why did Amazon ban it permanently?", answerable=False, correct_any=("one year",))
ONLY_ABSTAIN = EvalCase("ibm-dea", "Why did IBM sell to the DEA?", answerable=False, correct_any=())
UNANSWERABLE = EvalCase("bread", "Best sourdough recipe?", answerable=False)


# ---------------------------------------------------------------------------- answer first
def test_an_answer_with_the_expected_phrase_in_its_first_two_sentences_leads() -> None:
    result = judge(LEAD, reply(BACKGROUND, FACT, CONTEXT))
    assert result.led and result.passed


def test_an_expected_phrase_only_in_the_third_sentence_does_not_lead() -> None:
    result = judge(LEAD, reply(BACKGROUND, CONTEXT, FACT))
    assert result.answered  # the phrase is in the reply…
    assert result.led is False and not result.passed  # …but buried under background


def test_a_note_takes_a_lead_slot_unless_it_introduces_the_first_quote() -> None:
    assert not judge(LEAD, reply(BACKGROUND, FACT, note="The coverage says more.")).led
    assert judge(LEAD, reply(BACKGROUND, FACT, note="The coverage says:")).led


def test_lead_is_not_judged_on_cases_that_do_not_ask_for_it() -> None:
    case = EvalCase("length", "How long?", expect_any=("one year",))
    result = judge(case, reply(BACKGROUND, CONTEXT, FACT))
    assert result.led is None and result.passed


def test_an_abstention_never_leads() -> None:
    result = judge(LEAD, Answer("?", abstained=True, reason="It lasts one year, probably."))
    assert result.led is False and not result.passed


# ---------------------------------------------------------------------------- false premises
def test_a_note_that_corrects_the_premise_passes() -> None:
    answer = reply(FACT, note="Amazon's pause is not permanent: it is set for one year.")
    result = judge(PREMISE, answer)
    assert result.premise_ok and result.passed


def test_a_first_quote_that_corrects_the_premise_passes() -> None:
    assert judge(PREMISE, reply(FACT, BACKGROUND)).passed


def test_quoting_around_the_premise_fails() -> None:
    result = judge(PREMISE, reply(BACKGROUND, FACT))  # the correction comes second
    assert result.premise_ok is False and not result.passed


def test_a_clean_abstention_passes_a_premise_case() -> None:
    assert judge(PREMISE, abstention()).passed


def test_an_empty_correct_any_passes_only_by_abstaining() -> None:
    assert judge(ONLY_ABSTAIN, abstention()).passed
    assert not judge(ONLY_ABSTAIN, reply(FACT)).passed
    assert not judge(ONLY_ABSTAIN, reply(FACT, note="IBM did not sell to the DEA:")).passed
    assert not judge(ONLY_ABSTAIN, abstention(citations=(Citation(1, STORY, (PASSAGE,)),))).passed


def test_a_corrected_premise_must_still_be_quoted_faithfully() -> None:
    result = judge(PREMISE, reply("Amazon's pause lasts one year, not forever."))
    assert result.premise_ok and not result.passed


# ---------------------------------------------------------------------------- abstention
def test_an_unanswerable_case_passes_only_by_abstaining_without_citations() -> None:
    assert judge(UNANSWERABLE, abstention()).passed
    assert not judge(UNANSWERABLE, reply(FACT)).passed
    assert not judge(UNANSWERABLE, abstention(citations=(Citation(1, STORY, (PASSAGE,)),))).passed


def test_an_answerable_case_fails_when_the_bot_abstains() -> None:
    result = judge(EvalCase("length", "How long?", expect_any=("one year",)), abstention())
    assert result.abstained_correctly is False and not result.passed


def test_abstention_accuracy_leaves_premise_cases_out() -> None:
    summary = EvalSummary([judge(PREMISE, reply(FACT)), judge(UNANSWERABLE, abstention()), judge(LEAD, reply(FACT))])
    assert summary.abstention_accuracy == 1.0  # the premise case answered, and was right to
    assert [r.case.id for r in summary.abstention_cases] == ["bread", "length"]
    assert summary.premise_accuracy == 1.0 and summary.answer_first_rate == 1.0


# ---------------------------------------------------------------------------- faithfulness
def test_a_sentence_not_in_its_cited_passage_is_unfaithful() -> None:
    result = judge(LEAD, reply("Amazon said the pause would last one year.", BACKGROUND))
    assert (result.faithful_sentences, result.total_sentences) == (1, 2)
    assert result.answered and result.led and not result.passed


def test_a_sentence_citing_the_wrong_passage_is_unfaithful() -> None:
    other = Passage(8, 1, 1, "Something else entirely.")
    answer = Answer(
        "?", (AnswerSentence(FACT, 1, other.id),), (Citation(1, STORY, (PASSAGE, other)),)
    )
    assert judge(LEAD, answer).faithful_sentences == 0


def test_whitespace_differences_are_not_unfaithful() -> None:
    assert judge(LEAD, reply("Amazon said the pause  on police use\nof Rekognition would last one year.")).faithful


def test_the_note_is_not_a_quote_and_is_not_judged_for_faithfulness() -> None:
    result = judge(LEAD, reply(FACT, note="In the bot's own words, which no passage holds:"))
    assert (result.faithful_sentences, result.total_sentences) == (1, 1) and result.passed


def test_unfaithful_sentences_lower_the_faithfulness_eval_reports() -> None:
    """What ``newsbot eval`` prints and returns: a rate over every sentence, not 100 % whatever was quoted."""
    summary = EvalSummary([
        judge(LEAD, reply(FACT, "Amazon said the pause would last one year.")),  # the second is not verbatim
        judge(LEAD, reply(FACT, BACKGROUND)),
    ])
    assert summary.faithfulness == 0.75 and summary.to_json()["totals"]["faithfulness"] == 0.75
    text = eval_text(summary)
    assert "faithfulness 75.0%" in text and "UNFAITHFUL 1 sentence(s)" in text


# ---------------------------------------------------------------------------- totals and text
def test_totals_and_text_report_answer_first_and_premise() -> None:
    summary = EvalSummary([
        judge(LEAD, reply(FACT)), judge(LEAD, reply(BACKGROUND, CONTEXT, FACT)),
        judge(PREMISE, reply(FACT)), judge(ONLY_ABSTAIN, reply(FACT)),
    ])
    totals = summary.to_json()["totals"]
    assert (totals["answer_first"], totals["lead_cases"], totals["answer_first_rate"]) == (1, 2, 0.5)
    assert (totals["premise_ok"], totals["premise_cases"], totals["premise_accuracy"]) == (1, 2, 0.5)
    text = eval_text(summary)
    assert "lead ✓" in text and "lead ✗" in text
    assert "premise ✓" in text and "premise ✗" in text
    assert "answer-first rate 50.0% (1/2), premise accuracy 50.0% (1/2)" in text
    assert "answer-first rate n/a (0 cases), premise accuracy n/a (0 cases)" in eval_text(EvalSummary([judge(UNANSWERABLE, abstention())]))


# ---------------------------------------------------------------------------- question files
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_question_files_read_lead_premise_and_context(tmp_path: Path) -> None:
    cases = load_cases(write(tmp_path, """
- id: first
  question: How long is the pause?
  expect_any: [one year]
  lead: true
- id: premise
  question: Why is the ban permanent?
  answerable: false
  correct_any: [one year]
- id: only-abstain
  question: Why did IBM sell to the DEA?
  answerable: false
  correct_any: []
- id: follow-up
  question: and Amazon?
  context: ["Did Microsoft stop selling to police?"]
"""))
    first, premise, only_abstain, follow_up = cases
    assert first.lead and first.correct_any is None and first.context == ()
    assert premise.correct_any == ("one year",) and not premise.lead
    assert only_abstain.correct_any == () and only_abstain.premise
    assert follow_up.context == ("Did Microsoft stop selling to police?",) and not follow_up.premise


@pytest.mark.parametrize(
    "body, message",
    [
        ("- question: Q\n  lead: 'yes'\n  expect_any: [x]", "lead must be true or false"),
        ("- question: Q\n  answerable: 'no'", "answerable must be true or false"),
        ("- question: Q\n  answerable: false\n  correct_any: one year", "correct_any must be a list"),
        ("- question: Q\n  answerable: false\n  correct_any:", "correct_any must be a list"),
        ("- question: Q\n  correct_any: [one year]", "correct_any is for false-premise cases"),
        ("- question: Q\n  lead: true", "lead needs an answerable case with expect_any"),
        ("- question: Q\n  answerable: false\n  lead: true\n  expect_any: [x]", "lead needs an answerable case"),
        ("- question: Q\n  context: earlier question", "context must be a list of earlier questions"),
        ("- question: Q\n  context: [1, 2]", "context must be a list of earlier questions"),
        ("- question: Q\n  expect_any: {a: b}", "expect_any must be a list of strings"),
        ("- id: a\n  question: Q\n- id: a\n  question: R", "case id 'a' is used twice"),
        ("- question: ''", "case 1 needs a 'question'"),
        ("[]", "must be a non-empty list of cases"),
        ("- question: [unclosed", "is not valid YAML"),
    ],
)
def test_malformed_question_files_are_clear_errors(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(EvalFileError, match=message):
        load_cases(write(tmp_path, body))


def test_a_missing_question_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EvalFileError, match="cannot read"):
        load_cases(tmp_path / "nope.yaml")


# ---------------------------------------------------------------------------- evaluate
class RecordingService:
    """Answers every question with the same reply and remembers how it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    async def ask(self, question: str, *, context: Sequence[str] = ()) -> Answer:
        self.asked.append((question, tuple(context)))
        return reply(FACT)


async def test_evaluate_asks_each_question_with_its_chat_context() -> None:
    service = RecordingService()
    follow_up = EvalCase("follow-up", "and Amazon?", context=("Did Microsoft stop selling?", "Why?"))
    summary = await evaluate(service, [LEAD, follow_up])
    assert service.asked == [(LEAD.question, ()), ("and Amazon?", ("Did Microsoft stop selling?", "Why?"))]
    assert summary.passed == 2


# ---------------------------------------------------------------------------- the baseline
ARTICLES = {
    "zebra.txt": "Zebras cross the river\n\nZebras crossed the river at dawn.\nThe zebras swam for an hour.\n",
    "zoo.txt": "Zoo news\n\nThe zoo counted its zebras.\nKeepers fed the lions.\n",
    "budget.txt": "City budget\n\nThe council passed the budget.\nTaxes will not rise.\n",
}


@pytest.fixture
async def tiny_store(tmp_path: Path):
    service = await open_service_over(tmp_path / "articles", ARTICLES, tmp_path / "db" / "tiny.db")
    try:
        yield service.store
    finally:
        await service.close()


async def test_the_baseline_quotes_the_top_two_passages_whole(tiny_store) -> None:
    baseline = Bm25Baseline.from_store(tiny_store)
    assert len(baseline.passages) == 3  # every stored passage
    answer = await baseline.ask("When did the zebras cross the river?")
    assert not answer.abstained
    assert [c.story.title for c in answer.citations] == ["Zebras cross the river", "Zoo news"]
    assert [c.n for c in answer.citations] == [1, 2]
    first, second = (c.passages[0] for c in answer.citations)
    stored = tiny_store.read_passages([first.id, second.id])
    assert [(c.passages[0], c.story) for c in answer.citations] == [stored[first.id], stored[second.id]]
    assert "Zebras crossed the river at dawn.\nThe zebras swam for an hour." in first.text
    assert [(s.text, s.citation, s.passage_id) for s in answer.sentences] == [
        *((line, 1, first.id) for line in first.text.split("\n")),
        *((line, 2, second.id) for line in second.text.split("\n")),
    ]  # each passage whole, line by line
    assert judge(EvalCase("zebra", "?", expect_any=("dawn",), lead=True), answer).passed


async def test_the_baseline_never_abstains(tiny_store) -> None:
    answer = await Bm25Baseline.from_store(tiny_store).ask("What is the best sourdough recipe?")
    assert not answer.abstained and len(answer.citations) == 2 and answer.sentences
    assert not judge(UNANSWERABLE, answer).passed
