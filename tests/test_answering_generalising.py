"""Answering rules that generalise beyond one story: each reads like the rule it pins down, on hand-made
passages (no corpus), and fails when the rule is taken out."""

from __future__ import annotations

import pytest

from bot.answering.abstain import decide
from bot.answering.candidates import (
    Candidate,
    Shares,
    acting,
    date_precision,
    passage_view,
    score_candidates,
)
from bot.answering.premise import check
from bot.answering.question import AnswerType, answer_type
from bot.answering.select import select
from bot.answering.spans import NEGATION, answering_spans, spans
from bot.answering.units import quality

from .test_answering_units import ANALYZER, analysed, compose, hit


def _scored(question: str, hits, **kwargs):
    asked = analysed(question, **kwargs)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    return asked, views, score_candidates(asked, views, Shares(asked.weights))


# ---- question understanding ---------------------------------------------------------------------
@pytest.mark.parametrize(("question", "kind"), [
    ("Which Lloyd's of London boss told the watchdog to act?", AnswerType.PERSON),
    ("What is Richard Parsons' annual salary at Time Warner?", AnswerType.AMOUNT),
    ("What was Germany's unemployment rate in January?", AnswerType.NUMBER),
    ("Over what length of time did the intrusion go on?", AnswerType.DURATION),
    ("How big a workforce reduction is SBC planning?", AnswerType.NUMBER),
    ("What reason did Lycos give for dropping the screensaver?", AnswerType.REASON),
    ("What held up MG Rover's tie-up with Shanghai Automotive?", AnswerType.REASON),
    ("IBM is handing 5,000 patents to open source - why?", AnswerType.REASON),
])
def test_the_wh_phrase_is_found_behind_a_few_words_of_the_question(question, kind):
    assert answer_type(question) is kind


def test_a_name_with_a_capital_inside_it_is_a_subject_wherever_it_stands():
    assert [s.surface for s in analysed("Why did easyJet order 70 planes?").subjects] == ["easyJet"]


def test_any_inflection_of_a_direction_word_is_a_marked_premise_word():
    assert ("cutting", "cut") in analysed("Why is Patricia Hewitt cutting maternity pay?").marked


def test_a_figure_is_about_the_questions_plain_words_not_its_names_figures_or_money_words():
    assert analysed("How many copies of Half-Life 2 has Valve sold?").described == {"copi", "sold"}
    assert analysed("How much will it cost in the UK?").described == frozenset()


def test_a_hedge_on_a_figure_frames_the_question_and_is_not_what_it_measures():
    assert analysed("Roughly how many staff does Acme employ?").described == {"staff", "employ"}
    assert analysed("Approximately how many staff does Acme employ?").described == {"staff", "employ"}


def test_an_open_follow_up_asks_for_what_the_question_before_it_asked_for():
    asked = analysed("What about this year?", context=["By how much did Singapore's economy grow in 2004?"])
    assert asked.follow_up and asked.answer_type is AnswerType.NUMBER
    assert "2004" not in asked.weights  # it names its own time: the earlier year does not carry
    assert "2004" in analysed("and IBM?", context=["What did Amazon decide in 2004?"]).weights


# ---- typed spans ----------------------------------------------------------------------------------
def test_a_change_asked_by_how_much_is_answered_by_a_share_as_well_as_a_sum():
    question = "By how much did the money Mexican workers send home grow last year?"
    assert answering_spans("Remittances grew 24% last year.", AnswerType.AMOUNT, question) == ["24%"]
    both = "Remittances grew 24% to $16.6bn last year."
    assert set(answering_spans(both, AnswerType.AMOUNT, question)) == {"24%", "$16.6bn"}
    assert answering_spans("Remittances grew 24% last year.", AnswerType.AMOUNT, "How much money was sent?") == []


def test_a_span_whose_names_the_question_holds_answers_nothing():
    question = "Which city has the lifts that Guinness certified as the quickest?"
    assert answering_spans("It was said at the Guinness World Records.", AnswerType.PLACE, question) == []
    assert answering_spans("The lifts are in Taipei.", AnswerType.PLACE, question) == ["in Taipei"]
    who = "Who will run Nissan once Carlos Ghosn goes to Renault?"
    assert answering_spans("Mr Ghosn will run Renault.", AnswerType.PERSON, who) == []
    assert answering_spans("The computers stitched 600 snaps.", AnswerType.NUMBER, "Why 600 snaps?") == []


@pytest.mark.parametrize("sentence", [
    "The Nintendo DS hit the shops in 2005.",  # a year dates
    "The PSP has as much power as the PlayStation 2 console.",  # a model number
    "In only 72 hours, he found a text guru.",  # a length of time
    "Between 31 December and the new year, texts were sent.",  # a day of a month
])
def test_a_count_is_not_a_year_a_model_number_a_length_of_time_or_a_day(sentence):
    assert spans(sentence, AnswerType.NUMBER) == []


def test_counts_with_a_scale_suffix_and_ordinals_are_counts_and_pence_are_money():
    assert "280bn" in spans("The government sought $280bn from the firms.", AnswerType.NUMBER)
    assert "ninth" in spans("He delivers his ninth Budget today.", AnswerType.NUMBER)
    assert "300p" in spans("The offer values each share at 300p.", AnswerType.AMOUNT)


def test_a_role_and_a_comma_before_a_name_mark_a_person():
    assert spans("As chief operating officer, Toshiyuki Shiga will run Nissan.", AnswerType.PERSON) == [
        "Toshiyuki Shiga"]


def test_an_honorific_is_not_another_actor():
    assert acting("It is thought that Mr Jacobsen hacked the network for seven months.", ["Jacobsen"])
    assert not acting("It is thought that Kevin Mitnick helped Jacobsen hack the network.", ["Jacobsen"])


def test_a_date_weighs_by_how_exactly_it_dates():
    assert date_precision("1 January 1985") > date_precision("February") > date_precision("1985")
    assert date_precision("Saturday") < date_precision("January 22")


# ---- scoring and selection ------------------------------------------------------------------------
def test_a_later_passage_of_a_story_about_the_subject_is_read_though_it_never_names_it():
    hits = [
        hit("delft", "How to make a gigapixel picture", [
            "The huge image of Delft was created by stitching together 600 snaps of the Dutch city."]),
        hit("delft", "How to make a gigapixel picture", [
            "The stitching process was done automatically using five powerful PCs over three days."], score=0.5),
    ]
    answer = compose("How long did the computers take to stitch the 600 Delft snapshots?", hits)
    assert any("three days" in s for s in answer.lead(2))


def test_the_answer_comes_second_when_it_scores_too_low_to_lead():
    source = hit("a", "Gigapixel image of Delft", ["The huge image of Delft was made of 600 snaps."])

    def candidate(text: str, score: float, typed: tuple[str, ...] = ()) -> Candidate:
        return Candidate(text, frozenset(text.lower().split()), score, source, 0, quality(text, "t"), typed)

    best = candidate("The huge image of Delft was made of 600 snaps.", 1.0)
    runner_up = candidate("The panorama of Delft is staid beside other towns.", 0.9)
    holding = candidate("The stitching took five PCs three days.", 0.4, ("three days",))
    chosen = select([best, runner_up, holding], answers=lambda c: bool(c.typed))
    assert chosen[0] is best and chosen[1] is holding  # too low to lead, high enough to come second


def test_a_day_of_a_month_leads_over_a_year_when_a_date_is_asked():
    hits = [hit("a", "Mobile phones turn 20", [
        "The first UK mobile phone call was made in 1985 by Wise.",
        "The first UK mobile phone call was made on 1 January by Wise.",
    ])]
    by_year, by_day = _scored("On what date did someone make the first UK mobile phone call?", hits)[2]
    assert by_day.score > 1.2 * by_year.score
    by_year, by_day = _scored("In what year did someone make the first UK mobile phone call?", hits)[2]
    assert by_year.score > 0.9 * by_day.score  # the year is what is asked


def test_a_figure_in_a_sentence_that_is_no_answer_does_not_count_for_answering():
    asked = analysed("What's the top speed of the Aston Martin Vantage?")
    source = hit("a", "Aston Martin unveils Vantage", [
        "The Aston Martin Vantage is the most important car in the history of Aston Martin.",
        "Its top designers met 10 times.",
    ])
    views = [passage_view(source, ANALYZER, frozenset(asked.weights))]
    (best_text, best_terms), (weak_text, weak_terms) = views[0].lines
    candidates = [
        Candidate(best_text, best_terms, 1.0, source, 0, quality(best_text, "t")),
        Candidate(weak_text, weak_terms, 0.2, source, 1, quality(weak_text, "t"), ("10",)),
    ]
    decision = decide(asked, views, candidates, Shares(asked.weights), 1)
    assert not decision.answer and "number" in decision.why


def test_a_yes_no_question_is_answered_by_the_sentence_holding_what_it_asks_of_its_subject():
    answer = compose("Does the Sarbanes-Oxley Act give foreign companies an exemption?", [
        hit("a", "Sarbanes-Oxley Act rules", [
            "Sarbanes-Oxley Act rules cover the companies of Sarbanes-Oxley Act.",
            "The Oxley Act gives foreign firms an exemption.",
        ]),
    ], known={"exempt": 2})
    assert "exemption" in answer.lead(1)[0]


def test_an_opener_with_no_antecedent_to_quote_follows_the_next_sentence_instead_of_being_dropped():
    answer = compose("Who is the boss trying to turn Winn-Dixie around?", [
        hit("a", "Winn-Dixie files for bankruptcy", [
            "The company's new chief executive Peter Lynch said Winn-Dixie would turn itself around."]),
        hit("b", "Winn-Dixie in trouble", [
            "Winn-Dixie, once among the most profitable grocers, said it would restructure and turn around."]),
    ])
    assert any("Peter Lynch" in s.text for s in answer.sentences)


# ---- premise check -------------------------------------------------------------------------------
def test_a_figure_correction_is_told_of_the_subject():
    question = "IBM is handing 5,000 of its software patents to the open source community - why?"
    asked, views, candidates = _scored(question, [
        hit("a", "IBM frees patents", [
            "IBM says 500 of its software patents will be released.",
            "Members of the open source software community hand over 12 patents, the industry said.",
        ]),
    ])
    premise = check(asked, views, candidates)
    assert premise.status == "contradicted" and premise.evidence.text.startswith("IBM says 500")


def test_a_why_question_whose_subject_says_no_as_fully_as_any_sentence_tells_it_is_corrected():
    answer = compose("Why did Microsoft start selling facial recognition to US police?", [
        hit("a", "Microsoft and police", [
            "Microsoft says the US needs a federal law on facial recognition before selling it to police.",
            "Microsoft said it won't sell facial recognition to US police until there is a law.",
        ]),
    ])
    assert answer.note == "The coverage doesn't say that; it reports:" and "won't sell" in answer.lead(1)[0]


def test_a_why_question_with_an_inflected_direction_the_evidence_reverses_is_corrected():
    answer = compose("Why is Patricia Hewitt cutting maternity pay?", [
        hit("a", "Maternity pay", [
            "Maternity pay for new mothers is to rise by £1,400 under plans from Patricia Hewitt.",
            "Patricia Hewitt said maternity pay would be paid for longer.",
        ]),
    ])
    assert answer.note is not None and "cutting" in answer.note and "rise" in answer.lead(1)[0]


def test_a_why_question_about_the_wrong_actor_with_an_inner_capital_is_corrected():
    answer = compose("Why did easyJet order 70 Boeing 737-800s?", [
        hit("a", "Ryanair orders Boeing jets", [
            "Budget airline Ryanair has placed an order for 70 Boeing 737-800 planes worth $4bn.",
            "Boeing said its earnings dropped because of costs.",
        ]),
    ])
    assert answer.abstained or "Ryanair" in answer.lead(1)[0]


# ---- later rules -----------------------------------------------------------------------------------
def test_a_multi_word_subject_is_named_by_its_most_distinctive_word_not_its_common_ones():
    asked = analysed("Where does the Cyberathlete Professional League tour begin?", known={"cyberathlet": 2})
    (league,) = asked.subjects
    assert league.key == "cyberathlet"
    assert not league.named_in(frozenset({"profession", "leagu", "rugbi"}))
    assert league.named_in(frozenset({"cyberathlet"}))
    answer = compose("Where does the Cyberathlete Professional League tour begin?", [
        hit("a", "Rugby news", ["The professional rugby league final was played in Brisbane last year."]),
        hit("b", "Gaming tour", ["The Cyberathlete Professional League tour kicks off in Istanbul."], score=0.5),
    ], known={"cyberathlet": 2})
    assert "Istanbul" in answer.lead(1)[0]


def test_a_lowercase_may_or_march_is_no_date():
    assert spans("Users may find it odd; troops march on.", AnswerType.DATE) == []
    assert spans("It opens in May 2005.", AnswerType.DATE) == ["May 2005"]


def test_a_span_of_time_followed_by_after_or_ago_is_a_lag_not_a_duration():
    assert spans("The arrest came a year after the firm found the hack.", AnswerType.DURATION) == []
    assert spans("The hacking went on over seven months.", AnswerType.DURATION) == ["over seven months"]


def test_a_comparison_of_quantities_favours_the_sentence_with_the_figures():
    hits = [hit("a", "Handheld consoles", [
        "Mr Houlihan believes there is an audience for both the Nintendo DS and Sony's new PSP handheld.",
        "The PSP sells in Japan for $188 while the Nintendo DS sells for $150.",
    ])]
    priced = compose("Which handheld is cheaper, Sony's PSP or the Nintendo DS?", hits)
    assert "$150" in priced.lead(1)[0]
    _, _, candidates = _scored("How do Sony's PSP and the Nintendo DS differ from each other?", hits)
    assert not any(c.typed for c in candidates)  # a comparison in kind is not one of figures


def test_a_request_for_advice_is_declined_with_its_reason():
    answer = compose("Can you recommend a good pizza place near Old Trafford?", [
        hit("a", "Food fight", ["The game at Old Trafford was followed by a food fight with soup and pizza."])])
    assert answer.abstained and "advice" in answer.text
    assert not analysed("What did the jury recommend for the spammer?").asks_advice


def test_a_best_story_far_ahead_of_the_next_weighs_for_answering_when_it_names_the_subject():
    question = "How hard did EMI's stock get hammered after its profit alert?"
    asked = analysed(question, known={"emi": 3})
    lead = hit("a", "EMI shares slump", [
        "Shares in EMI have sunk by more than 16% after the firm issued a profit warning."], score=10.0)
    runner = hit("b", "Markets", ["Stock markets were hammered on Monday."], score=3.0)
    close = hit("b", "Markets", ["Stock markets were hammered on Monday."], score=9.5)
    far = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in (lead, runner)]
    near = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in (lead, close)]
    shares = Shares(asked.weights)
    ahead = decide(asked, far, score_candidates(asked, far, shares), shares, 2).confidence
    level = decide(asked, near, score_candidates(asked, near, shares), shares, 2).confidence
    assert ahead > level


@pytest.mark.parametrize(("sentence", "says_no"), [
    ("The news comes a week after GM pulled out of an agreement to buy Fiat.", True),
    ("GM paid Fiat to end a deal which could have forced it to buy the firm outright.", True),
    ("GM paid Fiat to get out of the deal.", True),
    ("If Fox went with Blu-ray too, the format would have a 47% share.", False),
    ("GM agreed to buy Fiat outright.", False),
])
def test_backing_out_and_what_did_not_happen_say_no(sentence, says_no):
    assert bool(NEGATION.search(sentence)) is says_no


def test_a_title_before_a_name_is_no_name_the_coverage_must_know():
    asked = analysed("What did Chancellor Gordon Brown say about pensions?", known={"chancellor": 0})
    assert asked.unknown_names == () and asked.subject_terms == {"gordon", "brown"}
    assert analysed("What did the Acme chancellor say?", known={"acm": 0}).unknown_names == ("Acme",)


def test_a_why_question_whose_premise_is_reworded_across_sentences_is_weighed_not_vetoed():
    question = "Why is facial recognition criticized for how it identifies Black people with darker skin?"
    answer = compose(question, [hit("a", "Facial recognition criticized over bias", [
        "Facial recognition systems misidentify Black people far more often, researchers found.",
        "Critics say darker skin tones fare worst because systems learn from lighter faces.",
    ])])
    assert not answer.abstained


def test_a_why_question_whose_event_is_told_of_someone_else_is_not_answered():
    asked, views, candidates = _scored("Why did EasyJet order new jets?", [hit("a", "Airline orders", [
        "Ryanair ordered new jets to expand its fleet across Europe.",
        "EasyJet reported higher passenger numbers over the winter months."])])
    assert not decide(asked, views, candidates, Shares(asked.weights), 1).answer


def test_a_paraphrased_question_is_answered_though_the_story_never_uses_its_rarest_word():
    # "costliest" is the rarest word asked, and the story says "most expensive": one absent word of a question
    # whose subject, what it asks and its year the story tells does not count against answering
    question = "Which reinsurer said 2004 was the costliest year ever for property insurers?"
    asked = analysed(question, known={"costliest": 1, "reinsur": 10})
    story = hit("a", "Disasters make 2004 a record year for insurers", [
        "A string of storms and earthquakes made 2004 the most expensive year on record for property insurers, "
        "according to reinsurance giant Swiss Re.",
        "Property claims reached $42bn, the firm said."])
    shares = Shares(asked.weights)
    views = [passage_view(story, ANALYZER, frozenset(asked.weights))]
    decision = decide(asked, views, score_candidates(asked, views, shares), shares, 1)
    assert decision.answer and decision.confidence >= 0.5 + 0.2


@pytest.mark.parametrize(("question", "kind"), [
    ("Who is England's first children's tsar?", AnswerType.PERSON),  # a role of a name: a person is asked for
    ("Who was Lord Scarman?", AnswerType.DEFINITION),
    ("Who is O'Neill?", AnswerType.DEFINITION),
])
def test_who_is_a_names_role_asks_for_a_person_who_is_a_name_for_a_description(question, kind):
    assert answer_type(question) is kind


def test_an_open_questions_verb_followed_by_a_pointing_word_scores_below_the_thing_itself() -> None:
    """"What did Acme pitch to the navy?": "Acme pitched them to the navy" names every asked word but says
    nothing of what was pitched; the sentence whose verb is followed by the thing itself scores higher, though it
    names no more of the question. (Which sentence leads is then the fitted model's call: ``rerank.py``.)"""
    hits = [
        hit("acme-critics", "Acme and the navy", [
            "Critics said the fact that Acme pitched them to the navy at all was troubling, a campaigner told reporters.",
        ]),
        hit("acme-records", "Acme and the navy", [
            "Records show that in 2019 Acme pitched armoured drones to the navy under a secret contract.",
        ]),
    ]
    question = analysed("What did Acme pitch to the navy?")
    views = [passage_view(h, ANALYZER, frozenset(question.weights)) for h in hits]
    scored = {c.text[:7]: c.score for c in score_candidates(question, views, Shares(question.weights))}
    assert scored["Records"] > scored["Critics"] * 1.2


def test_the_wrong_actor_is_corrected_with_the_sentence_telling_what_the_question_says_was_done():
    answer = compose("Why is Christian Slater replacing Jessica Lange in The Glass Menagerie on Broadway?", [
        hit("g", "Slater to star in Broadway play", [
            "Actor Christian Slater is stepping into the role of Tom in the Broadway revival of The Glass Menagerie.",
            "Slater, 35, is replacing actor Dallas Roberts in the Tennessee Williams drama, which opens next month.",
        ]),
    ])
    assert not answer.abstained and "Dallas Roberts" in answer.lead(1)[0]
