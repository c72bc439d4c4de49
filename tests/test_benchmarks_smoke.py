"""CI smoke run of the speed benchmark: tiny corpus, every engine, end to end (no timing assertions).

The real figures come from ``python -m benchmarks.compare --size 10k|100k|1m`` (see
``benchmarks/README.md``); this only checks that the generator, the bot's ingest path, every
engine worker, the agreement check and the table still work together.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"

pytestmark = pytest.mark.skipif(
    not (CORPORA / "bbc").is_dir() or not (CORPORA / "smartable-powerapps").is_dir(),
    reason="seed corpora ../shared/corpora/{bbc,smartable-powerapps} not available",
)


def test_generator_is_seeded_and_uses_both_formats(tmp_path: Path) -> None:
    from benchmarks.generate_corpus import generate

    first = generate(tmp_path / "a", 300, seed=3, progress=False)
    second = generate(tmp_path / "b", 300, seed=3, progress=False)
    assert first["articles"] == second["articles"] > 0
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*") if p.name != "manifest.json")
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.*") if p.name != "manifest.json")
    assert files_a == files_b
    assert all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files_a)
    suffixes = {f.suffix for f in files_a}
    assert suffixes == {".txt", ".md"}
    item = next((tmp_path / "a" / f).read_text() for f in files_a if f.suffix == ".md")
    assert item.startswith("---\n") and "\ntitle: " in item and "\npublishedDateTime: " in item


def test_compare_smoke_run(tmp_path: Path) -> None:
    out_json = tmp_path / "run.json"
    completed = subprocess.run(
        [
            sys.executable, "-m", "benchmarks.compare", "--size", "3k", "--questions", "40",
            "--workdir", str(tmp_path), "--json", str(out_json), "--cli-runs", "1", "--importtime",
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=400, check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    table = completed.stdout
    for engine in ("newsbot", "tantivy", "bm25s", "rank_bm25"):
        assert f"| {engine} | 3k |" in table
    assert "Ratios" in table and "Top-10 agreement" in table
    result = json.loads(out_json.read_text())
    newsbot = result["engines"]["newsbot"]
    assert newsbot["passages"] > 1000 and newsbot["add_answerable"] and newsbot["add_top_hit_is_new"]
    assert not newsbot["add_rebuilt_index"]
    agreement = result["agreement"]["engines"]
    # The bot's index is exact BM25: the same top-10 as brute force (up to equal scores).
    assert agreement["newsbot"]["top10_up_to_ties"] == 1.0
    assert agreement["bm25s"]["top10_up_to_ties"] == 1.0
    assert result["agreement"]["full_run"]["newsbot"]["top10_up_to_ties"] == 1.0

    # Issue 17's table: fresh-process figures for every engine, the targets beside them (the install is opt-in).
    assert "| measured | newsbot | tantivy | bm25s | rank_bm25 | target | newsbot |" in table
    for command in ("seeds", "ask", "ask_no_rescan", "imports", "seeds_first_run"):
        figures = newsbot["cli"][command]
        assert figures["runs"] >= 1 and figures["cpu_s"] > 0 and 20 < figures["peak_rss_mb"] < 1000, command
    for engine in ("newsbot", "tantivy", "bm25s", "rank_bm25"):
        first = result["engines"][engine]["first_query"]
        assert first["wall_s"] > 0 and first["inside"]["hits"] == 10, engine
    rescan_row = next(line for line in table.splitlines() if "default rescan (nothing changed)" in line)
    assert "s wall" in rescan_row and "≤ 1 s" in rescan_row and ("met" in rescan_row)
    assert "install" not in result and "| Quickstart install" in table
    imports = result["importtime"]
    assert imports["modules"] > 50 and imports["top"][0]["name"] == "bot.commands"  # the core, imported by the CLI once its listing runs
    assert not {"discord", "aiohttp", "numba", "llvmlite"} & set(imports["watched_imported"])
    assert "`python -X importtime` of `newsbot ask`" in table

    # Where the serving process's time and memory go (benchmarks/serving.py), on the same store.
    serving = subprocess.run(
        [sys.executable, "-m", "benchmarks.serving", "--work", str(tmp_path / "3k")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert serving.returncode == 0, serving.stderr[-4000:]
    for stage in ("imports", "open", "retrieval sweeps", "ask sweeps"):
        assert f"== {stage}: RSS " in serving.stdout, stage
    searched = next(line for line in serving.stdout.splitlines() if line.startswith("== ask sweeps"))
    assert float(searched.split("index's mapped arrays ")[1].split()[0]) > 0  # the searches paged the index in
    for part in ("retrieval", "ask", "compose"):
        assert f"{part} CPU ms: p50 " in serving.stdout, part


def test_feed_benchmark_runs_end_to_end_on_a_few_feeds() -> None:
    import asyncio

    from benchmarks.feeds import run

    figures = asyncio.run(run(feeds=4, items=3, hosts=2, latency_samples=2))
    first, not_modified, changed, unchanged = figures["cycles"]
    assert first["results"] == {"new": 4, "items added": 12}
    assert not_modified["results"] == {"not modified": 4, "items added": 0}
    assert changed["results"] == {"new": 4, "items added": 4}
    assert unchanged["results"] == {"unchanged": 4, "items added": 0}
    assert figures["served_to_answerable_s"]["samples"] == 2 and figures["served_to_answerable_s"]["asked_and_cited"] == 2
