"""Question understanding: what kind of fact is asked for, about whom, and what the question takes for granted.

One analysis per question (the service searches with it, the composer selects and checks with it). Rules
only, no model: the wh-phrase decides the expected answer type; capitalised words and acronyms the
coverage knows are the subjects; qualifiers, figures and names are the premise's marked words, which the
evidence must bear out.
"""

from __future__ import annotations

import calendar
import re
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from retrieval.analyzer import Analyzer, Token
from retrieval.bm25 import idf

from .lexicon import PERSON_ROLES, demonym_forms, lexicon, role_pattern


class AnswerType(str, Enum):
    """The kind of fact a question asks for."""

    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    DATE = "date"
    DURATION = "duration"
    NUMBER = "number"
    AMOUNT = "amount"
    PERCENTAGE = "percentage"
    REASON = "reason"
    YES_NO = "yes/no"
    COMPARISON = "comparison"
    LATEST = "latest"
    DEFINITION = "definition"
    NAME = "name"
    OPEN = "open"


QUESTION_FILLER = frozenset({
    "happen", "news", "stori", "coverag", "report", "know", "known", "tell", "latest", "recent",
    "newest", "much", "mani", "anyth", "someth", "thing", "detail", "inform", "updat",
})
"""Stems that shape a question ("what happened", "latest news on", "tell me about") without naming its subject."""

LIGHT_WORDS = frozenset(
    [
        "work", "make", "get", "take", "think", "use", "want", "need", "go", "come", "give", "tri", "keep", "seem",
        "mean", "becom", "start", "continu", "alreadi", "still", "realli", "actual", "current", "enough", "ever",
        "even", "just", "quit", "rather", "els", "thing", "way", "lot", "decid", "plan", "announc", "made", "took",
        "taken", "gave", "given", "got", "gotten", "went", "gone", "came", "kept", "meant", "said", "told", "past",
        "rough", "approxim",
    ]
)
"""Stems of light verbs and adverbs that frame a question ("roughly how much…?"); they count at LIGHT_WORD_WEIGHT."""
LIGHT_WORD_WEIGHT = 0.3
CONTEXT_WEIGHT = 0.5
"""Terms of earlier questions in a chat count at this share."""
FOLLOW_UP_CONTEXT_SHARE = 1.0
"""In a follow-up ("when did he die?") the earlier question's terms are searched in full, but a sentence is
chosen mostly on the follow-up's own words: the earlier ones weigh at most this share of the follow-up's own."""
OTHER_WORD_SHARE = 0.25
"""The search weight of another word for an asked one ("Norwegian" for "Norway"; see :mod:`.lexicon`)."""
DATED_SEARCH_SHARE = 1.0
"""The search weight of a month or weekday the question names: not required (the publication date may tell it),
but a passage naming it is likelier about the time asked of ("jobs added in January", not in October)."""
COMMON_OTHER_SHARE = 0.02
"""Another word in more than this share of passages ("increase" for "rise") is not searched for: it says little at
a quarter weight and its long posting list costs the most (a retrieved sentence still names the asked word by it)."""
SUBJECT_MAX_SHARE = 0.5
"""A name in more than this share of passages is the coverage's topic, not a subject that picks stories."""

_MONTHS = {name.lower() for name in calendar.month_name if name} | {a.lower() for a in calendar.month_abbr if a}
_WEEKDAYS = {name.lower() for name in calendar.day_name}

_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
DOING_AUXILIARY = r"did|does|do|has|have|had|will|would|can|could"
"""The auxiliaries before someone doing something ("did the mayor compare …")."""
AUXILIARY = r"is|was|are|were|" + DOING_AUXILIARY
LAST_DAY = r"\bwhat(?:'s| is| was| will be)\s+the\s+(?:\w+\s+)?(?:date|deadline|day)\b"
""""What's the last date …", "what is the deadline …": a date asked for, to the day."""
_NOT_AUXILIARY = r"(?!(?:" + AUXILIARY + r")\b)"
"""A word of the wh-phrase is no auxiliary: in "what grades did the minister get", "minister" is not asked for."""
_PERSON_NOUN = rf"(?:{role_pattern(set(PERSON_ROLES) - {'member', 'head', 'chair', 'trainer', 'champion'})})s?\b"
"""Nouns naming a person's role: "which newspaper journalist" asks for a person, "which newspaper" for a title."""

# The wh-phrase: which words ask for which type. Order matters: the first match wins.
_TYPE_RULES: tuple[tuple[AnswerType, re.Pattern[str]], ...] = (
    (AnswerType.LATEST, re.compile(
        r"\b(?:latest|newest|most recent|recent)\s+(?:on|with|about|from|in|news|stories|story|updates?|developments?|"
        r"coverage|headlines)\b|^\W*(?:what(?:'s| is| are)\s+)?(?:the\s+)?(?:latest|newest)\W*$|\bwhat.s new\b|\bany news\b"
        r"|\bnew on\b|\b(?:recently|lately|this week)\b", re.IGNORECASE)),
    (AnswerType.COMPARISON, re.compile(
        r"^(?!\W*(?:who|whom|which)\b).*\bcompare[sd]?\b"  # "which journalist did he compare to…?" asks for a name
        r"|\b(?:comparison|versus|vs\.?|differ(?:ence|ent|s)?\s+(?:between|from))\b"
        r"|\b(?:more|less|fewer|better|worse|bigger|smaller|cheaper|dearer|faster|slower|higher|lower|larger|"
        r"older|newer|earlier|later)\b[^?]*,?\s+[A-Z][^?]*\bor\b"
        r"|^\W*(?:who|which)\b[^?,]*,\s*(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*)*\s+or\s+(?:the\s+)?"
        r"(?-i:[A-Z])[\w'’.-]*(?:\s+(?-i:[A-Z])[\w'’.-]*)*\W*$"
        # the named pair first: "Out of Moya and Nadal, which one…?", "Between BT and Ofcom, who…?"
        r"|^\W*(?:out of|of|between)\s+(?:the\s+)?(?-i:[A-Z])[^,?]*\s(?:and|or)\s+(?:the\s+)?(?-i:[A-Z])[^,?]*,\s*"
        r"(?:which|who)\b", re.IGNORECASE)),
    (AnswerType.PERCENTAGE, re.compile(
        r"\b(?:percent(?:age)?|per cent|how big a (?:share|slice|stake))\b"
        r"|\bhow much of\b[^?]*\b(?:own|owns|owned|hold|holds|held|control|controls|controlled)\b"
        r"|\bwhat (?:\w+ )?(?:share|proportion|fraction|slice|stake|portion)\b", re.IGNORECASE)),
    (AnswerType.DURATION, re.compile(
        r"\bhow long\b|\bhow many (?:years|months|weeks|days|hours|minutes|decades)\b|\buntil when\b"
        r"|\b(?:what|which) (?:length|period|span) of time\b|\bhow much (?:time|notice|warning)\b"
        r"|\bfor how (?:long|many)\b|\bhow quickly (?:can|could|will|would|do|does|did)\b"
        r"|\b(?:winning|finishing|record|best|fastest|qualifying|lap|race) times?\b"
        r"|\b(?:over|for|in) what (?:period|timescale|timeframe|time frame|length of time)\b", re.IGNORECASE)),
    (AnswerType.AMOUNT, re.compile(
        r"\bhow much\b.*\b(?:money|cost|costs|price|priced|pay|paid|earn|earned|spend|spent|worth|revenue|fees?|"
        r"charged?|charges|raise|raised|sell|sold|profit|profits|loss|losses|fine|fined|budget|invest|invested|"
        r"deal|bid|offer|salary|wage|debt|tax|save|saved|recover|reimburse[ds]?|recoup|compensation|damages|donate[ds]?|"
        r"award|awarded|claim|claimed|owe|owed|borrow|borrowed|lend|lent|spend|cost|paying|pays|fines|earning|spending|"
        r"give|gave|given|giving|donated|donating|donation|donations|ask|asks|asking|asked|want(?:s|ed)?(?!\s+to\b)|"
        r"seek|seeks|seeking|sought|demand|demands|demanding|demanded|"
        r"costing|selling|raising|investing|saving|bids|offers|offered|offering|taxes|debts|salaries|wages)\b"
        r"|\b(?:what|which) (?:\w+ )?(?:price|amount|sum|salary|fee|fine|wage|bonus|payout|compensation)\b"
        r"|\bhow much (?:money|cash)\b|\bfor how much\b|\bhow much (?:is|are|was|were) (?:[\w'’-]+\s+){1,3}?after\b"
        r"|\bworth in \w+\W*$|\bin (?:dollars|pounds|euros|sterling)\b"
        r"|\bwhat (?:would|will|did|does|do|could|might) (?:it|they|\w+) (?:cost|fetch|raise|earn|bring in)\b"
        r"|\bwhat (?:would|will|did|does|do) (?:[\w'’-]+\s+){1,6}?(?:charge|charges|cost|pay|fetch)\b"
        r"|\bwhat (?:would|will|did|does|do) (?:[\w'’-]+\s+){1,6}?(?:put|value|price)s? (?:[\w'’-]+\s+){0,4}?"
        r"(?:price|cost|value|bill|worth|figure)s? at\W*$"
        r"|\bhow (?:cheap|expensive|costly|dear)\b"
        r"|\bhow much did\b.*\b(?:cost|pay|make|raise|earn|lose)\b"
        r"|\bwhat(?:'s| is| was| are| were)\s+(?!an?\s)(?:the\s+)?(?:[\w'’-]+\s+){0,3}(?:fine|price|cost|fee|salary|value|bill|budget|"
        r"pay|payout|fortune|valuation|turnover|revenue|earnings|profit|sales)s?\b"
        r"|\bwhat (?:did|does|do|will|would) (?:[\w'’-]+\s+){1,5}?(?:make|made|earn|lose|take|bring in|rake in) in "
        r"(?:net |pre-tax |annual )?(?:profits?|revenues?|sales|income|turnover|earnings)\b", re.IGNORECASE)),
    (AnswerType.NUMBER, re.compile(
        r"\bhow (?:many|much|old)\b|\bwhat (?:number|score|total|rate|level|size|age)\b|\bby how much\b"
        r"|\bhow (?:big|large|small|high|fast|far) an?\b"
        r"|\bhow (?:big|large|small|high|fast|far|heavy|tall|deep|wide) (?:is|was|are|were|will|would)\b"
        r"|\bhow (?:fast|high|heavy|tall|deep|wide) (?:do|does|did|can|could)\b"
        r"|\bwhat(?:'s| is| was| are| were)\s+(?!an?\s)(?:the\s+)?(?:[\w'’-]+\s+){0,3}(?:rate|figure|total|speed|score|tally|"
        r"crowd|attendance|turnout|audience|majority|margin|toll|population|capacity|circulation|ranking)s?\b"
        r"|\bwhat (?:did|does|do|will|would|has|have|had) (?:[\w'’-]+\s+){1,5}?(?:fall|fell|fallen|drop|dropped|rise|rose|"
        r"risen|climb|climbed|jump|jumped|grow|grew|grown|slip|slipped|sink|sank|slide|slid|increase|increased|"
        r"decrease|decreased|shrink|shrank|edge|edged|go|gone|come|came) (?:up |down |back )?to\b"
        r"|\bhow far (?:over|above|below|under|behind|ahead|short)\b"
        # a place in a ranking: "where did the iPod come on that list?", "where did she finish?"
        r"|\bwhere (?:did|does|do|will|would|has|have|is|was|are|were) (?:[\w'’-]+\s+){1,5}?(?:come|came|finish|finished|"
        r"rank|ranked|place|placed|end up|ended up)\b(?!\s+from\b)",
        re.IGNORECASE)),
    (AnswerType.DATE, re.compile(
        r"^\W*when\b|\bwhen (?:did|does|do|is|was|were|will|has|have|had|are)\b"
        r"|\b(?:what|which) (?:years?|months?|dates?|days?|time)\b|\bsince when\b|\bhow soon\b"
        r"|" + LAST_DAY, re.IGNORECASE)),
    (AnswerType.PLACE, re.compile(
        r"^\W*where\b|\bwhere (?:did|does|do|is|was|were|will|has|have|are|can)\b"
        r"|\b(?:what|which|in what|in which)\s+(?:[\w-]+\s+)?(?:city|country|state|town|region|place|venue|location|nation|county|"
        r"district|neighbourhood|suburb|street|stadium|ground|village|province|island|resort|slum|shantytown|township|"
        r"borough|capital|airport|port|arena|circuit|prison|hospital)\b(?!-)|\bin (?:what|which) (?:part|area|corner) of\b",
        re.IGNORECASE)),
    (AnswerType.REASON, re.compile(
        r"^\W*why\b|\bwhy (?:did|does|do|is|was|were|will|has|have|are|would)\b|\bfor what reason\b|\bhow come\b"
        r"|\bwhy\W*$|\bwhat (?:\w+ )?reasons?\b|\bwhat (?:held|holds|is holding|was holding) (?:\w+ )?up\b"
        r"|\bwhat (?:caused|led to|prompted|drove|is behind|was behind|made|killed)\b|\bwhat (?:is|was) the reason\b"
        r"|\bwhat did (?:\w+ ){1,3}die (?:of|from)\b|\bcause of (?:his |her |their |the )?death\b"
        r"|\bwhat (?:led|drove|pushed|forced|persuaded|inspired|caused) (?:\w+ )?(?:to|into)\b", re.IGNORECASE)),
    (AnswerType.PERSON, re.compile(
        r"\bnames? of the (?:\w+\s+){0,4}?(?:man|woman|person|boy|girl|men|women|people|players?|actors?|actress|singers?|"
        r"gamers?|teenagers?|victims?|suspects?|attackers?|drivers?|officers?|soldiers?|workers?|boss|bosses|chiefs?|"
        r"founders?|officials?|executives?|directors?|managers?|ministers?|candidates?)\b"
        r"|\b(?:first|full|given|real|christian) names? of\b", re.IGNORECASE)),
    (AnswerType.NAME, re.compile(
        r"\b(?:called|named|known as|dubbed)\s*\??\s*$|\bwhat(?:'s| is| was) the name of\b", re.IGNORECASE)),
    (AnswerType.ORGANISATION, re.compile(
        r"\b(?:what|which)\s+(?:[\w'’-]+\s+){0,2}?(?:company|companies|firm|firms|organi[sz]ations?|agency|agencies|groups?|banks?|"
        r"business|businesses|teams?|clubs?|networks?|channels?|broadcasters?|newspapers?|outlets?|party|parties|body|"
        r"bodies|departments?|regulators?|brands?|studios?|labels?|retailers?|carriers?|operators?|airlines?|unions?|"
        r"government|country's|lenders?|insurers?|committees?|charity|charities|websites?|manufacturers?|makers?|"
        r"suppliers?|publishers?|developers?|watchdogs?|councils?|universit(?:y|ies)|institutes?|think-tanks?|"
        r"magazines?|stations?|chains?|supermarkets?|exchanges?|bidders?|sponsors?|investors?|consortium|"
        r"conglomerates?|giants?|rivals?)\b(?!\s+" + _PERSON_NOUN + r")", re.IGNORECASE)),
    (AnswerType.DEFINITION, re.compile(
        r"^\W*(?:[Ww]hat\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?[\w\"'“‘-]+|[Ww]ho\s+(?:is|was)\s+[A-Z][\w-]*(?:['’][A-Z][\w-]*)?(?![\w'’]))"
        r"(?:\s+[\w\"'”’-]+){0,4}\W*$"
        r"|\b[Ww]hat (?:does|do) .* (?:mean|do|refer to|stand for)\b|\b[Ww]hat is meant by\b|\b[Dd]efine\b|\b[Ww]hat kind of\b"
        r"|^\W*[Ww]hat\s+(?:exactly|actually|precisely)\s+(?:is|are)\s|\b[Ww]hat counts as\b"
        r"|\b[Ww]hat(?:'s| is) the (?:idea|concept|principle|thinking) (?:behind|of)\b"
        r"|^\W*[Ww]hat\s+(?:is|are)\s+(?:an?\s+|the\s+)?[\w'\"“‘-]+(?:\s+[\w'\"”’-]+){0,2}\s*(?:,|\bthat\b|\bwhich\b)"
        r"|\b[Ww]hat(?:'s|’s| is| are)\s+(?:an?\s+|the\s+)?[\"“‘'][^\"”’']{2,40}[\"”’']"
        r"|(?:^|[,;:–—-]\s*)[Ww]hat(?:'s|’s| is| are)\s+(?:an?\s+)[\w-]+(?:\s+[\w-]+){0,3}\W*$"
        r"|\b[Ww]hat(?:'s|’s| is| was) the (?:job|role|purpose|function|point|aim) of\b")),
    (AnswerType.PERSON, re.compile(
        r"^\W*(?:who|whom)\b|\bwho (?:is|was|did|does|will|has|have|are|were|said|says|led|leads|runs|won)\b"
        r"|(?:^|[,;:–—]|\s-)\s*(?:so\s+|and\s+|but\s+)?(?:who|whom)\b"
        r"|\b(?:what|which) (?:" + _NOT_AUXILIARY + r"[\w'’-]+\s+){0,3}?(?:band|" + _PERSON_NOUN + r")", re.IGNORECASE)),
    (AnswerType.YES_NO, re.compile(
        r"^\W*(?:did|does|do|is|are|was|were|has|have|had|will|would|can|could|should|may|might|shall)\b", re.IGNORECASE)),
)

CUE_WORDS = frozenset(
    [
        "name", "named", "called", "percent", "percentage", "per", "cent", "share", "proportion", "fraction", "long",
        "year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours", "date", "time", "when",
        "where", "city", "country", "state", "town", "place", "venue", "location", "who", "whom", "person", "people",
        "why", "reason", "cause", "caused", "much", "many", "big", "large", "number", "amount", "price", "sum",
        "figure", "total", "score", "scoreline", "tally", "old",
        "what", "which", "compare", "compared", "comparison", "versus", "vs", "difference", "differ",
        "mean", "meaning", "define", "kind", "type",
    ]
)
"""Words of a wh-phrase: they name the kind of answer, not its subject, so an answer need not repeat them."""

REASON_CUES = frozenset(["led", "prompted", "drove", "pushed", "forced", "persuaded", "inspired", "caused"])
"""Verbs that ask for a cause ("what led her to do that?"): in a why-question they shape it, like "why"."""

TITLES = frozenset(
    ["president", "vice", "prime", "minister", "chancellor", "secretary", "mayor", "governor", "senator", "sir",
     "lord", "lady", "dame", "mr", "mrs", "ms", "dr", "prof", "professor", "chief", "executive", "ceo", "chairman",
     "chairwoman", "judge", "general", "captain", "king", "queen", "prince", "princess", "pope", "bishop",
     "commissioner", "ambassador", "coach", "manager", "director", "chair", "mp", "senior", "deputy", "attorney"]
)
"""Titles and roles, capitalised before a name ("Chancellor Gordon Brown"): the text may say "Mr Brown", so
they are words of the question, never names the coverage must know."""

MONEY_WORDS = frozenset(
    ["cost", "costs", "price", "priced", "pay", "paid", "paying", "worth", "fee", "fees", "charge", "charged", "spend",
     "spent", "value", "valued", "money"]
)
"""Words that say a figure is money: a sum answers them without repeating them ("How much will it cost?")."""

OPPOSITES: tuple[tuple[set[str], set[str]], ...] = (
    ({"rose", "rise", "rises", "risen", "increase", "increased", "grew", "grow", "up", "gain", "gained", "higher",
      "jump", "jumped", "surge", "surged", "climb", "climbed", "boost", "boosted", "double", "doubled", "triple",
      "tripled", "raised", "soar", "soared", "leap", "leapt", "leaped"},
     {"fell", "fall", "falls", "fallen", "decrease", "decreased", "shrank", "shrink", "down", "drop", "dropped",
      "lower", "slump", "slumped", "decline", "declined", "cut", "cuts", "halve", "halved", "lowered", "plunge",
      "plunged", "loss", "losses", "dip", "dipped", "dips", "slide", "slid", "slides", "sank", "sink", "sunk",
      "tumble", "tumbled", "slip", "slipped", "plummet", "plummeted"}),
    ({"won", "win", "wins", "beat", "victory", "triumph", "triumphed", "crown", "crowned", "trophy"},
     {"lost", "lose", "loses", "defeat", "defeated", "beaten"}),
    ({"pull", "pulling", "pulled", "withdraw", "withdrawing", "withdrew", "divest", "divesting", "divested"},
     {"invest", "investing", "invested", "inject", "injecting", "injected", "spend", "spending", "boost", "boosting"}),
    ({"permanent", "permanently", "forever", "indefinite", "indefinitely", "lifetime"}, set()),
    ({"approve", "approved", "approves", "agree", "agreed", "agrees", "accept", "accepted"},
     {"reject", "rejected", "rejects", "refuse", "refused", "refuses", "deny", "denied", "denies", "veto", "vetoed"}),
    ({"praise", "praised", "praises", "welcome", "welcomed", "welcomes", "hail", "hailed", "applaud", "applauded"},
     {"criticise", "criticised", "criticises", "criticize", "criticized", "condemn", "condemned", "attack",
      "attacked", "slam", "slammed", "blast", "blasted"}),
)
"""Pairs of claim families; the second set contradicts the first (an empty set: only a typed span can)."""
CLAIMS = frozenset(
    [
        "veto", "vetoed", "vetoes", "vetoing", "overturn", "overturned", "fired", "sacked", "resign", "resigned",
        "resigns", "resignation", "quit", "quits", "arrested", "charged", "convicted", "acquitted", "agree", "agreed",
        "agrees", "approve", "approved", "approves", "deny", "denied", "denies", "admit", "admitted", "admits", "sue",
        "sued", "suing", "lawsuit", "bankrupt", "bankruptcy", "collapse", "collapsed", "acquire", "acquired", "merge",
        "merged", "cancel", "cancelled", "canceled", "scrapped", "abandon", "abandoned", "partner", "partnered", "stab",
        "stabbed", "shot", "killed", "murdered", "kidnapped", "jailed", "imprisoned", "sentenced", "fined", "expelled",
        "deported", "impeached", "evicted", "release", "released", "freed", "poisoned", "hacked", "leaked", "stolen", "recall", "recalled",
        "recalls", "liquidation", "liquidated", "nationalised", "nationalized", "delisted", "boycotted", "axed",
        "dismissed", "demoted", "sack", "arrest", "convict", "acquit", "cancel", "scrap", "expel", "deport",
        "impeach", "evict", "jail", "imprison", "kidnap", "liquidate", "delist", "boycott", "axe", "dismiss",
        "demote", "nationalise", "nationalize", "veto",
    ]
)
"""Events a question may claim happened; evidence silent on them means the coverage does not report them."""
QUALIFIERS = frozenset(
    [
        "permanent", "permanently", "forever", "indefinite", "indefinitely", "lifetime", "unanimous", "unanimously",
        "record", "lawful", "lawfully", "illegal", "illegally", "unlawful", "unlawfully", "unconstitutional",
    ]
)
"""Qualifiers the evidence must bear out; when it reports something else, the reply corrects them."""
DIRECTIONS = frozenset().union(*(a | b for a, b in (*OPPOSITES[:3], OPPOSITES[5])))
MOVES_AN_OBJECT = frozenset(["cut", "cuts", "raise", "raised", "raises", "boost", "boosted", "lower", "lowered",
                             "halve", "halved", "double", "doubled", "triple", "tripled", "slash", "slashed"])
"""Direction words whose object is what moved ("cut rates"); for the rest it is their subject ("shares fall")."""
MOVES = frozenset(OPPOSITES[0][0] | OPPOSITES[0][1]) - MOVES_AN_OBJECT - {"up", "down", "higher", "loss", "losses"}
"""Verbs of a figure moving by itself ("profits fell", "shares jumped"): how much it moved is a sum or a share."""
STEADY = frozenset(["unchanged", "steady", "flat", "stable", "frozen", "hold", "held"])
"""Words that say a figure stayed put: they contradict a claimed rise or fall alike."""
MARKED = CLAIMS | QUALIFIERS | DIRECTIONS
"""The premise's marked words: generic English claims, qualifiers and directions, not tied to any story."""

_ELLIPTICAL = re.compile(
    r"^\W*(?:and|but|so|what about|how about|and what about|for how long|how long|why|when|where|who|how much|"
    r"how many|by how much|since when|really|is that so)\b", re.IGNORECASE)
_CONTINUING = re.compile(r"^\W*(?:and|but|so|also|then)\b", re.IGNORECASE)
"""A question opening with a conjunction goes on from the one before ("and which senior US official is going?")."""
CONTINUING_WORDS = 10
_DEFINITE = re.compile(r"\bthe\b", re.IGNORECASE)
_WH = re.compile(r"^\W*(?:who|whom|what|which|when|where|why|how)\b", re.IGNORECASE)
_PERSONAL = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.IGNORECASE)
_PRONOUN_SUBJECT = re.compile(r"\b(?:it|its|they|them|their|he|him|his|she|her|this|that|those|these)\b", re.IGNORECASE)
_ADVICE = re.compile(
    r"^\W*(?:can|could|would|will) you (?:please )?(?:recommend|suggest|advise)\b|\bwhat(?:'s| is) a good\b"
    r"|\b(?:where|how|what) (?:should|shall|can) i\b|\brecommend (?:me )?(?:a|an|some)\b", re.IGNORECASE)
YEAR = re.compile(r"^(?:19|20)\d\d$")
"""A year, as typed: it dates a question (it is no figure to check)."""
_OWN_TIME = re.compile(
    r"\b(?:(?:this|next|last|that|the following|the previous) (?:year|month|week|quarter|season)|(?:19|20)\d\d|now|"
    r"today|tomorrow|yesterday)\b", re.IGNORECASE)
"""A follow-up that names its own time ("what about this year?"): the earlier question's dates do not carry."""
_OPENER = re.compile(
    r"^\W*(?:please\s+)?(?:explain|describe|summari[sz]e|outline)\b"
    r"|^\W*(?:is|was) it (?:true|correct|right|the case|so) that\b", re.IGNORECASE)
"""An imperative that shapes the question ("Explain X"), or a yes/no frame ("Is it true that X?"); "did X explain
why…" asks about explaining."""
_NAMING = re.compile(r"\b(?:called|named|known as)\s*\??\s*$", re.IGNORECASE)
_NUMBERISH = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Subject:
    """A name the question asks about: its surface words and their terms."""

    surface: str
    terms: frozenset[str]
    key: str = ""
    """Its most distinctive term (the rarest in the coverage): "cyberathlet" of "Cyberathlete Professional League"."""

    def named_in(self, terms: frozenset[str]) -> bool:
        """Do these terms name the subject: its most distinctive term, or all of its terms? A rugby story with
        "professional" and "league" does not name the Cyberathlete Professional League."""
        return (self.key in terms) if self.key else bool(self.terms & terms)


@dataclass(frozen=True, slots=True)
class Question:
    """The question as the answering code sees it.

    ``weights``: term → importance (1 + IDF) of every searched term, earlier questions' at CONTEXT_WEIGHT;
    ``search``: term → query multiplier for the index; ``subjects``: known names asked about;
    ``unknown_names``: capitalised names or figures the coverage never mentions (after spelling correction);
    ``marked``: the premise's claim words (qualifiers, verdicts, directions), with their terms;
    ``figures``: numbers the question states; ``corrections``: misspelt word → the known term used;
    ``described``: terms of the question's plain lowercase words (not names, figures or light words):
    what a figure must be about ("copies", "sold" in "How many copies of Half-Life 2 has Valve sold?").
    """

    text: str
    answer_type: AnswerType
    weights: Mapping[str, float]
    search: Mapping[str, float]
    subjects: tuple[Subject, ...] = ()
    actors: tuple[str, ...] = ()
    unknown_names: tuple[str, ...] = ()
    marked: tuple[tuple[str, str], ...] = ()
    figures: tuple[str, ...] = ()
    corrections: Mapping[str, str] = field(default_factory=dict)
    follow_up: bool = False
    described: frozenset[str] = frozenset()
    acronyms: frozenset[str] = frozenset()
    """Terms of words typed in capitals ("BNP", "FSA"): the words they stand for name them too."""
    focus: frozenset[str] = frozenset()
    """The term of the noun a "what …" question asks for when no answer type names it: "speed" of "What connection
    speed does the service offer?", "grade" of "What grades did he get?"."""
    aliases: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """A name's other forms the coverage uses: "californian" → {"california"} (see :func:`demonym_forms`)."""
    years: frozenset[str] = frozenset()
    """The years the question names ("the 2006 Hopman Cup"), as terms."""
    dated: frozenset[str] = frozenset()
    """Terms of the months and weekdays the question names ("How many jobs were added in January?"): not required,
    but a sentence naming them tells of that time."""
    answered: tuple[str, ...] = ()
    """In a follow-up, the sentences the conversation was already answered with."""
    numbered: tuple[str, ...] = ()
    """Names the question gives a number ("PlayStation 3", "Xbox 3"): the coverage must name them with it, not only
    an earlier model or edition."""
    unseen: tuple[tuple[str, str], ...] = ()
    """Plain words (not names or figures) the coverage never uses and no known word is a misspelling of, with
    their terms: ``("bitcoin", "bitcoin")``."""

    @property
    def subject_terms(self) -> frozenset[str]:
        return frozenset().union(*(s.terms for s in self.subjects)) if self.subjects else frozenset()

    @property
    def plain(self) -> frozenset[str]:
        """The question's plain words beyond its names: what it asks about its subjects ("cut", "jobs")."""
        return self.described - self.subject_terms

    @property
    def per_subject(self) -> bool:
        """A comparison, or a question joining subjects ("What did Amazon and IBM decide?"): each subject
        is searched for and answered on its own."""
        if len(self.subjects) < 2:
            return False
        if self.answer_type is AnswerType.COMPARISON:
            return True
        first, second = self.subjects[0].surface, self.subjects[1].surface
        return bool(re.search(rf"{re.escape(first)}(?:'s)?\s*(?:,|and|or|&|vs\.?|versus)\s*(?:the\s+)?{re.escape(second)}",
                              self.text))

    @property
    def asks_advice(self) -> bool:
        """"Can you recommend a pizza place?", "What's a good recipe for…?": a request for advice, which
        news coverage reports on but does not give."""
        return bool(_ADVICE.search(self.text))

    @property
    def recency(self) -> bool:
        return self.answer_type is AnswerType.LATEST


_RUN_TOGETHER = re.compile(r"\b(what|who|where|how|when|that)s\b", re.IGNORECASE)
""""whats", "hows": a contraction typed without its apostrophe."""


def answer_type(question: str) -> AnswerType:
    """The expected answer type from the question's wording."""
    question = _RUN_TOGETHER.sub(r"\1's", question)
    for kind, pattern in _TYPE_RULES:
        if pattern.search(question):
            return kind
    return AnswerType.OPEN


def _direction_terms(analyzer: Analyzer) -> frozenset[str]:
    """The direction words as terms, so any inflection ("cutting", "rising") is marked."""
    cached = _DIRECTION_TERMS.get(id(analyzer))
    if cached is None:
        cached = _DIRECTION_TERMS[id(analyzer)] = frozenset(t for w in DIRECTIONS for t in analyzer.terms(w))
    return cached


_DIRECTION_TERMS: dict[int, frozenset[str]] = {}


def _is_name(surface: str, question: str) -> bool:
    """A capitalised word that is not merely the question's first word, an acronym anywhere, or a
    name with a capital inside it ("easyJet", "eBay", "iTunes")."""
    if surface.isupper() and len(surface) > 1 and surface.isalpha():
        return True
    if surface[:1].islower() and any(ch.isupper() for ch in surface[1:]):
        return True
    return surface[:1].isupper() and not question.lstrip(" \"'“‘(").startswith(surface)


_HOLIDAYS = frozenset({"christmas", "xmas", "easter", "halloween", "thanksgiving", "hanukkah", "ramadan", "diwali"})


def _is_date_word(surface: str) -> bool:
    """A month, weekday or holiday: the text or the publication date may bear it out (a year is searched for)."""
    low = surface.lower().rstrip(".")
    return low in _MONTHS or low in _WEEKDAYS or low in _HOLIDAYS


_NUMBERED_NAME = re.compile(
    r"(?<![\w'-])((?-i:[A-Z])[\w'-]*[a-z][\w'-]*)\s+(\d{1,2})(?![\w,.%/-]|:\d|\s*(?:st|nd|rd|th|am|pm)\b|\s+[a-z]+s\b)")


def numbered_names(question: str) -> tuple[str, ...]:
    """The names the question numbers: a capitalised word (not a month or weekday, nor the question's first word)
    followed by a number of one or two digits ("PlayStation 3", "Xbox 3"), not a day, an hour, a score or a count
    ("Arsenal 2 times", "the MoD's 20 biggest projects")."""
    out = []
    for match in _NUMBERED_NAME.finditer(question):
        word = match.group(1)
        if _is_date_word(word) or not _is_name(word, question) or word.endswith(("'s", "s'")):
            continue
        out.append(f"{word} {match.group(2)}")
    return tuple(out)


def is_follow_up(question: str, content_terms: int, named: bool = False, first_name: int | None = None) -> bool:
    """A short question that leans on the one before ("for how long?", "and IBM?", "why did it do that?",
    "how much is the deal worth?": a definite thing, no name of its own; "who's stepping in as CEO?": a
    wh-question of a few words naming nothing; "who took over his seat in the Commons?": a person pointed back to
    before any name of its own, at ``first_name``, the offset of the question's first name)."""
    words = len(question.split())
    if content_terms == 0:
        return True
    if _ELLIPTICAL.match(question) and (content_terms <= 1 or words <= 4):
        return True
    if _CONTINUING.match(question) and words <= CONTINUING_WORDS:
        return True
    if words <= 7 and content_terms <= 2 and not named and _DEFINITE.search(question):
        return True
    if words <= 5 and content_terms <= 2 and not named and _WH.match(question):
        return True  # "who's stepping in as CEO?": asks after someone without naming what about
    if words <= 8 and content_terms <= 2 and _PRONOUN_SUBJECT.search(question):
        return True
    # "who took over his seat in the Commons?": someone the chat named, before any name of the question's own
    person = _PERSONAL.search(question)
    return person is not None and words <= 10 and content_terms <= 4 and (
        first_name is None or person.start() < first_name)


def analyse(
    question: str,
    analyzer: Analyzer,
    doc_freq: Callable[[str], int],
    n_docs: int,
    *,
    context: Sequence[str] = (),
    correct: Callable[[str, str], str | None] | None = None,
) -> Question:
    """Understand a question: its type, weighted terms, subjects, unknown names and premise.

    ``doc_freq``: passages holding a term; ``correct``: the known term a misspelt one (analyzed term,
    surface word) most likely meant, or None.
    """
    shaped = _OPENER.sub("", _NAMING.sub("", question))  # "what is X called?" asks for a name, not for "call"
    kind = answer_type(question)
    n = max(n_docs, 1)
    weights: dict[str, float] = {}
    unknown_terms: list[str] = []
    unknown_names: list[str] = []
    unseen: list[tuple[str, str]] = []
    dated: set[str] = set()
    years: set[str] = set()
    acronyms: set[str] = set()
    aliases: dict[str, frozenset[str]] = {}
    corrections: dict[str, str] = {}
    subjects: dict[str, set[str]] = {}
    actors: dict[str, None] = {}
    marked: list[tuple[str, str]] = []
    figures: list[str] = []
    described: set[str] = set()
    tokens = analyzer.tokens(shaped)
    for position, token in enumerate(tokens):
        term = token.term
        if term in QUESTION_FILLER:
            continue
        low = token.surface.lower()
        if (low in CUE_WORDS and kind is not AnswerType.OPEN) or (low in REASON_CUES and kind is AnswerType.REASON):
            continue  # "what percentage", "how long", "which year", "what led her to": the answer's kind
        if _is_date_word(token.surface):
            dated.add(term)
            continue  # a month or weekday: borne out by the text or the publication date alike
        name = _is_name(token.surface, shaped) and not _titles_a_name(tokens, position, shaped) and low not in TITLES
        df = doc_freq(term)
        if df == 0 and name:  # "Californians" asked of coverage that says "California" (a people's name, shortened)
            form = next((f for f in sorted(demonym_forms(term)) if len(f) < len(term) and doc_freq(f) > 0), None)
            if form is not None:
                term, df = form, doc_freq(form)
        if df == 0 and correct is not None and not _NUMBERISH.search(term):
            fixed = correct(term, token.surface)
            if fixed is not None:
                corrections[token.surface] = fixed
                term, df = fixed, doc_freq(fixed)
        if (low in MARKED or term in _direction_terms(analyzer)) and (low != "record" or claims_a_record(shaped)):
            marked.append((token.surface, term))  # "cutting" as well as "cut"
        if _NUMBERISH.search(token.surface) and not YEAR.match(token.surface):
            figures.append(token.surface)  # a year dates the question; a figure is a claim
        elif YEAR.match(token.surface):
            years.add(term)
        if df == 0:
            if (name or _NUMBERISH.search(token.surface)) and token.surface not in unknown_names:
                unknown_names.append(token.surface)
            elif not name and not _NUMBERISH.search(token.surface) and term not in LIGHT_WORDS:
                unseen.append((token.surface, term))
            unknown_terms.append(term)
            continue
        weight = 1.0 + idf(n, df)
        if token.surface.isupper() and token.surface.isalpha() and 2 <= len(token.surface) <= 6:
            acronyms.add(term)
        if not name and not _NUMBERISH.search(token.surface) and term not in LIGHT_WORDS and low not in MONEY_WORDS:
            described.add(term)
        if term in LIGHT_WORDS:  # "work", "already", "decide": rare in news, yet not what is asked about
            weight *= LIGHT_WORD_WEIGHT
        weights.setdefault(term, weight)
        if name:
            forms = frozenset(f for f in demonym_forms(term) if doc_freq(f) > 0)
            if forms:
                aliases[term] = forms
            actors.setdefault(_subject_key(tokens, position, shaped), None)
            if df <= SUBJECT_MAX_SHARE * n and low.rstrip(".") not in _NAME_SUFFIXES and len(term) > 1:  # "Jr", "H." name nobody alone
                subjects.setdefault(_subject_key(tokens, position, shaped), set()).add(term)
    category = tokens[-1].term if kind is AnswerType.NAME and tokens and tokens[-1].term in weights else None
    if category is not None:
        # "what is Amazon's face recognition product called?": the text names the thing, not its category
        weights[category] *= LIGHT_WORD_WEIGHT
    # A word the coverage never uses may be a paraphrase: it counts like a typical known word.
    typical = statistics.median(weights.values()) if weights else 1.0
    for term in unknown_terms:
        weights.setdefault(term, typical * (LIGHT_WORD_WEIGHT if term in LIGHT_WORDS else 1.0))
    search = {t: LIGHT_WORD_WEIGHT if t == category or t in LIGHT_WORDS else 1.0 for t in weights if doc_freq(t) > 0}
    first_name = min((at for a in actors if (at := question.find(a.split()[0])) >= 0), default=None)
    follow_up = bool(context) and is_follow_up(question, len(search), named=bool(actors), first_name=first_name)
    for term in sorted(dated):  # "in January": a passage naming January ranks higher
        if doc_freq(term) > 0:
            search.setdefault(term, DATED_SEARCH_SHARE)
    others = lexicon(analyzer).others
    for term in list(weights):  # "Norway" finds "a Norwegian bank" too, at a lower weight
        for other in sorted(others(term)):
            if other not in search and 0 < doc_freq(other) <= COMMON_OTHER_SHARE * n:
                search[other] = OTHER_WORD_SHARE * search.get(term, 1.0)
    unseen = [(word, term) for word, term in unseen if not any(doc_freq(o) for o in others(term))]
    if follow_up and kind is AnswerType.OPEN and (_ELLIPTICAL.match(question) or not _PERSONAL.search(question)):
        # "and what about this year?" after "by how much did X grow?"; "what's he overhauling?" asks its own
        kind = answer_type(context[-1])
    own_time = bool(_OWN_TIME.search(question))
    earlier: set[str] = set()
    own_subjects = bool(subjects)
    for previous in context[-3:]:
        share = 1.0 if follow_up else CONTEXT_WEIGHT
        previous_tokens = analyzer.tokens(previous)
        for position, token in enumerate(previous_tokens):
            df = doc_freq(token.term)
            if not df or token.term in QUESTION_FILLER or token.surface.lower() in CUE_WORDS:
                continue
            if own_time and (YEAR.match(token.surface) or _is_date_word(token.surface)):
                continue  # "what about this year?" replaces the year asked about before
            if token.term not in weights:
                weights[token.term] = CONTEXT_WEIGHT * (1.0 + idf(n, df))
                earlier.add(token.term)
                search.setdefault(token.term, share)
            if follow_up and _is_name(token.surface, previous) and df <= SUBJECT_MAX_SHARE * n and not own_subjects:
                # the chat's first subject, whole: "Stefan Koubek" is one subject, named by either word
                key = _subject_key(previous_tokens, position, previous)
                if not subjects or key in subjects:
                    subjects.setdefault(key, set()).add(token.term)
    own = sum(w for t, w in weights.items() if t not in earlier)
    carried = sum(weights[t] for t in sorted(earlier))  # in one order: a float sum's last bits decide near-ties
    if follow_up and own and carried > FOLLOW_UP_CONTEXT_SHARE * own:
        for term in sorted(earlier):  # the follow-up's own words choose the sentence; the earlier ones only tell the story
            weights[term] *= FOLLOW_UP_CONTEXT_SHARE * own / carried
    return Question(
        text=question, answer_type=kind, weights=weights, search=search,
        subjects=tuple(
            Subject(surface, frozenset(terms), max(sorted(terms), key=lambda t: weights.get(t, 0.0)))
            for surface, terms in subjects.items()
        ),
        actors=tuple(actors),
        unknown_names=tuple(unknown_names), marked=tuple(marked), figures=tuple(figures),
        corrections=corrections, follow_up=follow_up, described=frozenset(described), unseen=tuple(unseen),
        numbered=numbered_names(question),
        dated=frozenset(dated), years=frozenset(years), acronyms=frozenset(acronyms), aliases=aliases,
        focus=_focus(shaped, analyzer, frozenset(weights)) if kind in _FOCUSED else frozenset(),
    )


_FOCUSED = frozenset({AnswerType.OPEN, AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.NAME})
"""Answer types whose wh-phrase noun says what is asked ("what speed"); for the others it names the type
("which agencies": an organisation)."""
_ASKED_FOR = re.compile(r"^\W*(?:what|which)\s+(?:[\w'-]+\s+){0,2}?([a-z][\w-]*)\s+(?:" + AUXILIARY + r")\b",
                        re.IGNORECASE)


def _focus(question: str, analyzer: Analyzer, asked: frozenset[str]) -> frozenset[str]:
    """See :attr:`Question.focus`: the last word of the wh-phrase, unless it is a word naming an answer type."""
    found = _ASKED_FOR.match(question)
    if found is None or found.group(1).lower() in CUE_WORDS:
        return frozenset()
    return frozenset(analyzer.terms(found.group(1))) & asked


_RECORD_CLAIMED = re.compile(
    r"\brecord-(?:breaking|setting)\b"
    r"|\b(?<!track )(?<!world )(?<!scoring )(?<!'s )(?<!his )(?<!her )(?<!their )(?<!its )(?<!whose )(?<!head-to-head )"
    r"record(?:\s+(?!label|compan|industr|producer|deal|shop|store|book|holder|breaker|collection|player)"
    r"(?!(?:of|against|in|for|as|at|with|on|by|and|or|to|is|was|the|an?|his|her|their|its|he|she|they|it|will|would|"
    r"did|does|has|had)\b)[a-z])", re.IGNORECASE)
""""Record" qualifying what it claims ("a record loss", "record-breaking lifts"); not a record of results ("their
head-to-head record", "the world record") nor a recording ("the record label", "the record industry")."""


def claims_a_record(question: str) -> bool:
    """Does the question claim something was a record ("Why did X post a record loss?"), which the evidence must
    bear out?"""
    return bool(_RECORD_CLAIMED.search(question))


def _titles_a_name(tokens: Sequence[Token], position: int, question: str) -> bool:
    """Is this word a title before a name ("Chancellor" in "Chancellor Gordon Brown")?"""
    if tokens[position].surface.lower().rstrip(".") not in TITLES or position + 1 >= len(tokens):
        return False
    following = tokens[position + 1]
    return _is_name(following.surface, question) and _adjacent(question, tokens[position], following)


def _subject_key(tokens: Sequence[Token], position: int, question: str) -> str:
    """Adjacent capitalised words form one subject ("Brad Smith", "Australian Federal Police")."""
    start = position
    while start > 0 and _is_name(tokens[start - 1].surface, question) and _adjacent(question, tokens[start - 1], tokens[start]):
        start -= 1
    end = position
    while end + 1 < len(tokens) and _is_name(tokens[end + 1].surface, question) and _adjacent(question, tokens[end], tokens[end + 1]):
        end += 1
    return " ".join(t.surface for t in tokens[start : end + 1])


def _adjacent(question: str, first: Token, second: Token) -> bool:
    return f"{first.surface} {second.surface}" in question or f"{first.surface}'s {second.surface}" in question
