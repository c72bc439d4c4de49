"""Words that name the same thing (bot/answering/lexicon.py) and words the coverage never uses: a sentence
saying "a Norwegian bank" speaks of the question's "bank in Norway"; "bitcoin" in a thousand stories that
never say it is a subject they lack. Hand-made passages, no corpus."""

from __future__ import annotations

from bot.answering.abstain import decide
from bot.answering.candidates import Shares, passage_view, score_candidates
from bot.answering.lexicon import Lexicon, inflections, lexicon
from bot.answering.question import AnswerType, answer_type
from retrieval.analyzer import Analyzer

from .test_answering_units import ANALYZER, analysed, compose, hit


def test_a_country_its_people_and_its_other_names_name_the_same_thing():
    words = lexicon(ANALYZER)
    assert {"norwegian"} <= words.others("norway")
    assert {"britain", "british"} <= words.others("uk")
    assert words.others("bank") == frozenset()


def test_a_word_in_two_groups_is_the_other_word_of_both():
    words = Lexicon(ANALYZER, [("fall", "drop"), ("scrap", "drop")])
    assert words.others("drop") == {"fall", "scrap"}
    assert words.others("fall") == {"drop"}


def test_a_sentence_names_the_asked_word_it_says_in_other_words():
    asked = frozenset(analysed("Which bank in Norway extended its platform?").weights)
    view = passage_view(hit("n", "Bank news", ["A Norwegian bank extended its customer platform with Dynamics."]),
                        ANALYZER, asked)
    assert "norway" in view.named
    assert "norway" in view.lines[0][1]


def test_the_sentence_that_says_it_in_other_words_answers_first():
    question = "Which bank in Norway extended its customer platform?"
    hits = [
        hit("a", "Platform stories", ["Many firms extended their customer platform this year with new tools."], 1.0),
        hit("b", "Bank stories", ["SpareBank 1, a Norwegian bank, extended its customer platform with Dynamics."], 0.9),
    ]
    asked = analysed(question)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    best = max(score_candidates(asked, views, Shares(asked.weights)), key=lambda c: c.score)
    assert "SpareBank" in best.text


def test_the_search_looks_for_the_other_words_at_a_lower_weight():
    asked = analysed("Which bank in Norway extended its platform?")
    assert asked.search["norway"] == 1.0
    assert 0 < asked.search["norwegian"] < 1.0
    assert "norwegian" not in asked.weights  # it counts as naming "norway", not as a word of its own


def test_a_word_the_coverage_never_uses_is_unseen_unless_another_word_for_it_is_used():
    assert analysed("whats the bitcoin price", known={"bitcoin": 0}).unseen == (("bitcoin", "bitcoin"),)
    assert analysed("What did Norway decide?", known={"norway": 0}).unseen == ()  # "norwegian" is known


def test_a_contraction_typed_without_its_apostrophe_still_shapes_the_question():
    assert answer_type("whats the price of the new console") is AnswerType.AMOUNT
    assert answer_type("whos the chief executive of the bank") is AnswerType.PERSON


def _bitcoin_decision(searched: int):
    asked = analysed("Tell me about the bitcoin price crash", known={"bitcoin": 0})
    hits = [hit("p", "Market crash", ["The price crash hit the shares of the club hard, the manager said on Monday."])]
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    shares = Shares(asked.weights)
    return decide(asked, views, score_candidates(asked, views, shares), shares, searched)


def test_a_word_a_large_coverage_never_uses_counts_against_answering():
    large, small = _bitcoin_decision(2000), _bitcoin_decision(20)
    assert not large.answer and "“bitcoin”" in large.why
    assert small.answer  # in a few stories an unused word is more likely a paraphrase
    assert small.confidence > large.confidence



def test_a_name_before_a_role_without_a_comma_qualifies_the_role_and_is_no_person():
    from bot.answering.spans import people

    assert people("Texas Instruments chief executive Rich Templeton spoke.") == ["Rich Templeton"]
    assert people("The Texas Rangers, who won on Sunday, celebrated.") == []  # "The" opens it: not a name
    assert "Brad Smith" in people("Brad Smith, president of Microsoft, wrote the post.")


def test_a_did_question_the_evidence_reverses_is_corrected_in_plain_words():
    from .test_answering_units import compose

    evidence = [hit("b", "Barclays results", ["Barclays reported a 20% rise in pre-tax profits to £3.8bn last year."])]
    did = compose("Why did Barclays' profits fall last year?", evidence)
    assert did.note == "By the coverage's account it didn't fall; it reports:"
    ongoing = compose("Why are Barclays' profits falling this year?", evidence)
    assert ongoing.note == "The coverage doesn't say “falling”; it reports:"


def test_reasons_given_as_a_charge_or_a_saying_are_reason_spans():
    from bot.answering.spans import spans

    assert spans("Nick Griffin was arrested on suspicion of incitement to racial hatred.", AnswerType.REASON)
    assert spans("Lycos shut down the campaign saying it had achieved its aim.", AnswerType.REASON)
    assert spans("He was charged with fraud in March.", AnswerType.REASON)


def _seattle(question: str):
    # "Seattle" is rare in the coverage, the other words common: the name alone covers most of the question
    common = {"weather": 300, "like": 600, "tomorrow": 300, "happen": 500, "hous": 200, "move": 300}
    asked = analysed(question, known={"seattl": 2, **common})
    hits = [hit("s", "Seattle house move", [
        "The run-down house in Seattle has already been moved wholesale once by its owners.",
        "Seattle officials said no such deal had been offered to the family this year.",
    ], score=3.0)]
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    shares = Shares(asked.weights)
    return decide(asked, views, score_candidates(asked, views, shares), shares, 2000)


def test_the_subject_without_what_is_asked_about_it_is_not_an_answer():
    assert not _seattle("What will the weather be like in Seattle tomorrow?").answer
    assert _seattle("What has happened to the house in Seattle?").answer


def _typed_spans(question: str, sentences: list[str], prefix: int) -> dict[str, tuple[str, ...]]:
    """Each hand-made sentence's answer spans for the question, by the sentence's first ``prefix`` characters."""
    asked = analysed(question)
    views = [passage_view(hit("t", "Story", sentences), ANALYZER, frozenset(asked.weights))]
    return {c.text[:prefix]: c.typed for c in score_candidates(asked, views, Shares(asked.weights))}


def test_a_name_quoted_as_a_speaker_does_not_answer_who_did_something():
    sentences = ["\"The Yahoo web portal will win,\" predicted Mr Weiner on Monday.",
                 "The Yahoo web portal was set up by students David Filo and Jerry Yang in a campus trailer."]
    typed = _typed_spans("Who set up the Yahoo web portal?", sentences, 10)
    assert typed["\"The Yahoo"] == ()
    assert "David Filo" in typed["The Yahoo "]
    said = analysed("Who predicted that the Yahoo web portal would win?")
    views = [passage_view(hit("y", "Yahoo at ten", sentences), ANALYZER, frozenset(said.weights))]
    assert any(c.typed for c in score_candidates(said, views, Shares(said.weights)) if "Weiner" in c.text)


def test_a_speaker_its_role_introduces_is_more_than_a_speaker():
    from bot.answering.candidates import speaking

    assert speaking("Jo Smith said the firm was sold.", "Jo Smith")
    assert not speaking("The company's new chief executive Peter Lynch said it would recover.", "Peter Lynch")


def test_a_month_the_question_names_is_not_required_but_a_sentence_naming_it_tells_of_that_time():
    from .test_answering_units import compose

    asked = analysed("How many jobs did US firms add in January?")
    assert "januari" not in asked.weights and asked.search["januari"] > 0
    hits = [hit("o", "US jobs", ["US firms added 337,000 jobs in October, a seven-month high for hiring."], score=1.0),
            hit("j", "US jobs", ["US firms added only 146,000 jobs in January, below expectations."], score=0.9)]
    assert "146,000" in compose("How many jobs did US firms add in January?", hits).lead(1)[0]


def _who_won(sentences):
    asked = analysed("Who won the grand final of the Cyberathlete tour?", known={"cyberathlet": 2})
    views = [passage_view(hit("c", "Cyberathlete tour", sentences, score=4.0), ANALYZER, frozenset(asked.weights))]
    shares = Shares(asked.weights)
    return decide(asked, views, score_candidates(asked, views, shares), shares, 2000)


def test_a_who_question_whose_passages_name_nobody_is_not_answered():
    assert not _who_won(["The winner of the Cyberathlete tour grand final will get a prize purse of $150,000.",
                         "The Cyberathlete tour grand final will be held in New York in November."]).answer
    assert _who_won(["The Cyberathlete tour grand final was won by Dutch gamer Johan Quick, who took the prize.",
                     "The Cyberathlete tour grand final was held in New York in November."]).answer


def test_an_acronym_asked_is_named_by_the_words_it_stands_for():
    from bot.answering.lexicon import spelled_out

    assert spelled_out("The British National Party leader was arrested.", ["bnp", "fsa"]) == {"bnp"}
    question = analysed("Why was the BNP leader arrested?")
    assert question.acronyms == {"bnp"}
    view = passage_view(hit("b", "Party news", ["The leader of the British National Party has been arrested."]),
                        ANALYZER, frozenset(question.weights), question.acronyms)
    assert "bnp" in view.named


def test_a_figure_asked_per_something_is_given_per_that_thing():
    sentences = ["Nasdaq plans to raise $100m from the sale of its stock to the public.",
                 "Nasdaq is selling the stock at $15 a share to the public next month."]
    typed = _typed_spans("At what price per share is Nasdaq selling stock?", sentences, 12)
    assert typed["Nasdaq plans"] == ()
    assert [span.strip() for span in typed["Nasdaq is se"]] == ["$15"]


def test_the_name_of_a_person_is_a_person_question():
    assert answer_type("What was the name of the man who threw slurry over the MEP?") is AnswerType.PERSON
    assert answer_type("What is the name of Amazon's face recognition software?") is AnswerType.NAME


def test_a_speaker_introduced_by_what_is_asked_still_answers():
    asked = analysed("Who created the Zorblatt quantum kettle?")
    sentence = "Its creator Morwenna Quillfeather said the prize money would fund a kettle factory in Paisley."
    views = [passage_view(hit("z", "Zorblatt kettle", [sentence]), ANALYZER, frozenset(asked.weights))]
    (candidate,) = score_candidates(asked, views, Shares(asked.weights))
    assert candidate.typed == ("Morwenna Quillfeather",)


def test_loose_words_do_not_name_a_claimed_event():
    words = lexicon(ANALYZER)
    cancel = ANALYZER.terms("cancelled")[0]
    assert not {*ANALYZER.terms("end"), *ANALYZER.terms("dropped")} & words.others(cancel)
    assert not set(ANALYZER.terms("fire")) & words.others(ANALYZER.terms("sacked")[0])


def test_a_price_is_what_is_charged_a_fee_or_a_cost():
    words = lexicon(ANALYZER)
    assert {"price", "cost", "fee"} <= words.others("charg")
    asked = frozenset(analysed("What will the British Library charge for an hour online?").weights)
    view = passage_view(hit("l", "Library news", ["The service will be priced at £4.50 for an hour's session."]),
                        ANALYZER, asked)
    assert "charg" in view.lines[0][1]


def test_a_verbs_irregular_forms_name_it_and_light_verbs_are_left_alone():
    words = lexicon(ANALYZER)
    assert {"wrote", "written"} <= words.others("write")
    assert {"broke", "broken"} <= words.others(ANALYZER.terms("break")[0])
    assert "went" not in words.others("go") and "made" not in words.others(ANALYZER.terms("make")[0])


def test_the_sentence_telling_it_in_another_form_of_the_verb_answers_first():
    question = "Who wrote the charity single Quorvex Lullaby?"
    hits = [hit("s", "Charity single", [
        "Stars including Ann Delmar are recording the charity single Quorvex Lullaby for the appeal.",
        "The song, a melancholy ballad, was written by radio DJ Mike Tarrant.",
    ], 1.0)]
    asked = analysed(question)
    views = [passage_view(h, ANALYZER, frozenset(asked.weights)) for h in hits]
    assert "wrote" in views[0].lines[1][1]  # "written" says it
    assert compose(question, hits).sentences[0].text.startswith("The song, a melancholy ballad, was written")


def test_a_capital_standing_for_its_government_and_a_partys_nickname_name_it():
    words = lexicon(ANALYZER)
    assert "china" in words.others(ANALYZER.terms("Beijing")[0])
    assert "eu" in words.others(ANALYZER.terms("Brussels")[0])
    assert ANALYZER.terms("Tories")[0] in words.others(ANALYZER.terms("Conservatives")[0])


def test_a_story_telling_of_the_tories_is_about_the_conservatives_asked_of():
    question = "Why do the Conservatives now want longer pub opening hours put off?"
    hits = [hit("t", "Tories call for drinking delay", [
        "The Tories want the new pub opening hours delayed until binge drinking is under control.",
        "Ministers say the longer hours will spread out closing times.",
    ], 1.0)]
    answer = compose(question, hits, known={"conserv": 40})
    assert not answer.abstained
    assert "binge drinking" in answer.sentences[0].text


def test_a_verbs_forms_are_built_once_per_analyzer():
    analyzer = Analyzer()  # a fresh analyzer: its forms are built now, not taken from an earlier test's
    forms = inflections(analyzer)
    assert {"wrote", "written"} <= forms.others("write") and "write" in forms.others("wrote")
    assert forms.others("norway") == frozenset()  # the forms alone, not the places or paraphrases
    assert inflections(analyzer) is forms


def test_a_clipped_word_typed_in_a_chat_is_the_word_a_report_spells_out():
    words = lexicon(ANALYZER)
    for clipped, spelt in (("exec", "execut"), ("info", "inform"), ("govt", "govern"), ("stats", "statist")):
        assert spelt in words.others(ANALYZER.terms(clipped)[0]), clipped


def test_a_question_in_clipped_words_reads_the_sentence_that_spells_them_out():
    question = "What info does the receipt reader pull out of a receipt?"
    asked = frozenset(analysed(question).weights)
    view = passage_view(hit("r", "Receipt scanning", [
        "Receipt scanning extracts information such as merchant name, total price and taxes from a receipt."]),
        ANALYZER, asked)
    assert ANALYZER.terms("info")[0] in view.lines[0][1]
