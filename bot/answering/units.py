"""Quotable units: which sentences read well on their own.

A headline or a truncated excerpt is quoted only as a last resort; a sentence that opens by pointing back
("The next day, …", "He said …") needs the sentence before it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from retrieval.analyzer import fold

HEADLINE_FACTOR = 0.7
FRAGMENT_FACTOR = 0.6
ELLIPSIS_FACTOR = 0.85
"""An excerpt its outlet cut with a marked ellipsis ("…has repeatedly been shown ...") reads better than
one cut mid-word ("…demonstrating that pe") or a line that is no sentence."""
ANAPHORA_FACTOR = 0.8
MIN_WORDS = 5
LONG_WORDS = 60
"""A sentence longer than this reads like a run-on paragraph: it is discounted a little."""

_TERMINAL = re.compile(r"[.!?:][\"'”’)\]]*$")
_TRUNCATED = re.compile(r"(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*[\"'”’)\]]*$")
_CONNECTIVES = r"meanwhile|however|but|also|still|in addition|additionally|furthermore|moreover|instead|as a result"
"""Openers that link a sentence to the one before without naming anything in it: it still reads alone."""
_ANAPHORIC = re.compile(
    r"^(?:he|she|it|they|this|that|these|those|his|her|its|their|there|the (?:next|following|same|previous) "
    r"(?:day|week|month|year|morning)|the (?:move|decision|announcement|company|firm|group|agency|report|deal|"
    r"statement|letter|ban|plan|news|latter|former|pair|two)|later|then|that's|it's|he's|she's|they're|such|"
    rf"{_CONNECTIVES})\b",
    re.IGNORECASE,
)
_CONNECTIVE = re.compile(rf"^(?:{_CONNECTIVES})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class UnitQuality:
    """How well a sentence stands alone: a score factor and why."""

    factor: float
    headline: bool = False
    fragment: bool = False
    anaphoric: bool = False
    elided: bool = False
    connective: bool = False
    """…by a linking word only ("However, …", "Meanwhile, …"): it reads alone, with no antecedent quoted."""


def is_fragment(sentence: str) -> bool:
    """A cut-off excerpt ("…demonstrating that pe") or a line that is not a sentence (no end mark, lowercase start)."""
    text = sentence.strip()
    if _TRUNCATED.search(text):
        return True
    if not _TERMINAL.search(text):
        return True
    return text[:1].islower()


def is_anaphoric(sentence: str) -> bool:
    """Does the sentence open by pointing back at something said before it?"""
    return bool(_ANAPHORIC.match(sentence.lstrip("\"'“‘(— -")))


def is_headline(sentence: str, title: str) -> bool:
    return fold(sentence.strip()) == fold(title.strip())


@lru_cache(maxsize=4096)
def quality(sentence: str, title: str) -> UnitQuality:
    """The score factor of a sentence as a quoted unit (remembered: an answer scores a sentence once per reading
    of its passages, and the stories a conversation keeps returning to bring the same sentences back)."""
    headline = is_headline(sentence, title)
    fragment = not headline and is_fragment(sentence)
    elided = fragment and bool(_TRUNCATED.search(sentence.strip())) and sentence.strip()[:1].isupper()
    anaphoric = is_anaphoric(sentence)
    factor = 1.0
    if headline:
        factor *= HEADLINE_FACTOR
    if fragment:
        factor *= ELLIPSIS_FACTOR if elided else FRAGMENT_FACTOR
    if anaphoric:
        factor *= ANAPHORA_FACTOR
    if len(sentence.split()) > LONG_WORDS:
        factor *= 0.9
    connective = anaphoric and bool(_CONNECTIVE.match(sentence.lstrip("\"'“‘(— -")))
    return UnitQuality(factor, headline, fragment, anaphoric, elided, connective)
