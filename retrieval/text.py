"""Decoding and normalising article text."""

from __future__ import annotations

import html
import re
import unicodedata

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\ufeff": "",
    }
)
_QUOTE_PAIRS = tuple((chr(code), out or "") for code, out in _QUOTES.items())
"""The same replacements, one ``str.replace`` each: far faster than ``str.translate`` with a mapping on
non-ASCII text (a dictionary lookup per character), and skipped when the character is absent."""
_SPACES = re.compile(r"[ \t\f\v]+")
_LINE_EDGES = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")


class NotText(ValueError):
    """The bytes are not a text article (binary data)."""


def decode(data: bytes) -> tuple[str, str]:
    """Decode file bytes as UTF-8, falling back to cp1252/latin-1. Returns (text, encoding)."""
    if b"\x00" in data[:8192]:
        raise NotText("binary file (NUL bytes)")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def straighten(text: str) -> str:
    """Straight quotes and plain spaces (``text.translate(_QUOTES)``, faster)."""
    for char, replacement in _QUOTE_PAIRS:
        if char in text:
            text = text.replace(char, replacement)
    return text


def normalise(text: str) -> str:
    """NFC, straight quotes, single spaces, at most one blank line between paragraphs.

    Each rewrite runs only when the text holds what it rewrites (a substring test is a fast scan; a
    regular expression substitution that rewrites every single space is ~100× slower): ingest
    normalises every article two or three times."""
    if "&" in text:  # HTML entities in feed excerpts: "we&#8217;re", "R&amp;D"
        text = html.unescape(text)
    if not text.isascii():
        text = straighten(unicodedata.normalize("NFC", text))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "  " in text or "\t" in text or "\f" in text or "\v" in text:
        text = _SPACES.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _LINE_EDGES.sub("\n", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def normalise_inline(text: str) -> str:
    """Normalise and fold all whitespace into single spaces (titles, excerpts)."""
    return " ".join(normalise(text).split())


_COMBINING = re.compile(r"[\u0300-\u036f]+")
_WORD = re.compile(r"\w+")


def title_key(title: str) -> str:
    """A comparison key for titles: folded, punctuation-free, single-spaced."""
    folded = straighten(title).casefold()
    if not folded.isascii():
        folded = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return " ".join(_WORD.findall(folded))
