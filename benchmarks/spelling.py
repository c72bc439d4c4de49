"""Typo tolerance at scale: build time, lookup latency and memory of ``retrieval.spelling``.

    python -m benchmarks.spelling                        # 1M passages (vocabulary ~2.5 min, cached)
    python -m benchmarks.spelling --passages 100k --compare
    python -m benchmarks.spelling --index benchmarks/.work/1m/newsbot/newsbot.db.index   # a real index

**Vocabulary.** ``benchmarks.generate_corpus``'s seeded generator (the corpus ``benchmarks.compare``
ingests) is run in memory; titles, excerpts and bodies go through the bot's chunker and analyzer, and
each term's doc freq is the number of passages holding it (1M passages: 1,000,593 passages, as the real
ingest makes). The vocabulary is cached in ``--workdir`` and saved as a *vocabulary-only* main
segment (the real terms and doc freqs, no postings: the speller reads nothing else), which a fresh
process opens with ``LiveIndex.load`` as the bot does. ``--index`` measures a real ingested index instead.

**Typos.** Terms drawn from the vocabulary in proportion to their doc freq (readers misspell the words
that are in the news), at least 4 letters, each given one random edit (deletion, insertion,
substitution or transposition) and terms of 8+ letters a second one half of the time; typos that are
themselves known terms are dropped. Each lookup is ``LiveIndex.correct`` (a speller for the current
snapshot, the known-term check, the search), timed three times; a typo's latency is the median of its
three. *Recovered* is the share corrected back to the term it came from.

**Measured in a fresh process:** opening the index, the lazy build on the first lookup (and its
memory: the arrays it keeps, the process's RSS growth, and the transient peak of a second build under
tracemalloc), the lookups with and without the
surface word, and adding one passage with a new term (a new delta: its lexicon is built on the next
lookup). ``--compare`` adds the alternatives considered: rapidfuzz scanning every term, and symspellpy
(precomputed deletes); and checks every candidate list against the full rapidfuzz scan.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from benchmarks.generate_corpus import (
    DEFAULT_CORPORA,
    Generator,
    load_seeds,
    parse_size,
)
from retrieval.analyzer import Analyzer
from retrieval.bm25 import BM25Params, Segment
from retrieval.index import LiveIndex
from retrieval.passages import chunk_passages
from retrieval.spelling import Lexicon, Speller, max_distance

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_WORKDIR = ROOT / "benchmarks" / ".work" / "spelling"
SWEEPS = 3


# ---- the vocabulary --------------------------------------------------------------------------------
def _title_and_body(name: str, text: str) -> tuple[str, str]:
    if not name.endswith(".md"):
        title, _, body = text.partition("\n\n")
        return title, body
    head, _, body = text[3:].partition("\n---\n")
    fields = dict(line.split(": ", 1) for line in head.splitlines() if line[:1].isalpha() and ": " in line)
    return json.loads(fields["title"]), json.loads(fields["excerpt"]) + "\n\n" + body


def build_vocabulary(passages: int, seed: int, corpora: Path) -> tuple[Counter[str], int]:
    """Doc freq of every analyzed term of the generated corpus, per passage, and the passage count."""
    generator = Generator(load_seeds(corpora), seed=seed)
    analyzer = Analyzer()
    doc_freq: Counter[str] = Counter()
    n_passages = 0
    for name, text, _ in generator.articles(passages):
        title, body = _title_and_body(name, text)
        title_terms = set(analyzer.terms(title))
        for chunk in chunk_passages(body):
            doc_freq.update(title_terms.union(analyzer.terms(chunk.text)))
            n_passages += 1
    return doc_freq, n_passages


def cached_vocabulary(workdir: Path, passages: int, seed: int, corpora: Path) -> tuple[dict[str, int], int]:
    path = workdir / f"vocab-{passages}-{seed}.tsv.gz"
    if not path.exists():
        started = time.perf_counter()
        doc_freq, n_passages = build_vocabulary(passages, seed, corpora)
        workdir.mkdir(parents=True, exist_ok=True)
        with gzip.open(path.with_suffix(".tmp"), "wt", encoding="utf-8") as out:
            out.write(f"#passages\t{n_passages}\n")
            out.writelines(f"{term}\t{df}\n" for term, df in sorted(doc_freq.items()))
        path.with_suffix(".tmp").rename(path)
        print(f"vocabulary: {len(doc_freq):,} terms of {n_passages:,} passages in {time.perf_counter() - started:.0f} s")
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        n_passages = int(next(lines).split("\t")[1])
        return {term: int(df) for term, df in (line.rstrip("\n").split("\t") for line in lines)}, n_passages


def save_vocabulary_index(directory: Path, doc_freq: dict[str, int], n_passages: int) -> None:
    """A ``LiveIndex`` directory whose main segment holds the terms and doc freqs, without postings."""
    if (directory / "CURRENT").exists():
        return
    terms = sorted(doc_freq)
    width = max(len(t.encode()) for t in terms)
    offsets = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum([doc_freq[t] for t in terms], out=offsets[1:])
    none = Segment.build([]).postings  # no postings: only the vocabulary and its offsets are read
    segment = Segment(
        vocab=np.array([t.encode() for t in terms], dtype=f"S{width}"), offsets=offsets,
        doc_keys=np.arange(1, n_passages + 1, dtype=np.int64), doc_lengths=np.ones(n_passages, np.int32),
        postings=replace(
            none, first_doc=np.zeros(len(terms), np.int32), gap_start=np.zeros(len(terms), np.int64),
            gap_width=np.ones(len(terms), np.uint8), max_impact=np.zeros(len(terms), np.float32),
        ),
        avgdl=1.0, params=BM25Params(),
    )
    segment.save(directory / "gen-vocabulary", extra={"watermark": n_passages})
    (directory / "CURRENT").write_text("gen-vocabulary")


def make_typos(doc_freq: dict[str, int], count: int, seed: int) -> list[tuple[str, str]]:
    """``(typo, intended term)`` pairs: frequent terms more often, one or two random edits each."""
    rng = random.Random(seed)
    words = [t for t in doc_freq if t.isalpha() and len(t) >= 4]
    weights = [doc_freq[t] for t in words]
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    typos: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(typos) < count:
        intended = rng.choices(words, weights)[0]
        typo = list(intended)
        for _ in range(2 if len(intended) >= 8 and rng.random() < 0.5 else 1):
            i = rng.randrange(len(typo) - 1)
            edit = rng.randrange(4)
            if edit == 0:
                del typo[i]
            elif edit == 1:
                typo.insert(i, rng.choice(alphabet))
            elif edit == 2:
                typo[i] = rng.choice(alphabet)
            else:
                typo[i], typo[i + 1] = typo[i + 1], typo[i]
        text = "".join(typo)
        if len(text) >= 4 and text not in doc_freq and text not in seen:
            seen.add(text)
            typos.append((text, intended))
    return typos


# ---- measuring (in a fresh process) ------------------------------------------------------------------
def rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1e3
    return {f"p{q}": round(float(np.percentile(ms, q)), 3) for q in (50, 95, 99)} | {"max": round(float(ms.max()), 3)}


def timed_lookups(index: LiveIndex, typos: list[tuple[str, str]], *, with_word: bool) -> tuple[list[float], list]:
    per_typo: list[list[float]] = [[] for _ in typos]
    answers: list = []
    for _ in range(SWEEPS):
        answers = []
        for i, (typo, _) in enumerate(typos):
            started = time.perf_counter()
            answers.append(index.correct(typo, typo if with_word else None))
            per_typo[i].append(time.perf_counter() - started)
    return [statistics.median(times) for times in per_typo], answers


def measure(directory: Path, typos: list[tuple[str, str]], compare: bool) -> dict:
    started = time.perf_counter()
    index = LiveIndex(directory)
    assert index.load(), f"no index in {directory}"
    result: dict = {"load_s": time.perf_counter() - started, "terms": len(index.speller().segments[0].vocab)}
    rss_before = rss_mb()
    started = time.perf_counter()
    [lexicon] = index.speller().lexicons()
    result["build_s"] = time.perf_counter() - started
    result["rss_growth_mb"] = rss_mb() - rss_before
    tracemalloc.start()  # a second build, for its allocations (tracemalloc slows the first one down)
    Lexicon(index.speller().segments[0])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result |= {"letter_terms": lexicon.size, "lexicon_mb": lexicon.nbytes / 1e6, "build_peak_mb": peak / 1e6}
    latencies, answers = timed_lookups(index, typos, with_word=False)
    result["lookup_ms"] = percentiles(latencies)
    result["recovered"] = sum(a == intended for a, (_, intended) in zip(answers, typos, strict=True)) / len(typos)
    result["corrected"] = sum(a is not None for a in answers) / len(typos)
    latencies, _ = timed_lookups(index, typos, with_word=True)
    result["lookup_with_word_ms"] = percentiles(latencies)

    key = index.watermark + 1
    index.add([(key, ["zyxwvutsr", *(intended for _, intended in typos[:69])])])  # one passage, a new term
    started = time.perf_counter()
    found = index.correct("zyxwvutrs")
    result["first_lookup_after_add_ms"] = (time.perf_counter() - started) * 1e3
    assert found == "zyxwvutsr", found
    if compare:
        result["compare"] = compare_alternatives(index.speller(), typos[:300])
    return result


def compare_alternatives(speller: Speller, typos: list[tuple[str, str]]) -> dict:
    """rapidfuzz over every term, and symspellpy, on the same typos; candidates checked against the scan."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    vocab = [raw.decode() for raw in speller.segments[0].vocab.tolist()]
    words = [t for t in vocab if t.isalpha()]
    out: dict = {}
    seconds, agree = [], 0
    for typo, _ in typos:
        k = max_distance(len(typo))
        started = time.perf_counter()
        scan = process.extract(typo, words, scorer=OSA.distance, score_cutoff=k, limit=None)
        seconds.append(time.perf_counter() - started)
        agree += {w: d for w, d, _ in scan if w != typo} == {s.term: s.distance for s in speller.suggestions(typo)}
    out["rapidfuzz_scan_ms"] = percentiles(seconds)
    out["candidates_equal_to_scan"] = agree / len(typos)
    try:
        from symspellpy import SymSpell, Verbosity
    except ImportError:
        out["symspellpy"] = "not installed (pip install symspellpy)"
        return out
    doc_freqs = speller.segments[0].offsets
    for prefix in (7, 5):
        rss_before = rss_mb()
        started = time.perf_counter()
        symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=prefix)
        for i, term in enumerate(vocab):
            if term.isalpha():
                symspell.create_dictionary_entry(term, int(doc_freqs[i + 1] - doc_freqs[i]))
        build_s = time.perf_counter() - started
        seconds = []
        for typo, _ in typos:
            started = time.perf_counter()
            symspell.lookup(typo, Verbosity.CLOSEST, max_edit_distance=max_distance(len(typo)))
            seconds.append(time.perf_counter() - started)
        out[f"symspellpy_prefix{prefix}"] = {
            "build_s": build_s, "rss_growth_mb": rss_mb() - rss_before, "lookup_ms": percentiles(seconds)
        }
        del symspell
    return out


# ---- the command ----------------------------------------------------------------------------------
def render(result: dict) -> str:
    ms, word_ms = result["lookup_ms"], result["lookup_with_word_ms"]
    lines = [
        f"vocabulary: {result['terms']:,} terms ({result['letter_terms']:,} letter terms)",
        f"open (LiveIndex.load): {result['load_s'] * 1e3:.1f} ms",
        (
            f"lazy build on first lookup: {result['build_s'] * 1e3:.0f} ms; lexicon {result['lexicon_mb']:.1f} MB, "
            f"transient peak {result['build_peak_mb']:.1f} MB, RSS +{result['rss_growth_mb']:.1f} MB"
        ),
        (
            f"LiveIndex.correct(term): p50 {ms['p50']:.3f} ms, p95 {ms['p95']:.3f} ms, p99 {ms['p99']:.3f} ms, "
            f"max {ms['max']:.3f} ms ({result['typos']:,} typos, median of {SWEEPS})"
        ),
        (
            f"LiveIndex.correct(term, word): p50 {word_ms['p50']:.3f} ms, p95 {word_ms['p95']:.3f} ms, "
            f"p99 {word_ms['p99']:.3f} ms, max {word_ms['max']:.3f} ms"
        ),
        f"recovered the intended term: {result['recovered']:.1%}; corrected at all: {result['corrected']:.1%}",
        (
            "first lookup after adding a passage (builds the new delta's lexicon): "
            f"{result['first_lookup_after_add_ms']:.2f} ms"
        ),
    ]
    if "compare" in result:
        cmp = result["compare"]
        lines.append(
            f"rapidfuzz scanning every term: p50 {cmp['rapidfuzz_scan_ms']['p50']:.2f} ms, "
            f"p95 {cmp['rapidfuzz_scan_ms']['p95']:.2f} ms; speller candidates equal to the scan: "
            f"{cmp['candidates_equal_to_scan']:.1%}"
        )
        for name, figures in cmp.items():
            if name.startswith("symspellpy"):
                lines.append(f"{name}: {figures}" if isinstance(figures, str) else (
                    f"{name}: build {figures['build_s']:.1f} s, RSS +{figures['rss_growth_mb']:.0f} MB, "
                    f"lookup p50 {figures['lookup_ms']['p50']:.3f} ms, p95 {figures['lookup_ms']['p95']:.3f} ms"
                ))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", default="1m", help="generated corpus size: 10k, 100k, 1m, …")
    parser.add_argument("--index", type=Path, help="measure this LiveIndex directory instead of a generated vocabulary")
    parser.add_argument("--typos", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--compare", action="store_true", help="also time a full rapidfuzz scan and symspellpy")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--measure", nargs=2, type=Path, metavar=("INDEX", "TYPOS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.measure:  # the child process
        directory, typo_file = args.measure
        typos = [tuple(line.split("\t")) for line in typo_file.read_text().splitlines()]
        result = measure(directory, typos, args.compare) | {"typos": len(typos)}
        print(json.dumps(result))
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.index:
        directory = args.index
        segment, _ = Segment.load(directory / (directory / "CURRENT").read_text().strip())
        offsets = np.asarray(segment.offsets)
        doc_freq = dict(zip((raw.decode() for raw in segment.vocab.tolist()), np.diff(offsets).tolist(), strict=True))
        label = str(directory)
    else:
        passages = parse_size(args.passages)
        doc_freq, n_passages = cached_vocabulary(args.workdir, passages, args.seed, args.corpora)
        directory = args.workdir / f"index-{passages}-{args.seed}"
        save_vocabulary_index(directory, doc_freq, n_passages)
        label = f"{n_passages:,} generated passages"
    typo_file = args.workdir / "typos.tsv"
    typo_file.write_text("".join(f"{typo}\t{intended}\n" for typo, intended in make_typos(doc_freq, args.typos, args.seed)))
    del doc_freq
    command = [sys.executable, "-m", "benchmarks.spelling", "--measure", str(directory), str(typo_file)]
    child = subprocess.run(command + (["--compare"] if args.compare else []), cwd=ROOT, check=True, capture_output=True, text=True)
    result = json.loads(child.stdout) | {"source": label}
    print(label)
    print(render(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
