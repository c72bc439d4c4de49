"""What counts as evidence for an answer: the kinds of answer a question's wording asks for, the spans that
give them, where a span counts, and which sentence tells the fact a premise is checked against. Hand-made
passages, no corpus."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.answering.abstain import UNFOCUSED_PENALTY, decide
from bot.answering.candidates import Shares, passage_view, score_candidates
from bot.answering.premise import check
from bot.answering.question import AnswerType, answer_type
from bot.answering.spans import answering_spans, spans

from .test_answering_units import ANALYZER, analysed, compose, hit


def _decision(question: str, hits, **kwargs):
    asked = analysed(question, **kwargs)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    shares = Shares(asked.weights)
    candidates = score_candidates(asked, views, shares)
    return asked, views, candidates, decide(asked, views, candidates, shares, len(hits))


# ---- the kind of answer asked for ---------------------------------------------------------------
@pytest.mark.parametrize(("question", "kind"), [
    ("What salary will Stanley Fischer be paid as head of the bank?", AnswerType.AMOUNT),
    ("What is the merger of the two banks worth in dollars?", AnswerType.AMOUNT),
    ("What would it cost to hold a referendum on the constitution?", AnswerType.AMOUNT),
    ("How big is her majority?", AnswerType.NUMBER),
    ("What did he die of?", AnswerType.REASON),
    ("What was the cause of her death?", AnswerType.REASON),
    ("What are the names of the two officials who vanished?", AnswerType.PERSON),
])
def test_the_wording_of_a_question_names_the_kind_of_answer(question, kind):
    assert answer_type(question) is kind


def test_a_title_on_its_own_is_not_a_subject_so_the_question_leans_on_the_chat():
    asked = analysed("Who's stepping in as CEO?", context=["Why did Bombardier shares slump?"])
    assert "CEO" not in {s.surface for s in asked.subjects}
    assert asked.follow_up


# ---- spans ----------------------------------------------------------------------------------------
def test_grounds_give_a_reason_and_since_a_date_does_not():
    assert spans("He is to stand down on the grounds of ill health.", AnswerType.REASON)
    assert not spans("Mr Sayeed has been an MP since 1997.", AnswerType.REASON)
    assert spans("Prices rose since demand grew.", AnswerType.REASON)


def test_a_lag_answers_a_question_that_asks_how_long_after():
    sentence = "He passed away at home, just 11 days after his wife died."
    assert answering_spans(sentence, AnswerType.DURATION, "How long after his wife did he pass away?") == ["11 days"]
    assert answering_spans(sentence, AnswerType.DURATION, "How long was he ill?") == []


# ---- where evidence counts --------------------------------------------------------------------------
def test_a_figure_in_a_story_that_never_names_the_rarest_subject_gives_no_amount():
    question = "What is the merger of Zenith Bank and Quorvex Trust worth in dollars?"
    merger = hit("m", "Two banks to merge", [
        "Zenith Bank and Quorvex Trust have agreed plans to merge and create the biggest bank in the region.",
        "The boards of both banks approved the merger at separate meetings on Tuesday, the banks said.",
    ])
    dollar = hit("d", "Dollar slides", [
        "The dollar fell against the euro as the bank traded $4bn of currency in a day, dealers said.",
    ], 0.6)
    known = {"quorvex": 2}
    *_, decision = _decision(question, [merger, dollar], known=known)
    assert not decision.answer
    priced = hit("m", "Two banks to merge", [
        "Zenith Bank and Quorvex Trust have agreed a merger worth $2bn to their shareholders.",
        "The boards of both banks approved the merger at separate meetings on Tuesday, the banks said.",
    ])
    *_, decision = _decision(question, [priced, dollar], known=known)
    assert decision.answer


def test_why_in_a_chat_takes_the_event_from_the_earlier_question():
    context = ["Which two Fannie Mae bosses stepped down?"]
    story = hit("f", "Fannie Mae bosses step down", [
        "The Fannie Mae bosses left after regulators found accounting errors that broke the rules.",
    ])
    asked, *_, decision = _decision("Why did they go?", [story], context=context)
    assert asked.follow_up and asked.answer_type is AnswerType.REASON
    assert decision.answer


def test_an_earlier_sentence_already_quoted_is_not_quoted_again_as_an_antecedent():
    first = "Two senior officials at the Harbin branch of Quorvex Bank have disappeared, the bank said."
    answer = compose("Where did the missing Quorvex Bank officials work?", [
        hit("q", "Officials vanish", [first, "The pair both worked in the northern city of Harbin, police said."]),
        hit("q", "Officials vanish", [first, "However, the bank said its branch in Harbin was open as usual."], 0.9),
    ], known={"quorvex": 2})
    texts = [s.text for s in answer.sentences]
    assert texts.count(first) == 1


def test_a_premise_is_checked_against_the_sentence_told_of_its_subject_and_month():
    question = "Why did Quorvex say house prices fell in December?"
    asked = analysed(question, known={"quorvex": 2})
    story = hit("h", "House prices rebound says Quorvex", [
        "Last week, the Nationwide said that house prices fell 0.2% in December, with inflation slowing.",
        "UK house prices increased by 1.1% in December, the first monthly rise since September, Quorvex said.",
        "House prices fell in the autumn as buyers waited for interest rates to settle, analysts said.",
    ])
    views = [passage_view(story, ANALYZER, frozenset(asked.weights))]
    premise = check(asked, views, score_candidates(asked, views, Shares(asked.weights)))
    assert premise.status == "contradicted"
    assert premise.evidence is not None and "1.1%" in premise.evidence.text


def _premise(question: str, hits, **kwargs):
    asked = analysed(question, **kwargs)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    return check(asked, views, score_candidates(asked, views, Shares(asked.weights)))


def test_a_rate_left_unchanged_contradicts_a_claimed_cut():
    premise = _premise("Why did the Quorvex Central Bank cut its key interest rate to 2%?", [hit("e", "Rates on hold", [
        "The Quorvex Central Bank has left its key interest rate unchanged at 2% for the 19th month in a row.",
        "Officials at the bank talked about the threat of inflation, analysts said on Thursday.",
    ])], known={"quorvex": 2})
    assert premise.status == "contradicted" and "unchanged" in premise.evidence.text


def test_the_direction_is_judged_on_the_sentence_about_what_the_question_says_moved():
    premise = _premise("Why did Quorvex shares fall after the cactus deal?", [hit("p", "Cactus deal for Quorvex", [
        "Under the cactus deal, production at the Quorvex nursery will rise from eight million plants.",
        "Quorvex shares jumped 10.7% on the news, with analysts saying sales of $600m were possible.",
    ])], known={"quorvex": 2})
    assert premise.status == "contradicted" and "10.7%" in premise.evidence.text


def test_a_claimed_defeat_is_judged_on_the_sentence_telling_most_of_the_questions_subjects():
    premise = _premise("Why did Quorvex lose the Dubai final to Ivan Zorbic?", [hit("d", "Quorvex claims Dubai crown", [
        "World number one Quorvex added the Dubai Championship trophy to his list - but not before a test by Ivan Zorbic.",
        "The match was a re-run of last week's final in Rotterdam, where Quorvex triumphed over Zorbic in five sets.",
    ])], known={"quorvex": 2, "zorbic": 2})
    assert premise.status == "contradicted" and "Dubai Championship" in premise.evidence.text


@pytest.mark.parametrize("question", [
    "Why did Nintendo recall the console in Europe?",
    "Why did Howard sack Kruger as the candidate?",
])
def test_an_event_claimed_in_any_form_and_never_reported_is_unsupported(question):
    premise = _premise(question, [hit("n", "Story", [
        "Nintendo has sold almost 4m consoles in Europe since launch, Kruger and Howard said on Monday.",
    ])])
    assert premise.status == "unsupported"


def test_a_premise_is_judged_on_the_story_naming_most_of_its_subjects():
    question = "Why did Michael Howard sack Danny Kruger as the Tory candidate for Sedgefield?"
    premise = _premise(question, [
        hit("k", "Candidate quits over remark", [
            "Danny Kruger quit as the candidate for Sedgefield after his remark, Michael Howard's office said.",
        ]),
        hit("f", "Rethink on axed MP rejected", [
            "Sacked MP Howard Flight will not be the candidate, the Tory association insisted.",
        ], 0.9),
    ])
    assert premise.status == "unsupported" and premise.word == "sack"


def test_what_led_someone_to_act_asks_for_a_reason_and_led_is_not_searched():
    asked = analysed("What led her to do that?", context=["Who did Nicole Kidman get a restraining order against?"])
    assert asked.answer_type is AnswerType.REASON
    assert "led" not in asked.weights


def test_a_score_is_a_figure_even_right_after_a_name_and_score_names_the_kind_of_answer():
    assert spans("Agassi lost to Melzer in San Jose, Melzer 6-3 6-1.", AnswerType.NUMBER) == ["6-3 6-1"]
    assert "score" not in analysed("What was the score?").weights


def test_who_beat_someone_is_not_contradicted_by_their_defeat():
    premise = _premise("Who beat Andre Agassi in the quarter-finals?", [hit("m", "Melzer shocks Agassi", [
        "Second seed Andre Agassi suffered a comprehensive defeat by Jurgen Melzer in the quarter-finals.",
    ])])
    assert premise.status == "ok"


@pytest.mark.parametrize("question", [
    "How much did the firm end up paying in fines over the dam?",
    "How much is the club spending on new players?",
])
def test_money_verbs_in_any_form_ask_for_an_amount(question):
    assert answer_type(question) is AnswerType.AMOUNT


def test_a_first_name_is_asked_for_by_who_and_a_title_with_a_surname_does_not_give_it():
    question = "What is the first name of the chief executive who criticised the watchdog?"
    assert answer_type(question) is AnswerType.PERSON
    assert answer_type("What is the full name of Mr Prettejohn?") is AnswerType.PERSON
    assert answering_spans("They should seize the moment, Mr Prettejohn said.", AnswerType.PERSON, question) == []
    assert answering_spans("They should act, said chief executive Nick Prettejohn.", AnswerType.PERSON, question)
    assert answering_spans("They should seize the moment, Mr Prettejohn said.", AnswerType.PERSON, "Who spoke?")


def test_how_old_is_answered_by_an_age_not_by_any_figure():
    question = "How old is he?"
    assert answering_spans("Mr Jacobsen took the names of 400 customers.", AnswerType.NUMBER, question) == []
    for sentence in ("Mr Jacobsen, 21, managed to get in.", "He died aged 21.", "A 21-year-old man was held.",
                     "I was 21 when she was born."):
        assert answering_spans(sentence, AnswerType.NUMBER, question) == ["21"]
    assert "old" not in analysed(question).weights  # "how old" names the kind of answer


def test_a_sentence_under_a_headline_naming_the_subject_is_told_of_it():
    question = "Why did Quorvex shares close down 8%?"
    story = hit("a", "Quorvex hit by drug failure", [
        "Shares in the Anglo-Swedish drug firm have closed down 8% in UK trade after the failure of its lung drug.",
        "The firm had hoped to pitch the drug against a rival medicine, analysts said on Monday.",
    ])
    asked, views, candidates, decision = _decision(question, [story], known={"quorvex": 2})
    assert decision.answer
    assert check(asked, views, candidates).status == "ok"


def test_a_why_question_worded_otherwise_is_reported_by_the_sentence_stating_its_figure():
    question = "What made the retailer Quorvex knock £5m off its profit forecast?"
    story = hit("n", "Weak sales hit Quorvex", [
        "Quorvex has said its annual profit will be £5m lower than expected because its clearance sale went badly.",
        "Shares in the company fell more than 3% after the statement, traders said.",
    ])
    *_, decision = _decision(question, [story], known={"quorvex": 2})
    assert decision.answer
    *_, decision = _decision(question.replace("£5m", "£9m"), [story], known={"quorvex": 2})
    assert not decision.answer  # another figure: the event asked about is not the one reported


def _best_sentence(question: str, story) -> str:
    """The best-scoring sentence of one story for the question (Quorvex a known name)."""
    asked = analysed(question, known={"quorvex": 2})
    views = [passage_view(story, ANALYZER, frozenset(asked.weights))]
    return max(score_candidates(asked, views, Shares(asked.weights)), key=lambda c: c.score).text


def test_a_place_of_the_kind_asked_for_leads_over_any_place_named():
    question = "In which city did the missing Quorvex Bank officials work?"
    story = hit("q", "Millions go missing at Quorvex Bank", [
        "A report in the Economic Observer said the missing Quorvex officials worked in New York.",
        "The two missing officials both worked at the bank in the northern city of Harbin, police said.",
    ])
    assert "Harbin" in _best_sentence(question, story)


@pytest.mark.parametrize("asked_kind", ["town", "city"])
def test_a_reader_names_a_kind_of_place_by_its_kin(asked_kind):
    question = f"Which {asked_kind} is Quorvex using to trial phones as bus tickets?"
    story = hit("q", "Phones double up as bus tickets", [
        "Quorvex will trial phones as tickets in Germany, the company said.",
        "Early next year Quorvex customers in the city of Hanau will be able to pay for the bus with a phone.",
    ])
    assert "Hanau" in _best_sentence(question, story)


@pytest.mark.parametrize(("question", "kind"), [
    ("What did it fetch?", AnswerType.AMOUNT),
    ("How cheap have the printers themselves got?", AnswerType.AMOUNT),
    ("How fast do the lifts actually go?", AnswerType.NUMBER),
])
def test_more_wordings_of_figures(question, kind):
    assert answer_type(question) is kind


def test_owing_is_told_as_debt():
    from bot.answering.lexicon import lexicon

    assert {"debt"} <= lexicon(ANALYZER).others("owe")


def test_the_anchor_is_the_rarest_subject_and_only_when_the_best_story_names_it():
    from bot.answering.abstain import anchor

    question = "What did Quorvex pay for Zenith Bank in Harbin?"
    asked = analysed(question, known={"quorvex": 50, "zenith": 20, "harbin": 2, "bank": 400})
    named = hit("h", "Harbin deal", ["Quorvex bought Zenith Bank in Harbin for a sum it did not give."])
    unnamed = hit("z", "Zenith deal", ["Quorvex bought Zenith Bank for a sum it did not give."])
    views = [passage_view(named, ANALYZER, frozenset(asked.weights))]
    assert anchor(asked, views).surface == "Harbin"
    assert anchor(asked, [passage_view(unnamed, ANALYZER, frozenset(asked.weights))]) is None


@pytest.mark.parametrize(("question", "word", "moved"), [
    ("Why did Quorvex shares fall after the deal?", "fall", "share"),
    ("Why did the central bank cut rates again?", "cut", "rate"),
])
def test_what_a_direction_word_says_moved_is_the_plain_word_beside_it(question, word, moved):
    from bot.answering.premise import _moved

    assert _moved(analysed(question, known={"quorvex": 2}), word) == {moved}


def test_a_figure_stated_of_someone_else_does_not_report_the_event():
    from bot.answering.abstain import states_the_figure

    question = "What made the retailer Quorvex knock £5m off its profit forecast?"
    other = hit("o", "Zenith trims outlook", ["Zenith has said its annual profit will be £5m lower than expected."])
    own = hit("n", "Weak sales hit Quorvex", ["Quorvex has said its annual profit will be £5m lower than expected."])
    for story, told in ((other, False), (own, True)):
        asked = analysed(question, known={"quorvex": 2, "zenith": 2})
        views = [passage_view(story, ANALYZER, frozenset(asked.weights))]
        assert states_the_figure(asked, score_candidates(asked, views, Shares(asked.weights))) is told


def test_a_place_the_question_names_in_other_words_does_not_answer_where():
    from bot.answering.candidates import restates
    from bot.answering.lexicon import lexicon

    asked = frozenset(analysed("Which Austrian town is making its own TV channel?").weights)
    assert restates("in Austria", asked, lexicon(ANALYZER))
    assert not restates("in Engerwitzdorf", asked, lexicon(ANALYZER))
    assert not restates("in Germany", asked, lexicon(ANALYZER))


def test_a_question_asking_for_a_date_is_not_answered_by_a_year_alone():
    year = "Quorvex returned to profit in 2004 after huge losses in 2003."
    day = "The company said it will give all the details of its results on 23 March."
    assert answering_spans(year, AnswerType.DATE, "On what date will Quorvex publish its results?") == []
    assert answering_spans(day, AnswerType.DATE, "On what date will Quorvex publish its results?") == ["23 March"]
    assert answering_spans(year, AnswerType.DATE, "When did Quorvex return to profit?")


@pytest.mark.parametrize(("sentence", "person"), [
    ("Chief Executive Martin Sorrell on Friday told Reuters that Quorvex had made a bid.", "Martin Sorrell"),
    ("The Texas Attorney General Greg Abbott sued the firm.", "Greg Abbott"),
    ("Prime Minister Tony Blair said so.", "Tony Blair"),
])
def test_a_role_capitalised_with_a_name_introduces_the_person_after_it(sentence, person):
    from bot.answering.spans import people

    assert people(sentence) == [person]


def test_who_runs_a_firm_is_answered_by_the_name_its_leaders_title_introduces_however_far_from_the_firm():
    question = "Who runs the advertising group Quorvex?"
    story = hit("q", "Ad firm Quorvex's profits surge 15%", [
        "UK advertising giant Quorvex has posted larger-than-expected annual profits this year.",
        "Chief Executive Martin Sorrell on Friday told Reuters news agency that Quorvex had made a bid.",
    ])
    asked = analysed(question, known={"quorvex": 2})
    views = [passage_view(story, ANALYZER, frozenset(asked.weights))]
    typed = [c.typed for c in score_candidates(asked, views, Shares(asked.weights)) if c.typed]
    assert typed == [("Martin Sorrell",)]


@pytest.mark.parametrize(("sentence", "counted"), [
    ("Some 200 new jobs are to be created at the factory.", ["200"]),
    ("It worked. The 30 staff stayed on.", ["30"]),
    ("Shops will sell the Xbox 2 from Friday.", []),
])
def test_a_figure_after_a_word_that_only_opens_the_sentence_counts_and_one_after_a_name_does_not(sentence, counted):
    assert spans(sentence, AnswerType.NUMBER) == counted


def test_an_age_is_not_how_long_something_lasted():
    sentence = "The 27-year-old Austrian has been banned for three months."
    assert spans(sentence, AnswerType.DURATION) == ["for three months"]


def test_what_someone_died_of_is_a_cause():
    assert spans("Merle Kilgore has died of congestive heart failure aged 70.", AnswerType.REASON)
    assert not spans("Merle Kilgore has died aged 70.", AnswerType.REASON)


def test_an_event_named_by_its_length_is_not_how_long_something_lasted():
    assert spans("He was sentenced after a day of action in defence of bloggers.", AnswerType.DURATION) == []
    assert spans("He was jailed for a year.", AnswerType.DURATION) == ["for a year"]


def test_a_comparison_is_answered_first_by_the_sentence_that_sets_one_subject_against_the_other():
    answer = compose("How does Quorvex's bet on future airliners differ from Zorbair's?", [
        hit("b", "Quorvex unveils new aircraft", [
            "Analysts are divided over which airliners are the future in this tussle between Quorvex and Zorbair.",
            "Quorvex, in contrast to rival Zorbair, hopes airlines will want to fly smaller aircraft.",
        ]),
    ], known={"quorvex": 2, "zorbair": 2})
    assert "smaller aircraft" in answer.lead(1)[0]


def test_a_yes_no_question_is_answered_first_by_the_sentence_that_says_no_outright():
    answer = compose("Does the Quorvex Act give foreign companies an exemption?", [
        hit("s", "Regulator to rethink post-Enron rules", [
            "The new rules for foreign companies are the result of the Quorvex Act, part of the US clean-up.",
            "Mr Donaldson said that although the Act does not provide exemptions for foreign firms, the regulator "
            "would be sensitive.",
        ]),
    ], known={"quorvex": 2})
    assert "does not provide exemptions" in answer.lead(1)[0]


def test_a_year_no_story_about_the_subject_names_or_dates_from_weighs_against_answering():
    stories = [hit("h", "Slovakia seal Quorvex Cup success", [
        "Slovakia clinched the Quorvex Cup for the second time by beating Argentina 3-0 in the 2005 final.",
        "Hantuchova, who did not win a Quorvex Cup singles match in 2004, was in good form this year.",
    ], url=None, outlet=None)]
    *_, told = _decision("What happened at the 2005 Quorvex Cup?", stories, known={"quorvex": 2})
    *_, other = _decision("What happened at the 2006 Quorvex Cup?", stories, known={"quorvex": 2})
    assert told.answer and not other.answer
    dated = [hit("h", "Slovakia seal Quorvex Cup success", [  # published in 2020: it tells of that year unsaid
        "Slovakia clinched the Quorvex Cup for the second time by beating Argentina 3-0 in the final.",
    ])]
    *_, dated_told = _decision("What happened at the 2020 Quorvex Cup?", dated, known={"quorvex": 2})
    assert dated_told.answer


@pytest.mark.parametrize("frame", ["Is it true that", "Is it correct that", "Was it the case that"])
def test_a_yes_no_frame_is_not_part_of_what_is_asked(frame):
    asked = analysed(f"{frame} Quorvex banned police use of its software?", known={"quorvex": 2})
    assert asked.answer_type is AnswerType.YES_NO
    assert set(asked.weights) == {"quorvex", "ban", "polic", "use", "softwar"}


def test_an_event_a_why_question_takes_for_granted_that_the_story_says_did_not_happen_is_corrected():
    question = "Why was Quorvex arrested after the slurry attack in Manchester?"
    story = [hit("k", "Quorvex attacked with slurry", [
        "Euro MP Quorvex has had a bucket of farm slurry thrown over him by a protester in Manchester.",
        "Officers took statements at the scene, but no arrests have been made.",
    ], url=None, outlet=None)]
    premise = _premise(question, story, known={"quorvex": 2})
    assert premise.status == "contradicted" and "no arrests" in premise.evidence.text
    told = [hit("k", "Quorvex held after slurry attack", [
        "Euro MP Quorvex was arrested after a bucket of slurry was thrown in Manchester, police said.",
        "Officers took statements at the scene.",
    ], url=None, outlet=None)]
    assert _premise(question, told, known={"quorvex": 2}).status == "ok"


def test_a_year_is_told_by_a_story_about_the_subject_naming_it_or_dating_from_it():
    from bot.answering.abstain import year_told

    asked = analysed("What happened at the 2005 Quorvex Cup?", known={"quorvex": 2})

    def views(*hits):
        return [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]

    about = hit("a", "Slovakia seal Quorvex Cup", ["Slovakia clinched the Quorvex Cup in the 2005 final."], url=None)
    undated = hit("b", "Slovakia seal Quorvex Cup", ["Slovakia clinched the Quorvex Cup in the final."], url=None)
    elsewhere = hit("c", "Budget plans", ["The 2005 budget was passed by parliament in March."], url=None)
    assert year_told(asked, views(undated, about))
    assert not year_told(asked, views(undated, elsewhere))  # named only where the subject is not
    dated = replace(undated, story=replace(undated.story, published=datetime(2005, 1, 9, tzinfo=UTC)))
    assert year_told(asked, views(dated))


def test_a_sourced_wording_leads_a_sourced_one_only_at_equal_relevance():
    from bot.answering.corroborate import group

    from .test_answering_mutants import candidate

    terms = "emails obtained aclu show microsoft facial recognition dea pushed"
    first = candidate("Emails obtained by the ACLU show Microsoft pushed face tools to the DEA.", 1.0, key="a",
                      terms=terms)
    second = candidate("Emails obtained by the ACLU show Microsoft pushed its facial recognition to the DEA.", 0.7,
                       key="b", terms=terms, quality=90)
    assert group([first, second])[0].story_key == "a"  # both have outlet, date and link: relevance decides


def test_a_denial_counts_only_in_the_sentence_that_best_tells_the_event_and_only_for_why():
    question = "Why was Quorvex arrested after the slurry attack in Manchester?"
    mixed = [hit("k", "Quorvex attacked with slurry", [
        "Quorvex was arrested later, police said on Friday.",
        "Officers at the slurry attack said that on the day no arrests were made.",
    ], url=None, outlet=None)]
    assert _premise(question, mixed, known={"quorvex": 2}).status == "ok"  # the event is told of the subject
    denied = [hit("k", "Quorvex attacked with slurry", [
        "Euro MP Quorvex has had a bucket of farm slurry thrown over him by a protester in Manchester.",
        "Officers took statements at the scene, but no arrests have been made.",
    ], url=None, outlet=None)]
    when = _premise("When was Quorvex arrested after the slurry attack in Manchester?", denied, known={"quorvex": 2})
    assert when.status == "ok"  # only a "why" takes the event for granted


def test_no_other_arrests_says_someone_was_arrested():
    story = [hit("k", "Quorvex attacked with slurry", [
        "Euro MP Quorvex has had a bucket of farm slurry thrown over him by a protester in Manchester.",
        "Officers took statements at the scene, but no other arrests have been made.",
    ], url=None, outlet=None)]
    premise = _premise("Why was Quorvex arrested after the slurry attack in Manchester?", story, known={"quorvex": 2})
    assert premise.status == "ok"


def test_a_story_about_the_subject_that_never_names_what_is_asked_weighs_against_answering_without_vetoing():
    """"Why is Dorvik Quell famous?" of a profile that never says "famous": the coverage is about the subject, and
    the penalty for telling nothing of what is asked leaves a strong match answering."""
    stories = [hit("a", "Dorvik Quell profile", [
        "Dorvik Quell is a singer from Harbour, born in 1970.",
        "Dorvik Quell sold ten million records with Harbour Records.",
    ])]
    *_, decision = _decision("Why is Dorvik Quell famous?", stories, known={"dorvik": 3, "quell": 3})
    assert decision.answer
    assert 0.5 <= decision.confidence < 0.5 + UNFOCUSED_PENALTY
