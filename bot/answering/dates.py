"""Calendar days named in a text ("June 11", "11th of June 2020", "2020-06-11"): the one reading of a date, for
the service's "what happened on…" questions and for the premise check's dates."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(rf"\b(?P<month>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?\b", re.IGNORECASE),
    re.compile(rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH_RE})\.?(?:,?\s+(?P<year>\d{{4}}))?\b", re.IGNORECASE),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
)


@dataclass(frozen=True, slots=True)
class DateMention:
    """A day of a month (of a year, when named) and where the text names it."""

    month: int
    day: int
    year: int | None
    span: tuple[int, int]

    @property
    def label(self) -> str:
        name = calendar.month_name[self.month]
        return f"{name} {self.day}, {self.year}" if self.year else f"{name} {self.day}"

    @property
    def day_of_year(self) -> tuple[int, int]:
        """(month, day): the same day however it is written."""
        return self.month, self.day


def find_dates(text: str) -> list[DateMention]:
    """Every calendar day the text names, in the order of the patterns (month first, day first, ISO)."""
    found: list[DateMention] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            month_text = match.group("month")
            month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.lower()]
            day = int(match.group("day"))
            year = int(match.group("year")) if match.group("year") else None
            if 1 <= month <= 12 and 1 <= day <= 31:
                found.append(DateMention(month, day, year, match.span()))
    return found


def find_date(text: str) -> DateMention | None:
    """The first calendar day named in the text (see :func:`find_dates`)."""
    return next(iter(find_dates(text)), None)
