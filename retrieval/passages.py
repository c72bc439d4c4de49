"""Sentence splitting and sentence-aware passages of about 40–80 words."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MIN_WORDS = 40
MAX_WORDS = 80
_HARD_LIMIT_WORDS = 120  # a "sentence" longer than this (no punctuation) is cut by words

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st vs etc inc ltd co corp no gov gen sen rep lt col mt fig approx dept est
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k e.g i.e a.m p.m d.c u.n e.u""".split()
)
_CANDIDATE = re.compile(r"[.!?]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Chunk:
    """Passage text (sentences joined by newlines) and its sentence count."""

    text: str
    sentences: int


def _is_abbreviation(text: str, end: int) -> bool:
    """Is the period ending at ``end`` part of an abbreviation or an initial?"""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    word = text[start:end].strip("\"'([").rstrip(".").casefold()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():  # initials: "J. Smith"
        return True
    return word in _ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; newlines are always boundaries."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _CANDIDATE.finditer(line):
            if match.group(0).startswith(".") and _is_abbreviation(line, match.start()):
                continue
            sentence = line[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def _cut_long(sentence: str) -> list[str]:
    words = sentence.split()
    if len(words) <= _HARD_LIMIT_WORDS:
        return [sentence]
    return [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]


def chunk_passages(text: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Group whole sentences into passages of about ``min_words``–``max_words`` words."""
    sentences = [piece for sentence in split_sentences(text) for piece in _cut_long(sentence)]
    chunks: list[list[str]] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        words = len(sentence.split())
        if current and count >= min_words and count + words > max_words:
            chunks.append(current)
            current, count = [], 0
        current.append(sentence)
        count += words
    if current:
        tail_words = count
        if chunks and tail_words < min_words and sum(len(s.split()) for s in chunks[-1]) + tail_words <= max_words + min_words // 2:
            chunks[-1].extend(current)
        else:
            chunks.append(current)
    return [Chunk(text="\n".join(chunk), sentences=len(chunk)) for chunk in chunks]


# ---- stored terms ------------------------------------------------------------------------------------
# A passage's analyzed terms are stored as lines: the story's title terms (repeated TITLE_WEIGHT times,
# a boosted field), then one line per line of the passage text (one sentence each). The index reads
# them with ``str.split()``, which treats newlines as spaces; the responder reads them per sentence,
# so answering never re-analyzes retrieved text.


def encode_terms(title_terms: Sequence[str], line_terms: Sequence[Sequence[str]]) -> str:
    """The stored form of a passage's terms: a title line, then one line per text line."""
    return "\n".join([" ".join(title_terms), *(" ".join(terms) for terms in line_terms)])
