"""Typed spans: the pieces of a sentence that can answer a question of each type (a date, a duration, a
figure, a name, a reason…). Rules over the sentence text; a span the question itself contains answers
nothing."""

from __future__ import annotations

import calendar
import re
from functools import lru_cache

from .lexicon import PLACES, role_pattern
from .question import LAST_DAY, MOVES, AnswerType

_MONTH = "|".join(
    sorted({m for m in calendar.month_name if m} | {m for m in calendar.month_abbr if m} | {"Sept"}, key=len, reverse=True)
)
_DAY = "|".join(calendar.day_name)
NUMBER_VALUES: dict[str, int] = {word: value for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen".split())} | {word: 10 * tens for tens, word in enumerate(
        "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
"""Numbers told in words, and their values: the one list every figure pattern reads."""
NUMBER_WORDS = "|".join(sorted((w for w in NUMBER_VALUES if w != "zero"), key=len, reverse=True))
_NUMBER_WORD = (
    rf"(?:{NUMBER_WORDS}|hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozen|dozens|"
    r"several|a few|a couple of|a|an|half a)"
)
_UNIT = r"(?:year|month|week|day|hour|minute|decade|century)s?"
"""Units of time a duration is counted in ("three quarters" is more often a fraction than a duration)."""

_AFTER_AN_EVENT = (
    r"after(?!\s+(?:just\s+|only\s+)?(?:\d|(?:the\s+)?(?:first|second|third|last|next|end|start|break)\b|an?\s+[\w-]*"
    rf"(?:minute|hour|day|week|month|year|season|spell)s?\b|(?:{NUMBER_WORDS})\b|{_MONTH}|(?:19|20)\d\d))"
)
""""After losing the vote" tells what led to it; "after 65 minutes", "after an eight-week ban" only tell when."""
_JUDGED_FOR = (
    r"(?:ban|banned|fined|suspended|suspension|sacked|jailed|sentenced|arrested|punished|disciplined|sued|criticised|"
    r"condemned|praised|blamed|apologised|knighted|honoured|sent off|booked)(?:\s+[\w']+){0,3}?\s+for\s+"
    r"(?!(?:the\s+)?(?:next|first|last|rest|remainder|further|another|life|(?:\d|one|two|three|four|five|six|a|an)\b))"
)
""""Banned for stamping", "fined for breaching…": what someone was judged for (not "banned for two years")."""
_OUT_WITH = (
    r"(?:ruled out|miss|misses|missed|missing|sidelined|doubt|withdrew|withdrawn|pulled out)(?:\s+[\w']+){0,8}?\s+with\s+"
    r"(?:an?|his|her|their)\s"
)
""""Ruled out of the rest of the Six Nations with a broken thumb": what keeps someone out."""
_CAUSAL = (
    r"(?<!what )(?:has|have|had|which)\s+(?:\w+\s+)?(?:forced|prompted|sparked|triggered|caused)|"
    r"(?:prompted|sparked|triggered|fuelled|fueled|spurred|motivated) by|"
    r"(?:has|had|with|suffered|suffering|picked up|sustained|nursing)\s+(?:an?\s+)?(?:[\w-]+\s+){0,2}?"
    r"(?:injury|injuries|illness|virus|knock|strain|fracture)(?![\w-])|"
    r"stems? from|stemmed from|caused by|(?:could|may|might|which|would) explain|explained by|(?:a|the) result of|"
    r"unless|thinking (?:it|that|he|she|they)|believing|in the belief|to force|to deter|to recoup|"
    r"as (?:it|they|he|she|we) (?:\w+ed|was|were|had|would|could)|,\s+so (?!far|much|many|long|that|too|called)"
)
"""Other words that tell a cause, a condition or a purpose ("as it promoted…", "…, so their cases had to fail")."""

_PATTERNS: dict[AnswerType, re.Pattern[str]] = {
    AnswerType.DATE: re.compile(
        rf"\b(?:{_MONTH})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?\b|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTH})\b"
        rf"|\b(?:{_DAY})\b|\b(?:19|20)\d\d\b|\b(?:yesterday|today|tomorrow|tonight)\b"
        rf"|\b(?:last|next|this|earlier this|later this)\s+(?:year|month|week|spring|summer|autumn|fall|winter)\b"
        rf"|\b\d{{4}}-\d{{2}}-\d{{2}}\b|\bin (?:the )?(?:first|second|third|fourth|final) quarter\b",
        re.IGNORECASE),
    AnswerType.DURATION: re.compile(
        rf"\b(?:for|over|within|during|after|up to|about|nearly|almost|more than|less than|at least)\s+"
        rf"(?:the (?:next|past|last)\s+)?(?:\d[\d,.]*|{_NUMBER_WORD})(?:\s*-\s*|\s+)?{_UNIT}\b"
        rf"|\b(?:\d[\d,.]*|{_NUMBER_WORD})[\s-]{_UNIT}(?:[\s-](?:long|old))?\b"
        rf"|\buntil\s+(?:{_MONTH}|\d{{4}}|next|the end|further notice|Congress|a federal|federal)\b"
        rf"|\b(?:indefinitely|permanently|forever|temporar(?:y|ily))\b|\bsince\s+(?:{_MONTH}|\d{{4}})\b",
        re.IGNORECASE),
    AnswerType.PERCENTAGE: re.compile(
        r"\d[\d,.]*\s*(?:%|percent\b|per cent\b|percentage points?\b)"
        rf"|\b(?:{NUMBER_WORDS}|\d+)\s+(?:in|out of)\s+(?:{NUMBER_WORDS}|a hundred|\d+)\b"
        r"|\b(?:a|one|two|three|four)[\s-](?:half|third|quarter|fifth|sixth|seventh|eighth|ninth|tenth)s?\s+of\b"
        r"|\bhalf\s+of\b", re.IGNORECASE),
    # a share is told in figures ("26%") or in words ("one in six", "two-thirds of", "half of")
    AnswerType.AMOUNT: re.compile(
        r"[$€£¥]\s?\d[\d,.]*\s*(?:bn|m|k|million|billion|trillion)?\b"
        r"|\b\d[\d,.]*\s*(?:bn|m)?\s*(?:dollars|euros|pounds|yen|yuan|rupees)\b"
        r"|\b(?:US|A|C|NZ|HK)\$\s?\d|\b\d[\d,.]*p\b|\b\d[\d,.]*\s*(?:pence|cents?)\b", re.IGNORECASE),
    AnswerType.NUMBER: re.compile(
        r"(?:\b\d[\d,.]*(?:bn|m|k|tn|st|nd|rd|th)?\b|\b(?:second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
        rf"twelfth|twentieth)\b|\b(?:{NUMBER_WORDS}|hundreds?|thousands?|millions?|billions?|dozens?)\b)"
        rf"(?![\s-](?:{_UNIT}|{_MONTH})\b)", re.IGNORECASE),
    # "a one-year moratorium", "72 hours" are durations and "31 December" a date, not counts;
    # "$280bn" and "his ninth Budget" count
    AnswerType.REASON: re.compile(
        r"\b(?:because|due to|owing to|as a result|result of|in order to|so that|in the hopes?|hoping to|in the wake of|"
        r"amid|following|in response to|citing|cited|blamed|blames|thanks to|driven by|aimed at|to give|to allow|"
        rf"to help|to protect|to prevent|to avoid|to ensure|reason|reasons|since(?!\s+(?:(?:19|20)\d\d|{_MONTH}|last|then)\b)|"
        rf"{_AFTER_AN_EVENT}|{_JUDGED_FOR}|{_OUT_WITH}|{_CAUSAL}|"
        r"on (?:the )?grounds (?:of|that)|concerns? (?:over|about|that)|"
        r"fears? (?:over|about|that)|over concerns|pressure|protests?|calls? for|demands?|led to|so as to|"
        r"on suspicion of|on (?:a )?charges? of|charged with|accused of|in connection with|saying (?:it|that|they|he|she)|"
        r"(?:died|dies|die|dying|death) (?:of|from)|killed by|suffering from|"
        r"why|said it (?:was|would|wanted)|wants? to|needs? to|needed to|(?:is|are|was|were) (?:designed|intended|meant|"
        r"aimed|used) to|to (?:fund|pay for|finance|save|cut costs|raise money|meet|cope with|tackle|boost))\b",
        re.IGNORECASE),
    AnswerType.PLACE: re.compile(
        r"\b(?:city|town|village|state|province|region|county|country|capital|island|port|suburb) of\s+[A-Z][\w'-]+"
        r"|\b(?:in|at|near|outside|inside|based in|headquartered in)\s+(?:[Tt]he\s+|an?\s+)?"
        r"(?:[A-Z][a-z][\w&'-]*(?:\s+(?:of\s+)?[A-Z][\w&'.-]+)*|[A-Z]{2,3}\b)"
        r"|\b(?:to|from|across|into|toward|towards|on)\s+(?:[Tt]he\s+|an?\s+)?[A-Z][\w&'.-]+(?:\s+(?:of\s+)?[A-Z][\w&'.-]+)+"),
    AnswerType.DEFINITION: re.compile(
        r"\b(?:is|are|was|were)\s+(?:an?|the|one of)\b"
        r"|\b(?:is|are|was|were)\s+(?:actually|essentially|basically|simply|effectively)\b"
        r"|,\s+(?:an?|the)\s+\w+|\b(?:called|known as|named|nicknamed|so-called|dubbed|"
        r"refers to|means|stands for|(?:is|are|was|were|be)\s+(?:\w+ly\s+)?defined as|defines?\s+(?:\w+\s+){1,4}?as\b|"
        r"the (?:name|term|word) for|"
        r"[\"”’]?,\s+where\b|"
        r"which (?:is|lets|allows|helps|enables|provides)|that (?:lets|allows|helps|enables)|"
        r"(?:occurs|happens|is|are) when|involves|is used to|are used to|(?:were|was|are|is) intended to)\b",
        re.IGNORECASE),
}

_CALENDAR_WORD = re.compile(rf"\b(?:{_MONTH}|{_DAY})\b")
_NAME = re.compile(
    r"(?<![\w.])(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]\.)(?:\s+(?:(?:and|of|for|&|de|van|von|der|da)\s+)?(?:[A-Z][\w'’-]+|[A-Z]\.))*")
_STARTERS = frozenset(
    [
        "the", "a", "an", "in", "on", "at", "but", "and", "it", "this", "that", "these", "those", "there", "here", "he",
        "she", "they", "we", "i", "you", "his", "her", "its", "their", "our", "when", "while", "after", "before", "as",
        "if", "for", "from", "by", "with", "to", "so", "yet", "or", "also", "however", "meanwhile", "today",
        "yesterday", "last", "next", "earlier", "later", "now", "then", "some", "many", "most", "all", "every", "each",
        "one", "two", "three",
    ]
)
"""Capitalised only because they start a sentence: not names."""
_ROLE = re.compile(rf"\b(?:{role_pattern()})\b", re.IGNORECASE)
_PROPER = r"[A-Z][\w&'’.-]*(?:\s+[A-Z][\w&'’.-]*)*"
_CATEGORY = (
    r"(?:software|system|product|service|tool|app|application|platform|program|programme|technology|device|model|"
    r"brand|feature|drug|game|console|phone|network|website|site|show|series|film|album|book|project|scheme|plan)"
)
_NAMING = re.compile(
    rf"\b(?:called|named|dubbed|known as|branded)\s+[\"“']?(?P<a>{_PROPER})"
    rf"|(?P<b>{_PROPER}),\s+(?:its|the|their|his|her|a|an)\s+[\w\s-]{{0,40}}?\b{_CATEGORY}\b"
    rf"|\b(?:its|the|their|his|her)\s+[\w\s-]{{0,40}}?\b{_CATEGORY},\s+(?P<c>{_PROPER})"
    rf"|(?P<d>{_PROPER})\s+{_CATEGORY}\b"
)
"""Naming constructions: "software called X", "X, its facial recognition software", "its new phone, X",
"the X software"."""
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sir|Lord|Lady|Dame|Prof|Rev)\.?\s+[A-Z][\w'’-]+")
_ORG = re.compile(
    r"\b[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*)*\s+(?:Inc|Corp|Corporation|Ltd|Group|Bank|Agency|Association|Union|"
    r"Council|Commission|Company|Co|Holdings|Partners|Foundation|Institute|University|Party|Office|Department|"
    r"Ministry|Authority|Board|Federation|Network|Studios|Records|Airways|Airlines|Motors|Technologies|Systems|"
    r"Labs|Police|Service|Services|Court)\b|\b[A-Z]{2,6}s?\b")


SPAN_CACHE = 2_048
"""Sentences whose spans are remembered (a few answers' worth: the cache serves repeats within an answer)."""
_YEAR = re.compile(r"(?:19|20)\d\d")
_SCORE = re.compile(r"(?<![\w.-])\d{1,2}-\d{1,2}(?:\s+\d{1,2}-\d{1,2})*(?![\w-]|\.\d)")
_LAG = re.compile(r"\s+(?:after|before|ago|later|earlier|since)\b", re.IGNORECASE)
_NAMED_BEFORE = re.compile(r"(?:[A-Z][\w'’-]*|[A-Z]{2,})\s$")


_TO_A_COUNTRY = re.compile(
    r"\b(?:to|from|across|into|toward|towards|against|versus|vs\.?)\s+(?:the\s+)?(?:[Ee]astern\s+|[Ww]estern\s+|[Nn]orthern\s+|[Ss]outhern\s+)?(?:"
    + "|".join(sorted({w.upper() if len(w) <= 3 else w.capitalize() for group in PLACES for w in group[:1]}, key=len,
                      reverse=True))
    + r")\b")
"""Moving "to Asia", "from Mexico", "to eastern Europe", playing "against Romania": a single country or region's name
places too."""


def _not_a_count(sentence: str, match: re.Match[str]) -> bool:
    """A year ("in 2005") dates; a figure right after a name ("Xbox 2", "PlayStation 2", "January 22")
    names a model, a sequel or a day: neither counts anything."""
    text = match.group(0).rstrip(".,")
    if _YEAR.fullmatch(text):
        return True
    before = sentence[max(match.start() - 30, 0) : match.start()]
    if _in_a_name(sentence, match, before):
        return True  # "the China Three Gorges Project", "Formula One": a name, not a count
    if not (text[:1].isdigit() and _NAMED_BEFORE.search(before)):
        return False
    word = before.split()[-1]
    opens = match.start() - len(word) - 1 <= 0 or sentence[: match.start() - len(word) - 1].rstrip().endswith((".", ":"))
    return not (opens and word.casefold() in _STARTERS)  # "Some 200 new jobs": no name before the figure


_A_NUMBER_WORD = re.compile(rf"(?:{NUMBER_WORDS})$", re.IGNORECASE)
_CAPITALISED_NEXT = re.compile(r"\s+[A-Z][a-z]")
_CAPITALISED_LAST = re.compile(r"\b[A-Z][\w'’-]*\s+$")
_OPENS = (".", ":", "\"", "“", "'", "‘")


def _in_a_name(sentence: str, match: re.Match[str], before: str) -> bool:
    """Is the number word part of a name: capitalised mid-sentence, beside a capitalised word ("the China Three Gorges
    Project", "Formula One"), not opening the sentence or a quotation ("Three Britons were held")?"""
    text = match.group(0)
    if not (text[:1].isupper() and _A_NUMBER_WORD.match(text)) or not before.strip() or before.rstrip().endswith(_OPENS):
        return False
    return bool(_CAPITALISED_NEXT.match(sentence, match.end()) or _CAPITALISED_LAST.search(before))


_EVENT_OF = re.compile(rf"\ban?\s+{_UNIT}$", re.IGNORECASE)
""""A day of action", "a week of protests": an event named by its length (followed by ``_OF``), not how long
something lasted."""
_OF = re.compile(r"\s+of\b")
_ASKS_LAG = re.compile(r"\bhow (?:long|soon|many \w+|much time|much later|much earlier) (?:after|before|later|earlier)\b"
                       r"|\b(?:after|before)\b.*\bhow long\b", re.IGNORECASE)
"""A question asking for a lag ("how long after his wife did he die?"): "11 days after" answers it."""


def spans(sentence: str, kind: AnswerType, *, lags: bool = False) -> list[str]:
    """The spans of ``kind`` in the sentence (empty for types no span answers: yes/no, open, latest).
    ``lags``: durations that time one event from another ("two days later") count too."""
    return list(_spans(sentence, kind, lags))


@lru_cache(maxsize=SPAN_CACHE)
def _spans(sentence: str, kind: AnswerType, lags: bool) -> tuple[str, ...]:
    """:func:`spans`, remembered: one answer reads a sentence's spans several times (scoring the best
    stories, then every retrieved passage, the premise check, the lead check)."""
    return tuple(_find_spans(sentence, kind, lags=lags))


def _find_spans(sentence: str, kind: AnswerType, *, lags: bool = False) -> list[str]:
    if kind is AnswerType.PERSON:
        return people(sentence)
    if kind is AnswerType.ORGANISATION:
        return [n for n in (*(m.group(0) for m in _ORG.finditer(sentence)), *names(sentence)) if not _no_body(n)]
    if kind is AnswerType.NAME:
        named = (m.group("a") or m.group("b") or m.group("c") or m.group("d") for m in _NAMING.finditer(sentence))
        return [name for name in named if name.split()[0].lower() not in _STARTERS]
    if kind is AnswerType.COMPARISON:
        return spans(sentence, AnswerType.NUMBER)
    pattern = _PATTERNS.get(kind)
    if kind is AnswerType.NUMBER:
        scores = [m.group(0) for m in _SCORE.finditer(sentence)]  # "6-3 6-1", "2-1": counted, though after a name
        return scores + [m.group(0) for m in _PATTERNS[kind].finditer(sentence)
                         if not _not_a_count(sentence, m) and not any(m.group(0) in s for s in scores)]
    found = [m.group(0) for m in pattern.finditer(sentence)] if pattern else []
    if kind is AnswerType.PLACE:  # "in March", "on Monday" date; they do not place
        found = [f for f in found if not _CALENDAR_WORD.search(f)]
        found += [m.group(0) for m in _TO_A_COUNTRY.finditer(sentence) if not any(m.group(0) in f for f in found)]
    if kind is AnswerType.DURATION:  # "a year after the hack", "two days later": a lag, not how long it went on
        # "the 27-year-old Austrian": an age, not how long anything lasted
        return [m.group(0) for m in _PATTERNS[kind].finditer(sentence)
                if (lags or not _LAG.match(sentence, m.end())) and not m.group(0).casefold().endswith("old")
                and not (_EVENT_OF.search(m.group(0)) and _OF.match(sentence, m.end()))]
    if kind is AnswerType.DATE:  # "it may find", "to march on": a month is capitalised
        found = [f for f in found if not (f.islower() and _CALENDAR_WORD.search(f.title()))]
    return found


_PLACE_WORDS = frozenset(w for group in PLACES for w in group)
_ROLE_ABBREVIATIONS = frozenset({"dj", "djs", "mp", "mps", "mep", "meps", "msp", "msps", "ceo", "ceos", "am", "ams"})


def _no_body(name: str) -> bool:
    """Is the capitalised run no organisation: countries or their people ("US", "British"), months and weekdays,
    or people by their role ("DJ", "New York DJs", "Labour MPs")?"""
    words = name.replace("'s", "").replace("’s", "").split()
    if words and words[-1].lower() in _ROLE_ABBREVIATIONS:
        return True
    return all(w.lower() in _PLACE_WORDS or _CALENDAR_WORD.fullmatch(w) for w in words)


_PERSON_AFTER = re.compile(
    r"^(?:,\s*(?:who|whose|the|a|an|its|his|her|their)\b|'s\s+(?:wife|husband|son|daughter|brother|sister)\b"
    r"|,?\s+(?:said|says|told|added|explained|wrote|insisted|argued|admitted|announced|warned|believes|thinks|who)\b"
    r"|,\s+\d{1,3},)")
ROLE_BEFORE = re.compile(_ROLE.pattern + r",?\s+$", re.IGNORECASE)
_ROLE_LED = re.compile(r"^(?:[A-Z][\w'’&.-]*\s+){0,3}?(?i:" + _ROLE.pattern + r")\s+(?=[A-Z])")
"""A run of capitalised words that opens with a role ("Chief Executive Martin Sorrell", "Prime Minister Tony
Blair"): the person follows it."""
"""A role just before a name: "comedian Ernie Wise", "As chief operating officer, Toshiyuki Shiga"."""
_PERSON_BEFORE = re.compile(r"(?:\bby|\bsaid|\bsays)\s+(?:\w+\s+){0,2}$", re.IGNORECASE)
_AS_ROLE = re.compile(r",?\s+as\s+(?:(?:his|her|their|its|the|a|an)\s+)?(?:(?:new|next|permanent|interim|acting|"
                      r"joint|first|chief)\s+)*" + _ROLE.pattern, re.IGNORECASE)
"""A role given to the name after it: "confirming Dean Goldfine as his new coach", "named Lillian Tan as chief
executive"."""


def people(sentence: str) -> list[str]:
    """Names of people: two or more capitalised words, or a title and a name ("Mr Weiner"), with a cue that
    a person is meant — a role before it ("comedian Ernie Wise"), "by"/"said" before it, or "said",
    ", who", ", 60," or "as his new coach" after it. "New York" and "South Korea" have no such cue."""
    found = [m.group(0) for m in _TITLED.finditer(sentence)]
    for match in _NAME.finditer(sentence):
        start = match.start()
        for part in match.group(0).split(" and "):  # "Jerry Yang and David Filo"
            at = sentence.find(part, start)
            led = _ROLE_LED.match(part)
            if led:  # the role is capitalised with the name: the name follows it, and the role is its cue
                at, part = at + led.end(), part[led.end():]
            if " " not in part or part in found:
                continue
            if part.split(" ", 1)[0].lower() in _STARTERS:  # "The Texas attorney general": not a person
                continue
            before, after = sentence[max(at - 40, 0) : at], sentence[at + len(part) :]
            # a role after a name in apposition ("Brad Smith, president of Microsoft"); without the comma the
            # name qualifies the role ("Nissan chairman Carlos Ghosn") and the person follows it
            apposed = after.startswith(",") and _ROLE.match(after.lstrip(", ").removeprefix("the ")) is not None
            role = led or ROLE_BEFORE.search(before) or apposed
            if role or _PERSON_AFTER.match(after) or _AS_ROLE.match(after) or _PERSON_BEFORE.search(before):
                found.append(part)
    return found


def names(sentence: str) -> list[str]:
    """Capitalised words and runs of them ("Brad Smith", "Immigration and Customs Enforcement"), without
    words capitalised only because they open the sentence."""
    found = []
    for match in _NAME.finditer(sentence):
        text = match.group(0)
        if match.start() == 0 or sentence[: match.start()].rstrip().endswith((".", "\"", "“", ":")):
            first, _, rest = text.partition(" ")
            if first.lower() in _STARTERS:
                text = rest
        if text:
            found.append(text)
    return found


NAMING_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE, AnswerType.NAME})
_TITLES = frozenset({"mr", "mrs", "ms", "dr", "sir", "lord", "lady", "dame", "prof", "rev", "the", "a", "an"})
_WORD = re.compile(r"[\w'’.,-]+")


def _key_words(text: str) -> list[str]:
    """The words that make a span what it is: its names and figures ("Guinness", "World", "600"), without
    titles, possessive endings or edge punctuation."""
    out = []
    for raw in _WORD.findall(text):
        word = raw.strip("'’.,-").casefold().removesuffix("'s").removesuffix("’s")
        if word and word not in _TITLES and (raw[:1].isupper() or raw[:1].isdigit()):
            out.append(word)
    return out


_FULL_NAME = re.compile(r"\b(?:first|full|given|real|christian) names?\b", re.IGNORECASE)
"""A question asking for a first or full name: "Mr Prettejohn" does not give it."""


_YEARS_OLD = re.compile(r"\b\d{1,3}(?=-year-old\b)")
_ASKS_AGE = re.compile(r"\bhow old\b|\bwhat age\b|\bat what age\b", re.IGNORECASE)


def asks_age(question: str) -> bool:
    """Does the question ask how old someone is?"""
    return _ASKS_AGE.search(question) is not None


def _is_age(sentence: str, span: str) -> bool:
    """Is the figure told as someone's age: "Mr Jacobsen, 21,", "aged 71", "a 22-year-old", "at the age of 93",
    "93 years old", "I was 18 when"?"""
    figure = re.escape(span)
    return re.search(
        rf",\s*{figure},|\baged?\s+{figure}\b|\b{figure}-year-old\b|\bage of\s+{figure}\b|\b{figure} years? old\b"
        rf"|\b(?:was|is|were|am|turned|turns)\s+{figure}\b(?!\s*(?:%|per|years? (?:ago|later|after|before)))",
        sentence, re.IGNORECASE) is not None


_ASKS_DAY = re.compile(r"\b(?:what|which) (?:date|day)\b|" + LAST_DAY, re.IGNORECASE)


def asks_day(question: str) -> bool:
    """Does the question ask for a day ("on what date …?", "which day …?"), which a year alone does not give?"""
    return bool(_ASKS_DAY.search(question))


_ASKS_WHO = re.compile(r"^\W*who\b", re.IGNORECASE)
_WHO_CLAUSE = re.compile(r",\s+who\s+(?:is|was|has|had|\w+ed)\b")
"""Asked who someone is, a clause on them tells it ("Lord Scarman, who conducted the inquiry into …")."""


def answering_spans(sentence: str, kind: AnswerType, question: str) -> list[str]:
    """Spans of ``kind`` that the question does not already contain: not the span itself, and for a name
    not any of its names ("at the Guinness World Records" does not say where, asked about Guinness; "Mr
    Ghosn" does not say who, asked about Carlos Ghosn); for a figure, not every one of its figures."""
    asked, asked_words = _asked_words(question)
    out = []
    found = spans(sentence, kind, lags=kind is AnswerType.DURATION and bool(_ASKS_LAG.search(question)))
    if kind is AnswerType.DEFINITION and _ASKS_WHO.match(question):
        found += [m.group(0) for m in _WHO_CLAUSE.finditer(sentence)]  # "Lord Scarman, who conducted the inquiry…"
    age = kind is AnswerType.NUMBER and asks_age(question)
    day = kind is AnswerType.DATE and asks_day(question)
    if age:
        found += [m.group(0) for m in _YEARS_OLD.finditer(sentence)]  # "a 22-year-old": a duration, told as an age
    if kind in (AnswerType.AMOUNT, AnswerType.NUMBER) and asks_change(question):
        found += spans(sentence, AnswerType.PERCENTAGE)  # "by how much did the money sent home grow?": "grew 24%"
    for span in found:
        if span.casefold().strip() in asked:
            continue
        keys = _key_words(span)
        if keys and kind in NAMING_TYPES and any(k in asked_words for k in keys):
            continue
        if keys and kind not in NAMING_TYPES and all(k in asked_words for k in keys):
            continue
        if kind is AnswerType.PERSON and _TITLED.match(span) and _FULL_NAME.search(question):
            continue
        if day and not _CALENDAR_WORD.search(span):
            continue  # "on what date?": "in 2003" or "last year" is no day
        if age and not _is_age(sentence, span):
            continue  # "how old is he?": "400 customers" is no age; "Mr Jacobsen, 21," is
        out.append(span)
    return out


_BY_HOW_MUCH = re.compile(r"\bby\s+how\s+much\b", re.IGNORECASE)
"""A question after a change ("by how much did the money sent home grow?")…"""
_HOW_MUCH_MOVED = re.compile(rf"\bhow\s+(?:much|far)\b[^,;?]*?\b(?:{'|'.join(sorted(MOVES))})\b", re.IGNORECASE)
"""…or "how much did profits fall?": a figure's move, told by a verb that moves nothing else (not "cut", "raise")."""


def asks_change(question: str) -> bool:
    """Does the question ask how much something moved, which a share tells as well as a sum does?"""
    return bool(_BY_HOW_MUCH.search(question) or _HOW_MUCH_MOVED.search(question))


@lru_cache(maxsize=64)
def _asked_words(question: str) -> tuple[str, frozenset[str]]:
    """The question casefolded, and its words and key words (read once per question, not per sentence)."""
    return question.casefold(), frozenset(_key_words(question)) | {w.casefold() for w in _WORD.findall(question)}


def has_answer(sentence: str, kind: AnswerType, question: str) -> bool:
    """Does the sentence hold a new span of the expected type?"""
    return bool(answering_spans(sentence, kind, question))


NEGATION = re.compile(
    r"\b(?:not|never|no longer|none|no plans?|no intention|no exemptions?|cannot|refused|refuses|declined|declines|"
    r"rejected|against|opposes|opposed|oppose|opposing|"
    r"(?:pulled|pulls|pulling|pull|backed|backs|back|walked|walks|walk) (?:out|away)|called off|"
    r"ruled out|scrapped|abandoned|averted|avoided|staved off|(?:will|to|could|would|may|might) miss|misses|missed out|unlikely|"
    r"(?:get|got|getting) out of|(?:could|would|might) have (?:been )?\w+(?:ed|en))\b|n't\b",
    re.IGNORECASE,
)
"""A sentence that says no: "won't sell", "has no plans to", "refused", "pulled out of the deal", or that
tells what did not happen ("a deal which could have forced it to buy"). The one negation test of the package."""

RESTRICTION = re.compile(r"\b(?:only|exclusively|limited to|restricted to|except)\b", re.IGNORECASE)
"""A sentence that limits what it tells ("available only in the US"): to "can anyone …?" it says no but for those."""
UNIVERSAL = re.compile(r"\b(?:any|anywhere|anyone|anybody|every|everyone|everywhere|all)\b", re.IGNORECASE)
"""A yes/no question asking of everyone or everywhere: a restriction answers it."""

TYPED = frozenset({
    AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE, AnswerType.DATE, AnswerType.DURATION,
    AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.PERCENTAGE, AnswerType.REASON, AnswerType.DEFINITION,
    AnswerType.NAME, AnswerType.COMPARISON,
})
"""Types a span can answer; the composer rewards sentences that hold one (a comparison: the figures compared)."""
STRICT = frozenset({AnswerType.NUMBER, AnswerType.AMOUNT, AnswerType.PERCENTAGE})
"""Types only a sentence with such a span can answer: without one in the coverage, the bot abstains."""
