"""Prototype: ``Analyzer.terms`` with a fast path, output identical to ``retrieval.analyzer``.

``bot.responder.compose_answer`` analyzes every sentence of up to 30 retrieved passages (and each
passage once more as a whole), so the analyzer's per-word Python loop dominates ``ask``: at 100k
passages 62 % of ``ask`` time is ``Analyzer.terms`` (cProfile). Most words have no digit and no
apostrophe; for them the per-word work reduces to a stopword test, which a list comprehension does
several times faster. Words with a digit or an apostrophe take the original path.

    python -m benchmarks.prototypes.fast_analyzer   # checks equality on generated text, times both
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from retrieval.analyzer import _THOUSANDS_RE, _TOKEN_RE, MAX_TERM_LENGTH, Analyzer, fold

_SPECIAL_RE = re.compile(r"[\d'’]")


class FastAnalyzer(Analyzer):
    """Same terms as :class:`retrieval.analyzer.Analyzer`, fewer Python operations per word."""

    def _words(self, text: str) -> list[str]:
        folded = fold(text)
        stopwords = self.stopwords
        tokens = _TOKEN_RE.findall(folded)
        if not _SPECIAL_RE.search(folded):  # the common case: plain words only
            return [t for t in tokens if t not in stopwords]
        words: list[str] = []
        for raw in tokens:
            if raw in stopwords:  # stopwords contain no digits or apostrophes
                continue
            first = raw[0]
            if first.isdigit():
                words.append(_THOUSANDS_RE.sub("", raw).rstrip(".,"))
            elif "'" in raw or "’" in raw:
                raw = raw.replace("’", "'")
                if raw.endswith("'s"):
                    raw = raw[:-2]
                words.extend(part for part in raw.split("'") if part and part not in stopwords)
            else:
                words.append(raw)
        return words

    def terms(self, text: str) -> list[str]:
        stems = self._stemmer.stemWords(self._words(text))
        stopwords = self.stopwords
        return [s if len(s) <= MAX_TERM_LENGTH else s[:MAX_TERM_LENGTH] for s in stems if s and s not in stopwords]


def main() -> int:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / ".work" / "100k" / "articles"
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.txt"))[:2000]]
    sentences = [s for t in texts for s in t.split(". ")]
    sentences += ["Don't say O'Neill's £2,000.50 deal isn't the U.S. firm’s 1,000,000th", "Café naïve façade’s 3.5%"]
    old, new = Analyzer(), FastAnalyzer()
    mismatches = [s for s in sentences if old.terms(s) != new.terms(s)]
    print(f"{len(sentences):,} sentences, {len(mismatches)} mismatches")
    for s in mismatches[:5]:
        print(repr(s), old.terms(s), new.terms(s))
    for name, analyzer in (("current", old), ("fast", new)):
        started = time.perf_counter()
        for s in sentences:
            analyzer.terms(s)
        elapsed = time.perf_counter() - started
        print(f"{name:8s} {elapsed:.3f} s  ({elapsed / len(sentences) * 1e6:.1f} µs/sentence)")
    return 0 if not mismatches else 1


if __name__ == "__main__":
    raise SystemExit(main())
