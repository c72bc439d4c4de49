"""Premises and described subjects: how a reply meets a question that takes something for granted, and how a name the
question only describes is told from the name that answers it. Hand-made passages; each test fails when its rule is
taken out."""

from __future__ import annotations

import pytest

from bot.answering.candidates import Shares, passage_view, score_candidates
from bot.answering.premise import check
from bot.answering.question import AnswerType, answer_type

from .test_answering_units import ANALYZER, analysed, compose, hit


def _checked(question: str, hits, **kwargs):
    asked = analysed(question, **kwargs)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    return check(asked, views, score_candidates(asked, views, Shares(asked.weights)))


# ---- what the question asks for ------------------------------------------------------------------
@pytest.mark.parametrize(("question", "kind"), [
    ("Which newspaper columnist did the minister compare to a tyrant?", AnswerType.PERSON),
    ("Which magazine editor did the singer compare to a bully?", AnswerType.PERSON),
    ("Which newspaper first printed the story?", AnswerType.ORGANISATION),
    ("How does the new phone compare with the old one?", AnswerType.COMPARISON),
    ("What is a god game, the genre the designer is credited with popularising?", AnswerType.DEFINITION),
    ("What are the squibs that the actor blames for his injury?", AnswerType.DEFINITION),
    ("Who came out on top in the 60m in Lievin, Maurice Greene or Leonard Scott?", AnswerType.COMPARISON),
    ("Who won the final, Federer or Nadal?", AnswerType.COMPARISON),
    ("Who won the final in Dubai?", AnswerType.PERSON),
    ("What is a final salary pension scheme?", AnswerType.DEFINITION),
    ("What is the chief executive's salary?", AnswerType.AMOUNT),
    ("What is a tax rate?", AnswerType.DEFINITION),
    ("What is the jobless rate in Germany?", AnswerType.NUMBER),
    ("What will the library charge for an hour online over its wireless network?", AnswerType.AMOUNT),
    ("What does the new job pay?", AnswerType.AMOUNT),
    ("What grades did the minister get in his exams?", AnswerType.OPEN),
    ("Which football manager did the club appoint?", AnswerType.PERSON),
])
def test_the_wh_phrase_decides_what_is_asked_for(question, kind):
    """Comparing as the event asked about asks for a name; "what is X, …" and "what are the X that …" ask for a
    definition; a who-question offering named choices compares them; "what is a X?" asks what X is, "what is the
    X salary?" its figure; what someone will charge or a job pays is an amount; a role after the auxiliary is whom
    the question is about, not what it asks for."""
    assert answer_type(question) is kind


# ---- a described subject is not the answer --------------------------------------------------------
def test_the_name_the_questions_description_introduces_restates_the_subject_and_does_not_answer():
    question = "Which newspaper reporter did the city mayor compare to a prison warder?"
    answer = compose(question, [
        hit("a", "Mayor in row", [
            "City mayor Mr Jonson says he stands by remarks that compared a newspaper reporter to a prison warder.",
            "The mayor was asked to apologise for comparing the reporter, Helen Marsh, to a prison warder.",
        ]),
    ])
    assert "Helen Marsh" in answer.lead(1)[0]


def test_a_name_after_the_role_a_who_question_asks_for_still_answers():
    answer = compose("Who is the chief executive of Norbrook?", [
        hit("a", "Norbrook results", [
            "Norbrook's profits rose sharply last year, the firm said on Monday.",
            "Chief executive Anna Lindqvist said the firm would keep investing.",
        ]),
    ])
    assert "Anna Lindqvist" in " ".join(answer.lead(2))


# ---- a direction is judged where its own subject is told -------------------------------------------
def test_a_direction_word_is_judged_on_the_subject_nearest_before_it():
    question = "Why did Kestrel's sales slide in March while Harbour carmakers were cutting output?"
    premise = _checked(question, [
        hit("a", "Car sales in March", [
            "Harbour carmakers cut output again, and Harbour sales rose 2% in March.",
            "Elsewhere, Kestrel sales jumped 9% in March as carmakers fought for buyers.",
        ]),
    ])
    assert premise.status == "contradicted" and premise.word == "slide"
    assert premise.evidence is not None and premise.evidence.text.startswith("Elsewhere, Kestrel sales jumped")


@pytest.mark.parametrize("moved", ["dipped", "slid", "tumbled"])
def test_more_words_of_falling_contradict_a_claimed_rise(moved):
    premise = _checked("What drove the rise in Orvall's revenue in 2004?", [
        hit("a", "Orvall results", [f"Orvall's revenue {moved} 3% in 2004 as a wet summer hurt ice cream sales."]),
    ])
    assert premise.status == "contradicted" and premise.word == "rise"


def test_a_sentence_stating_the_questions_figure_judges_its_direction_before_one_naming_more():
    premise = _checked("Why did Corvane Lyle's quarterly profit fall 41%?", [
        hit("a", "Media group profit jumps", [
            "Quarterly profits at media group CorvaneLyle jumped 41% to $2bn.",
            "A profit dip at the Corvane film studio was offset by one-off gains.",
        ]),
    ], known={"corvan": 3})
    assert premise.status == "contradicted" and premise.word == "fall"
    assert premise.evidence is not None and "jumped 41%" in premise.evidence.text


def test_the_note_never_puts_an_inflected_word_after_didnt():
    answer = compose("Why did Harbour say its carmakers were cutting output?", [
        hit("a", "Harbour output", ["Harbour said its carmakers were raising output this year after strong sales."]),
    ])
    assert answer.note is not None and "“cutting”" in answer.note and "didn't cutting" not in answer.note


def test_a_subject_is_counted_as_named_by_its_distinctive_word_not_a_common_one():
    question = "Why did Rania Kapoor lose the Lakeview Open final?"
    premise = _checked(question, [
        hit("a", "Kapoor wins title", [
            "At the Harbour Open final in May, Rania Kapoor lost to a qualifier.",
            "Rania Kapoor won the Lakeview Open on Sunday, beating the top seed in straight sets.",
        ]),
    ], known={"lakeview": 3, "kapoor": 3, "rania": 3})
    assert premise.status == "contradicted" and premise.evidence is not None
    assert premise.evidence.text.startswith("Rania Kapoor won")


# ---- what happened, then why ---------------------------------------------------------------------
def test_a_why_question_whose_event_is_told_in_other_words_quotes_that_sentence_first():
    answer = compose("Why was the rapper Tiko Brand sent to prison over the nightclub fight?", [
        hit("a", "Brand spared jail", [
            "Fans of the rapper gathered outside the nightclub on Friday to mark a year since the fight, as the prison "
            "service announced new rules for visits.",
            "Rapper Tiko Brand was spared jail over the nightclub fight.",
        ]),
    ])
    assert "spared jail" in answer.lead(1)[0]


def test_a_why_question_whose_event_is_told_in_its_own_words_keeps_the_reason_among_the_first_two():
    answer = compose("Why did the finance minister freeze fuel duty?", [
        hit("a", "Budget speech", [
            'The finance minister said: "It is our policy that each year fuel duties should rise in line with inflation '
            'to meet our targets and fund public services.',
            '"But this year because of the volatility in the oil market I propose to continue the freeze on fuel duties."',
        ]),
        hit("b", "Fuel duty frozen", ["The finance minister has announced a freeze on fuel duty."], score=0.4),
    ])
    assert "volatility" in " ".join(answer.lead(2))


def test_a_why_question_about_one_firm_when_another_of_the_same_kind_did_it_is_corrected():
    premise = _checked("Why did Harbour Bank cut 500 jobs in its call centres?", [
        hit("a", "Bank job cuts", [
            "Lakeside Bank is to cut 500 jobs in its call centres, the bank said on Monday.",
            "Harbour Bank reported steady profits for the year.",
        ]),
    ], known={"harbour": 3, "lakesid": 3})
    assert premise.status == "contradicted" and premise.word == "Harbour Bank"
    assert premise.evidence is not None and premise.evidence.text.startswith("Lakeside Bank")


# ---- a name's other forms, and money told as damages ---------------------------------------------
def _analysed_over(question: str, sentences: list[str], also: tuple[str, ...] = ()):
    """The question analysed over a coverage holding just these sentences' words, and ``also`` (each in 4
    passages)."""
    from bot.answering.question import analyse

    told = {t for sentence in [*sentences, *also] for t in ANALYZER.terms(sentence)}
    return analyse(question, ANALYZER, lambda term: 4 if term in told else 0, 1000)


@pytest.mark.parametrize(("asked", "said", "coverage_knows_the_asked_form"), [
    ("Californians", "California", False), ("Jamaican", "Jamaica", False), ("Chileans", "Chile", False),
    ("Californians", "California", True), ("Jamaican", "Jamaica", True), ("Chileans", "Chile", True),
    ("Canada", "Canadian", True), ("Boston", "Bostonian", True), ("Korea", "Korean", True),
])
def test_a_place_and_its_peoples_name_name_each_other_when_the_coverage_uses_one(asked, said,
                                                                                coverage_knows_the_asked_form):
    """A people's name the coverage never uses is read as its place's; when the coverage uses both forms,
    either names the other."""
    sentences = [f"Under the new law in {said}, consumers can claim up to $900."]
    also = (asked,) if coverage_knows_the_asked_form else ()
    question = _analysed_over(f"How much can {asked} claim under the new law?", sentences, also)
    view = passage_view(hit("a", "New law", sentences), ANALYZER, frozenset(question.weights), aliases=question.aliases)
    assert question.unknown_names == ()
    assert question.subjects and all(s.named_in(view.named) for s in question.subjects)


@pytest.mark.parametrize(("term", "form", "is_form"), [
    ("chilean", "chile", True), ("canadian", "canada", True), ("bostonian", "boston", True), ("texan", "texa", True),
    ("german", "germ", False), ("milan", "mil", False),
])
def test_a_bare_stem_before_an_is_a_place_only_when_it_ends_in_a_vowel(term, form, is_form):
    from bot.answering.lexicon import demonym_forms

    assert (form in demonym_forms(term)) is is_form


def test_only_names_take_other_forms_a_musician_is_no_form_of_music():
    assert analysed("Which musician played the song?").aliases == {}


def test_damages_a_law_lets_people_seek_answer_how_much_compensation_they_can_claim():
    from bot.answering.compose import compose_answer

    sentences = [
        "The new spyware law in Wexland bans software that takes control of another computer.",
        "Consumers are able to seek up to $1,000 in damages if they fall victim to the software.",
    ]
    question = _analysed_over("How much compensation can Wexlanders claim under the new spyware law?",
                              [*sentences, "Workers claim compensation."])
    answer = compose_answer(question, [hit("a", "Spyware law in Wexland", sentences)], ANALYZER, searched=1)
    assert "$1,000" in " ".join(answer.lead(2))


@pytest.mark.parametrize("question", [
    "What's the last date for registering to vote if the election is on 5 May?",
    "What is the deadline for entries to the competition?",
])
def test_asking_for_the_last_date_or_the_deadline_asks_for_a_day(question):
    from bot.answering.spans import asks_day

    assert answer_type(question) is AnswerType.DATE and asks_day(question)


# ---- a name or a year in another's place ---------------------------------------------------------
TARNBY_MOVES = [
    hit("a", "Tarnby United on the move", [
        "Tarnby United's chairman said the club had outgrown its old home.",
        "Tarnby United is moving its training ground to Kelmarsh next summer.",
    ]),
    hit("b", "Ostwick news", ["Ostwick council approved a new library on Tuesday."], score=0.5),
]


@pytest.mark.parametrize("question", [
    "Why did Tarnby United move its training ground to Ostwick?",
    "What did Tarnby United's chairman say about moving the training ground to Ostwick?",  # what/how: too
    "How is Tarnby United getting on with moving its training ground to Ostwick?",
])
def test_a_question_taking_the_event_for_granted_in_the_wrong_place_is_corrected_by_the_place_in_its_slot(question):
    premise = _checked(question, TARNBY_MOVES, known={"tarnbi": 3, "ostwick": 3, "kelmarsh": 3})
    assert premise.status == "contradicted" and premise.word == "Ostwick"
    assert premise.evidence is not None and "Kelmarsh" in premise.evidence.text


def test_a_question_asking_where_whether_which_or_how_much_takes_no_place_for_granted():
    for question in ("Where will Tarnby United move its training ground, Ostwick?",
                     "Will Tarnby United move its training ground to Ostwick?",
                     "Which Ostwick firm is moving Tarnby United's training ground?",
                     "How much will Tarnby United spend moving its training ground to Ostwick?"):
        premise = _checked(question, [hit("a", "Tarnby United on the move", [
            "Tarnby United is moving its training ground to Kelmarsh next summer at a cost of £2m.",
        ])], known={"tarnbi": 3, "ostwick": 3, "kelmarsh": 3})
        assert premise.status != "contradicted" or premise.word != "Ostwick", question


def test_the_other_place_fills_the_slot_of_a_word_said_otherwise_and_must_be_a_name():
    premise = _checked("Why is the Harmon recording studio moving to Ostwick?", [
        hit("a", "Harmon studio to close", [
            "The Harmon recording studio is moving, its owners said on their website.",
            "Business at the studio fell, and it is relocating to smaller premises in Kelmarsh.",
        ]),
    ], known={"harmon": 3, "ostwick": 3, "kelmarsh": 3})
    assert premise.status == "contradicted" and premise.word == "Ostwick"
    assert premise.evidence is not None and "Kelmarsh" in premise.evidence.text


# ---- what a "what …" question asks for ----------------------------------------------------------
@pytest.mark.parametrize(("question", "focus"), [
    ("What connection speed does the library's wireless service offer?", {"speed"}),
    ("What grades did the minister get in his exams?", {"grade"}),
    ("Which federal agencies does the cloud work with?", set()),  # an organisation is asked for
    ("What percentage of voters backed it?", set()),
    ("What sum will the club pay for the striker?", set()),  # the word naming an amount is no focus
])
def test_the_noun_a_what_question_asks_for_is_its_focus_unless_it_names_an_answer_type(question, focus):
    assert analysed(question).focus == focus


def test_a_story_about_the_subject_that_never_names_what_is_asked_for_is_not_answered_from():
    answer = compose("What grades did Marcus Pellow get in his exams?", [
        hit("a", "Pellow on his school days", [
            "Marcus Pellow has admitted he skipped lessons to play snooker during his exams year.",
            "Pellow said his exams taught him to work hard.",
        ]),
    ], known={"pellow": 3, "marcu": 3})
    assert answer.abstained


def test_a_story_naming_what_is_asked_for_is_answered_from():
    answer = compose("What grades did Marcus Pellow get in his exams?", [
        hit("a", "Pellow on his school days", [
            "Marcus Pellow got top grades in his exams, three As and a B.",
            "Pellow said his exams taught him to work hard.",
        ]),
    ], known={"pellow": 3, "marcu": 3})
    assert not answer.abstained and any("three As" in s for s in answer.lead(2))  # the answer within the first two


# ---- what is no organisation ---------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "not_bodies", "bodies"), [
    ("The DJ was dropped from four US radio stations in October.", {"DJ", "US", "October"}, set()),
    ("The FCC looked into shows by two New York DJs and by British Airways.", {"New York DJs"}, {"FCC", "British Airways"}),
    ("Labour MPs and British ministers met Sirius on Monday.", {"Labour MPs", "British", "Monday"}, {"Sirius"}),
])
def test_countries_months_and_people_by_their_role_are_no_organisation(sentence, not_bodies, bodies):
    from bot.answering.spans import spans

    found = set(spans(sentence, AnswerType.ORGANISATION))
    assert not found & not_bodies and bodies <= found


def test_a_which_company_question_leads_with_the_sentence_naming_a_company_not_a_country():
    answer = compose("Which satellite radio company is the shock jock Rick Vane moving to?", [
        hit("a", "Vane dropped", [
            "The DJ Rick Vane has been dropped from four US radio stations for promoting his move to satellite radio.",
            "Vane will join the Orbitcast satellite radio service next year.",
        ]),
    ], known={"vane": 3})
    assert "Orbitcast" in answer.lead(1)[0]


def test_a_why_question_claiming_praise_where_the_coverage_reports_criticism_is_corrected():
    answer = compose("Why did the former minister Jan Orrel welcome the new aid coalition?", [
        hit("a", "Orrel and the coalition", [
            "Former minister Jan Orrel has criticised the new aid coalition, saying the UN should lead.",
            "The coalition was set up last week to co-ordinate relief.",
        ]),
    ], known={"orrel": 3})
    assert answer.note is not None and "criticised" in answer.lead(1)[0]


def test_a_brawl_is_the_fight_a_question_asks_about():
    answer = compose("In which German city did the hotel fight involving the Ovals singer take place?", [
        hit("a", "Ovals star fined for German brawl", [
            "Ovals singer Liam Dorne has been fined 50,000 euros after a fight in a German hotel two years ago.",
            "The drummer was also arrested after the brawl in Munich in December 2002.",
        ]),
    ], known={"oval": 3})
    assert "Munich" in " ".join(answer.lead(2))


@pytest.mark.parametrize(("digits", "scale", "text", "said"), [
    ("1", "billion", "The engine indexes 5 billion pages, 1 of the largest counts.", False),
    ("8", "bn", "Verizon's $8bn offer was accepted.", True),
    ("8", "bn", "an offer of 8 billion dollars", True),
    ("100", "m", "It hopes to raise $100m from the sale.", True),
    ("2.6", "bn", "It paid $260m (£139m) for the firm.", False),
])
def test_a_figure_with_a_scale_is_said_only_at_that_scale(digits, scale, text, said):
    from bot.answering.premise import _scaled_in_text

    assert _scaled_in_text(digits, scale, [text]) is said



# ---- roles reversed --------------------------------------------------------------------------------
@pytest.mark.parametrize("told", [
    "Mr Tovell sued Mr Brandt in 2001, claiming he came up with the idea for the film.",
    "Mr Brandt was sued by Mr Tovell in 2001 over the idea for the film.",
])
def test_a_why_question_with_its_two_names_the_wrong_way_round_is_corrected(told):
    answer = compose("Why did Harold Brandt sue Lionel Tovell over the film?", [
        hit("a", "Producer row", [told, "The film was nominated for five awards this year."]),
    ], known={"brandt": 3, "tovel": 3, "harold": 8, "lionel": 8})
    assert answer.note == "The coverage doesn't say that; it reports:" and answer.lead(1)[0].endswith(told)


@pytest.mark.parametrize("told", [
    "Mr Brandt sued Mr Tovell in 2001, claiming he came up with the idea for the film.",
    "Mr Tovell was sued by Mr Brandt in 2001 over the idea for the film.",
])
def test_a_why_question_with_its_two_names_the_right_way_round_is_not_corrected(told):
    answer = compose("Why did Harold Brandt sue Lionel Tovell over the film?", [
        hit("a", "Producer row", [told, "The film was nominated for five awards this year."]),
    ], known={"brandt": 3, "tovel": 3, "harold": 8, "lionel": 8})
    assert answer.note is None


def test_a_name_suffix_names_nobody_alone():
    (person,) = analysed("Why did Charles Evans Jr sue?", known={"jr": 1}).subjects
    assert person.key != "jr" and "jr" not in person.terms


# ---- definitions -----------------------------------------------------------------------------------


def test_a_sentence_naming_the_defined_word_defines_it_though_it_shares_little_else():
    answer = compose("What are the squibs that the actor Brent Colley blames for his head injury?", [
        hit("a", "Colley sues studio", [
            "Actor Brent Colley is suing a studio over a head injury he said he suffered while filming in 2002.",
            "The lawsuit said the studio had a duty to Colley to keep him safe on the set of the film.",
            "The explosions, known as squibs, were intended to simulate bullets striking the ground.",
        ]),
    ], known={"colley": 3, "squib": 3})
    assert "simulate bullets" in " ".join(answer.lead(2))


@pytest.mark.parametrize("sentence", [
    "ID theft occurs when criminals use someone else's personal information.",
    "The explosions were intended to simulate bullets striking the ground.",
])
def test_saying_when_something_occurs_or_what_it_is_for_defines_it(sentence):
    from bot.answering.spans import spans

    assert spans(sentence, AnswerType.DEFINITION)


# ---- outcomes, not plans -------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "sentences", "known", "word", "told"), [
    # a year: the story's year corrects it
    ("Why did Dorvik first take a stake in Pellam back in 1979?",
     ["Dorvik owns a 56% stake in carmaker Pellam, having first bought into the business in 1969.",
      "Pellam said sales rose last year."], {"dorvik": 3, "pellam": 3}, "1979", "1969"),
    # a figure: the number in its slot, not any number
    ("Why did the monster Gorzo receive a star for his 40th birthday?",
     ["The monster Gorzo took 2,271 days to film, fans said, and he now gets a star.",
      "The star honours Gorzo's 50th birthday."], {"gorzo": 3}, "40", "50th birthday"),
    # a figure standing among names only: the number beside those names
    ("With 31 of Britain's 659 MPs from ethnic minorities, why does Shahid Malik reject shortlists?",
     ["A call for ethnic minority shortlists has been rejected by one of Labour's most senior Asians.",
      "Shahid Malik said there should be targets not lists to boost representation of minorities.",
      "Just 13 of Britain's 659 MPs are from ethnic minority groups, he added."], {"shahid": 3, "malik": 3}, "31",
     "Just 13"),
])
def test_a_year_or_figure_the_story_tells_otherwise_is_corrected_by_the_sentence_telling_it(
        question, sentences, known, word, told):
    premise = _checked(question, [hit("a", "A story", sentences)], known=known)
    assert premise.status == "contradicted" and premise.word == word
    assert premise.evidence is not None and told in premise.evidence.text


def test_a_slot_is_the_words_by_a_name_its_subjects_aside_unless_asked_for_with_them():
    from bot.answering.premise import _slot

    question = analysed("Why did Egypt sign the trade protocol in Jerusalem?", known={"egypt": 3, "jerusalem": 3})
    assert "egypt" not in _slot(question, frozenset({"sign"}))
    assert "egypt" in _slot(question, frozenset({"sign"}), names=True)


def test_a_question_about_how_a_figure_turned_out_is_not_answered_by_what_was_planned():
    answer = compose("At what final price were Velmar's shares sold in its flotation?", [
        hit("a", "Velmar to float", [
            "Velmar said it hoped to sell 5 million shares in its flotation for 11-14 euros a share.",
            "Velmar makes drugs for stroke patients.",
        ]),
    ], known={"velmar": 3})
    assert answer.abstained


def test_a_question_about_how_a_figure_turned_out_is_answered_by_what_happened():
    answer = compose("At what final price were Velmar's shares sold in its flotation?", [
        hit("a", "Velmar floats", [
            "Velmar sold 5 million shares in its flotation at 12 euros a share.",
            "Velmar makes drugs for stroke patients.",
        ]),
    ], known={"velmar": 3})
    assert not answer.abstained and "12 euros" in answer.lead(1)[0]


@pytest.mark.parametrize(("sentence", "places"), [
    ("The firm intends moving its plants to Asia, eastern Europe and Mexico.", ["to Asia"]),
    ("The parts are shipped from the UK.", ["from the UK"]),
    ("He gave the book to us and to them.", []),
])
def test_moving_to_a_single_country_or_region_names_a_place(sentence, places):
    from bot.answering.spans import spans

    assert spans(sentence, AnswerType.PLACE) == places


def test_a_period_the_question_names_is_borne_out_by_any_sentence_of_the_story():
    premise = _checked("What will the Harbour Library charge for an hour online?", [
        hit("a", "Library goes online", [
            "Visitors spend an average of six hours online in the Harbour Library, a study found.",
            "The online service will be priced at £4.50 for an hour's session.",
        ]),
    ], known={"harbour": 3})
    assert premise.status != "contradicted"


def test_a_noun_between_two_names_is_no_act_whose_roles_can_be_reversed():
    answer = compose("Why is the Dana Pell film of The Glass Key coming out at Easter?", [
        hit("a", "Glass Key film", ["The Glass Key is being made into a film starring Dana Pell.",
                                    "The film of the novel is due out in May."]),
    ], known={"pell": 3, "glass": 5, "key": 5})
    assert answer.note != "The coverage doesn't say that; it reports:"


def test_a_holiday_dates_a_question_and_is_no_name_the_story_must_carry():
    asked = analysed("Why is the film coming out in time for Christmas?")
    assert not asked.subjects and asked.dated


# ---- the event first, and what fits after it -------------------------------------------------------
def _sentence(text: str):
    from bot.answering.candidates import Candidate
    from bot.answering.units import quality

    return Candidate(text, frozenset(), 1.0, hit("s", "Story", [text]), 0, quality(text, "Story"))


def test_the_event_leads_and_the_chosen_sentences_follow_in_their_order_without_it():
    from bot.answering.compose import _event_first

    event, first, second = _sentence("Event told."), _sentence("First chosen."), _sentence("Second chosen.")
    assert _event_first(None, [first, second]) == [first, second]
    assert _event_first(event, [event, first]) == [event, first]
    assert _event_first(event, [first, event, second]) == [event, first, second]
    assert _event_first(event, []) == []


def test_the_event_first_answer_keeps_two_sentences_and_as_many_more_as_fit():
    from bot.answering.compose import _event_first
    from bot.answering.select import MAX_ANSWER_CHARS

    long = "word " * ((MAX_ANSWER_CHARS // 2 - 20) // 5)
    event, first, second, third = (_sentence(f"{name} {long}.") for name in ("Event", "First", "Second", "Third"))
    assert _event_first(event, [first, second, third]) == [event, first]
    short = [_sentence(f"{name} told.") for name in ("One", "Two", "Three", "Four", "Five")]
    assert len(_event_first(event, short)) == 4  # at most MAX_SENTENCES


def test_a_question_without_subjects_is_told_its_focus_by_any_story_naming_it():
    from bot.answering.abstain import focus_told

    asked = analysed("What grades did the pupils get in their exams?")
    assert not asked.subjects and asked.focus
    naming = [passage_view(hit("a", "Exams", ["Pupils got top grades in their exams this year."]), ANALYZER,
                           frozenset(asked.weights))]
    silent = [passage_view(hit("b", "Exams", ["Pupils sat their exams this year."]), ANALYZER, frozenset(asked.weights))]
    assert focus_told(asked, naming) and not focus_told(asked, silent)



def test_a_short_description_before_the_first_name_still_makes_it_the_one_acting():
    answer = compose("Why did studio boss Harold Brandt sue Lionel Tovell over the film?", [
        hit("a", "Producer row", ["Mr Tovell sued studio boss Mr Brandt in 2001, claiming he came up with the film.",
                                  "The film was nominated for five awards this year."]),
    ], known={"brandt": 3, "tovel": 3, "harold": 8, "lionel": 8})
    assert answer.note == "The coverage doesn't say that; it reports:"


def test_a_name_after_a_preposition_is_no_object_whose_role_can_be_reversed():
    answer = compose("Why did Tim Henman play for Great Britain in the Davis Cup?", [
        hit("a", "Henman retires", [
            "Great Britain's Davis Cup team played Henman's old rivals in Slovenia in 1996.",
            "The team plays Israel in the next round in April.",
        ]),
    ], known={"henman": 3, "davi": 5})
    assert answer.note is None


def test_the_act_may_be_told_in_another_word_and_sentences_without_it_are_passed_over():
    answer = compose("Why did Harbour Bank buy Kelso Trust last year?", [
        hit("a", "Harbour Bank and Kelso Trust", [
            "Harbour Bank and Kelso Trust both reported higher profits last year, Harbour Bank and Kelso Trust said.",
            "Harbour Bank was acquired by Kelso Trust last year for £2bn.",
        ]),
    ], known={"harbour": 3, "kelso": 3})
    assert answer.note == "The coverage doesn't say that; it reports:" and "acquired by" in answer.lead(1)[0]


@pytest.mark.parametrize(("title", "sentences", "question", "told"), [
    ("Police probe BNP mosque leaflet", [  # the evidence names no place: the story's sentence naming where corrects it
        "Police are investigating a BNP leaflet posted to homes in south Wales opposing plans for a new mosque.",
        "The new mosque would be built on a site in Swansea, police said.",
    ], "Why are police looking into a BNP leaflet opposing a new mosque in Cardiff?", "Swansea"),
    ("Police probe BNP mosque leaflet", [  # of several naming another place, the one telling most of the question
        "Police are investigating a BNP leaflet posted to homes in south Wales opposing plans for a new mosque.",
        "The BNP has a new office in Newport, police said.",
        "The new mosque the BNP leaflet opposes would be built on a site in Swansea, police said.",
    ], "Why are police looking into a BNP leaflet opposing a new mosque in Cardiff?", "Swansea"),
    ("Spy on hunger strike", [  # evidence already naming where is kept
        "An ex-Russian intelligence officer who spied for MI6 is on hunger strike near 10 Downing Street.",
        "He met an MI6 agent in Latvia after his release.",
    ], "Why is the former Russian intelligence officer who spied for MI6 on hunger strike outside the Kremlin?",
        "Downing Street"),
])
def test_a_place_the_coverage_does_not_bear_out_is_corrected_with_the_sentence_naming_where(title, sentences, question,
                                                                                           told):
    premise = _checked(question, [hit("a", title, sentences)])
    assert premise.status == "contradicted" and premise.evidence is not None
    assert told in premise.evidence.text


def test_a_year_after_in_is_no_place_the_evidence_is_kept():
    from bot.answering.premise import _placed

    article = hit("a", "Cash manager Holiff dies", [
        "Mr Holiff managed Cash's career between 1960 and 1973, quitting when he thought it had peaked.",
        "Holiff later studied history at the University of Victoria in Canada, after he stopped managing Cash.",
    ])
    question = analysed("Why did Saul Holiff stop managing Johnny Cash in 1980?")
    views = [passage_view(article, ANALYZER, frozenset(question.weights))]
    candidates = score_candidates(question, views, Shares(question.weights))
    evidence = next(c for c in candidates if "1973" in c.text)
    assert _placed(question, "1980", evidence, candidates) is evidence


def test_a_claimed_rise_is_judged_by_the_word_telling_what_the_question_says_moved():
    premise = _checked("Why did Dorvik's industrial output jump in October?", [hit("a", "Dorvik output falls", [
        "Dorvik's industrial output fell in October while unemployment rose, casting doubt on the recovery.",
        "Officials in Dorvik said demand was still strong.",
    ])], known={"dorvik": 3})
    assert premise.status == "contradicted" and premise.word == "jump"
    told_rightly = _checked("Why did Dorvik's industrial output jump in October?", [hit("a", "Dorvik output up", [
        "Dorvik's industrial output rose in October while unemployment fell, lifting hopes of a recovery.",
    ])], known={"dorvik": 3})
    assert told_rightly.status != "contradicted"


def test_a_claimed_rise_is_judged_on_the_month_the_question_names():
    premise = _checked("Why did Dorvik's industrial output jump in October?", [hit("a", "Dorvik output", [
        "Dorvik's industrial output rose 2.1% in January from a month earlier.",
        "Industrial output fell in October, figures showed.",  # the month asked of, though it names no Dorvik
    ])], known={"dorvik": 3})
    assert premise.status == "contradicted" and premise.evidence is not None
    assert "October" in premise.evidence.text


def test_a_figure_the_coverage_tells_of_only_to_deny_it_is_not_taken_for_granted():
    sentences = ["Tarnby manager Jan Holm has resigned for personal reasons.",
                 "The club's director also denied reports that Holm had been given a £3m pay-off."]
    premise = _checked("Why did Tarnby give Jan Holm a £3m pay-off when he left?", [hit("a", "Holm resigns", sentences)],
                       known={"tarnbi": 3, "holm": 3})
    assert premise.status == "negated" and premise.evidence is not None and "denied" in premise.evidence.text
    confirmed = [sentences[0], "The club confirmed that Holm had been given a £3m pay-off."]
    premise = _checked("Why did Tarnby give Jan Holm a £3m pay-off when he left?", [hit("a", "Holm resigns", confirmed)],
                       known={"tarnbi": 3, "holm": 3})
    assert premise.status != "negated"


@pytest.mark.parametrize(("question", "reversed_verb"), [
    ("Why did Dorvik's profits fall last year?", True),  # "it didn't fall"
    ("How long after the strike did Dorvik agree to pay a higher price?", False),  # "higher" is no verb asked of
])
def test_the_note_says_it_didnt_only_of_a_verb_the_question_asks_did_of(question, reversed_verb):
    premise = _checked(question, [hit("a", "Dorvik results", [
        "Dorvik's profits rose last year, and it agreed to pay a lower price three days after the strike."])],
        known={"dorvik": 3})
    assert premise.status == "contradicted" and premise.reversed_verb is reversed_verb


def test_a_product_the_story_tells_of_in_other_words_is_not_taken_for_another_actor():
    sentences = ["Dorvik pauses police use of face recognition software.",
                 "Police use of the company's Lensview software will be suspended for a year."]  # "suspended": paused
    premise = _checked("Why did Dorvik pause police use of Lensview?", [hit("a", "Dorvik pauses face software", sentences)],
                       known={"dorvik": 400, "lensview": 3})
    assert premise.word != "Lensview"


@pytest.mark.parametrize(("sentence", "denied"), [
    ("The chairman claims he cannot afford to sack the manager.", True),
    ("The club did not sack the manager, the chairman said.", True),
    ("The club sacked the manager after fans didn't turn up to games.", False),  # a "not" elsewhere denies nothing
])
def test_an_event_is_denied_only_by_a_no_before_its_own_word(sentence, denied):
    premise = _checked("Why did Tarnby sack its manager?", [hit("a", "Tarnby manager", [sentence])], known={"tarnbi": 3})
    assert (premise.status == "contradicted" and premise.word == "sack") is denied


@pytest.mark.parametrize(("sentence", "negated"), [
    ("Dorvik will not sell its face software to police, its president said.", True),
    ("Dorvik sells its face software to police forces, though not in Europe, its president said.", False),
    ("Dorvik sells its face software to police, and campaigners are against it, its president said.", False),
])
def test_a_why_question_is_told_no_only_by_a_no_before_what_it_takes_for_granted(sentence, negated):
    premise = _checked("Why does Dorvik sell its face software to police?", [hit("a", "Dorvik and police", [sentence])],
                       known={"dorvik": 3})
    assert (premise.status == "negated") is negated


def _with_terms(text: str):
    """A candidate sentence whose terms are its analysed words."""
    from .test_answering_mutants import candidate

    return candidate(text, 1.0, terms=" ".join(ANALYZER.terms(text)))


RISE, FALL, OUTPUT = frozenset({"rose"}), frozenset({"fell"}), frozenset({"output"})


@pytest.mark.parametrize(("text", "went"), [
    ("Output rose in October.", True),  # one way only: it went that way
    ("Output fell in October.", False),
    ("Output in October rose while unemployment fell.", True),  # the direction word after what moved decides
    ("Unemployment rose as output fell in October.", False),  # not the one before it
    ("Output from Dorvik factories fell while unemployment rose.", False),  # three words on
    ("Output at large Dorvik car factories fell while unemployment rose.", True),  # too far on to tell: as asked
    ("Sales rose while costs fell.", True),  # what moved is not named: as asked
])
def test_a_sentence_saying_both_ways_went_the_way_the_word_after_what_moved_says(text, went):
    from bot.answering.premise import _went

    assert _went(_with_terms(text), RISE, FALL, OUTPUT) is went


def test_a_no_before_another_word_for_what_the_question_takes_for_granted_tells_against_it():
    from bot.answering.premise import _says_no_to

    asked = analysed("Why did Dorvik axe the scheme?", known={"dorvik": 3})
    assert _says_no_to(_with_terms("Dorvik said it would not scrap its long-running and popular savings scheme."), asked)
    assert not _says_no_to(_with_terms("Dorvik said it would scrap the scheme, not sell it."), asked)  # "scrap": axe


@pytest.mark.parametrize(("question", "sentences"), [
    ("By what percentage did Dorvik's worldwide sales drop in 2004?",
     ["Dorvik's worldwide sales were flat in 2004, while rivals gained ground."]),
    ("How long did Dorvik say it took to make the film that won best picture?",
     ["Several think the veteran will lose the best director prize to Dorvik.",
      "Dorvik said the film took 37 days to make."]),
    ("Where had Dorvik beaten Quell in a final the week before?",
     ["World number one Dorvik added the Dubai trophy to his list of successes - but not before he was given a test "
      "by Quell.", "The world number one was forced to go the distance against Quell, who he had beaten in the "
      "Rotterdam final a week earlier."]),
])
def test_a_verb_of_direction_framing_what_a_place_date_or_figure_question_asks_for_is_not_judged(question, sentences):
    premise = _checked(question, [hit("a", "Dorvik news", sentences)], known={"dorvik": 3, "quell": 3})
    assert premise.status != "contradicted"


def test_the_same_verb_is_judged_when_the_question_asks_why():
    sentences = ["Dorvik's worldwide sales were flat in 2004, as rivals gained ground."]
    premise = _checked("Why did Dorvik's worldwide sales drop in 2004?", [hit("a", "Dorvik results", sentences)],
                       known={"dorvik": 3})
    assert premise.status == "contradicted" and premise.word == "drop"
