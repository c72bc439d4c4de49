"""The one command: newsbot vs tantivy, bm25s and rank-bm25 on a generated corpus, side by side.

    python -m benchmarks.compare --size 10k                  # ~1 min
    python -m benchmarks.compare --size 100k                 # ~10 min
    python -m benchmarks.compare --size 1m --json bench-1m.json
    python -m benchmarks.compare --size 10k --engines newsbot,bm25s --questions 50
    python -m benchmarks.compare --size 100k --install --importtime      # issue 17's whole table

Steps (each engine and phase in its own subprocess, so peak RSS is that engine's own):

1. generate the corpus (``benchmarks.generate_corpus``, cached in ``--workdir``) and 200 questions;
2. newsbot: full ingest through ``NewsService.ingest`` (the bot's real path: parse, chunk, analyze,
   SQLite store, BM25 segment persisted as .npy); start-up on the ingested store, with and without
   the incremental rescan of the corpus folder; retrieval and ``ask`` latency; adding one article;
3. the analyzed passages are exported from the bot's store; tantivy, bm25s and rank-bm25 index
   exactly those terms, and every engine analyzes the questions with the same analyzer;
4. top-10 agreement with an exact brute-force BM25 on a 10k-passage sample;
5. fresh processes, each command in turn, one untimed round then the median of ``--cli-runs``: ``newsbot ask`` on the bundled
   seeds and on the benchmark's store (default rescan and ``--no-rescan``), and every engine's first query
   (imports, open the index, one question: ``benchmarks.engines ENGINE first-query``); wall, CPU, peak RSS;
6. optional: ``--importtime`` (``python -X importtime`` of ``newsbot ask``, a short summary) and ``--install``
   (``pip install --no-cache-dir -e .`` and ``.[fast]`` into fresh venvs: ~40 s each);
7. issue 17's table (every figure beside its target, met or not for newsbot: ``benchmarks.targets``), then a
   table (engine, size, build s, load s, p50/p95 ms, peak RSS, index bytes) and the ratios.

rank-bm25 scores every document per query in Python: above 1.5 × ``--rank-bm25-max`` passages
(default 100k) it is measured on the first 100k passages and its build and query times are scaled linearly
to the full size (marked ``*`` in the table).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import coldstart  # noqa: E402
from benchmarks.bench_questions import make_questions  # noqa: E402
from benchmarks.generate_corpus import DEFAULT_CORPORA, generate, parse_size  # noqa: E402
from benchmarks.targets import render_issue_table  # noqa: E402

log = logging.getLogger("benchmarks.compare")

DEFAULT_WORKDIR = Path(__file__).resolve().parent / ".work"
ENGINES = ("newsbot", "tantivy", "bm25s", "rank_bm25")


def machine() -> dict:
    """Where the figures come from."""
    info: dict[str, object] = {
        "python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        info["cpu"] = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), "?")
        meminfo = Path("/proc/meminfo").read_text().splitlines()
        total_kb = next((int(ln.split()[1]) for ln in meminfo if ln.startswith("MemTotal")), 0)
        info["ram_gb"] = round(total_kb / 1024**2, 1)
    except OSError:
        pass
    versions = {}
    for module in ("numpy", "tantivy", "bm25s", "rank_bm25"):
        try:
            from importlib.metadata import version

            versions[module] = version(module.replace("_", "-"))
        except Exception:  # noqa: BLE001 - a missing package only loses its version line
            versions[module] = "?"
    info["versions"] = versions
    return info


def count_lines(path: Path) -> int:
    with open(path, encoding="utf-8") as handle:
        return sum(1 for _ in handle)


def run_worker(engine: str, phase: str, work: Path, *extra: str, timeout: float | None = None,
               env: dict[str, str] | None = None, tag: str = "") -> dict:
    """Run one ``benchmarks.engines`` worker in a fresh interpreter and return its JSON result; ``env``: variables
    set for it, ``tag``: what tells its result file from the same phase's without them."""
    result = work / "results" / f"{engine}-{phase}{tag}.json"
    result.unlink(missing_ok=True)
    command = [sys.executable, "-m", "benchmarks.engines", engine, phase, "--work", str(work), "--result", str(result), *extra]
    log.info("run %s %s%s", engine, phase, tag)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=ROOT, timeout=timeout, check=False,
                               env={**os.environ, **env} if env else None)
    if completed.returncode != 0 or not result.exists():
        raise RuntimeError(f"{engine} {phase} failed (exit {completed.returncode})")
    log.info("%s %s done in %.1fs", engine, phase, time.perf_counter() - started)
    return json.loads(result.read_text())


def time_fresh_processes(work: Path, engines: list[str], question: str, *, runs: int, rescan: bool) -> dict:
    """``newsbot ask`` (seeds, and this store with and without the rescan) and every engine's first query, each
    in a fresh process, all commands in turn ``runs`` times: {"cli": {name: summary}, "first_query": {engine: …}}."""
    commands: dict[str, list[str]] = {}
    if "newsbot" in engines:
        seeds_db = work / "seeds-store" / "newsbot.db"
        first = coldstart.prime_seeds_store(seeds_db)
        log.info("newsbot ask on the seeds, first run (ingests them): %.2f s", first.wall_s)
        commands |= {f"cli:{k}": v for k, v in coldstart.cli_commands(work, question, seeds_db=seeds_db, rescan=rescan).items()}
    for engine in engines:
        result = work / "results" / f"{engine}-first-query.json"
        commands[f"first_query:{engine}"] = [
            sys.executable, "-m", "benchmarks.engines", engine, "first-query", "--work", str(work), "--result", str(result),
        ]
    log.info("fresh processes: %d commands × %d runs", len(commands), runs)
    summaries = coldstart.time_interleaved(commands, runs)
    out: dict[str, dict] = {"cli": {}, "first_query": {}}
    for key, summary in summaries.items():
        kind, name = key.split(":", 1)
        if kind == "first_query":
            inside = work / "results" / f"{name}-first-query.json"
            summary |= {"inside": json.loads(inside.read_text())} if inside.exists() else {}
        out[kind][name] = summary
    if "newsbot" in engines:
        out["cli"]["seeds_first_run"] = coldstart.summarize([first])
    return out


def prepare(work: Path, passages: int, *, seed: int, questions: int, corpora: Path) -> dict:
    manifest = generate(work / "articles", passages, seed=seed, corpora=corpora)
    path = work / "questions.json"
    if not path.exists() or len(json.loads(path.read_text())) != questions:
        path.write_text(json.dumps(make_questions(work / "articles", questions, seed=seed), indent=1))
    return manifest


def run(args: argparse.Namespace) -> dict:
    target = parse_size(args.size)
    work = (args.workdir / args.size.lower()).resolve()
    work.mkdir(parents=True, exist_ok=True)
    (work / "results").mkdir(exist_ok=True)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    manifest = prepare(work, target, seed=args.seed, questions=args.questions, corpora=args.corpora)
    out: dict = {
        "load_average": {"start": os.getloadavg()[0]},
        "size": args.size,
        "target_passages": target,
        "corpus": manifest,
        "questions": args.questions,
        "machine": machine(),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "engines": {},
    }
    db = work / "newsbot" / "newsbot.db"
    if "newsbot" in engines:
        if args.reuse and db.exists() and (work / "passages.tsv").exists():
            log.info("reusing the ingested store in %s (build figures from the previous run)", db.parent)
            previous = work / "results" / "newsbot-build.json"
            build = json.loads(previous.read_text()) if previous.exists() else {}
        else:
            build = run_worker("newsbot", "build", work)
            run_worker("newsbot", "export", work)
        startup = run_worker("newsbot", "startup", work)
        background = run_worker("newsbot", "startup-background", work)
        rescan = run_worker("newsbot", "startup-rescan", work) if not args.skip_rescan else {}
        serve = run_worker("newsbot", "serve", work)
        # the default install has no Numba: its serving figures are the NumPy path's
        numpy_serve = run_worker("newsbot", "serve", work, env={"NEWSBOT_JIT": "0"}, tag="-numpy")
        out["engines"]["newsbot"] = {
            **build,
            **serve,
            "build_s": build.get("build_s"),
            "startup_s": startup["load_s"],
            "startup_first_query_ms": startup["first_query_ms"],
            "startup_rescan_s": rescan.get("load_s"),
            "startup_background_s": background["load_s"],
            "startup_background_first_ask_ms": background["first_ask_ms"],
            "background_rescan_s": background.get("background_rescan_s"),
            "peak_rss_build_mb": build.get("peak_rss_mb"),
            "peak_rss_mb": serve["peak_rss_mb"],
            "numpy": {key: numpy_serve.get(key) for key in ("peak_rss_mb", "p50_ms", "p95_ms", "ask")},
        }
    elif not (work / "passages.tsv").exists():
        raise SystemExit("passages.tsv is exported from the bot's store: run with the newsbot engine first")
    n_passages = count_lines(work / "passages.tsv")
    out["passages"] = n_passages
    for engine in engines:
        if engine == "newsbot":
            continue
        extra: list[str] = []
        scale = 1.0
        if engine == "rank_bm25" and n_passages > 1.5 * args.rank_bm25_max:
            extra = ["--limit", str(args.rank_bm25_max)]
            scale = n_passages / args.rank_bm25_max
        previous_build, previous_serve = (work / "results" / f"{engine}-{phase}.json" for phase in ("build", "serve"))
        if args.reuse and previous_build.exists() and previous_serve.exists():
            log.info("reusing the previous %s figures", engine)
            build, serve = json.loads(previous_build.read_text()), json.loads(previous_serve.read_text())
        else:
            build = run_worker(engine, "build", work, *extra)
            serve = run_worker(engine, "serve", work)
        record = {**build, **serve, "peak_rss_build_mb": build["peak_rss_mb"], "peak_rss_mb": serve["peak_rss_mb"]}
        if scale != 1.0:
            record["measured_passages"] = build["passages"]
            record["extrapolated_x"] = scale
            for key in ("build_s", "load_s", "p50_ms", "p95_ms", "mean_ms"):
                record[f"measured_{key}"] = record[key]
                record[key] = record[key] * scale
        for key in ("peak_rss_mb", "index_bytes", "peak_rss_build_mb"):
            if scale != 1.0:
                record[f"measured_{key}"] = record[key]
        out["engines"][engine] = record
    question = json.loads((work / "questions.json").read_text())[0]
    fresh = time_fresh_processes(work, engines, question, runs=args.cli_runs, rescan=not args.skip_rescan)
    for engine, summary in fresh["first_query"].items():
        out["engines"][engine]["first_query"] = summary
    if "newsbot" in engines:
        cli = fresh["cli"]
        out["engines"]["newsbot"]["cli"] = cli
        out["engines"]["newsbot"] |= {  # the flat keys of earlier runs' JSON
            "cli_ask_s": cli.get("ask", {}).get("wall_s"),
            "cli_ask_no_rescan_s": cli.get("ask_no_rescan", {}).get("wall_s"),
            "cli_imports_s": cli.get("imports", {}).get("wall_s"),
        }
        if args.importtime:
            seeds_db = work / "seeds-store" / "newsbot.db"
            command = coldstart.ask_command(seeds_db, coldstart.SEEDS, coldstart.SEEDS_QUESTION, python=("-X", "importtime"))
            out["importtime"] = coldstart.importtime(command, runs=max(args.cli_runs, 1))
        if args.install:
            out["install"] = coldstart.measure_install(ROOT, work)
    if not args.skip_agreement:
        out["agreement"] = run_worker("reference", "sample", work, "--sample", str(args.sample), "--engines", ",".join(engines))
    out["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    out["load_average"]["end"] = os.getloadavg()[0]
    return out


# ---- reporting -------------------------------------------------------------------------------------------
def _fmt(value: float | None, spec: str = ".2f", suffix: str = "") -> str:
    if value is None or value != value:
        return "—"
    return f"{value:{spec}}{suffix}"


def _bytes(value: float | None) -> str:
    if not value:
        return "—"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return "—"


def render(out: dict) -> str:
    """The comparison table, the ratios and the newsbot-specific figures, as Markdown."""
    size = out["size"]
    lines = [
        f"### {size}: {out.get('passages', 0):,} passages from {out['corpus']['articles']:,} articles, "
        f"{out['questions']} questions, top-{10}, one thread",
        "",
        *render_issue_table(out),
        "",
        *([*coldstart.render_importtime(out["importtime"]), ""] if out.get("importtime") else []),
        "| engine | size | build s | load s | p50 ms | p95 ms | peak RSS (serve) | peak RSS (build) | index bytes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, e in out["engines"].items():
        star = "*" if e.get("extrapolated_x") else ""
        lines.append(
            f"| {name}{star} | {size} | {_fmt(e.get('build_s'), '.1f')} | {_fmt(e.get('load_s'), '.3f')} "
            f"| {_fmt(e.get('p50_ms'), '.2f')} | {_fmt(e.get('p95_ms'), '.2f')} | {_fmt(e.get('peak_rss_mb'), ',.0f', ' MB')} "
            f"| {_fmt(e.get('peak_rss_build_mb'), ',.0f', ' MB')} | {_bytes(e.get('index_bytes'))} |"
        )
    for name, e in out["engines"].items():
        if e.get("extrapolated_x"):
            lines.append(
                f"\n\\* {name}: measured on the first {e['measured_passages']:,} passages "
                f"(p50 {e['measured_p50_ms']:.1f} ms, p95 {e['measured_p95_ms']:.1f} ms, build {e['measured_build_s']:.1f} s, "
                f"peak RSS {e['measured_peak_rss_mb']:,.0f} MB serve / {e['measured_peak_rss_build_mb']:,.0f} MB build); "
                f"times scaled ×{e['extrapolated_x']:.1f} to the full size (it scores every document, linear in N); "
                "RSS and bytes are as measured."
            )
    nb = out["engines"].get("newsbot")
    if nb:
        lines += ["", "Ratios (other engine ÷ newsbot; >1 means newsbot is better):", ""]
        lines.append("| vs | p50 | p95 | build | peak RSS (serve) |")
        lines.append("|---|---:|---:|---:|---:|")
        for name, e in out["engines"].items():
            if name == "newsbot":
                continue

            def ratio(key: str, e: dict = e) -> str:
                a, b = e.get(key), nb.get(key)
                return f"{a / b:.2f}×" if a and b else "—"

            lines.append(f"| {name} | {ratio('p50_ms')} | {ratio('p95_ms')} | {ratio('build_s')} | {ratio('peak_rss_mb')} |")
        rebuild = nb.get("index_rebuild_s")
        build = nb.get("build_s")
        ask = nb.get("ask", {})
        lines += [
            "",
            "newsbot (the bot's own code path):",
            "",
            f"- full ingest: {_fmt(build, '.1f', ' s')} — {nb.get('articles', 0):,} articles, {nb.get('passages', 0):,} passages: "
            f"{_fmt(nb.get('articles_per_s'), ',.0f')} articles/s, {_fmt(nb.get('passages_per_s'), ',.0f')} passages/s; "
            f"store {_bytes(nb.get('store_bytes'))}, peak RSS {_fmt(nb.get('peak_rss_build_mb'), ',.0f', ' MB')}",
            f"- index-only rebuild (compaction from the store): {_fmt(rebuild, '.2f', ' s')}",
            f"- start-up on the ingested store (open store + memory-map index): {_fmt(nb.get('startup_s'), '.3f', ' s')}"
            + (f" = {100 * nb['startup_s'] / build:.3f}% of the full ingest, {100 * nb['startup_s'] / rebuild:.2f}% of an index rebuild"
               if build and rebuild and nb.get('startup_s') else "")
            + f"; first query {_fmt(nb.get('startup_first_query_ms'), '.1f', ' ms')}",
            f"- the bot's start-up (`NewsService.open(background=True)`: ready to answer, the corpus folder rescanned "
            f"in the background): {_fmt(nb.get('startup_background_s'), '.3f', ' s')}"
            + (f" = {100 * nb['startup_background_s'] / rebuild:.2f}% of an index rebuild"
               if rebuild and nb.get('startup_background_s') else "")
            + f"; first `ask` during the rescan {_fmt(nb.get('startup_background_first_ask_ms'), '.1f', ' ms')}; "
            f"the rescan itself {_fmt(nb.get('background_rescan_s'), '.2f', ' s')}",
            f"- start-up including the incremental rescan of the corpus folder before returning (CLI commands): "
            f"{_fmt(nb.get('startup_rescan_s'), '.2f', ' s')}"
            + (f" = {100 * nb['startup_rescan_s'] / build:.2f}% of the full ingest" if build and nb.get('startup_rescan_s') else "")
            + (f", {100 * nb['startup_rescan_s'] / rebuild:.1f}% of an index rebuild" if rebuild and nb.get('startup_rescan_s') else ""),
            "- the real command `newsbot ask` in a fresh process (median): "
            f"{_fmt(nb.get('cli_ask_s'), '.2f', ' s')} wall with the rescan, "
            f"{_fmt(nb.get('cli_ask_no_rescan_s'), '.2f', ' s')} with `--no-rescan`; Python start-up and imports "
            f"{_fmt(nb.get('cli_imports_s'), '.2f', ' s')}",
            f"- add one article (median of {nb.get('add_cycles', 1)} add-and-remove cycles): {_fmt(nb.get('add_one_s'), '.3f', ' s')}"
            + (f" = {100 * nb['add_one_s'] / build:.2f}% of the full ingest, {100 * nb['add_one_s'] / rebuild:.1f}% of an index rebuild"
               if build and rebuild and nb.get('add_one_s') else "")
            + (f" (slowest {nb['add_one_max_s']:.3f} s)" if nb.get("add_one_max_s") else "")
            + f"; top hit is the new passage: {nb.get('add_top_hit_is_new')}, the answer cites it: "
            f"{nb.get('add_answerable')} (names the inventor: {nb.get('add_answer_names_inventor')}), "
            f"index rebuilt: {nb.get('add_rebuilt_index')}",
            "- compiled search kernels (Numba, loaded in the background from 1 s after start-up; searches use NumPy "
            "until then): "
            + ('ready ' + _fmt(nb.get('compile_s'), '.2f', ' s') + ' after start-up'
               if nb.get('compiled_search') else 'not used'),
            "- `ask` end to end (in-process, retrieve 20, hydrate, compose; a warm-up sweep, then the median of 3 "
            f"sweeps): p50 {_fmt(ask.get('p50_ms'), '.2f', ' ms')}, "
            f"p95 {_fmt(ask.get('p95_ms'), '.2f', ' ms')}"
            + (f" = {ask['p95_ms'] / nb['p50_ms']:.1f}× the retrieval p50" if ask.get("p95_ms") and nb.get("p50_ms") else "")
            + f"; abstained on {ask.get('abstained', 0)}/{ask.get('queries', 0)}",
        ]
    agree = out.get("agreement")
    if agree:
        lines += ["", f"Top-10 agreement with exact brute-force BM25 on a {agree['sample_passages']:,}-passage sample:", ""]
        lines.append("| engine | identical top-10 | identical up to score ties | mean overlap@10 |")
        lines.append("|---|---:|---:|---:|")
        for name, a in agree["engines"].items():
            lines.append(
                f"| {name} | {100 * a['exact_top10']:.1f}% | {100 * a['top10_up_to_ties']:.1f}% | {100 * a['mean_overlap_at_10']:.1f}% |"
            )
        full = agree.get("full_run")
        if full:
            lines += ["", "The whole collection fits the sample, so the timed runs' own top-10s were checked too: " + ", ".join(
                f"{name} {100 * a['top10_up_to_ties']:.1f}%" for name, a in full.items()
            ) + " identical up to score ties."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="10k", help="10k, 100k, 1m (passages) or a number")
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--sample", type=int, default=10_000, help="passages in the agreement sample")
    parser.add_argument("--rank-bm25-max", type=int, default=100_000)
    parser.add_argument(
        "--reuse", action="store_true",
        help="reuse the previous run's ingested store and build figures, and the other engines' figures "
        "(re-measures only newsbot start-up, serving and the agreement)",
    )
    parser.add_argument("--skip-rescan", action="store_true", help="skip the start-up-with-rescan measurement")
    parser.add_argument("--cli-runs", type=int, default=5, help="runs of each fresh-process command (median)")
    parser.add_argument("--importtime", action="store_true", help="`python -X importtime` of `newsbot ask` (summary)")
    parser.add_argument(
        "--install", action="store_true",
        help="time `pip install --no-cache-dir -e .` and `.[fast]` in fresh venvs (~40 s each; the venvs are removed)",
    )
    parser.add_argument("--skip-agreement", action="store_true")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    parser.add_argument("--render", type=Path, metavar="JSON", help="only print the table of a saved run")
    args = parser.parse_args(argv)
    if args.render:
        sys.stdout.write(render(json.loads(args.render.read_text())) + "\n")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    out = run(args)
    (Path(args.workdir) / args.size.lower() / "results" / "run.json").write_text(json.dumps(out, indent=1, default=float))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=float))
    sys.stdout.write(render(out) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
