"""How a question and the coverage's sentences are read: a move asked "how much", a result told of an earlier
edition, which way a sentence says something went, a name standing for another of its kind, a claim of permanence
judged on its own subject, a number word inside a name, countries, roles and the wording of a kind of answer.
Hand-made passages, no corpus."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.answering import rerank
from bot.answering import select as selection
from bot.answering.candidates import previews
from bot.answering.premise import _names_a_sibling
from bot.answering.question import AnswerType, answer_type, claims_a_record
from bot.answering.rerank import SIGNALS
from bot.answering.select import select
from bot.answering.spans import answering_spans, asks_change, spans

from .test_answering_evidence import _premise
from .test_answering_mutants import candidate
from .test_answering_units import ANALYZER, _candidates, analysed, compose, hit


# ---- a move asked "how much" ----------------------------------------------------------------------------
@pytest.mark.parametrize(("question", "kind"), [
    ("What did Quorvex make?", AnswerType.OPEN),  # a product, not a sum: no profit, revenue or sales asked
    ("Whose record will he break?", AnswerType.OPEN),  # a person's or a firm's: no kind is named
    ("Which Quorvex manager praised the club?", AnswerType.PERSON),  # a role after the kind of organisation
])
def test_a_wording_that_names_no_kind_of_answer_is_not_given_one(question, kind):
    assert answer_type(question) is kind


@pytest.mark.parametrize("question", [
    "How much did Quorvex Airways' profits fall in the three months to December?",
    "How much have Quorvex shares risen since the bid?",
    "By how much did the money sent home grow?",
    "How far did the pound drop against the dollar?",
])
def test_how_much_something_moved_is_told_by_a_share_as_well_as_a_sum(question):
    assert asks_change(question)
    sentence = "Quorvex Airways has blamed high fuel prices for a 40% drop in profits."
    assert "40%" in answering_spans(sentence, AnswerType.AMOUNT, question)


@pytest.mark.parametrize("question", [
    "How much did Quorvex pay for the stake?",
    "How much will the cuts save?",  # "cut" moves an object: the sum saved is asked
    "How much money did the appeal raise?",
])
def test_a_sum_asked_for_is_not_answered_by_a_share(question):
    assert not asks_change(question)
    assert answering_spans("Profits fell 40% last year.", AnswerType.AMOUNT, question) == []


# ---- a result told of an earlier edition --------------------------------------------------------------
def test_a_contest_still_to_come_is_a_preview_though_the_sentence_tells_last_years_result():
    assert previews("The 50th contest will be held in Kiev in May, after Ukrainian singer Ruslana won last year.")
    assert previews("The final will be held in Cardiff, a year after Wales beat England a year ago.")


def test_a_result_told_of_this_edition_is_no_preview():
    assert not previews("The contest will be held in Kiev after Ruslana won in Istanbul.")
    assert not previews("Ruslana won, and the next contest will be held in Kiev.")


# ---- which way a sentence says something went ---------------------------------------------------------
def test_a_claimed_fall_is_judged_on_the_sentence_saying_which_way_what_fell_went():
    premise = _premise("Why did Quorvex's exports drop in 2004?", [hit("x", "Quorvex exports rise 25%", [
        "Exports from Quorvex leapt during 2004 as the economy kept up its breakneck growth.",
        "A low exchange rate - the crown seems in relentless decline - means Quorvex exports are cheap abroad.",
    ])], known={"quorvex": 2})
    assert premise.status == "contradicted" and "leapt" in premise.evidence.text


@pytest.mark.parametrize("told", [
    "But despite the relaunch, audience figures failed to rise and still remain around three million.",
    "Audience figures failed to rise.",  # the "no" opening the sentence counts too
])
def test_a_rise_that_failed_to_happen_contradicts_a_claimed_rise(told):
    premise = _premise("Why did the Quorvex Show's audience figures grow after the relaunch?", [
        hit("t", "Quorvex Show moves channel", ["The Quorvex Show was relaunched in a blaze of publicity last year.", told]),
    ], known={"quorvex": 2})
    assert premise.status == "contradicted" and "failed to rise" in premise.evidence.text


def test_a_rise_told_without_a_no_bears_a_claimed_rise_out():
    premise = _premise("Why did the Quorvex Show's audience figures grow after the relaunch?", [
        hit("t", "Quorvex Show moves channel", [
            "The Quorvex Show was relaunched in a blaze of publicity last year.",
            "Since the relaunch, audience figures did rise, to around three million.",
        ])], known={"quorvex": 2})
    assert premise.status != "contradicted"


# ---- a name standing for another of its kind ----------------------------------------------------------
def test_a_contest_the_story_never_names_is_corrected_by_the_one_of_its_kind_it_does():
    premise = _premise("Why has Ann Quorvex pulled out of the French Open?", [hit("q", "Quorvex withdraws", [
        "Ann Quorvex has become the third leading player to withdraw from the Australian Open because of injury.",
        "She is believed to have picked up the injury at the Advanta Championships in Philadelphia in November and "
        "had to pull out of an exhibition match.",
        "Monica Zorbic, who has not played since last year's French Open, is another absentee.",
    ])], known={"quorvex": 3, "zorbic": 3, "french": 1, "open": 3, "pull": 200})
    assert premise.status == "contradicted" and premise.word == "French Open"
    assert "Australian Open" in premise.evidence.text


def test_of_the_sentences_naming_one_of_its_kind_the_one_telling_most_of_the_question_corrects_it():
    premise = _premise("Why has Ann Quorvex pulled out of the French Open?", [hit("q", "Quorvex withdraws", [
        "The Australian Open starts in Melbourne on Monday.",
        "Ann Quorvex has become the third leading player to withdraw from the Australian Open because of injury.",
        "Monica Zorbic, who has not played since last year's French Open, is another absentee.",
    ])], known={"quorvex": 3, "zorbic": 3, "french": 1, "open": 3, "pull": 200})
    assert premise.status == "contradicted" and "Ann Quorvex" in premise.evidence.text


@pytest.mark.parametrize(("name", "text", "sibling"), [
    ("Great Scotland Run", "She will also run the Bupa Great Ireland Run on 9 April.", True),
    ("Great Scotland Run", "She will also run the Great Scotland Run on 9 April.", False),
    ("Cardiff", "He played at the Arms Park Cardiff.", False),  # one word: no kind to share
    ("French open", "She withdrew from the Australian open.", False),  # not a name
])
def test_another_of_a_names_kind_ends_as_it_does(name, text, sibling):
    assert _names_a_sibling(name, text) is sibling


# ---- a claim of permanence judged on its own subject ------------------------------------------------
def test_a_lifetime_ban_told_of_another_does_not_bear_out_a_lifetime_ban_claimed_of_the_subject():
    premise = _premise("Why did Michelle Quorvex get a lifetime ban?", [hit("b", "Quorvex banned", [
        "Sprinter Michelle Quorvex has received an eight-year ban for doping offences after a hearing.",
        "World record holder Tim Zorbic is also facing a lifetime ban after being charged.",
    ])], known={"quorvex": 2, "zorbic": 2})
    assert premise.status == "contradicted" and premise.word == "lifetime"
    assert "eight-year" in premise.evidence.text


def test_a_lifetime_ban_told_of_the_subject_bears_the_claim_out():
    premise = _premise("Why did Michelle Quorvex get a lifetime ban?", [hit("b", "Quorvex banned", [
        "Sprinter Michelle Quorvex has received a lifetime ban for doping offences after a hearing.",
        "Her coach Tim Zorbic was banned for eight years.",
    ])], known={"quorvex": 2, "zorbic": 2})
    assert premise.status != "contradicted"


# ---- the second sentence says what the first does not ------------------------------------------------
def test_the_second_sentence_is_not_a_rewording_of_the_first_even_when_the_model_favours_it(monkeypatch):
    monkeypatch.setattr(rerank, "WEIGHTS", dict.fromkeys(SIGNALS, 0.0))
    lead = candidate("Quorvex will cut 300 jobs in Leeds.", 2.0, key="a", terms="quorvex cut 300 jobs leeds")
    rewording = candidate("Quorvex is to cut jobs at a plant, it said.", 1.0, key="b", terms="quorvex cut jobs said plant")
    fresh = candidate("Unions called a strike for Friday.", 0.8, key="c", terms="unions called strike friday")
    # overlap 3/7: the rewording keeps 1 - 0.6 × 3/7 = 74% of its reading (0.74), under the fresh sentence's 0.8
    # (at the rest's novelty, 0.35, it would keep 85%: 0.85)
    monkeypatch.setattr(selection, "leading", lambda c: c.score)
    assert select([lead, rewording, fresh])[:2] == [lead, fresh]


# ---- a number word inside a name -----------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "counts"), [
    ("The China Three Gorges Project Corp is refusing to stop one of its dams.", ["one"]),
    ("He won Formula One races and three titles.", ["three"]),
    ("Three people died in the crash.", ["Three"]),
    ("It said: Three Britons were held.", ["Three"]),
    ("The band Take That had Five members.", ["Five"]),
    ("Work on the Three Gorges Dam goes on.", []),
    ("Quorvex beat Zorbic three times.", ["three"]),
])
def test_a_number_word_capitalised_beside_a_name_is_part_of_the_name_not_a_count(sentence, counts):
    assert spans(sentence, AnswerType.NUMBER) == counts


# ---- countries, roles and the wording of a kind of answer -----------------------------------------------
def test_a_country_named_alone_after_from_says_where():
    assert answering_spans("It is thought that the fake site is being run from Romania.", AnswerType.PLACE,
                           "Where is the fake appeal website thought to be run from?") == ["from Romania"]


@pytest.mark.parametrize(("question", "kind"), [
    ("What did the obscure Quorvex Finance Group pay at auction for the oil unit?", AnswerType.AMOUNT),
    ("What does the UK's biggest mortgage lender put the average house price at?", AnswerType.AMOUNT),
    ("What was Kathy Quorvex's winning time in the cross-country race?", AnswerType.DURATION),
    ("What dates is this summer's Quorvex festival?", AnswerType.DATE),
    ("Which Nairobi shantytown was the chancellor visiting?", AnswerType.PLACE),
    ("Which port did the ferry leave from?", AnswerType.PLACE),
    ("Which churchman said the bestseller was lousy history?", AnswerType.PERSON),
    ("Who's the university lecturer behind the virtual face?", AnswerType.PERSON),
    ("What time does the show start?", AnswerType.DATE),
    # a figure asked without "how much"
    ("What were Quorvex's revenues in the third quarter?", AnswerType.AMOUNT),
    ("What did Quorvex actually make in profit last year?", AnswerType.AMOUNT),
    ("What did the jobless rate fall to in March?", AnswerType.NUMBER),
    ("What was the crowd at the Quorvex Stadium for the derby?", AnswerType.NUMBER),
    ("How far over budget is the new Quorvex terminal?", AnswerType.NUMBER),
    ("Over what period will the grant be paid?", AnswerType.DURATION),
    # an organisation by its kind, in the plural too
    ("Which London-based lender bought the Quorvex Bank?", AnswerType.ORGANISATION),
    ("Which airlines complained about the state loan?", AnswerType.ORGANISATION),
    ("Which children's charity did the singer back?", AnswerType.ORGANISATION),
    ("Which select committee criticised the scheme?", AnswerType.ORGANISATION),
    # a person by role, or "who" after a clause
    ("Which senior diplomat called the plan daft?", AnswerType.PERSON),
    ("Which Premiership footballer owns the label?", AnswerType.PERSON),
    ("He ran the third fastest 400m ever - who holds the world record?", AnswerType.PERSON),
    ("So who's likely to take his place?", AnswerType.PERSON),
    # a term defined, however the question leads up to it
    ("What is a \"honey trap\" when it comes to e-mail fraud?", AnswerType.DEFINITION),
    ("In the Quorvex-Delmar alliance, what is the 'put option'?", AnswerType.DEFINITION),
    ("in that piece about savings, what's an index fund?", AnswerType.DEFINITION),
    ("What is the job of the Lord Chancellor?", AnswerType.DEFINITION),
])
def test_the_wording_of_a_question_names_the_kind_of_answer(question, kind):
    assert answer_type(question) is kind


def test_a_name_after_a_new_role_word_is_a_persons():
    assert "Ann Quorvex" in spans("The bishop's critic, lecturer Ann Quorvex, built the face.", AnswerType.PERSON)


# ---- "record": a claim only where it qualifies ---------------------------------------------------------
@pytest.mark.parametrize(("question", "claimed"), [
    ("Why did Quorvex post a record loss?", True),
    ("How much did Quorvex earn on the back of record oil prices?", True),
    ("How long does a ride in its record-breaking lifts take?", True),
    ("Which footballer runs the record label behind the album?", False),
    ("Who has the better head-to-head record, Quorvex or Delmar?", False),
    ("Which country has the best track record in the contest?", False),
    ("Who holds the world record he was chasing?", False),
    ("Why do musicians back the record industry's lawsuits?", False),
    ("What made the singer record the song?", False),
])
def test_record_is_a_claim_only_where_it_qualifies_what_the_question_says(question, claimed):
    assert claims_a_record(question) is claimed


def test_a_record_label_is_not_a_claimed_record_the_evidence_must_bear_out():
    question = "Which footballer runs the record label that won an injunction against the singer's album?"
    reading = analysed(question)
    assert "record" not in [surface for surface, _ in reading.marked]
    assert "record" in [surface for surface, _ in analysed("Why did Quorvex post a record loss?").marked]


# ---- a score the question states --------------------------------------------------------------------------
def test_a_score_the_coverage_tells_otherwise_is_corrected_by_the_sentence_stating_the_result():
    premise = _premise("How did Quorvex United beat Delmar 3-1 to reach the cup semi-finals?", [hit("q", "Quorvex Utd 4-1 Delmar", [
        "Quorvex United eased into the semi-final of the cup with an emphatic win over Delmar.",
        "Quorvex United led Delmar 2-0 in the cup semi-final race at half time, with Delmar's keeper injured.",
        "Delmar pulled one back before half time through a header from a corner.",
        "The scoring was completed just after the break - a superb shot on the turn making it 4-1.",
    ])], known={"quorvex": 2, "delmar": 2})
    assert premise.status == "contradicted" and premise.word == "3-1"
    assert "4-1" in premise.evidence.text  # the result, not the half-time score naming both sides


def test_each_score_the_question_states_is_checked():
    premise = _premise("How did Quorvex come back from 2-0 down to beat Delmar 3-2 in the cup?", [hit("q", "Cup tie", [
        "Quorvex came back from 2-0 down against Delmar in the cup on Saturday.",
        "The winner came in stoppage time, making it 4-2 to Quorvex against Delmar in the cup.",
    ])], known={"quorvex": 2, "delmar": 2})
    assert premise.status == "contradicted" and premise.word == "3-2"


@pytest.mark.parametrize("told", ["making it 3-1", "making it 1-3"])
def test_a_score_the_coverage_states_either_way_round_is_borne_out(told):
    premise = _premise("How did Quorvex United beat Delmar 3-1 to reach the cup semi-finals?", [hit("q", "Cup tie", [
        "Quorvex United eased into the semi-final of the cup with an emphatic win over Delmar.",
        f"The scoring was completed just after the break - a superb shot on the turn {told}.",
    ])], known={"quorvex": 2, "delmar": 2})
    assert premise.status != "contradicted"


# ---- a "no" said by opposing ---------------------------------------------------------------------------------
def test_a_sentence_saying_the_subject_opposes_it_says_no_to_whether_they_back_it():
    question = "Are the Quorvex Democrats backing the ID cards bill?"
    hits = [hit("i", "ID cards bill", [
        "The Quorvex Democrats backing of ID cards was in doubt as the bill reached the Commons, ministers said.",
        "The Quorvex Democrats have pledged to oppose the bill when it is debated next Monday.",
    ], 1.0)]
    said = {c.text[:40]: c.traits.says_no for c in _candidates(question, hits, known={"quorvex": 3})}
    assert said == {"The Quorvex Democrats backing of ID card": False, "The Quorvex Democrats have pledged to op": True}


# ---- a figure of the month asked, told in that month's story ---------------------------------------------------
def test_a_figure_is_corrected_by_the_story_of_the_month_asked_though_its_sentence_says_last_month():
    premise = _premise("Why did the Quorvex economy add 300,000 jobs in December?", [
        hit("o", "Quorvex jobs surge", ["The Quorvex economy added 337,000 jobs in October - a seven-month high."], 1.0),
        hit("d", "Quorvex job creation slows", [
            "The Quorvex economy created fewer jobs than expected in December, analysts said.",
            "According to Labor Department figures, 157,000 new jobs were added last month.",
        ], 0.9),
    ], known={"quorvex": 3})
    assert premise.status == "contradicted" and premise.word == "300,000"
    assert "157,000" in premise.evidence.text


# ---- a sale told the other way round ---------------------------------------------------------------------------
@pytest.mark.parametrize(("told", "corrected"), [
    ("The deal came when Delmar Sports sold Quorvex Games the rights to its TV brand for 15 years.", True),
    ("The deal came when Quorvex Games sold Delmar Sports the rights to its TV brand for 15 years.", False),
])
def test_a_sale_to_another_party_told_the_other_way_round_is_corrected(told, corrected):
    answer = compose("Why did Quorvex Games sell its TV branding rights to Delmar Sports?", [
        hit("a", "Sports games row", [told, "Fans complained about the licensing deal online this week."]),
    ], known={"quorvex": 3, "delmar": 3})
    assert (answer.note == "The coverage doesn't say that; it reports:") is corrected


def test_a_release_the_coverage_tells_was_decided_against_is_corrected():
    premise = _premise("Why did Ann Quorvex release the foreign suspects after the ruling?", [hit("r", "Suspects stay held", [
        "The home secretary Ann Quorvex has defended her decision not to release the foreign suspects despite the ruling.",
        "Lawyers for the men said they would appeal again next month.",
    ])], known={"quorvex": 3})
    assert premise.status == "contradicted" and premise.word == "release"


def test_an_act_that_gives_nothing_keeps_its_to_party_out_of_a_role_reversal():
    answer = compose("Why did Ann Quorvex talk to Bob Delmar about the takeover?", [
        hit("a", "Takeover talks", ["Bob Delmar talked to Ann Quorvex about the takeover on Monday, sources said.",
                                    "The two firms have been in talks since the spring."]),
    ], known={"quorvex": 3, "delmar": 3, "ann": 8, "bob": 8})
    assert answer.note is None  # "to" marks no recipient of "talk": who talked to whom is not reversed


# ---- the further passages of the best stories --------------------------------------------------------
def _fillers(count: int, score: float) -> list:
    return [hit(f"other{n}", f"Lions tour news {n}", [f"The Lions squad for the New Zealand tour was discussed again, "
                                                     f"report {n} said."], score - n / 1000) for n in range(count)]


def test_a_further_passage_of_the_best_story_is_read_though_other_stories_rank_between():
    first = hit("tour", "Quorvex Lions tour", ["Quorvex will advise the Lions on media strategy before the tour."], 30.0)
    further = hit("tour", "Quorvex Lions tour", ["They leave for New Zealand on 24 May, with the first Test on 25 June."],
                  19.0)
    answer = compose("When do the Lions leave for New Zealand?", [first, *_fillers(11, 25.0), further])
    assert "24 May" in " ".join(answer.lead(2))


def test_only_the_first_stories_further_passages_are_read_once_the_story_limit_is_reached():
    from bot.answering.compose import FURTHER_PASSAGE_STORIES, MAX_STORIES, _views

    fillers = _fillers(MAX_STORIES + 1, 25.0)
    question = analysed("When do the Lions leave for New Zealand?")
    asked = frozenset(question.weights)
    kept = hit(fillers[FURTHER_PASSAGE_STORIES - 1].story.key, "Lions tour news", ["They leave on 24 May."], 10.0)
    dropped = hit(fillers[FURTHER_PASSAGE_STORIES].story.key, "Lions tour news", ["They leave on 25 May."], 9.0)
    read = [view.hit for view in _views([*fillers, kept, dropped], ANALYZER, asked, MAX_STORIES)]
    assert kept in read and dropped not in read
    assert fillers[MAX_STORIES] not in read  # the story past the limit is not read at all
    assert read == [*fillers[:MAX_STORIES], kept]  # in rank order


def test_before_the_story_limit_every_passage_of_every_story_is_read():
    from bot.answering.compose import FURTHER_PASSAGE_STORIES, MAX_STORIES, _views

    fillers = _fillers(MAX_STORIES, 25.0)
    late = fillers[FURTHER_PASSAGE_STORIES]  # a story past the first few, its second passage before the limit
    second = hit(late.story.key, "Lions tour news", ["They leave on 24 May."], 24.0)
    question = analysed("When do the Lions leave for New Zealand?")
    read = [view.hit for view in _views([*fillers[:5], second, *fillers[5:]], ANALYZER, frozenset(question.weights),
                                        MAX_STORIES)]
    assert second in read and len(read) == MAX_STORIES + 1


def test_a_later_story_passing_over_does_not_end_the_reading_of_the_first_stories():
    from bot.answering.compose import FURTHER_PASSAGE_STORIES, MAX_STORIES, _views

    fillers = _fillers(MAX_STORIES, 25.0)
    skipped = hit(fillers[FURTHER_PASSAGE_STORIES].story.key, "Lions tour news", ["They leave on 25 May."], 10.0)
    kept = hit(fillers[0].story.key, "Lions tour news", ["They leave on 24 May."], 9.0)
    question = analysed("When do the Lions leave for New Zealand?")
    beyond = hit("beyond", "Lions tour news", ["The Lions squad was named for the tour."], 11.0)
    read = [view.hit for view in _views([*fillers, beyond, skipped, kept], ANALYZER, frozenset(question.weights),
                                        MAX_STORIES)]
    assert kept in read and skipped not in read and beyond not in read


def test_the_views_read_a_name_in_its_other_form_the_question_gives():
    from bot.answering.compose import _views

    asked = frozenset({"californian", "firm"})
    passage = hit("ca", "Tech news", ["A firm in California said it would hire."], 1.0)
    aliases = {"californian": frozenset({"california"})}
    [view] = _views([passage], ANALYZER, asked, 10, aliases=aliases)
    assert "californian" in view.named
    [plain] = _views([passage], ANALYZER, asked, 10)
    assert "californian" not in plain.named


# ---- a comparison that names its pair first ------------------------------------------------------------
@pytest.mark.parametrize("question", [
    "Out of Quorvex and Blandco, which one made the bigger loss?",
    "Of Jo Quorvex and Al Blandco, who became the youngest ever winner?",
    "Between Quorvex Airways and Blandco, which carried more passengers?",
])
def test_a_pair_named_before_which_or_who_asks_for_a_comparison(question):
    assert answer_type(question) is AnswerType.COMPARISON


@pytest.mark.parametrize("question", [
    "Of the 12 songs on the album, which one was a hit?",  # no pair of names: a choice among many
    "Out of all the bands, which one won?",
])
def test_a_group_named_before_which_is_not_a_comparison(question):
    assert answer_type(question) is not AnswerType.COMPARISON


def test_a_comparison_naming_its_pair_first_gets_no_premise_note_for_the_one_a_story_calls_otherwise():
    # the story telling it names one of the pair and calls the other "the Mallorcan": read as a "which" question, the
    # missing name was taken for a premise the story corrects
    story = hit("cup", "Moya emotional after Davis Cup win", [
        "Carlos Moya described Spain's Davis Cup victory as the highlight of his career.",
        "Aged 18 years and 185 days, the Mallorcan became the youngest player to win the Davis Cup."], 9.0)
    answer = compose("Out of Carlos Moya and Rafael Nadal, which one became the youngest ever Davis Cup winner?",
                     [story])
    assert answer.note is None


# ---- a figure the coverage tells outside the sentences that tell the fact ------------------------------
def test_a_figure_told_in_the_headline_of_the_story_is_no_premise_to_correct():
    story = hit("pumas", "Ireland 21-19 Argentina", [
        "Ronan O'Gara kicked all of Ireland's points against the Pumas at Lansdowne Road.",
        "Felipe Contepomi kicked 14 points for the Pumas, who scored one try."], 9.0)
    answer = compose("Who kicked all of Ireland's points against the Pumas 21-19?", [story])
    assert not answer.abstained
    assert answer.note is None  # not "The coverage doesn't say “21”"
    assert "O'Gara" in " ".join(answer.lead(2))


def test_a_score_told_in_another_passage_of_the_story_about_the_subjects_is_no_premise_to_correct():
    first = hit("duff", "Duff rues missed chance", [
        "Damien Duff says Ireland should have beaten Croatia more comfortably in Dublin.",
        "Ireland won 1-0 thanks to a late goal from Robbie Keane."], 9.0)
    second = replace(hit("duff", "Duff rues missed chance", [
        "The winger explained what went wrong when he fluffed a chance to make it 2-0 midway through the second half."],
        8.0), passage=replace(first.passage, id=first.passage.id + 1, ordinal=1, text=(
            "The winger explained what went wrong when he fluffed a chance to make it 2-0 midway through the second "
            "half.")))
    answer = compose("Why did Damien Duff fluff his chance to make it 2-0 against Croatia?", [first, second])
    assert answer.note is None  # not "The coverage doesn't say “2-0”"
