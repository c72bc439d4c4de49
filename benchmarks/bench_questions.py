"""Seeded natural-language questions over a generated corpus (for latency benchmarks).

Questions are built from the corpus's own headlines and sentences, so they use its real names and
nouns and have answers in it: "What did Kone say about the council tax?", "How many subscribers did
AOL lose?"-style look-ups, "What is the latest on …?" headline questions, "Why …?" questions. They
are for timing, not for judging answer quality (see ``benchmarks/questions/`` for judged sets).

    python -m benchmarks.bench_questions --corpus benchmarks/.work/10k/articles --out questions.json
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
from pathlib import Path

log = logging.getLogger("benchmarks.bench_questions")

_SENTENCE_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'-]+")
_SAID_RE = re.compile(r"\b(?:(Mr|Ms|Mrs|Dr) )?([A-Z][a-z]+(?: [A-Z][a-z]+)?) (?:said|told|added|says)\b")
_NUMBER_RE = re.compile(r"\b\d[\d,.]*\b")

_FUNCTION_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers him his how i if in into is it its itself just me more most my no nor
    not now of off on once only or other our out over own said same says she should so some such than
    that the their them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your year years told added one two
    three four five six seven eight nine ten last first second new like well make made many much may
    might must still even already however although though yet another around able according""".split()
)


def _content_words(sentence: str) -> list[str]:
    return [w.strip("'-") for w in _WORD_RE.findall(sentence) if len(w) > 3 and w.lower() not in _FUNCTION_WORDS]


def _article_text(path: Path) -> tuple[str, list[str]]:
    """(title, body sentences) of a generated article (plain text or front-matter item)."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        meta, body = text[3:].split("\n---", 1)
        title_match = re.search(r'^title: "(.*)"$', meta, re.M)
        title = json.loads(f'"{title_match.group(1)}"') if title_match else ""
    else:
        title, _, body = text.partition("\n\n")
    sentences = [s.strip() for para in body.split("\n\n") for s in _SENTENCE_RE.split(" ".join(para.split()))]
    return title.strip(), [s for s in sentences if len(s.split()) >= 8]


def _phrase(rng: random.Random, words: list[str], low: int = 2, high: int = 4) -> str:
    """A few content words of a sentence, in their original order."""
    count = min(len(words), rng.randint(low, high))
    start = rng.randrange(0, max(1, len(words) - count + 1))
    return " ".join(words[start : start + count]).lower()


def make_question(rng: random.Random, title: str, sentences: list[str]) -> str | None:
    """One question from an article, or None when the article offers nothing usable."""
    if not sentences:
        return None
    sentence = rng.choice(sentences)
    words = _content_words(sentence)
    kind = rng.random()
    said = _SAID_RE.search(sentence)
    if said and kind < 0.3 and len(words) >= 3:
        name = " ".join(p for p in said.groups() if p)
        about = [w for w in words if w not in name.split()]
        return f"What did {name} say about {_phrase(rng, about, 2, 3)}?"
    if _NUMBER_RE.search(sentence) and kind < 0.5 and len(words) >= 3:
        return f"How many {_phrase(rng, words, 2, 4)}?"
    if kind < 0.65 and title:
        return f"What is the latest on {title.rstrip('.?!')}?"
    if kind < 0.8 and len(words) >= 3:
        return f"Why did {_phrase(rng, words, 3, 5)}?"
    if len(words) >= 2:
        return rng.choice(("What happened with", "Tell me about", "Any news on", "What is known about")) + (
            f" {_phrase(rng, words, 2, 4)}?"
        )
    return None


def make_questions(corpus: Path, count: int = 200, *, seed: int = 42) -> list[str]:
    """``count`` distinct questions over articles picked at random (seeded) from ``corpus``."""
    rng = random.Random(seed)
    files = sorted(p for p in Path(corpus).rglob("*") if p.suffix in (".txt", ".md"))
    if not files:
        raise ValueError(f"no articles in {corpus}")
    questions: list[str] = []
    seen: set[str] = set()
    attempts = 0
    while len(questions) < count and attempts < count * 50:
        attempts += 1
        title, sentences = _article_text(rng.choice(files))
        question = make_question(rng, title, sentences)
        if question and question.casefold() not in seen:
            seen.add(question.casefold())
            questions.append(question)
    return questions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    questions = make_questions(args.corpus, args.count, seed=args.seed)
    args.out.write_text(json.dumps(questions, indent=1, ensure_ascii=False))
    log.info("wrote %d questions to %s", len(questions), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
