"""Sentence splitting and sentence-aware passages of about 40–80 words."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

MIN_WORDS = 40
MAX_WORDS = 80
_HARD_LIMIT_WORDS = 120  # a "sentence" longer than this (no punctuation) is cut by words

# ---- sentence boundaries -------------------------------------------------------------------------------
# A period followed by a space and a capital or a digit ends a sentence unless the word before it is an
# abbreviation, which depends on the word's class and on the next word:
# - titles ("Sen.", "Reps.", "Gov.", "Dr.") never end one: a name follows;
# - "No." and month abbreviations ("Jan.", "Sept.") are abbreviations only before a number ("No. 1", "Jan. 5");
# - initials ("W."), dotted forms ("U.S.", "Ph.D.", "J.P."), suffixes ("Inc.", "Jr.", "St.") and states
#   ("Calif.", "Mass.") end one only before a word that usually starts sentences ("The", "He", "But"…), so
#   "U.S. Rep. Jim Jordan" and "Microsoft Corp. President Brad Smith" stay whole while "…in the U.S. The
#   company…" splits;
# - "e.g.", "i.e.", "vs." never end one.
# Decimals ("3.5") never split: a boundary needs whitespace after the period.

_TITLES = frozenset({
    "mr", "mrs", "ms", "messrs", "mmes", "dr", "prof", "sen", "sens", "rep", "reps", "gov", "govs", "gen", "gens",
    "lt", "col", "capt", "cmdr", "adm", "maj", "sgt", "cpl", "pvt", "rev", "fr", "msgr", "hon", "pres", "supt",
    "det", "insp", "atty", "amb", "sec"
})
_BEFORE_NUMBER = frozenset({"no", "nos", "vol", "vols", "art", "fig", "figs", "ch", "approx", "est", "ca"})
_MONTHS = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"})
_STATES = frozenset({
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "kans", "ky", "la",
    "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "penn", "tenn", "tex",
    "va", "vt", "wash", "wis", "wisc", "wyo"
})
_SUFFIXES = frozenset({
    "Inc", "Corp", "Co", "Ltd", "LLC", "Plc", "Bros", "Jr", "Sr", "Esq", "etc", "al", "Dept", "Univ", "Assn",
    "St", "Mt", "Ft", "Ave", "Blvd", "Rd"
})
"""Written exactly so ("Inc.", "et al."): "AL." and "PLC." in capitals are more often acronyms."""
_INLINE = frozenset({"e.g", "i.e", "cf", "viz", "vs"})
_SENTENCE_STARTERS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "there", "their", "they", "he", "she", "his", "her", "it",
    "its", "i", "we", "our", "you", "your", "my", "but", "and", "or", "nor", "so", "yet", "still", "however",
    "meanwhile", "moreover", "also", "then", "now", "today", "yesterday", "last", "next", "earlier", "later",
    "after", "before", "when", "while", "where", "why", "how", "what", "which", "who", "if", "although", "though",
    "because", "since", "as", "at", "in", "on", "for", "from", "to", "by", "with", "without", "under", "during",
    "despite", "according", "some", "many", "most", "much", "more", "few", "several", "both", "each", "every",
    "all", "any", "no", "none", "not", "other", "another", "such", "one", "instead", "indeed", "even", "only",
    "here"
})
_CANDIDATE = re.compile(r"[.!?]+[\"')\]]*(?=\s+[\"'(\[]?[A-Z0-9])")
_NEXT_WORD = re.compile(r"\s+([\"'(\[]?)([A-Za-z0-9]*)(\.?)")
_DOTTED = re.compile(r"(?:[a-z]{1,3}\.)+[a-z]{1,3}")
"""Dotted abbreviations ("u.s", "ph.d", "j.p", "a.m"), not domains ("amazon.com")."""


@dataclass(frozen=True, slots=True)
class Chunk:
    """Passage text (sentences joined by newlines) and its sentence count."""

    text: str
    sentences: int


def _word_before(text: str, end: int) -> str:
    """The word that ends at ``end``, without opening quotes or brackets."""
    start = text.rfind(" ", 0, end) + 1
    word = text[start:end]
    if word.isprintable():  # no other space in between (a tab, a no-break space…): the word is found
        return word.lstrip("\"'([")
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip("\"'([")


def _starts_sentence(text: str, end: int) -> bool:
    """Does the text after ``end`` look like the start of a sentence (a quote, "The", "He", "But"…)?"""
    match = _NEXT_WORD.match(text, end)
    if match is None:
        return True
    quote, word, dot = match.groups()
    if quote in ("\"", "'"):
        return True
    if len(word) == 1 and dot:  # an initial: "J. A. Smith"
        return False
    return word.casefold() in _SENTENCE_STARTERS


def _is_abbreviation(text: str, end: int, after: int) -> bool:
    """Is the period at ``end`` part of an abbreviation, given what follows from ``after``?"""
    word = _word_before(text, end)
    key = word.casefold()
    if not key:
        return False
    if key in _INLINE:
        return True
    if word.istitle() and key in _TITLES:  # "Sen.", not "SEC."
        return True
    if key in _BEFORE_NUMBER or key in _MONTHS:
        match = _NEXT_WORD.match(text, after)
        return match is not None and match.group(2)[:1].isdigit()
    state = word.rsplit("-", 1)[-1]  # "(D-Calif.)"
    if (
        (len(key) == 1 and key.isalpha()) or _DOTTED.fullmatch(key)
        or (state.istitle() and state.casefold() in _STATES) or word in _SUFFIXES
    ):
        return not _starts_sentence(text, after)
    return False


def _may_abbreviate(ending: str) -> bool:
    """One period, perhaps before a closing bracket ("Calif.)"); not "?", "..." or a closing quote."""
    return ending[0] == "." and ending[1:2] not in (".", '"', "'")


def split_sentences(text: str) -> list[str]:
    """Split text into sentences; newlines are always boundaries."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        start = 0
        for match in _CANDIDATE.finditer(line):
            if _may_abbreviate(match.group(0)) and _is_abbreviation(line, match.start(), match.end()):
                continue
            sentence = line[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
        tail = line[start:].strip()
        if tail:
            sentences.append(tail)
    return sentences


def _counted_pieces(sentences: Sequence[str]) -> Iterator[tuple[str, int]]:
    """Each sentence with its word count, one too long (no punctuation) cut by words: each sentence is
    split into words once."""
    for sentence in sentences:
        words = sentence.split()
        if len(words) <= _HARD_LIMIT_WORDS:
            yield sentence, len(words)
            continue
        for start in range(0, len(words), MAX_WORDS):
            piece = words[start : start + MAX_WORDS]
            yield " ".join(piece), len(piece)


def chunk_passages(text: str, *, min_words: int = MIN_WORDS, max_words: int = MAX_WORDS) -> list[Chunk]:
    """Group whole sentences into passages of about ``min_words``–``max_words`` words."""
    chunks: list[list[str]] = []
    last_words = 0  # the words of the last chunk
    current: list[str] = []
    count = 0
    for sentence, words in _counted_pieces(split_sentences(text)):
        if current and count >= min_words and count + words > max_words:
            chunks.append(current)
            last_words = count
            current, count = [], 0
        current.append(sentence)
        count += words
    if current:
        if chunks and count < min_words and last_words + count <= max_words + min_words // 2:
            chunks[-1].extend(current)
        else:
            chunks.append(current)
    return [Chunk(text="\n".join(chunk), sentences=len(chunk)) for chunk in chunks]


# ---- stored terms ------------------------------------------------------------------------------------
# A passage's analyzed terms are stored as lines: the story's title terms (repeated TITLE_WEIGHT times,
# a boosted field), then one line per line of the passage text (one sentence each). The index reads
# them with ``str.split()``, which treats newlines as spaces; the answer composer reads them per sentence
# (``decode_terms``), so answering never re-analyzes retrieved text.


def encode_terms(title_terms: Sequence[str], line_terms: Sequence[Sequence[str]]) -> str:
    """The stored form of a passage's terms: a title line, then one line per text line."""
    return "\n".join([" ".join(title_terms), *(" ".join(terms) for terms in line_terms)])


def decode_terms(terms: str, line_count: int) -> tuple[list[str], list[list[str]]] | None:
    """The title's terms and each text line's terms from their stored form; None when it does not hold
    ``line_count`` text lines (a passage stored by another version: analyze it again)."""
    title, *lines = terms.split("\n")
    if len(lines) != line_count:
        return None
    return title.split(), [line.split() for line in lines]
