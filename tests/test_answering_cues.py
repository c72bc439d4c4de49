"""How an answer is recognised when the coverage words it otherwise than the question: the cues of a reason, a
definition asked in other forms, figures a question describes by who gave them, ordinals, and linking words that
let a sentence stand alone. Pure functions on hand-made sentences and passages."""

from __future__ import annotations

import pytest

from bot.answering.candidates import defined_terms
from bot.answering.question import AnswerType, answer_type
from bot.answering.spans import answering_spans, spans
from bot.answering.units import quality
from tests.test_answering_units import analysed, compose, hit, typed


# ---- reasons ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    "The Glasgow forward's ban for stamping ended on 2 February.",
    "He was fined for breaching the club's code of conduct.",
    "Wales captain Gareth Thomas has been ruled out of the rest of the Six Nations with a broken thumb.",
    "Opponents say the cost of the new runway could not be met unless cash from Heathrow was used.",
    "The council said the play would not be put on as it promoted violence.",
    "The other five did not die in custody, so their cases had to fail.",
    "The rise in costs stems from a series of mistakes in the research.",
    "An executive froze his broken hard disk thinking it would be fixed.",
    "He quit the band after experiencing a religious awakening.",
])
def test_a_sentence_telling_a_cause_holds_a_reason(sentence):
    assert spans(sentence, AnswerType.REASON), sentence


@pytest.mark.parametrize("sentence", [
    "Euan Murray has been named in the squad after an eight-week ban.",  # "after" a span of time: when, not why
    "Lamont thought he had scored after 65 minutes.",
    "The striker was banned for two years.",  # "banned for" a length of time
    "He returned after the break to score twice.",
    "Welch added that he would appear at a church to explain how he got there.",  # "to explain": no cause
])
def test_a_sentence_telling_only_when_or_how_long_holds_no_reason(sentence):
    assert spans(sentence, AnswerType.REASON) == [], sentence


def test_of_two_sentences_about_a_ban_only_the_one_telling_what_it_was_for_holds_the_reason():
    question = "Why had Scotland forward Euan Murray been banned?"
    assert typed(question, "Euan Murray has been named in the Scotland training squad after an eight-week ban.") == ()
    assert typed(question, "The Glasgow forward's ban for stamping ended on 2 February.",
                  "Euan Murray has been named in the Scotland training squad.")


# ---- definitions asked in other forms --------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "defined"), [
    ("What exactly is a generic drug, like the ones Sandoz makes?", {"generic", "drug"}),
    ("What counts as a technical recession?", {"technic", "recess"}),
    ("What does the word 'blogsphere' refer to?", {"blogspher"}),
    ("What does Raw T stand for?", {"raw"}),
    ("What are the squibs that Bruce Willis blames for his injury?", {"squib"}),
    ('What counts as a "minority ethnic led" production company in the research?', {"minor", "ethnic", "led"}),
    ("What is 'total football'?", {"total", "footbal"}),
])
def test_what_a_definition_question_asks_to_define_is_found_in_each_phrasing(question, defined):
    assert answer_type(question) is AnswerType.DEFINITION
    assert defined_terms(question) == defined


@pytest.mark.parametrize("sentence", [
    "A recession is commonly defined as two consecutive quarters of negative growth.",
    'The bill would give legal force to "living wills", where people say they want treatment withheld.',
    'Merriam-Webster defines a blog as: "a Web site that contains an online personal journal".',
])
def test_a_sentence_defining_a_term_holds_a_definition(sentence):
    assert spans(sentence, AnswerType.DEFINITION), sentence


def test_a_sentence_defining_the_term_answers_though_it_shares_little_else_with_the_question():
    answer = compose("What exactly is a generic drug, like the ones Novartis's Sandoz unit makes?", [hit(
        "sandoz", "Novartis buys generics makers", [
            "Novartis has announced purchases to make its Sandoz unit the world's biggest generic drug producer.",
            "Generic drugs are chemically identical to their more expensive branded rivals.",
        ])])
    assert "chemically identical" in " ".join(s.text for s in answer.sentences[:2])


# ---- figures ---------------------------------------------------------------------------------------------------
def test_how_much_someone_gave_asks_for_an_amount():
    assert answer_type("How much has businessman Duncan Bannatyne given to Labour in the past?") is AnswerType.AMOUNT
    assert answer_type("How much did the singer donate to the appeal?") is AnswerType.AMOUNT


def test_the_role_describing_whom_an_amount_question_is_about_is_not_what_it_measures():
    assert typed("How much has businessman Duncan Bannatyne given to Labour in the past?",
                  "Mr Bannatyne has previously given Labour £50,000.") == ("£50,000",)


def test_a_count_of_people_by_role_still_needs_a_sentence_counting_them():
    assert typed("How many members signed up?", "The club was founded in 1900 and has 3 branches.") == ()
    assert typed("How many members signed up?", "About 3 million members signed up.")


def test_in_the_past_frames_when_and_is_not_what_a_figure_measures():
    asked = analysed("How much has the businessman given to the party in the past?")
    assert "past" not in asked.described and "given" not in asked.described


def test_an_ordinal_in_digits_is_a_number():
    assert "13th" in spans("It is only the 13th time the power has been used since 1947.", AnswerType.NUMBER)


# ---- sentences that stand alone --------------------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "connective"), [
    ("Meanwhile, Matt Williams will not be punished by the union.", True),
    ("However, the board said it would appeal.", True),
    ("He added that the ban was temporary.", False),  # points back at someone: needs the sentence before
    ("The next day, Microsoft said it would not sell.", False),
])
def test_a_linking_word_makes_a_sentence_point_back_without_naming_what_it_points_to(sentence, connective):
    unit = quality(sentence, "A headline")
    assert unit.anaphoric and unit.connective is connective


def test_a_sentence_opening_with_a_linking_word_is_quoted_without_the_sentence_before_it():
    answer = compose("Will Matt Williams quit as Scotland coach?", [hit("williams", "Williams stays", [
        "But Nigel Williams said the game was handled correctly by the officials.",
        "Meanwhile, Matt Williams says he will not quit as Scotland coach.",
    ])])
    assert answer.sentences[0].text.startswith("Meanwhile, Matt Williams")


def test_a_sentence_opening_with_a_pronoun_is_still_quoted_after_the_sentence_it_points_to():
    answer = compose("Will Matt Williams quit as Scotland coach?", [hit("williams", "Williams stays", [
        "Matt Williams spoke to reporters at Murrayfield on the morning after the defeat.",
        "He says he will not quit as Scotland coach.",
    ])])
    assert [s.text[:8] for s in answer.sentences[:2]] == ["Matt Wil", "He says "]


# ---- a sentence going on from one about the subject ------------------------------------------------------------
def test_a_sentence_naming_nothing_asked_answers_where_when_the_one_before_tells_a_third_of_the_question():
    from .test_answering_mutants import views_and_candidates

    question = "Where was the rap boss Suge Knight picked up for breaking the terms of his parole?"
    goes_on = "Officers stopped him in Barstow, California, on Saturday."
    told = "Rap star Suge Knight has been held by police."  # 0.38 of the question
    _, _, candidates, _ = views_and_candidates(question, [hit("a", "Music news", [told, goes_on])])
    assert {c.text: c.coverage for c in candidates}[told] < 0.5
    assert goes_on in {c.text for c in candidates}
    barely = "Police were busy in the city that weekend."  # nothing of it: nothing to go on from
    _, _, candidates, _ = views_and_candidates(question, [hit("a", "Music news", [barely, goes_on])])
    assert goes_on not in {c.text for c in candidates}


def test_asked_who_someone_is_a_clause_on_them_tells_it_but_not_asked_what_something_is():
    sentence = "Distinguished lawyer Lord Scarman, who conducted the inquiry into the 1981 Brixton riots, has died."
    assert answering_spans(sentence, AnswerType.DEFINITION, "Who was Lord Scarman?")
    other = "Several senators are among those affected, who could now be vulnerable to identity theft."
    assert not answering_spans(other, AnswerType.DEFINITION, "What is identity theft?")


def test_a_clause_on_someone_answers_only_who_they_are_and_adds_to_what_else_defines_them():
    assert not any("who" in s for s in answering_spans("The firm's lawyer, who was hired in May, sued Acme.",
                                                      AnswerType.PERSON, "Who sued Acme?"))
    both = answering_spans("Lord Scarman was a judge, who conducted the Brixton inquiry.", AnswerType.DEFINITION,
                           "Who was Lord Scarman?")
    assert any(s.startswith("was a") for s in both) and any(s.startswith(", who") for s in both)


def test_quoted_words_are_what_is_defined_only_in_a_question_asking_what_something_is():
    assert defined_terms('What did Brad Smith say about "regulation"?') == frozenset()


def test_a_name_given_a_role_after_it_is_a_person():
    question = "Who is Andy Roddick about to appoint as his new coach?"
    sentence = "Roddick is close to confirming US Davis Cup assistant Dean Goldfine as his new coach."
    assert answering_spans(sentence, AnswerType.PERSON, question) == ["Dean Goldfine"]
    assert spans("The board named Lillian Tan as chief executive.", AnswerType.PERSON) == ["Lillian Tan"]
    assert spans("He toured New York as a student.", AnswerType.PERSON) == []  # no role: no person


PREVIEW = ["Zambia's coach Kalusha Bwalya is confident ahead of the Cosafa Cup final against Angola on Saturday.",
           "Zambia recalled nine foreign-based players for the Cosafa Cup final."]


def test_a_result_asked_of_a_contest_the_coverage_tells_only_ahead_of_it_is_refused():
    answer = compose("Who won the Cosafa Cup final between Zambia and Angola?", [hit("c", "Zambia confident", PREVIEW)])
    assert answer.abstained and "only before it was decided" in (answer.reason or "")


def test_a_result_the_coverage_tells_is_answered():
    told = ["Angola beat Zambia 2-1 in the Cosafa Cup final on Saturday, their coach Luis Oliveira said.", *PREVIEW]
    answer = compose("Who won the Cosafa Cup final between Zambia and Angola?", [hit("c", "Angola win", told)])
    assert not answer.abstained and "Angola beat Zambia" in answer.sentences[0].text


def test_a_preview_tells_of_a_contest_to_come_and_of_no_result():
    from bot.answering.candidates import asks_result, previews

    assert previews("Bwalya is confident ahead of the final.")
    assert not previews("Bwalya is confident the side won the final.")  # a result told
    assert not previews("Bwalya praised the side.")  # nothing to come
    assert asks_result("Who won the final?") and not asks_result("Who will play in the final?")


def test_a_preview_holds_no_result_though_it_names_someone():
    preview = "In the Cosafa Cup final, coach Kalusha Bwalya will lead Zambia."
    assert typed("Who won the Cosafa Cup final?", preview) == ()
    assert typed("Who will lead Zambia in the Cosafa Cup final?", preview) != ()  # no result asked
    assert typed("Who won the Cosafa Cup final?", "In the Cosafa Cup final, coach Kalusha Bwalya won.") != ()


def test_a_sentence_opening_with_what_the_term_is_defines_it():
    from bot.answering.candidates import opens_definition

    feta = defined_terms("What exactly is feta?")
    assert opens_definition("Feta is a soft white cheese made from sheep's milk.", feta)
    assert opens_definition("The feta was a Greek cheese.", feta)
    assert not opens_definition("But critics say feta is a generic term.", feta)  # said of it, not opening on it
    assert opens_definition("Feta cheese is a Greek speciality.", feta)  # the term and its head noun
    assert not opens_definition("Feta cheese makers are a proud group.", feta)  # about something else
    assert not opens_definition("Feta sales rose in Greece.", feta)  # says nothing of what it is


def test_what_a_term_is_leads_the_answer_to_what_it_is():
    answer = compose("What exactly is feta, according to the court row story?", [
        hit("f", "Court row over feta", [
            "But critics of the court row say feta is a generic term, with the cheese made widely outside Greece.",
            "Feta is a soft white cheese made from sheep or goat's milk.",
        ]),
    ], known={"feta": 3})
    assert answer.sentences[0].text.startswith("Feta is a soft white cheese")
