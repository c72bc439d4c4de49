"""Benchmark workers: one engine, one phase, in its own process (so peak RSS is that engine's own).

``benchmarks.compare`` runs these as subprocesses; each writes one JSON result file::

    python -m benchmarks.engines newsbot build     --work W --result R   # real ingest of W/articles
    python -m benchmarks.engines newsbot startup   --work W --result R   # NewsService.open on the store
    python -m benchmarks.engines newsbot serve     --work W --result R   # retrieve, ask, add one article
    python -m benchmarks.engines tantivy build     --work W --result R   # from W/passages.tsv
    python -m benchmarks.engines tantivy serve     --work W --result R
    python -m benchmarks.engines reference sample  --work W --result R   # top-10 agreement on a sample
    python -m benchmarks.engines bm25s first-query --work W --result R   # a fresh process: load, one question

Every engine indexes the *same passages with the same analyzed terms*: the bot's own ingest splits
and analyzes the articles into its store, and ``passages.tsv`` (passage id, space-joined terms) is
exported from that store for the other engines. Query terms come from the shared
``retrieval.analyzer.Analyzer`` for every engine, and the timed region of a query is the same
everywhere: analyze the question, search, return the top-10 passage ids.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import math
import os
import pickle
import shutil
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.progress import ProgressBar  # noqa: E402
from retrieval.analyzer import Analyzer  # noqa: E402

if TYPE_CHECKING:
    from bot.service import NewsService

log = logging.getLogger("benchmarks.engines")

K = 10
K1 = 1.2
B = 0.75
SAMPLE_PASSAGES = 10_000

Search = Callable[[str], list[int]]


# ---- measurement helpers ---------------------------------------------------------------------------
def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return math.nan


def dir_bytes(path: Path) -> int:
    path = Path(path)
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def served_index_bytes(index_dir: Path) -> int:
    """Bytes of the index the bot serves: the generation ``CURRENT`` names (a rebuild keeps the previous
    generation beside it, which counted twice when the build and the rebuild ran in different threads),
    or the whole folder when there is no pointer."""
    pointer = Path(index_dir) / "CURRENT"
    if pointer.exists():
        return dir_bytes(pointer.parent / pointer.read_text().strip()) + pointer.stat().st_size
    return dir_bytes(index_dir)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank-free linear-interpolated percentile (numpy's default)."""
    return float(np.percentile(np.asarray(values, dtype=np.float64), q)) if values else math.nan


TIMED_PASSES = 3
"""Timed sweeps over the questions; a question's latency is the median of its sweeps (these shared
VMs jitter by ±50 % from one sweep to the next). Every engine is timed the same way."""
ADD_CYCLES = 3
"""Times newsbot adds and removes one article; the median is reported (one disk write can stall)."""


def time_queries(search: Search, questions: Sequence[str], *, warmup: bool = True) -> tuple[dict, list[list[int]]]:
    """Run every question once to warm up (page cache, mmaps, caches), then TIMED_PASSES timed sweeps, one thread."""
    if warmup:
        for question in questions:
            search(question)
    runs: list[list[float]] = [[] for _ in questions]
    results: list[list[int]] = []
    for sweep in range(TIMED_PASSES):
        for number, question in enumerate(questions):
            started = time.perf_counter()
            ids = search(question)
            runs[number].append((time.perf_counter() - started) * 1000)
            if sweep == 0:
                results.append([int(i) for i in ids])
    return latency_summary([statistics.median(r) for r in runs]), results


def latency_summary(latencies_ms: Sequence[float]) -> dict:
    return {
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
        "mean_ms": statistics.fmean(latencies_ms) if latencies_ms else math.nan,
        "max_ms": max(latencies_ms) if latencies_ms else math.nan,
        "queries": len(latencies_ms),
    }


def read_passages(path: Path, limit: int | None = None) -> tuple[np.ndarray, list[list[str]]]:
    """``passages.tsv`` → (passage ids, analyzed terms per passage)."""
    ids: list[int] = []
    docs: list[list[str]] = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(ids) >= limit:
                break
            pid, _, terms = line.rstrip("\n").partition("\t")
            ids.append(int(pid))
            docs.append(terms.split())
    return np.asarray(ids, dtype=np.int64), docs


def load_questions(work: Path) -> list[str]:
    return json.loads((work / "questions.json").read_text())


# ---- newsbot: the bot's own code path ----------------------------------------------------------------
def _settings(work: Path):
    """The bot's settings for the benchmark's store; ``NEWSBOT_JIT=0`` measures the NumPy-only path (as
    without the ``fast`` extra)."""
    from bot.settings import Settings

    jit = os.environ.get("NEWSBOT_JIT", "1").strip().lower() not in {"0", "false", "no", "off"}
    return Settings(seeds=(work / "articles",), db_path=work / "newsbot" / "newsbot.db", jit=jit)


def _search_terms(index, terms: list[str], k: int = K) -> list[tuple[int, float]]:
    """``LiveIndex.search`` with analyzed terms (a Counter: works for term lists and term→weight maps)."""
    return index.search(Counter(terms), k)


async def newsbot_build(work: Path) -> dict:
    """Full ingest of the generated articles through ``NewsService.ingest`` into a fresh store."""
    from bot.service import NewsService

    settings = _settings(work)
    shutil.rmtree(settings.db_path.parent, ignore_errors=True)
    bar: ProgressBar | None = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = ProgressBar("ingest", total, unit=" files")
        bar.update(done, force=done == total)

    started = time.perf_counter()
    service = await NewsService.open(settings, ingest=False)
    try:
        report = await service.ingest([work / "articles"], progress=progress)
        ingest_s = time.perf_counter() - started
        if bar is not None:
            bar.close()
        rss_after_ingest = peak_rss_mb()
        rebuild_s, n_docs = await _timed_rebuild(service)  # what compaction costs
    finally:
        await service.close()
    articles = len(report.added) + len(report.updated)
    index_dir = settings.index_dir
    return {
        "engine": "newsbot",
        "build_s": ingest_s,
        "index_rebuild_s": rebuild_s,
        "articles": articles,
        "skipped": len(report.skipped),
        "stories": report.stories,
        "passages": report.passages,
        "indexed_passages": n_docs,
        "articles_per_s": articles / ingest_s,
        "passages_per_s": report.passages / ingest_s,
        "peak_rss_mb": peak_rss_mb(),
        "peak_rss_ingest_mb": rss_after_ingest,
        "index_bytes": served_index_bytes(index_dir),
        "index_dir_bytes": dir_bytes(index_dir),
        "store_bytes": sum(dir_bytes(p) for p in settings.db_path.parent.glob(settings.db_path.name + "*") if p.is_file()),
    }


async def _timed_rebuild(service: NewsService) -> tuple[float, int]:
    """An index-only rebuild from the store's analyzed terms: its seconds and the passages indexed."""
    started = time.perf_counter()
    await service.ingestor.rebuild_index()
    return time.perf_counter() - started, service.index.n_docs


async def newsbot_rebuild(work: Path) -> dict:
    """An index-only rebuild from the ingested store's analyzed terms, in a fresh process: its time, the
    process's peak RSS and the size of the new index generation."""
    from bot.service import NewsService

    settings = _settings(work)
    service = await NewsService.open(settings, ingest=False)  # an index in an older format is rebuilt here
    try:
        rss_open = peak_rss_mb()
        rebuild_s, n_docs = await _timed_rebuild(service)
    finally:
        await service.close()
    generation = settings.index_dir / (settings.index_dir / "CURRENT").read_text().strip()
    return {
        "engine": "newsbot",
        "index_rebuild_s": rebuild_s,
        "indexed_passages": n_docs,
        "peak_rss_open_mb": rss_open,
        "peak_rss_mb": peak_rss_mb(),
        "index_bytes": dir_bytes(generation),
        "index_files": {path.name: path.stat().st_size for path in sorted(generation.iterdir())},
    }


async def newsbot_startup(work: Path, *, mode: str) -> dict:
    """Start-up on an already-ingested store: open the store and memory-map the persisted index.

    ``mode``: ``"none"`` opens without looking at the corpus folder; ``"rescan"`` also runs the
    incremental ingest of the configured seed folder before returning (what CLI commands do);
    ``"background"`` is the bot's start-up: ready to answer at once, rescan in a background task
    (its duration is reported separately).
    """
    from bot.service import NewsService
    from retrieval import kernels

    settings = _settings(work)
    started = time.perf_counter()
    if mode == "background":  # as the bot opens it: kernels compile in the background too
        service = await NewsService.open(settings, background=True, compile_search=True)
    else:
        service = await NewsService.open(settings, ingest=mode == "rescan")
    open_s = time.perf_counter() - started
    try:
        terms = service.analyzer.terms("What did the minister say about the budget?")
        started = time.perf_counter()
        _search_terms(service.index, terms)
        first_query_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        answer = await service.ask("What did the minister say about the budget?")
        first_ask_ms = (time.perf_counter() - started) * 1000
        compiled_at_first_ask = kernels.ready() is not None
        rescan_s = None
        if service.compile_task is not None:
            await service.compile_task
        if service.rescan_task is not None:  # the bot answered the question above while this ran
            report = await service.rescan_task
            rescan_s = report.elapsed_s if report else None
        n_docs = service.index.n_docs
    finally:
        await service.close()
    return {
        "engine": "newsbot",
        "mode": mode,
        "load_s": open_s,
        "first_query_ms": first_query_ms,
        "first_ask_ms": first_ask_ms,
        "first_ask_abstained": answer.abstained,
        "compiled_at_first_ask": compiled_at_first_ask,
        "background_rescan_s": rescan_s,
        "indexed_passages": n_docs,
        "peak_rss_mb": peak_rss_mb(),
    }


_NEW_ARTICLE = """Zorblatt quantum kettle wins Glasgow innovation prize

The Zorblatt quantum kettle, a countertop appliance that boils water in four seconds, won the Glasgow
innovation prize on Tuesday. Its inventor, engineer Morwenna Quillfeather, said the prize money would
fund a factory in Paisley employing 120 people.

Judges praised the kettle's energy use, which they said was a third of a conventional model's. Retailers
expect the first Zorblatt kettles in shops before Christmas, priced at about £80.
"""


async def newsbot_serve(work: Path) -> dict:
    """Load the persisted index, time retrieval and ``ask`` over the questions, add one article."""
    from bot.service import NewsService

    settings = _settings(work)
    questions = load_questions(work)
    started = time.perf_counter()
    service = await NewsService.open(settings, ingest=False, compile_search=True)  # as the bot opens it
    load_s = time.perf_counter() - started
    try:
        # The bot answers at once and compiles its search kernels in the background; measure the
        # steady state it reaches a moment later (the compile time is reported).
        compiled = await service.compile_task if service.compile_task is not None else False
        compile_s = time.perf_counter() - started - load_s
        index, analyzer = service.index, service.analyzer

        def search(question: str) -> list[int]:
            return [pid for pid, _ in _search_terms(index, analyzer.terms(question))]

        retrieval, results = time_queries(search, questions)
        rss_retrieval = peak_rss_mb()

        # `ask` end to end, in-process: validate, analyze, retrieve, hydrate, compose (timed like retrieval:
        # one warm-up sweep over every question, then the timed sweeps).
        for question in questions:
            await service.ask(question)
        runs: list[list[float]] = [[] for _ in questions]
        abstained = 0
        for sweep in range(TIMED_PASSES):
            for number, question in enumerate(questions):
                started = time.perf_counter()
                answer = await service.ask(question)
                runs[number].append((time.perf_counter() - started) * 1000)
                abstained += bool(answer.abstained) if sweep == 0 else 0
        ask = latency_summary([statistics.median(r) for r in runs]) | {"abstained": abstained}

        # One new article, answerable without a rebuild; added and removed ADD_CYCLES times (one write can
        # stall on the disk: the median is the figure, the slowest is reported beside it).
        extra = work / "extra"
        article = extra / "zorblatt-kettle.txt"
        add_times, remove_times = [], []
        for cycle in range(ADD_CYCLES):
            shutil.rmtree(extra, ignore_errors=True)
            extra.mkdir()
            article.write_text(_NEW_ARTICLE, encoding="utf-8")
            before = index.n_docs
            started = time.perf_counter()
            report = await service.ingest([article])
            add_times.append(time.perf_counter() - started)
            if cycle == 0:
                hits = _search_terms(service.index, analyzer.terms("Who invented the Zorblatt quantum kettle?"))
                answer = await service.ask("Who invented the Zorblatt quantum kettle?")
                new_ids = {pid for pid, _ in hits if pid > index.watermark}  # delta passages: the new article's
                add: dict[str, float] = {
                    "add_rebuilt_index": report.index_rebuilt,
                    "add_passages": service.index.n_docs - before,
                    "add_top_hit_is_new": bool(hits) and hits[0][0] in new_ids,
                    # answerable: the answer quotes and cites the new article
                    "add_answerable": any(Path(c.story.source_file) == article.resolve() for c in answer.citations),
                    "add_answer_names_inventor": any("Quillfeather" in s.text for s in answer.sentences),
                }
            # Leave the store as it was: remove the article again (tombstones/delta, no rebuild).
            article.unlink()
            started = time.perf_counter()
            await service.ingest([extra])
            remove_times.append(time.perf_counter() - started)
        shutil.rmtree(extra, ignore_errors=True)
        add |= {
            "add_one_s": statistics.median(add_times), "add_one_max_s": max(add_times),
            "remove_one_s": statistics.median(remove_times), "add_cycles": ADD_CYCLES,
        }
        n_docs = index.n_docs
    finally:
        await service.close()
    (work / "results").mkdir(exist_ok=True)
    (work / "results" / "newsbot-top10.json").write_text(json.dumps(results))
    return {
        "engine": "newsbot",
        "load_s": load_s,
        "compiled_search": compiled,
        "compile_s": compile_s,
        **retrieval,
        "ask": ask,
        **add,
        "indexed_passages": n_docs,
        "peak_rss_retrieval_mb": rss_retrieval,
        "peak_rss_mb": peak_rss_mb(),
    }


def export_passages(work: Path) -> int:
    """Write ``passages.tsv`` (id, terms) from the bot's store, in id order; returns the count."""
    import sqlite3

    db = _settings(work).db_path
    out = work / "passages.tsv"
    tmp = out.with_suffix(".tmp")
    count = 0
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            cursor = connection.execute("SELECT id, terms FROM passages ORDER BY id")
            while rows := cursor.fetchmany(50_000):
                handle.writelines(f"{pid}\t{' '.join(terms.split())}\n" for pid, terms in rows)
                count += len(rows)
    finally:
        connection.close()
    os.replace(tmp, out)
    return count


# ---- baselines -----------------------------------------------------------------------------------------
class Baseline:
    """Build from analyzed passages, persist, load and search one of the comparison engines."""

    name = ""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.analyzer = Analyzer()

    def build(self, ids: np.ndarray, docs: list[list[str]]) -> None:
        raise NotImplementedError

    def load(self) -> None:
        raise NotImplementedError

    def search(self, question: str) -> list[int]:
        raise NotImplementedError


class TantivyEngine(Baseline):
    """tantivy (Rust, Lucene-like BM25 k1=1.2 b=0.75) over pre-analyzed terms, whitespace tokenizer."""

    name = "tantivy"

    def _schema(self):
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_integer_field("id", stored=True, indexed=False, fast=True)
        builder.add_text_field("body", stored=False, tokenizer_name="whitespace", index_option="freq")
        return builder.build()

    def build(self, ids: np.ndarray, docs: list[list[str]]) -> None:
        import tantivy

        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        index = tantivy.Index(self._schema(), path=str(self.directory))
        writer = index.writer(heap_size=512_000_000, num_threads=1)
        for pid, terms in zip(ids.tolist(), docs, strict=True):
            writer.add_document(tantivy.Document(id=pid, body=" ".join(terms)))
        writer.commit()
        writer.wait_merging_threads()

    def load(self) -> None:
        import tantivy

        self._tantivy = tantivy
        self.index = tantivy.Index.open(str(self.directory))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def search(self, question: str) -> list[int]:
        tv = self._tantivy
        terms = self.analyzer.terms(question)
        if not terms:
            return []
        query = tv.Query.boolean_query(
            [(tv.Occur.Should, tv.Query.term_query(self.schema, "body", term)) for term in terms]
        )
        hits = self.searcher.search(query, K).hits
        return [self.searcher.doc(address)["id"][0] for _, address in hits]


class Bm25sEngine(Baseline):
    """bm25s (NumPy sparse, eager scores) with method="lucene", k1=1.2, b=0.75, same terms."""

    name = "bm25s"

    def build(self, ids: np.ndarray, docs: list[list[str]]) -> None:
        import bm25s

        shutil.rmtree(self.directory, ignore_errors=True)
        retriever = bm25s.BM25(method="lucene", k1=K1, b=B)
        retriever.index(docs, show_progress=False)
        retriever.save(str(self.directory))
        np.save(self.directory / "passage_ids.npy", ids)

    def load(self) -> None:
        import bm25s

        self.retriever = bm25s.BM25.load(str(self.directory), show_progress=False)
        self.ids = np.load(self.directory / "passage_ids.npy")
        self.vocab = self.retriever.vocab_dict

    def search(self, question: str) -> list[int]:
        terms = [t for t in self.analyzer.terms(question) if t in self.vocab]
        if not terms:
            return []
        docs, scores = self.retriever.retrieve([terms], k=min(K, len(self.ids)), show_progress=False, n_threads=0)
        return [int(self.ids[d]) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]


class RankBm25Engine(Baseline):
    """rank_bm25 ``BM25Okapi`` (pure Python/NumPy, scores every document), k1=1.2, b=0.75, pickled."""

    name = "rank_bm25"

    def build(self, ids: np.ndarray, docs: list[list[str]]) -> None:
        from rank_bm25 import BM25Okapi

        shutil.rmtree(self.directory, ignore_errors=True)
        self.directory.mkdir(parents=True)
        model = BM25Okapi(docs, k1=K1, b=B)
        with open(self.directory / "bm25okapi.pkl", "wb") as handle:
            pickle.dump((model, ids), handle, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self) -> None:
        with open(self.directory / "bm25okapi.pkl", "rb") as handle:
            self.model, self.ids = pickle.load(handle)

    def search(self, question: str) -> list[int]:
        terms = self.analyzer.terms(question)
        if not terms:
            return []
        scores = self.model.get_scores(terms)
        k = min(K, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.lexsort((top, -scores[top]))]
        return [int(self.ids[i]) for i in top]


BASELINES: dict[str, type[Baseline]] = {e.name: e for e in (TantivyEngine, Bm25sEngine, RankBm25Engine)}


def baseline_build(engine: str, work: Path, limit: int | None) -> dict:
    ids, docs = read_passages(work / "passages.tsv", limit)
    gc.collect()
    rss_before = current_rss_mb()
    impl = BASELINES[engine](work / engine)
    started = time.perf_counter()
    impl.build(ids, docs)
    build_s = time.perf_counter() - started
    return {
        "engine": engine,
        "passages": len(ids),
        "build_s": build_s,
        "peak_rss_mb": peak_rss_mb(),
        "rss_passages_in_memory_mb": rss_before,
        "index_bytes": dir_bytes(impl.directory),
    }


def baseline_serve(engine: str, work: Path) -> dict:
    questions = load_questions(work)
    impl = BASELINES[engine](work / engine)
    started = time.perf_counter()
    impl.load()
    load_s = time.perf_counter() - started
    summary, results = time_queries(impl.search, questions, warmup=engine != "rank_bm25")
    (work / "results").mkdir(exist_ok=True)
    (work / "results" / f"{engine}-top10.json").write_text(json.dumps(results))
    return {"engine": engine, "load_s": load_s, **summary, "peak_rss_mb": peak_rss_mb()}


def first_query(engine: str, work: Path) -> dict:
    """A fresh process's first answer: import the engine, open its persisted index, run one question.

    ``benchmarks.compare`` times the whole process from outside (interpreter start-up included); this
    reports the parts inside it (``import_s``: before opening; the baselines import their library while
    opening). newsbot opens its store as a CLI command does (no rescan, no compiler).
    """
    started = time.perf_counter()
    question = load_questions(work)[0]
    if engine == "newsbot":
        from bot.service import NewsService

        imported = time.perf_counter()

        async def open_and_search() -> tuple[float, list[int]]:
            service = await NewsService.open(_settings(work), ingest=False)
            opened = time.perf_counter()
            try:
                return opened, [pid for pid, _ in _search_terms(service.index, service.analyzer.terms(question))]
            finally:
                await service.close()

        loaded, ids = asyncio.run(open_and_search())
    else:
        impl = BASELINES[engine](work / engine)
        imported = time.perf_counter()
        impl.load()
        loaded = time.perf_counter()
        ids = impl.search(question)
    done = time.perf_counter()
    return {
        "engine": engine,
        "import_s": imported - started,
        "load_s": loaded - imported,
        "query_ms": (done - loaded) * 1000,
        "hits": len(ids),
        "peak_rss_mb": peak_rss_mb(),
    }


# ---- reference scoring and agreement ---------------------------------------------------------------------
class ExactBM25:
    """Brute-force BM25 in float64 (Lucene IDF ``log(1 + (N − n + .5)/(n + .5))``, k1=1.2, b=0.75).

    Every document is scored; ties are broken by passage id. This is the definition the engines are
    checked against.
    """

    def __init__(self, ids: np.ndarray, docs: list[list[str]], k1: float = K1, b: float = B) -> None:
        self.ids = ids
        self.n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        avgdl = lengths.mean() if self.n else 1.0
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        raw: dict[str, tuple[list[int], list[int]]] = {}
        for local, terms in enumerate(docs):
            for term, count in Counter(terms).items():
                entry = raw.setdefault(term, ([], []))
                entry[0].append(local)
                entry[1].append(count)
        norm = k1 * (1 - b + b * lengths / avgdl)
        for term, (locs, tfs) in raw.items():
            loc = np.asarray(locs, dtype=np.int64)
            tf = np.asarray(tfs, dtype=np.float64)
            self.postings[term] = (loc, tf * (k1 + 1) / (tf + norm[loc]))

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float64)
        for term, count in Counter(terms).items():
            if term not in self.postings:
                continue
            loc, impact = self.postings[term]
            idf = math.log1p((self.n - len(loc) + 0.5) / (len(loc) + 0.5))
            out[loc] += count * idf * impact
        return out

    def top(self, terms: Sequence[str], k: int = K) -> tuple[list[int], np.ndarray]:
        """Top-k passage ids (score > 0) and the full score vector."""
        scores = self.scores(terms)
        order = np.lexsort((self.ids, -scores))[:k]
        order = order[scores[order] > 0]
        return [int(self.ids[i]) for i in order], scores


def agreement(
    reference: ExactBM25, questions: Sequence[str], results: Sequence[Sequence[int]], analyzer: Analyzer
) -> dict:
    """How often an engine's top-10 equals the reference's, exactly and up to score ties.

    "Up to ties" accepts a different id only where the reference scores it equal (within 1e-6
    relative, float32 impacts) to the 10th best score, i.e. where any order is correct.
    """
    position = {int(pid): i for i, pid in enumerate(reference.ids.tolist())}
    exact = tied = 0
    overlap = 0.0
    mismatches: list[dict] = []
    for question, got in zip(questions, results, strict=True):
        terms = analyzer.terms(question)
        want, scores = reference.top(terms)
        got = [int(g) for g in got][:K]
        if got == want:
            exact += 1
            tied += 1
            overlap += 1.0
            continue
        overlap += len(set(got) & set(want)) / max(len(want), 1)
        if len(got) == len(want) and want:
            tol = 1e-6 * max(abs(scores).max(), 1.0)
            got_scores = np.array([scores[position[g]] if g in position else -1.0 for g in got])
            want_scores = np.array([scores[position[w]] for w in want])
            if np.allclose(np.sort(got_scores), np.sort(want_scores), atol=tol) and len(set(got)) == len(got):
                tied += 1
                continue
        if len(mismatches) < 5:
            mismatches.append({"question": question, "want": want, "got": got})
    n = max(len(questions), 1)
    return {
        "queries": len(questions),
        "exact_top10": exact / n,
        "top10_up_to_ties": tied / n,
        "mean_overlap_at_10": overlap / n,
        "mismatch_examples": mismatches,
    }


def reference_sample(work: Path, sample: int, engines: Sequence[str]) -> dict:
    """Top-10 agreement with :class:`ExactBM25` on the first ``sample`` passages.

    The bot's own index code (``retrieval.index.LiveIndex``: build, persist, memory-map, MaxScore
    search) is built over the sample; the baselines are built over it too. When the whole collection
    is no larger than the sample, the full-run results of every engine are checked as well.
    """
    from retrieval.index import LiveIndex

    questions = load_questions(work)
    analyzer = Analyzer()
    ids, docs = read_passages(work / "passages.tsv", sample)
    reference = ExactBM25(ids, docs)
    out: dict = {"sample_passages": len(ids), "engines": {}}
    tmp = work / "sample-indexes"
    shutil.rmtree(tmp, ignore_errors=True)
    live = LiveIndex(tmp / "newsbot")
    live.rebuild(zip(ids.tolist(), docs, strict=True), watermark=int(ids[-1]))
    live = LiveIndex(tmp / "newsbot")
    live.load()
    results = [[pid for pid, _ in _search_terms(live, analyzer.terms(q))] for q in questions]
    out["engines"]["newsbot"] = agreement(reference, questions, results, analyzer)
    for engine in engines:
        if engine == "newsbot" or engine not in BASELINES:
            continue
        impl = BASELINES[engine](tmp / engine)
        impl.build(ids, docs)
        impl.load()
        out["engines"][engine] = agreement(reference, questions, [impl.search(q) for q in questions], analyzer)
    with open(work / "passages.tsv", encoding="utf-8") as handle:
        total = sum(1 for _ in handle)
    if total <= sample:
        out["full_run"] = {}
        for engine in engines:
            path = work / "results" / f"{engine}-top10.json"
            if path.exists():
                out["full_run"][engine] = agreement(reference, questions, json.loads(path.read_text()), analyzer)
    shutil.rmtree(tmp, ignore_errors=True)
    return out


# ---- entry point --------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("engine", choices=["newsbot", "reference", *BASELINES])
    parser.add_argument("phase", choices=[
        "build", "rebuild", "startup", "startup-rescan", "startup-background", "serve", "export", "sample",
        "first-query",
    ])
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=None, help="index only the first N passages")
    parser.add_argument("--sample", type=int, default=SAMPLE_PASSAGES)
    parser.add_argument("--engines", default="newsbot,tantivy,bm25s,rank_bm25")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("benchmarks").setLevel(logging.INFO)
    work: Path = args.work
    if args.phase == "first-query" and args.engine != "reference":
        result = first_query(args.engine, work)
    elif args.engine == "newsbot":
        if args.phase == "build":
            result = asyncio.run(newsbot_build(work))
        elif args.phase == "rebuild":
            result = asyncio.run(newsbot_rebuild(work))
        elif args.phase == "startup":
            result = asyncio.run(newsbot_startup(work, mode="none"))
        elif args.phase == "startup-rescan":
            result = asyncio.run(newsbot_startup(work, mode="rescan"))
        elif args.phase == "startup-background":
            result = asyncio.run(newsbot_startup(work, mode="background"))
        elif args.phase == "serve":
            result = asyncio.run(newsbot_serve(work))
        elif args.phase == "export":
            result = {"passages": export_passages(work)}
        else:
            parser.error(f"newsbot has no phase {args.phase}")
    elif args.engine == "reference":
        result = reference_sample(work, args.sample, args.engines.split(","))
    elif args.phase == "build":
        result = baseline_build(args.engine, work, args.limit)
    elif args.phase == "serve":
        result = baseline_serve(args.engine, work)
    else:
        parser.error(f"{args.engine} has no phase {args.phase}")
    args.result.parent.mkdir(parents=True, exist_ok=True)
    args.result.write_text(json.dumps(result, indent=1, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
