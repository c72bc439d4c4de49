"""Words that name the same thing in news writing: a country and its people ("Norway", "Norwegian"), a
country's other names ("UK", "Britain"), and the common paraphrases of reporting ("scrap", "axe", "ditch").

General English, not any collection's: the answering code uses it to see that a sentence saying "a Norwegian
bank" speaks of the question's "bank in Norway", and the search looks for the other words of a group too, at
a lower weight. A word may belong to several groups. Words too loose for a group ("end", "fire", "drop" as
scrapping) are left out: a bridged word counts as said, so "at the end of the year" must not bear out a claimed
"cancelled".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from retrieval.analyzer import Analyzer

PLACES: tuple[tuple[str, ...], ...] = (
    ("uk", "britain", "british", "briton", "britons"),
    ("us", "usa", "america", "american", "americans"),
    ("england", "english"), ("scotland", "scottish", "scots"), ("wales", "welsh"), ("ireland", "irish"),
    ("france", "french"), ("germany", "german", "germans"), ("spain", "spanish"), ("italy", "italian"),
    ("netherlands", "dutch", "holland"), ("belgium", "belgian"), ("switzerland", "swiss"), ("sweden", "swedish"),
    ("norway", "norwegian"), ("denmark", "danish"), ("finland", "finnish"), ("russia", "russian"),
    ("ukraine", "ukrainian"), ("turkey", "turkish"), ("greece", "greek"), ("portugal", "portuguese"),
    ("austria", "austrian"), ("hungary", "hungarian"), ("czech", "czechs"), ("china", "chinese"),
    ("japan", "japanese"), ("korea", "korean"), ("india", "indian"), ("pakistan", "pakistani"),
    ("australia", "australian"), ("canada", "canadian"), ("mexico", "mexican"), ("brazil", "brazilian"),
    ("argentina", "argentine", "argentinian"), ("israel", "israeli"), ("iran", "iranian"), ("iraq", "iraqi"),
    ("egypt", "egyptian"), ("nigeria", "nigerian"), ("kenya", "kenyan"), ("singapore", "singaporean"),
    ("taiwan", "taiwanese"), ("thailand", "thai"), ("vietnam", "vietnamese"), ("indonesia", "indonesian"),
    ("philippines", "filipino"), ("malaysia", "malaysian"), ("europe", "european"), ("africa", "african"),
    ("asia", "asian"), ("scandinavia", "scandinavian"), ("colombia", "colombian"),
    ("chile", "chilean"), ("peru", "peruvian"), ("venezuela", "venezuelan"), ("cuba", "cuban"),
    ("afghanistan", "afghan"), ("syria", "syrian"), ("lebanon", "lebanese"), ("zimbabwe", "zimbabwean"),
    ("romania", "romanian"), ("poland", "polish", "poles"), ("bulgaria", "bulgarian"), ("serbia", "serbian"),
    ("croatia", "croatian"), ("slovakia", "slovak", "slovakian"), ("slovenia", "slovenian"), ("estonia", "estonian"),
    ("latvia", "latvian"), ("lithuania", "lithuanian"), ("belarus", "belarusian"), ("armenia", "armenian"),
    ("azerbaijan", "azerbaijani"), ("kazakhstan", "kazakh"), ("uzbekistan", "uzbek"), ("kyrgyzstan", "kyrgyz"),
    ("iceland", "icelandic"), ("luxembourg",), ("malta", "maltese"), ("cyprus", "cypriot"), ("albania", "albanian"),
    ("bosnia", "bosnian"), ("kosovo",), ("moldova", "moldovan"), ("kuwait", "kuwaiti"), ("qatar", "qatari"),
    ("yemen", "yemeni"), ("libya", "libyan"), ("tunisia", "tunisian"), ("algeria", "algerian"),
    ("morocco", "moroccan"), ("sudan", "sudanese"), ("ethiopia", "ethiopian"), ("somalia", "somali"),
    ("uganda", "ugandan"), ("tanzania", "tanzanian"), ("zambia", "zambian"), ("ghana", "ghanaian"),
    ("senegal", "senegalese"), ("cameroon", "cameroonian"), ("congo", "congolese"), ("angola", "angolan"),
    ("mozambique",), ("namibia", "namibian"), ("rwanda", "rwandan"), ("bangladesh", "bangladeshi"),
    ("nepal", "nepalese"), ("burma", "burmese", "myanmar"), ("cambodia", "cambodian"), ("mongolia", "mongolian"),
    ("jamaica", "jamaican"), ("haiti", "haitian"), ("bolivia", "bolivian"), ("ecuador", "ecuadorian"),
    ("paraguay", "paraguayan"), ("uruguay", "uruguayan"),
    # a capital standing for its government, as reporters write ("Beijing ordered…", "Brussels ruled…")
    ("china", "chinese", "beijing"), ("russia", "russian", "moscow"),
    ("eu", "brussels"),
)
"""A country or region, its adjective and its people, and its other names."""

PERSON_ROLES: tuple[str, ...] = (
    # office and business
    "president", "vice president", "vp", "chief executive", "chief", "ceo", "chairman", "chairwoman", "chair",
    "founder", "co-founder", "director", "executive", "officer", "official", "manager", "head", "boss", "owner",
    "leader", "deputy", "aide", "adviser", "advisor", "consultant", "strategist", "analyst", "economist", "banker",
    "businessman", "businesswoman", "entrepreneur", "tycoon", "spokesman", "spokeswoman", "spokesperson",
    "general counsel", "counsel", "member", "engineer", "inventor", "designer", "scientist", "researcher", "expert",
    # public life
    "minister", "secretary", "secretary-general", "chancellor", "premier", "politician", "mp", "msp", "mep", "mla",
    "peer", "senator", "congressman", "congresswoman", "councillor", "mayor", "governor", "candidate", "campaigner",
    "activist", "commissioner", "high commissioner", "ambassador", "envoy", "judge", "attorney general", "attorney",
    "lawyer", "prosecutor", "solicitor", "barrister", "chief constable", "commander", "inspector", "investigator",
    "detective", "diplomat", "doctor", "professor", "lecturer", "academic", "teacher", "surgeon", "pilot",
    "churchman", "clergyman", "cleric", "bishop", "archbishop", "priest", "vicar", "cardinal", "rabbi", "imam",
    "billionaire", "millionaire",
    # arts and media
    "actor", "actress", "singer", "star", "artist", "musician", "composer", "musicologist", "rapper", "guitarist",
    "drummer", "bassist", "frontman", "vocalist", "dancer", "producer", "author", "writer", "novelist", "poet",
    "playwright", "screenwriter", "film-maker", "filmmaker", "photographer", "comedian", "presenter", "broadcaster",
    "journalist", "reporter", "correspondent", "editor", "columnist", "historian", "architect", "chef",
    # sport
    "coach", "captain", "player", "footballer", "cricketer",
    "striker", "midfielder", "defender", "goalkeeper", "winger", "batsman", "jockey",
    "trainer", "referee", "sprinter", "athlete", "cyclist", "boxer", "golfer", "swimmer", "champion", "runner",
    "driver", "dj",
    # anyone
    "person", "people",
)
"""Words for a person's role ("Green MSP Mark Ballard", "which musicologist …?"): a name after one is a person's,
and a question asking "which <role>" asks for a person."""


def role_pattern(roles: Iterable[str] = PERSON_ROLES) -> str:
    """The roles as one regular-expression alternation, longest first ("chief executive" before "chief")."""
    return "|".join(re.escape(r).replace(r"\ ", " ") for r in sorted(roles, key=lambda r: (-len(r), r)))


PARAPHRASES: tuple[tuple[str, ...], ...] = (
    ("buy", "bought", "purchase", "acquire", "acquisition", "takeover"),
    ("sell", "sold", "sale", "sales"),
    ("cut", "reduce", "reduction", "slash", "trim", "lower"),
    ("rise", "rose", "increase", "grow", "grew", "growth", "climb", "jump", "gain", "surge"),
    ("fall", "fell", "drop", "decline", "decrease", "slump", "slide", "plunge", "tumble"),
    ("scrap", "abandon", "axe", "ditch", "cancel", "shelve", "shut"),
    ("run", "manage", "handle", "operate", "oversee"),
    ("everyday", "daily"),
    ("sack", "dismiss", "oust"),
    ("quit", "resign", "resignation", "depart", "departure"),
    ("found", "founder", "start", "launch", "establish", "create"),
    ("job", "post", "position", "role"),
    ("staff", "employee", "worker", "workforce", "employ", "headcount", "personnel"),
    ("layoff", "redundancy", "redundancies"),
    ("jobless", "unemployed", "unemployment"),
    ("boss", "chief", "head", "ceo", "chairman", "leader"),
    ("company", "firm", "corporation"),
    ("profit", "earnings", "income"),
    ("revenue", "sales", "turnover"),
    ("price", "cost", "charge", "fee"),
    ("pay", "paid", "spend", "spent"),
    ("owe", "owed", "debt", "debts", "liabilities"),
    ("fetch", "fetched", "sold", "raised"),
    ("cheap", "inexpensive", "low-cost"),
    ("propose", "proposed", "proposal", "table", "tabled"),
    ("car", "vehicle", "automobile"),
    ("factory", "plant", "facility"),
    ("phone", "mobile", "handset", "cellphone"),
    ("film", "movie"),
    ("win", "won", "victory", "beat", "triumph"),
    ("law", "legislation", "bill"),
    ("ban", "prohibit", "outlaw", "bar"),
    ("shut", "close", "closure"),
    ("pause", "suspend", "suspension", "halt", "moratorium"),
    ("talks", "negotiation", "negotiate"),
    ("deal", "agreement", "pact", "contract"),
    ("share", "stock", "stake"),
    ("election", "poll", "vote"),
    ("arrest", "detain", "detention"),
    ("die", "death", "dead", "kill"),
    ("big", "large"), ("biggest", "largest"), ("fast", "quick"), ("fastest", "quickest"),
    ("begin", "start", "commence"),
    ("end", "finish", "conclude"),
    ("warn", "warning", "caution"),
    ("investigate", "investigation", "probe", "inquiry"),
    ("child", "children", "kid", "youngster"),
    ("money", "cash", "fund", "funding"),
    ("plan", "proposal", "scheme"),
    ("help", "assist", "aid"),
    ("sue", "lawsuit", "litigation"),
    ("fine", "penalty"),
    ("hire", "recruit", "appoint", "appointment", "name"),
    ("replace", "succeed", "successor"),
    ("recover", "reimburse", "recoup", "compensate", "compensation", "damages"),
    ("injure", "injury", "hurt", "wound"),
    ("doctor", "physician"),
    ("teenager", "teen", "adolescent"),
    ("town", "city"),
    ("fight", "brawl", "scuffle"),
    ("move", "relocate", "relocating", "relocation"),
    ("game", "match", "fixture"),
    ("conservative", "conservatives", "tory", "tories"),
    # the clipped forms people type in a chat for the words a report spells out
    # (not "app" for "application", a visa's too, nor "doc", a doctor or a document too)
    ("executive", "exec", "execs"), ("information", "info"), ("government", "govt", "gov"),
    ("department", "dept"), ("advertisement", "advert", "ad", "ads"), ("statistics", "stats"),
    ("photograph", "photo", "photos"), ("laboratory", "lab", "labs"), ("mathematics", "maths", "math"),
)
"""Words reporters use for one another."""

INFLECTIONS: tuple[tuple[str, ...], ...] = (
    ("write", "wrote", "written"), ("give", "gave", "given"), ("hold", "held"), ("lead", "led"), ("meet", "met"),
    ("bring", "brought"), ("build", "built"), ("rebuild", "rebuilt"), ("catch", "caught"),
    ("choose", "chose", "chosen"), ("drive", "drove", "driven"), ("fly", "flew", "flown"),
    ("forget", "forgot", "forgotten"), ("grow", "grew", "grown"), ("lose", "lost"), ("rise", "rose", "risen"),
    ("sing", "sang", "sung"), ("send", "sent"), ("shoot", "shot"), ("spend", "spent"), ("steal", "stole", "stolen"),
    ("strike", "struck"), ("throw", "threw", "thrown"), ("wear", "wore", "worn"), ("break", "broke", "broken"),
    ("speak", "spoke", "spoken"), ("eat", "ate", "eaten"), ("draw", "drew", "drawn"), ("begin", "began", "begun"),
    ("blow", "blew", "blown"), ("freeze", "froze", "frozen"), ("hang", "hung"), ("lend", "lent"),
    ("ride", "rode", "ridden"), ("ring", "rang", "rung"), ("shake", "shook", "shaken"), ("sleep", "slept"),
    ("seek", "sought"), ("teach", "taught"), ("tear", "tore", "torn"), ("run", "ran"), ("fall", "fell", "fallen"),
    ("stick", "stuck"), ("swim", "swam", "swum"), ("fight", "fought"), ("beat", "beaten"), ("hide", "hid", "hidden"),
    ("forgive", "forgave", "forgiven"), ("undertake", "undertook", "undertaken"),
    ("overtake", "overtook", "overtaken"), ("withdraw", "withdrew", "withdrawn"), ("arise", "arose", "arisen"),
    ("dig", "dug"), ("flee", "fled"), ("shrink", "shrank", "shrunk"), ("sink", "sank", "sunk"), ("spin", "spun"),
    ("swear", "swore", "sworn"), ("sweep", "swept"), ("swing", "swung"), ("wake", "woke", "woken"), ("deal", "dealt"),
    ("mislead", "misled"), ("oversee", "oversaw", "overseen"), ("uphold", "upheld"), ("withhold", "withheld"),
    ("foresee", "foresaw", "foreseen"), ("forbid", "forbade", "forbidden"), ("mistake", "mistook", "mistaken"),
    ("understand", "understood"), ("overcome", "overcame"), ("win", "won"), ("buy", "bought"), ("sell", "sold"),
    ("pay", "paid"),
)
"""A verb's irregular forms ("wrote", "written" of "write"), which stemming does not join: "who wrote the song?"
is answered by "was written by". Forms that are common words of their own ("left", "found", "fed", "bit") and the
light verbs that rarely carry what is asked ("went", "made", "took", "saw", "heard") are left out."""

GROUPS = PLACES + PARAPHRASES + INFLECTIONS
"""Every group of words that name the same thing."""

MIN_PLACE_STEM = 4


def demonym_forms(term: str) -> frozenset[str]:
    """The terms a place's name and its people's may take, by English word formation: "california" and
    "californian", "chile" and "chilean", "canada" and "canadian", "boston" and "bostonian". Used for names
    only ("musician" is no person of "music"); nonsense forms ("briaa") are harmless, as only terms a text
    uses are looked up."""
    out: set[str] = set()
    if len(term) >= MIN_PLACE_STEM:
        out |= {term + "n", term + "an", term + "ian", term[:-1] + "ian"}
    for suffix in ("ian", "an", "n"):
        base = term[: -len(suffix)]
        if term.endswith(suffix) and len(base) >= MIN_PLACE_STEM:
            # "chilean" is of "chile", but "german" is not of "germ": a bare stem before "-an" ends in a vowel
            bare = suffix != "an" or base[-1] in "aeiouy"
            out |= {base + "a", base + "e"} | ({base} if bare else set())
    return frozenset(out - {term})


class Lexicon:
    """The groups as analyzed terms: term → the other terms that name the same thing."""

    def __init__(self, analyzer: Analyzer, groups: Iterable[tuple[str, ...]] = GROUPS) -> None:
        mates: dict[str, set[str]] = {}
        for group in groups:
            terms = {t for word in group for t in analyzer.terms(word)}
            for term in terms:
                mates.setdefault(term, set()).update(terms - {term})
        self.mates: Mapping[str, frozenset[str]] = {t: frozenset(m) for t, m in mates.items() if m}
        self._asked: dict[frozenset[str], tuple[tuple[str, frozenset[str]], ...]] = {}
        self._joined: dict[tuple[tuple[str, tuple[str, ...]], ...], Lexicon] = {}

    def with_aliases(self, aliases: Mapping[str, frozenset[str]]) -> Lexicon:
        """This lexicon with a question's own groups added: a name and its other forms (the last few kept)."""
        key = tuple(sorted((t, tuple(sorted(f))) for t, f in aliases.items()))
        kept = self._joined.get(key)
        if kept is not None:
            return kept
        if len(self._joined) >= _ASKED_KEPT:
            self._joined.clear()
        joined = self._joined[key] = Lexicon.__new__(Lexicon)
        mates = dict(self.mates)
        for term, forms in aliases.items():
            mates[term] = mates.get(term, frozenset()) | forms
        joined.mates = mates
        joined._asked, joined._joined = {}, {}
        return joined

    def others(self, term: str) -> frozenset[str]:
        """The other terms for what ``term`` names (empty when it has none)."""
        return self.mates.get(term, frozenset())

    def bridged(self, terms: frozenset[str], asked: frozenset[str]) -> frozenset[str]:
        """The asked terms that ``terms`` name in other words: a sentence with "norwegian" names "norway"."""
        groups = self._groups(asked)
        if not groups:
            return frozenset()
        return frozenset(a for a, mates in groups if a not in terms and not mates.isdisjoint(terms))

    def _groups(self, asked: frozenset[str]) -> tuple[tuple[str, frozenset[str]], ...]:
        """The asked terms that have other words, with them: looked up once per question, not per sentence."""
        groups = self._asked.get(asked)
        if groups is None:
            if len(self._asked) >= _ASKED_KEPT:
                self._asked.clear()
            groups = self._asked[asked] = tuple((a, self.mates[a]) for a in sorted(asked) if a in self.mates)
        return groups


_ASKED_KEPT = 256
"""Questions whose lexicon groups a ``Lexicon`` keeps (then it starts afresh)."""


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|for|the|de|&)\s+)?[A-Z][\w'’-]*)+")
_LINKS = frozenset({"of", "and", "for", "the", "de", "&"})


def spelled_out(text: str, short: Iterable[str]) -> frozenset[str]:
    """The short terms (acronyms such as "bnp", "fsa") whose words the text spells out: "British National
    Party", "Financial Services Authority"."""
    spelled: set[str] = set()
    for run in _CAPITALISED_RUN.findall(text):
        letters = "".join(w[0] for w in run.split() if w.lower() not in _LINKS).lower()
        spelled.update(t for t in short if len(t) > 1 and t in letters)  # "The British National Party": tbnp
    return frozenset(spelled)


_LEXICONS: dict[int, Lexicon] = {}
_INFLECTIONS: dict[int, Lexicon] = {}


def _built(kept: dict[int, Lexicon], analyzer: Analyzer, groups: Iterable[tuple[str, ...]]) -> Lexicon:
    """The groups in ``analyzer``'s terms, built once per analyzer and kept in ``kept``."""
    found = kept.get(id(analyzer))
    if found is None:
        found = kept[id(analyzer)] = Lexicon(analyzer, groups)
    return found


def inflections(analyzer: Analyzer) -> Lexicon:
    """A verb's irregular forms alone (:data:`INFLECTIONS`), in ``analyzer``'s terms: the same word, never another."""
    return _built(_INFLECTIONS, analyzer, INFLECTIONS)


def lexicon(analyzer: Analyzer) -> Lexicon:
    """The lexicon in ``analyzer``'s terms (built once per analyzer)."""
    return _built(_LEXICONS, analyzer, GROUPS)
