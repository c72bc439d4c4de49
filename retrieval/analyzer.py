"""The one text analyzer shared by indexing and querying.

Lowercase + Unicode folding, English stopwords, Snowball (Porter2) stemming via PyStemmer,
and numbers kept as terms ("2,000" and "2000" both become ``2000``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

import Stemmer

MAX_TERM_LENGTH = 32
"""Longer terms are truncated (URLs, hashes): keeps the vocabulary fixed-width and small."""

# Lucene's English stopwords plus the function words of questions ("what", "did", "how").
STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again against all am an and any are aren as at be because been before being
    below between both but by can cannot could couldn did didn do does doesn doing don down during each
    few for from further had hadn has hasn have haven having he her here hers herself him himself his
    how i if in into is isn it its itself just let ll me more most mustn my myself no nor not now of
    off on once only or other ought our ours ourselves out over own re same shan she should shouldn so
    some such t than that the their theirs them themselves then there these they this those through to
    too under until up ve very was wasn we were weren what when where which while who whom why will
    with would wouldn you your yours yourself yourselves s d m o y ain ma also may might must shall
    say says said whether anyone anything
    """.split()
)

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")
_LINE_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|\n")
"""The tokens and the line breaks between them (:meth:`Analyzer.line_terms`)."""
_ASCII_TOKEN_RE = re.compile(r"[a-z]+|\d+(?:[.,]\d+)*")
"""The same on folded ASCII text, where a letter is ``a``–``z``: a plain range is ~40 % faster to match."""
_ASCII_SEPARATORS = bytes(
    byte if chr(byte) in "abcdefghijklmnopqrstuvwxyz0123456789.,\n" else ord(" ") for byte in range(256)
)
"""Folded ASCII bytes that no token holds (all but letters, digits, "." and ",") → spaces; line breaks kept."""
TERM_CACHE_SIZE = 200_000
"""Distinct tokens whose term each analyzer remembers (~30 MB when full; the first ones seen are kept:
the common words, which are most of any text)."""
_POSSESSIVE_RE = re.compile(r"['’]s\b(?<=\w['’]s)")
"""An apostrophe-s after a word character. The look-behind comes last: a pattern that opens with a
character class is searched for by a fast scan, one that opens with a look-behind is tried everywhere."""
_LINE_MARK = "|"
"""Stands for a line break among the words of :meth:`Analyzer.encoded_lines` (no word holds it: the
separators become spaces)."""
_MARKED_LINE_BREAK = f" {_LINE_MARK} ".encode()
_NEGATION_RE = re.compile(r"\b(?:(wo)|(ca)|(sha)|(\w+))n['’]t\b")
"""Negative contractions: "won't" → "will not", "can't" → "can not", "didn't" → "did not"."""


def _expand_negation(match: re.Match[str]) -> str:
    irregular = ("will", "can", "shall")
    for group, full in zip(match.groups()[:3], irregular, strict=True):
        if group:
            return f"{full} not"
    return f"{match.group(4)} not"

_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_DOTTED_ACRONYM_RE = re.compile(r"\b(?:[^\W\d_]\.){2,}(?![^\W\d_])")
""""U.S.", "e.g.", "U.K." → "US", "eg", "UK": one term, as when written without dots."""
_DOTTED_HINT_RE = re.compile(r"\.[^\W\d_]\.")
"""Found in every dotted acronym: ~50× faster to look for than the acronym itself (it opens with a period)."""


def _undot(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


def _separates_only(text: str) -> bool:
    """Whether no non-ASCII character of ``text`` can be part of a token: each is then a separator, as a
    space is (a token is letters or digits, and the regular expressions' letters and digits are exactly
    the characters ``str.isalnum`` accepts), so the ASCII path gives the same terms with it made a space."""
    return not any(char.isalnum() for char in set(text) if not char.isascii())


def fold(text: str) -> str:
    """Casefold and strip accents (``Café`` → ``cafe``)."""
    text = text.casefold()
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


@dataclass(frozen=True, slots=True)
class Token:
    """One analyzed token with the surface form it came from."""

    surface: str
    term: str


class Analyzer:
    """Turns text into index terms. Instances are cheap; the stemmer cache is per instance."""

    def __init__(self, language: str = "english", stopwords: frozenset[str] = STOPWORDS) -> None:
        self._stemmer = Stemmer.Stemmer(language)
        self._stemmer.maxCacheSize = 200_000
        self.stopwords = stopwords
        self._cache: dict[str, str] = {_LINE_MARK: "\n"}
        """Token → term, or folded ASCII word → its terms space-separated ("" for none): a token or word
        already seen costs one dictionary lookup. The line mark's terms are a line break (see
        :meth:`encoded_lines`)."""

    def _words(self, text: str) -> list[str]:
        """Folded word and number tokens, negations expanded, without possessives and stopwords."""
        stop = self.stopwords
        folded = fold(text)
        if folded.isascii() and (folded.isalpha() or folded.isdigit()):  # one plain word (a token of `tokens`)
            return [] if folded in stop else [folded]
        words = []
        if "'" in folded or "’" in folded:
            folded = _NEGATION_RE.sub(_expand_negation, _POSSESSIVE_RE.sub("", folded))
        for word in _TOKEN_RE.findall(_DOTTED_ACRONYM_RE.sub(_undot, folded)):
            if word in stop:
                continue
            if word[0].isdigit() and "," in word:
                word = _THOUSANDS_RE.sub("", word)
            words.append(word)
        return words

    def terms(self, text: str) -> list[str]:
        """Analyzed terms of ``text`` in order (duplicates kept)."""
        cache = self._cache
        terms = []
        prepared = self._prepared(text)
        for token in (_ASCII_TOKEN_RE if prepared.isascii() else _TOKEN_RE).findall(prepared):
            term = cache.get(token)
            if term is None:
                term = self._term(token)
            if term:
                terms.append(term)
        return terms

    def line_terms(self, text: str) -> list[list[str]]:
        """The terms of each line of ``text`` (``[terms(line) for line in text.split("\\n")]``), in one pass:
        no regular expression matches across a line break, and folding works character by character.

        This runs for every passage ingested. Folded ASCII text (most text) is cut into words by ``str``
        methods (every character that no token can hold becomes a space) and each word's terms are looked
        up in bulk: only a word not seen before goes through the token pattern (see :meth:`_word_terms`)."""
        prepared = self._prepared(text)
        cache = self._cache
        if not prepared.isascii():
            lines: list[list[str]] = [[]]
            terms = lines[0]
            for token in _LINE_TOKEN_RE.findall(prepared):
                if token == "\n":
                    terms = []
                    lines.append(terms)
                    continue
                term = cache.get(token)
                if term is None:
                    term = self._term(token)
                if term:
                    terms.append(term)
            return lines
        lines = []
        lookup = cache.get
        for line in prepared.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii").split("\n"):
            words = line.split()
            found: list[str | None] = list(map(lookup, words))  # a word's terms, space-separated ("" for none)
            if None in found:
                for position, value in enumerate(found):
                    if value is None:
                        found[position] = self._word_terms(words[position])
            lines.append(" ".join(cast("list[str]", found)).split())  # no None left
        return lines

    def encoded_lines(self, text: str) -> str:
        """The terms of each line of ``text``, space-separated, the lines joined by line breaks: the stored
        form of :meth:`line_terms` (``"\\n".join(" ".join(terms) for terms in line_terms(text))``), made
        without a list per line. On folded ASCII text the words of every line are looked up at once, the
        line breaks among them."""
        prepared = self._prepared(text)
        if not prepared.isascii() and not _separates_only(prepared):
            return "\n".join([" ".join(terms) for terms in self.line_terms(text)])
        # a non-ASCII character here is a separator ("£", "•", "—"): encoded as "?", which becomes a space
        words = prepared.encode("ascii", "replace").translate(_ASCII_SEPARATORS).replace(b"\n", _MARKED_LINE_BREAK).decode("ascii").split()
        found: list[str | None] = list(map(self._cache.get, words))
        if None in found:
            for position, value in enumerate(found):
                if value is None:
                    found[position] = self._word_terms(words[position])
        # a word's terms never start or end with a space: each line break stands between single spaces
        return " ".join(filter(None, found)).replace(" \n", "\n").replace("\n ", "\n")

    def _word_terms(self, word: str) -> str:
        """The terms of a folded ASCII word (letters, digits, "." and ","), space-separated, remembered
        while the cache has room: a word is a token ("paris") or holds several or none ("paris.",
        "covid19", "..."), and a token's entry is its term, so the cache serves both."""
        if word.isalpha() or word.isdigit():
            return self._term(word)
        terms = []
        for token in _ASCII_TOKEN_RE.findall(word):
            term = self._cache.get(token)
            if term is None:
                term = self._term(token)
            if term:
                terms.append(term)
        value = " ".join(terms)
        if len(self._cache) < TERM_CACHE_SIZE:
            self._cache[word] = value
        return value

    def _prepared(self, text: str) -> str:
        """Folded text, negations expanded, possessives dropped and dotted acronyms joined: ready to be
        cut into tokens (as :meth:`_words` does)."""
        folded = fold(text)
        if "'" in folded or "’" in folded:  # each substitution only where its pattern can match
            if "'s" in folded or "’s" in folded:
                folded = _POSSESSIVE_RE.sub("", folded)
            if "n't" in folded or "n’t" in folded:
                folded = _NEGATION_RE.sub(_expand_negation, folded)
        if _DOTTED_HINT_RE.search(folded):
            folded = _DOTTED_ACRONYM_RE.sub(_undot, folded)
        return folded

    def _term(self, token: str) -> str:
        """The term of one token ("" for a stopword), remembered while the cache has room."""
        stop = self.stopwords
        if token in stop:
            term = ""
        else:
            word = _THOUSANDS_RE.sub("", token) if token[0].isdigit() and "," in token else token
            stem = self._stemmer.stemWord(word)
            term = stem[:MAX_TERM_LENGTH] if stem and stem not in stop else ""
        if len(self._cache) < TERM_CACHE_SIZE:
            self._cache[token] = term
        return term

    def _stems(self, words: list[str]) -> list[str]:
        """The terms of ``words``, position for position: stemmed, truncated, "" for a stopword stem."""
        stop = self.stopwords
        return [stem[:MAX_TERM_LENGTH] if stem and stem not in stop else "" for stem in self._stemmer.stemWords(words)]

    def tokens(self, text: str) -> list[Token]:
        """Terms with their original surface form (used to spot names in a question)."""
        surfaces: list[str] = []
        words: list[str] = []
        for surface in _TOKEN_RE.findall(_DOTTED_ACRONYM_RE.sub(_undot, text)):
            for word in self._words(surface):  # one word, or more when folding splits it ("½" → "1⁄2")
                surfaces.append(surface)
                words.append(word)
        # one stemming call for the whole text
        stems = self._stems(words)
        return [Token(surface=surface, term=term) for surface, term in zip(surfaces, stems, strict=True) if term]


@lru_cache(maxsize=1)
def default_analyzer() -> Analyzer:
    """A shared analyzer for code that does not need its own instance."""
    return Analyzer()
