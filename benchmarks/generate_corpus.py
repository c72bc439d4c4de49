"""Seeded generator of a large synthetic news corpus built from real news text.

The seed text is read at run time from ``../shared/corpora`` (never copied into the repository):

* **BBC News** (2,225 plain-text articles in five topical folders): sentences and paragraphs.
* **Smartable Power Apps** (192 YAML front-matter items): titles, excerpts, outlets, topics, dates.

Articles are written in the seeds' own formats, so they go through the bot's real ingest path:

* ``.txt`` plain-text articles like the BBC files — headline, blank line, paragraphs separated by
  blank lines;
* ``.md`` YAML front-matter items like the Smartable/seed items — ``title``, ``excerpt``,
  ``publishedDateTime``, ``webUrl``, ``provider``, ``topics`` — followed by a Markdown body.

Bodies recombine real sentences of one topical folder (runs of consecutive sentences from a few
source articles of the same topic, so passages stay topically coherent). To keep the term statistics
of a large collection realistic rather than a 2k-article vocabulary repeated many times over, proper
names are replaced, with some probability, by synthetic names drawn from an unbounded Zipfian pool
(so the vocabulary keeps growing with the corpus, Heaps-style) and numbers are perturbed. Article
lengths follow the BBC length distribution. Everything is driven by one ``random.Random(seed)``:
the same seed and size give byte-identical files.

    python -m benchmarks.generate_corpus --passages 10k --out benchmarks/.work/10k/articles
    python -m benchmarks.generate_corpus --passages 1m --out /tmp/corpus-1m --seed 7

The target is a number of *passages* (the bot splits articles into sentence-aware passages of about
40–80 words); the generator estimates passages from word counts, and the real count is whatever the
ingest produces (reported by the benchmark).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.progress import ProgressBar

log = logging.getLogger("benchmarks.generate_corpus")

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"

WORDS_PER_PASSAGE = 69.0
"""Average words per passage the bot's chunker produces on this text (calibrated on a 10k run)."""

FILES_PER_SHARD = 1000
YAML_SHARE = 0.15
"""Share of articles written as YAML front-matter items (the rest are BBC-style plain text)."""

NAME_SUBSTITUTION = 0.35
"""Probability that a mid-sentence capitalised word is replaced by a synthetic name."""

NUMBER_SUBSTITUTION = 0.5
"""Probability that a number is perturbed."""

NAME_PARETO_ALPHA = 0.6
"""Tail of the synthetic-name rank distribution: P(rank>k) ~ (k/NAME_PARETO_SCALE)^-alpha, i.e. a
Zipf law with s≈1.6 and a flat head, so names keep appearing as the corpus grows (Heaps β≈0.6)."""

NAME_PARETO_SCALE = 300
"""Lowest rank drawn: no single synthetic name becomes a stopword-frequency term."""

MAX_NAME_RANK = 50_000_000

_SENTENCE_RE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_TOKEN_RE = re.compile(r"\d[\d,.]*\d|\d|[A-Z][a-z]+(?:-[A-Z][a-z]+)?|\S+|\s+")
_NUMBER_RE = re.compile(r"\d[\d,.]*\d|\d")
_NAME_RE = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?")

# Capitalised words that are not names (kept as they are).
_KEEP_CAPITALISED = frozenset(
    """I The A An And But Or If In On At To Of For With By From As It Its He She They We You His Her Their
    Our This That These Those There Here When Where What Why How Who Which While After Before Since
    Mr Mrs Ms Dr Sir Lord Lady Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April May June July August September October November December Prime Minister President
    Chancellor Secretary Government Parliament Commons Labour Conservative Tory Tories Liberal Democrats
    European Union British Britain English England Scotland Scottish Wales Welsh Irish Ireland UK US BBC
    American America Chinese China French France German Germany Japan Japanese Indian India Russian Russia
    Microsoft Power Apps Azure Office Teams Windows""".split()
)

_SYLLABLES = (
    "ka ri to na mo le su vi da re lo ma ne ti sa ko ha ru mi ba do fe gi ja ke li mu no pe qui ro se "
    "ta ul va we xo ya ze an el in or us ar en il on ur ber dan mar tin son vel kor lan ris ton"
).split()

_ALPHABET_SIZE = len(_SYLLABLES)
_OUTLET_SUFFIXES = ("News", "Times", "Daily", "Post", "Review", "Wire", "Journal", "Herald")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def synthetic_name(rank: int) -> str:
    """A pronounceable, capitalised, deterministic name for a rank (1 → "Ka", 2 → "Ri", …)."""
    parts = []
    n = rank + _ALPHABET_SIZE  # at least two syllables
    while n:
        n, digit = divmod(n, _ALPHABET_SIZE)
        parts.append(_SYLLABLES[digit])
    return "".join(parts).capitalize()


@dataclass(slots=True)
class Sentence:
    """A seed sentence pre-split into pieces; ``names``/``numbers`` index the substitutable pieces."""

    pieces: list[str]
    names: list[int]
    numbers: list[int]
    words: int


def _compile_sentence(text: str) -> Sentence:
    pieces = _TOKEN_RE.findall(text)
    names: list[int] = []
    numbers: list[int] = []
    first_word = True
    for i, piece in enumerate(pieces):
        if piece.isspace():
            continue
        if _NUMBER_RE.fullmatch(piece):
            numbers.append(i)
        elif _NAME_RE.fullmatch(piece) and not first_word and piece not in _KEEP_CAPITALISED:
            names.append(i)
        first_word = False
    return Sentence(pieces=pieces, names=names, numbers=numbers, words=len(text.split()))


@dataclass(slots=True)
class SeedArticle:
    topic: str
    title: Sentence
    paragraphs: list[list[Sentence]]
    words: int


@dataclass(slots=True)
class SeedItem:
    """A Smartable front-matter item (metadata template)."""

    title: Sentence
    excerpt: Sentence | None
    outlet: str
    domain: str
    topics: list[str]
    published: datetime


@dataclass(slots=True)
class Seeds:
    articles_by_topic: dict[str, list[SeedArticle]] = field(default_factory=dict)
    items: list[SeedItem] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)  # words per BBC article


def load_seeds(corpora: Path = DEFAULT_CORPORA) -> Seeds:
    """Read and pre-split the BBC and Smartable seed corpora."""
    seeds = Seeds()
    bbc = corpora / "bbc"
    for folder in sorted(p for p in bbc.iterdir() if p.is_dir()):
        arts: list[SeedArticle] = []
        for path in sorted(folder.glob("*.txt")):
            text = _read_text(path).replace("\r\n", "\n")
            lines = text.split("\n")
            title = lines[0].strip()
            paragraphs = []
            for block in "\n".join(lines[1:]).split("\n\n"):
                block = " ".join(block.split())
                if block:
                    paragraphs.append([_compile_sentence(s) for s in _SENTENCE_RE.split(block) if s.strip()])
            if not title or not paragraphs:
                continue
            words = sum(s.words for p in paragraphs for s in p)
            arts.append(SeedArticle(folder.name, _compile_sentence(title), paragraphs, words))
            seeds.lengths.append(words)
        seeds.articles_by_topic[folder.name] = arts
    smartable = corpora / "smartable-powerapps"
    import yaml  # only needed here

    for path in sorted(smartable.glob("*.md")):
        text = _read_text(path)
        if not text.startswith("---"):
            continue  # README.md
        meta = yaml.safe_load(text.split("\n---", 1)[0][3:])
        provider = meta.get("provider") or {}
        published = meta.get("publishedDateTime")
        if isinstance(published, str):
            published = datetime.fromisoformat(published.replace("Z", "+00:00"))
        if not isinstance(published, datetime):
            published = datetime(2020, 6, 1, tzinfo=UTC)
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        excerpt = meta.get("excerpt")
        seeds.items.append(
            SeedItem(
                title=_compile_sentence(" ".join(str(meta["title"]).split())),
                excerpt=_compile_sentence(" ".join(str(excerpt).split())) if excerpt else None,
                outlet=str(provider.get("name") or "Smartable"),
                domain=str(provider.get("domain") or "smartable.ai"),
                topics=[str(t) for t in meta.get("topics") or []],
                published=published,
            )
        )
    log.info(
        "seeds: %d BBC articles in %d topics, %d Smartable items",
        sum(len(v) for v in seeds.articles_by_topic.values()), len(seeds.articles_by_topic), len(seeds.items),
    )
    return seeds


class Generator:
    """Deterministic article factory over loaded seeds."""

    def __init__(self, seeds: Seeds, seed: int = 42) -> None:
        self.seeds = seeds
        self.rng = random.Random(seed)
        self.topics = sorted(seeds.articles_by_topic)
        self._start = datetime(2004, 1, 1, tzinfo=UTC)

    # ---- text -----------------------------------------------------------------------------------
    def _name(self) -> str:
        rank = int(NAME_PARETO_SCALE * self.rng.paretovariate(NAME_PARETO_ALPHA))
        return synthetic_name(min(rank, MAX_NAME_RANK))

    def _number(self, original: str) -> str:
        digits = original.replace(",", "").replace(".", "")
        if len(digits) == 4 and original.isdigit() and original[:2] in ("19", "20"):  # a year
            return str(self.rng.randint(1990, 2026))
        value = self.rng.randint(1, 10 ** min(len(digits), 7))
        if "." in original and "," not in original:
            return f"{value / 10:.1f}"
        return f"{value:,}" if "," in original else str(value)

    def render(self, sentence: Sentence) -> str:
        if not sentence.names and not sentence.numbers:
            return "".join(sentence.pieces)
        pieces = sentence.pieces.copy()
        rnd = self.rng.random
        for i in sentence.names:
            if rnd() < NAME_SUBSTITUTION:
                pieces[i] = self._name()
        for i in sentence.numbers:
            if rnd() < NUMBER_SUBSTITUTION:
                pieces[i] = self._number(pieces[i])
        return "".join(pieces)

    # ---- articles -------------------------------------------------------------------------------
    def _body(self, topic: str, target_words: int) -> list[str]:
        """Paragraphs: runs of consecutive paragraphs from a few same-topic source articles."""
        pool = self.seeds.articles_by_topic[topic]
        paragraphs: list[str] = []
        words = 0
        while words < target_words:
            source = pool[self.rng.randrange(len(pool))]
            start = self.rng.randrange(len(source.paragraphs))
            run = self.rng.randint(2, 5)
            for para in source.paragraphs[start : start + run]:
                paragraphs.append(" ".join(self.render(s) for s in para))
                words += sum(s.words for s in para)
                if words >= target_words:
                    break
        return paragraphs

    def _target_words(self) -> int:
        return max(90, self.rng.choice(self.seeds.lengths))

    def _date(self) -> datetime:
        return self._start + timedelta(seconds=self.rng.randrange(22 * 365 * 86400))

    def plain_article(self) -> tuple[str, int]:
        """A BBC-style plain-text article and its word count."""
        topic = self.topics[self.rng.randrange(len(self.topics))]
        pool = self.seeds.articles_by_topic[topic]
        title = self.render(pool[self.rng.randrange(len(pool))].title)
        body = self._body(topic, self._target_words())
        text = title + "\n\n" + "\n\n".join(body) + "\n"
        return text, len(text.split())

    def yaml_item(self, index: int) -> tuple[str, int]:
        """A Smartable-style front-matter item with an excerpt and a Markdown body."""
        item = self.seeds.items[self.rng.randrange(len(self.seeds.items))]
        title = self.render(item.title)
        excerpt = self.render(item.excerpt) if item.excerpt else title
        if self.rng.random() < 0.5:  # a synthetic outlet keeps the outlet facet large and varied
            outlet = f"{self._name()} {self.rng.choice(_OUTLET_SUFFIXES)}"
            domain = outlet.lower().replace(" ", "") + ".com"
        else:
            outlet, domain = item.outlet, item.domain
        topic = "tech" if self.rng.random() < 0.6 else self.topics[self.rng.randrange(len(self.topics))]
        body = self._body(topic, self._target_words())
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "item"
        published = self._date().strftime("%Y-%m-%dT%H:%M:%SZ")
        topics = item.topics + ([topic.capitalize()] if self.rng.random() < 0.5 else [])
        lines = [
            "---",
            "category: news",
            f"title: {json.dumps(title, ensure_ascii=False)}",
            f"excerpt: {json.dumps(excerpt, ensure_ascii=False)}",
            f"publishedDateTime: {published}",
            f'webUrl: "https://{domain}/news/{index}-{slug}"',
            "type: article",
            f"quality: {self.rng.randint(1, 99)}",
            "",
            "provider:",
            f"  name: {json.dumps(outlet, ensure_ascii=False)}",
            f"  domain: {domain}",
            "",
            "topics:",
            *(f"  - {json.dumps(t, ensure_ascii=False)}" for t in topics),
            "---",
            "",
            "\n\n".join(body),
            "",
        ]
        text = "\n".join(lines)
        return text, len(excerpt.split()) + sum(len(p.split()) for p in body)

    def articles(self, target_passages: int) -> Iterator[tuple[str, str, int]]:
        """``(relative path, text, words)`` until about ``target_passages`` passages are produced."""
        words_needed = target_passages * WORDS_PER_PASSAGE
        words = 0
        index = 0
        while words < words_needed:
            shard = f"{index // FILES_PER_SHARD:04d}"
            if self.rng.random() < YAML_SHARE:
                text, count = self.yaml_item(index)
                name = f"{shard}/{index:07d}.md"
            else:
                text, count = self.plain_article()
                name = f"{shard}/{index:07d}.txt"
            words += count
            index += 1
            yield name, text, count


def parse_size(value: str) -> int:
    """``10k`` → 10,000; ``1m`` → 1,000,000; plain integers pass through."""
    value = value.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(value[-1:], 1)
    number = value[:-1] if factor != 1 else value
    return int(float(number) * factor)


def generate(
    out: Path, passages: int, *, seed: int = 42, corpora: Path = DEFAULT_CORPORA, progress: bool = True
) -> dict:
    """Write the corpus under ``out`` (sharded folders) plus ``manifest.json``; returns the manifest."""
    out = Path(out)
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("target_passages") == passages and manifest.get("seed") == seed:
            log.info("corpus already generated in %s (%d articles)", out, manifest["articles"])
            return manifest
        raise SystemExit(f"{out} holds a different corpus; choose another --out or delete it")
    started = time.perf_counter()
    generator = Generator(load_seeds(corpora), seed=seed)
    out.mkdir(parents=True, exist_ok=True)
    articles = words = nbytes = 0
    made_dirs: set[str] = set()
    bar = ProgressBar("generate", passages, unit=" passages") if progress else None
    for name, text, count in generator.articles(passages):
        shard = name.split("/", 1)[0]
        if shard not in made_dirs:
            (out / shard).mkdir(exist_ok=True)
            made_dirs.add(shard)
        data = text.encode("utf-8")
        (out / name).write_bytes(data)
        articles += 1
        words += count
        nbytes += len(data)
        if bar:
            bar.update(words / WORDS_PER_PASSAGE)
    if bar:
        bar.update(passages, force=True)
        bar.close()
    manifest = {
        "seed": seed,
        "target_passages": passages,
        "articles": articles,
        "words": words,
        "bytes": nbytes,
        "estimated_passages": int(words / WORDS_PER_PASSAGE),
        "seconds": round(time.perf_counter() - started, 2),
    }
    manifest_path.write_text(json.dumps(manifest, indent=2))
    log.info("generated %d articles (%d words, %.1f MB) in %.1f s", articles, words, nbytes / 1e6, manifest["seconds"])
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", default="10k", help="target passages: 10k, 100k, 1m or a number")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="folder holding bbc/ and smartable-powerapps/")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    generate(args.out, parse_size(args.passages), seed=args.seed, corpora=args.corpora)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
