"""Bylines, datelines and timestamps that head an article's paragraphs.

Scraped articles often open with "By Hanna Ziady, CNN Business", "WASHINGTON (Reuters) -" or
"Updated 12:30 PM ET, Wed June 10, 2020", on a line of their own or glued to the first sentence.
Answers quote sentences verbatim, so these are removed when they head a paragraph. The rules are
conservative: a byline needs a person's name (two to five capitalised words that are not words such
as "The" or "Tuesday") and, when text follows it on the same line, an outlet or a reporter's role to
end it, so "By 2021, the company…" and "By Tuesday, officials…" are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

AGENCIES = (
    "CNN", "CNN Business", "CNN Politics", "CNN Wire", "Reuters", "Thomson Reuters", "AP", "Associated Press",
    "The Associated Press", "AFP", "Agence France-Presse", "Bloomberg", "Bloomberg News", "CNBC", "UPI", "dpa",
    "Xinhua", "BBC", "BBC News", "NPR", "ABC News", "NBC News", "CBS", "CBS News", "Fox News", "USA TODAY",
    "The Washington Post", "The New York Times", "The Wall Street Journal", "Business Insider", "Insider",
    "Axios", "Politico", "The Hill", "The Guardian", "Fortune", "Forbes", "Forbes Staff", "Fast Company",
    "TechCrunch", "The Verge", "Wired", "CNET", "ZDNet", "VentureBeat", "MarketWatch", "Yahoo Finance",
)
"""Outlets that sign bylines and datelines; an article's own outlet is accepted too."""

_ROLE = r"(?:[A-Z][\w&.'-]* ){0,3}(?:Writer|Reporter|Editor|Correspondent|Contributor|Columnist|Staff)"
_NAME_PARTICLES = frozenset({
    "de", "van", "von", "der", "den", "da", "di", "du", "le", "la", "bin", "al", "del", "dos"
})
_NOT_NAMES = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "their", "his", "her", "its", "our", "my", "your", "any",
    "all", "some", "no", "not", "now", "then", "when", "if", "today", "yesterday", "tomorrow", "monday",
    "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april",
    "may", "june", "july", "august", "september", "october", "november", "december", "far", "most", "more"
})
_NAME_WORD = re.compile(r"[A-Z][\w'.-]*")
_SEPARATOR = re.compile(r"\s*(?:,|\||/|·|•|\band\b|&)\s*")
_BY = ("By ", "BY ")

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)[a-z]*\.?,?"
_TIME = (
    r"\d{1,2}(?::\d{2}\s*(?:[AP]\.?M\.?)?|\s*[AP]\.?M\.?)(?:\s+(?:[ECMP][SD]?T|GMT|BST|UTC|CET|IST))?(?![\w:])"
)
_DATE = (
    rf"(?:{_WEEKDAY}\s+)?(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:T[\d:]+Z?)?|\d{1,2}/\d{1,2}/\d{2,4})"
)
_STAMP = re.compile(
    rf"(?:Last\s+)?(?:Updated|Published|Posted|First published)(?:\s+(?:on|at))?\s*:?\s*"
    rf"(?:{_DATE}|{_TIME})(?:[,\s]*(?:(?:at|on|\|)\s*)?(?:{_DATE}|{_TIME}))*",
    re.IGNORECASE,
)
_STAMP_WORDS = ("updated", "published", "posted", "last updated", "first published")
_CITY = r"[A-Z][A-Za-z.'-]*(?:[ -][A-Z][A-Za-z.'-]*){0,3}(?:,\s*[A-Z][A-Za-z.']*(?: [A-Z][A-Za-z.']*)?)?"
_RULE = r"\s*(?:-{1,2}|—|–|:)\s*"
_DASH = rf"(?:{_RULE}|\s*(?=[A-Z\"']))"
"""After a known agency the dash may be missing ("(CNN)Amazon"); after any other parenthesis it may not."""
_CAPITALS_DATELINE = re.compile(rf"[A-Z][A-Z.'-]+(?:[ ,]+[A-Z][A-Za-z.'-]+){{0,3}}\s*\([A-Z][\w&. -]{{0,30}}\){_RULE}")
_PHOTO = re.compile(r"\((?:Photos?|Images?|Pictures?) (?:by|credit|courtesy)\b[^)]{0,120}\)\s*", re.IGNORECASE)
_LEFTOVER = " -—–|·•,"
_HEAD_CHARS = 240
"""Furniture fits in a paragraph's first characters; an outlet named later does not count."""


class _Patterns(NamedTuple):
    outlet: re.Pattern[str]
    glued_byline: re.Pattern[str]
    dateline: re.Pattern[str]


@lru_cache(maxsize=512)
def _patterns(outlets: tuple[str, ...]) -> _Patterns:
    """The outlet-dependent patterns for the known agencies plus ``outlets`` (longest names first)."""
    names = sorted({*AGENCIES, *outlets}, key=len, reverse=True)
    outlet = rf"(?:{_ROLE}|{'|'.join(re.escape(name) for name in names)})"
    return _Patterns(
        outlet=re.compile(outlet, re.IGNORECASE),
        glued_byline=re.compile(rf"(?:,|\s+\|)\s+{outlet}\s+(?=[\"'(]?[A-Z0-9])"),
        dateline=re.compile(rf"(?:{_CITY}\s*)?\((?:{'|'.join(re.escape(name) for name in names)})\){_DASH}"),
    )


def _is_name(text: str) -> bool:
    """Two to five capitalised words (particles such as "de" aside) that are not "The", "Tuesday"…"""
    words = text.split()
    capitalised = [word for word in words if word not in _NAME_PARTICLES]
    return (
        2 <= len(capitalised) <= 5 and words[0] not in _NAME_PARTICLES
        and all(_NAME_WORD.fullmatch(word) and word.casefold().rstrip(".") not in _NOT_NAMES for word in capitalised)
    )


def _after_names(text: str) -> list[str] | None:
    """What follows one or more names ("Jane Doe and John Roe, CNN" → ["CNN"]); None without a name."""
    parts = [part for part in _SEPARATOR.split(text) if part]
    names = 0
    while names < len(parts) and _is_name(parts[names]):
        names += 1
    return parts[names:] if names else None


def is_byline(line: str, outlets: tuple[str, ...] = ()) -> bool:
    """A whole line that is a byline: "By Jane Doe", "By Jane Doe and John Roe, CNN Business"."""
    text = line.strip().rstrip(".")
    if not text.startswith(_BY) or len(text.split()) > 16:
        return False
    rest = _after_names(text[3:])
    return rest is not None and all(_patterns(outlets).outlet.fullmatch(part) for part in rest)


def _byline_prefix(text: str, outlets: tuple[str, ...]) -> int:
    """Length of a byline glued to the first sentence ("By X, CNN Business IBM is…"); 0 if none."""
    if not text.startswith(_BY):
        return 0
    for match in _patterns(outlets).glued_byline.finditer(text, 3, _HEAD_CHARS):
        if _after_names(text[3 : match.start()]) == []:
            return match.end()
    return 0


def _dateline_prefix(text: str, outlets: tuple[str, ...]) -> int:
    """Length of a leading "WASHINGTON (Reuters) -", "London (CNN Business)" or "(CNN) —"; 0 if none."""
    match = _patterns(outlets).dateline.match(text) or _CAPITALS_DATELINE.match(text)
    return match.end() if match else 0


def _stamp_prefix(text: str) -> int:
    """Length of a leading "Updated 12:30 PM ET, Wed June 10, 2020" or "Published: …" stamp; 0 if none."""
    match = _STAMP.match(text) if text[:16].casefold().startswith(_STAMP_WORDS) else None
    return match.end() if match else 0


def _furniture_prefix(text: str, outlets: tuple[str, ...]) -> int:
    """Length of the first piece of furniture heading ``text``; 0 if it opens with real text."""
    if text.startswith(_BY):
        return _byline_prefix(text, outlets)
    photo = _PHOTO.match(text)
    if photo:
        return photo.end()
    return _stamp_prefix(text) or (_dateline_prefix(text, outlets) if "(" in text[:80] else 0)


def strip_heading_furniture(paragraph: str, outlets: Iterable[str | None] = ()) -> str:
    """The paragraph without leading bylines, datelines, timestamps and photo credits ("" if that was all).

    ``outlets`` are extra outlet names (the article's own) accepted after a byline or in a dateline.
    """
    text = paragraph.strip()
    head = text[:_HEAD_CHARS]
    known = tuple(sorted({outlet for outlet in outlets if outlet and outlet in head}))  # usually (): one compile
    while text:
        if text.startswith(_BY) and is_byline(text, known):
            return ""
        cut = _furniture_prefix(text, known)
        if not cut:
            break
        text = text[cut:].lstrip(_LEFTOVER)
    return text
