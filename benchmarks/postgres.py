"""PostgreSQL store against SQLite: ingest throughput, how soon a second process can answer what the
leader ingested, ``ask`` latency from a replica, and questions per second with one and two processes.

    python -m benchmarks.postgres --size 100k                 # ~5 min on 2 vCPUs
    python -m benchmarks.postgres --size 10k --questions 50   # ~1 min

The PostgreSQL server is ``--url`` (default ``NEWSBOT_TEST_POSTGRES`` or the local test database); the
run works in a schema of its own, dropped at the end. The corpus is the speed benchmark's generated
news (``benchmarks/generate_corpus.py``), shared with ``benchmarks.compare`` runs of the same size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_questions import make_questions  # noqa: E402
from benchmarks.generate_corpus import generate, parse_size  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.settings import Settings  # noqa: E402

log = logging.getLogger("benchmarks.postgres")

DEFAULT_URL = os.environ.get("NEWSBOT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _latencies(values: list[float]) -> dict[str, float]:
    return {"p50_ms": statistics.median(values), "p95_ms": _percentile(values, 0.95), "n": len(values)}


async def _ingest(settings: Settings) -> dict:
    started = time.perf_counter()
    async with await NewsService.open(settings, ingest=False) as service:
        report = await service.ingest()
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "passages": report.passages, "passages_per_s": report.passages / seconds}


async def _ask_latencies(service: NewsService, questions: list[str]) -> dict[str, float]:
    for question in questions:  # warm up: page cache, connections, the story cache
        await service.ask(question)
    timings = []
    for question in questions:
        started = time.perf_counter()
        await service.ask(question)
        timings.append((time.perf_counter() - started) * 1000)
    return _latencies(timings)


async def _propagation(leader: NewsService, follower: NewsService, extra: Path, rounds: int) -> dict:
    """Seconds from the leader starting to ingest one new article to the follower's index holding it."""
    extra.mkdir(parents=True, exist_ok=True)
    total, after_ingest = [], []
    for number in range(rounds):
        word = f"zqx{uuid.uuid4().hex[:8]}"
        path = extra / f"round-{number}-{word}.txt"
        path.write_text(f"Harbour ferry {word} opens\n\nThe {word} ferry crossed the harbour for the first time.\n")
        term = follower.analyzer.terms(word)[0]
        started = time.perf_counter()
        await leader.ingest([path])
        ingested = time.perf_counter()
        while follower.index.doc_freq(term) == 0:
            await asyncio.sleep(0.002)
        seen = time.perf_counter()
        total.append(seen - started)
        after_ingest.append(max(0.0, seen - ingested))
    return {
        "ingest_to_answerable_p50_s": statistics.median(total), "ingest_to_answerable_max_s": max(total),
        "after_leader_returned_p50_s": statistics.median(after_ingest), "rounds": rounds,
    }


def _qps(url: str, index_dirs: list[Path], questions: Path, seconds: float) -> float:
    """Questions per second answered by ``len(index_dirs)`` processes together."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "benchmarks.postgres", "--worker", url, str(index), str(questions), str(seconds)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        for index in index_dirs
    ]
    answered = sum(int(worker.communicate()[0].strip().splitlines()[-1]) for worker in workers)
    return answered / seconds


async def _worker(url: str, index: Path, questions_file: Path, seconds: float) -> int:
    """Ask questions round-robin for ``seconds`` (after a warm-up pass); print how many were answered."""
    questions = json.loads(questions_file.read_text())
    settings = Settings(seeds=(), db_url=url if url.startswith("postgres") else None,
                        db_path=Path(url), index_path=index)
    async with await NewsService.open(settings, ingest=False) as service:
        for question in questions:
            await service.ask(question)
        answered, deadline = 0, time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            await service.ask(questions[answered % len(questions)])
            answered += 1
    return answered


async def run(args: argparse.Namespace, url: str) -> dict:
    work = (Path(args.workdir) / f"pg-{args.size.lower()}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    manifest = generate(work / "articles", parse_size(args.size), seed=args.seed)
    questions = make_questions(work / "articles", args.questions, seed=args.seed)
    questions_file = work / "questions.json"
    questions_file.write_text(json.dumps(questions))
    for stale in ("sqlite", "leader.index", "follower.index", "q1.index", "q2.index", "extra"):
        shutil.rmtree(work / stale, ignore_errors=True)
    seeds = (work / "articles",)
    sqlite = Settings(seeds=seeds, db_path=work / "sqlite" / "newsbot.db")
    leader_settings = Settings(seeds=seeds, db_url=url, index_path=work / "leader.index")
    follower_settings = Settings(seeds=seeds, db_url=url, index_path=work / "follower.index")
    out: dict = {"size": args.size, "corpus": manifest, "questions": len(questions)}

    log.info("ingest into SQLite")
    out["ingest_sqlite"] = await _ingest(sqlite)
    log.info("ingest into PostgreSQL")
    out["ingest_postgres"] = await _ingest(leader_settings)

    async with await NewsService.open(sqlite, ingest=False) as single:
        out["ask_sqlite_single"] = await _ask_latencies(single, questions)
    async with await NewsService.open(leader_settings, ingest=False, background=True) as leader:
        started = time.perf_counter()
        async with await NewsService.open(follower_settings, ingest=False, background=True) as follower:
            out["replica_start_empty_index_s"] = time.perf_counter() - started  # index rebuilt from the store
            out["ask_postgres_replica"] = await _ask_latencies(follower, questions)
            out["propagation"] = await _propagation(leader, follower, work / "extra", args.rounds)
    for name in ("q1.index", "q2.index"):
        shutil.copytree(work / "follower.index", work / name)
    log.info("questions per second")
    out["qps_sqlite_1_process"] = _qps(str(sqlite.db_path), [work / "sqlite" / "newsbot.db.index"], questions_file,
                                       args.seconds)
    out["qps_postgres_1_process"] = _qps(url, [work / "q1.index"], questions_file, args.seconds)
    out["qps_postgres_2_processes"] = _qps(url, [work / "q1.index", work / "q2.index"], questions_file, args.seconds)
    return out


def render(out: dict) -> str:
    sqlite, postgres = out["ingest_sqlite"], out["ingest_postgres"]
    single, replica, prop = out["ask_sqlite_single"], out["ask_postgres_replica"], out["propagation"]
    return "\n".join([
        f"### {out['size']}: {postgres['passages']:,} passages, {out['questions']} questions",
        "",
        "| measure | SQLite | PostgreSQL |",
        "|---|---|---|",
        f"| full ingest, s | {sqlite['seconds']:.1f} | {postgres['seconds']:.1f} |",
        f"| ingest, passages/s | {sqlite['passages_per_s']:,.0f} | {postgres['passages_per_s']:,.0f} |",
        f"| ask p50 / p95, ms (single process / replica) | {single['p50_ms']:.2f} / {single['p95_ms']:.2f}"
        f" | {replica['p50_ms']:.2f} / {replica['p95_ms']:.2f} |",
        f"| questions/s, 1 process | {out['qps_sqlite_1_process']:.0f} | {out['qps_postgres_1_process']:.0f} |",
        f"| questions/s, 2 processes | | {out['qps_postgres_2_processes']:.0f} |",
        "",
        f"New article ingested by the leader, searchable in the second process: p50 "
        f"{prop['ingest_to_answerable_p50_s'] * 1000:.0f} ms, max {prop['ingest_to_answerable_max_s'] * 1000:.0f} ms "
        f"from the start of the leader's ingest ({prop['rounds']} rounds; "
        f"{prop['after_leader_returned_p50_s'] * 1000:.0f} ms p50 after the leader's ingest returned). "
        f"A replica started with no index builds it from the store in {out['replica_start_empty_index_s']:.1f} s.",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="100k", help="passages: 10k, 100k or a number")
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=10, help="articles timed from leader to replica")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each questions-per-second run")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--url", default=DEFAULT_URL)
    parser.add_argument("--workdir", default=str(ROOT / "benchmarks" / ".work"))
    parser.add_argument("--json", help="write every figure here")
    parser.add_argument("--worker", nargs=4, metavar=("URL", "INDEX", "QUESTIONS", "SECONDS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.worker:
        url, index, questions, seconds = args.worker
        print(asyncio.run(_worker(url, Path(index), Path(questions), float(seconds))))
        return 0
    log.setLevel(logging.INFO)
    import psycopg

    schema = f"newsbot_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in args.url else "?"
    try:
        out = asyncio.run(run(args, f"{args.url}{separator}options=-csearch_path%3D{schema}"))
    finally:
        with psycopg.connect(args.url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    print(render(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
