"""The pieces of ``benchmarks.compare``'s issue-17 report that need no corpus: fresh-process timing, the
``-X importtime`` summary, the fresh-venv install and the table of targets (the smoke run covers them end to end)."""

from __future__ import annotations

import sys
from pathlib import Path

from benchmarks import coldstart, targets
from benchmarks.coldstart import ProcessRun, parse_importtime, run_timed, summarize, summarize_imports


def test_a_fresh_process_reports_its_own_peak_rss_and_cpu_time_not_this_processs() -> None:
    ballast = bytearray(300 * 2**20)  # this process is now far bigger than a bare interpreter
    ballast[:: 4096] = b"x" * len(ballast[:: 4096])
    small = run_timed([sys.executable, "-c", "pass"])
    big = run_timed([sys.executable, "-c", "b = bytearray(200 * 2**20); b[::4096] = b'x' * len(b[::4096])"])
    busy = run_timed([sys.executable, "-c", "import sys; sum(range(60_000_000)); sys.exit(3)"])  # ~0.6 s: well over 0.2
    assert small.returncode == 0 and small.peak_rss_mb < 100 < 200 <= big.peak_rss_mb < 300
    assert busy.returncode == 3 and busy.cpu_s > 0.2 and busy.wall_s >= busy.cpu_s * 0.5
    assert small.cpu_s < busy.cpu_s
    del ballast


def test_commands_run_in_turn_and_a_failing_one_is_left_out(tmp_path: Path) -> None:
    trace = tmp_path / "trace"
    step = "import sys; open(sys.argv[1], 'a').write(sys.argv[2])"
    commands = {
        "a": [sys.executable, "-c", step, str(trace), "a"],
        "b": [sys.executable, "-c", step, str(trace), "b"],
        "broken": [sys.executable, "-c", "raise SystemExit(2)"],
    }
    summaries = coldstart.time_interleaved(commands, 3, warmup=False)
    assert trace.read_text() == "ababab"
    assert set(summaries) == {"a", "b"} and summaries["a"]["runs"] == 3

    trace.unlink()
    summaries = coldstart.time_interleaved(commands, 2)  # one untimed round first
    assert trace.read_text() == "ababab" and summaries["b"]["runs"] == 2


def test_the_summary_is_the_median_of_the_runs() -> None:
    runs = [ProcessRun(w, c, r, 0, "", "") for w, c, r in ((3.0, 1.0, 50), (1.0, 0.5, 70), (2.0, 0.7, 60))]
    summary = summarize(runs)
    assert (summary["wall_s"], summary["cpu_s"], summary["peak_rss_mb"]) == (2.0, 0.7, 60)
    assert (summary["wall_min_s"], summary["wall_max_s"], summary["runs"]) == (1.0, 3.0, 3)


def test_importtime_output_is_parsed_with_nesting_and_ranked_by_cumulative_time() -> None:
    run = run_timed([sys.executable, "-X", "importtime", "-c", "import json"])
    records = {r.name: r for r in parse_importtime(run.stderr)}
    assert records["json"].depth == 0 and records["json.decoder"].depth == 1
    assert records["json"].cumulative_us >= records["json.decoder"].cumulative_us >= records["json.decoder"].self_us

    stderr = "\n".join([
        "import time: self [us] | cumulative | imported package",
        "import time:       100 |        100 |     llvmlite.binding",
        "import time:       200 |        300 |   numba.core",
        "import time:        50 |        350 | numba",
        "import time:        10 |         10 | json",
        "some other line",
    ])
    summary = summarize_imports(parse_importtime(stderr), top=2)
    assert summary["modules"] == 4 and summary["self_total_ms"] == 0.36
    assert [(m["name"], m["depth"]) for m in summary["top"]] == [("numba", 0), ("numba.core", 1)]
    assert summary["watched_imported"] == ["llvmlite", "numba"]
    assert "numba" in "\n".join(coldstart.render_importtime(summary | {"runs": 1}))


_TINY_BACKEND = """
import pathlib, zipfile

def _wheel(directory, body):
    name = "tiny-0.1-py3-none-any.whl"
    files = {**body, "tiny-0.1.dist-info/METADATA": "Metadata-Version: 2.1\\nName: tiny\\nVersion: 0.1\\n",
             "tiny-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
    files["tiny-0.1.dist-info/RECORD"] = "".join(f"{path},,\\n" for path in files) + "tiny-0.1.dist-info/RECORD,,\\n"
    with zipfile.ZipFile(pathlib.Path(directory) / name, "w") as wheel:
        for path, text in files.items():
            wheel.writestr(path, text)
    return name

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"tiny/__init__.py": pathlib.Path("tiny/__init__.py").read_text()})

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"tiny.pth": str(pathlib.Path.cwd()) + "\\n"})
"""
"""A build backend in the project itself (PEP 517 ``backend-path``): the install needs nothing from an index."""


def test_an_editable_install_into_a_fresh_venv_is_timed_and_sized(tmp_path: Path) -> None:
    project = tmp_path / "tiny"
    (project / "tiny").mkdir(parents=True)
    (project / "tiny" / "__init__.py").write_text("VALUE = 42\n")
    (project / "backend.py").write_text(_TINY_BACKEND)
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    )
    figures = coldstart.measure_install(project, tmp_path, variants={"core": ""}, pip_args=("--no-index",), keep=True)
    core = figures["core"]
    assert core["install_s"] > 0 and core["venv_bytes"] > core["empty_venv_bytes"] > 0
    assert core["numba"] is False and core["llvmlite"] is False
    installed = run_timed([str(tmp_path / "venv-core" / "bin" / "python"), "-c", "import tiny; print(tiny.VALUE)"])
    assert installed.stdout.strip() == "42"


def _timed(wall: float, cpu: float) -> dict:
    return {"wall_s": wall, "cpu_s": cpu, "peak_rss_mb": 80.0, "runs": 5}


def _result(**newsbot: object) -> dict:
    return {
        "size": "1m",
        "engines": {
            "newsbot": {
                "articles": 150_000, "passages": 1_000_000, "articles_per_s": 2500.0, "passages_per_s": 16_000.0,
                "peak_rss_build_mb": 900.0, "peak_rss_mb": 150.0, "index_bytes": 120 * 2**20,
                "p50_ms": 0.3, "p95_ms": 1.0, "ask": {"p50_ms": 2.0, "p95_ms": 7.0},
                "cli": {"seeds": _timed(0.7, 0.3), "ask": _timed(0.8, 0.6), "ask_no_rescan": _timed(0.5, 0.3)},
                **newsbot,
            },
            "tantivy": {
                "passages": 1_000_000, "build_s": 10.0, "peak_rss_mb": 100.0, "peak_rss_build_mb": 3000.0,
                "index_bytes": 70 * 2**20, "p50_ms": 1.1, "p95_ms": 2.8, "first_query": _timed(0.4, 0.3),
            },
        },
        "agreement": {"engines": {"newsbot": {"top10_up_to_ties": 1.0}, "tantivy": {"top10_up_to_ties": 0.85}}},
    }


def _verdict(out: dict, fragment: str) -> str:
    """The verdict of the one row whose label holds ``fragment``."""
    (row,) = [row for row in targets.issue_rows(out) if fragment in row.label]
    return row.verdict


def test_each_figure_is_judged_against_the_issues_target() -> None:
    good = _result()
    assert _verdict(good, "install") == targets.NOT_RUN
    assert _verdict(good, "seeds") == f"{targets.NOT_MET} (✅ in CPU time)"  # 0.7 s wall, 0.3 s CPU
    assert _verdict(good, "default rescan") == targets.MET  # 0.8 s
    assert _verdict(good, "serving RSS") == targets.MET  # 150 ≤ 2 × 100 MB
    assert _verdict(good, "index on disk") == targets.MET  # 120 ≤ 2 × 70 MB
    assert _verdict(good, "full ingest") == targets.MET
    assert _verdict(good, "exact BM25") == targets.MET
    assert _verdict(good, "`ask` end to end") == targets.MET

    worse = _result(peak_rss_mb=250.0, index_bytes=150 * 2**20, peak_rss_build_mb=1900.0, ask={"p95_ms": 12.0})
    worse["engines"]["newsbot"]["cli"]["seeds"] = _timed(0.7, 0.6)
    worse["install"] = {"core": {"install_s": 30.0, "install_cpu_s": 20.0, "venv_bytes": 2**27, "numba": True,
                                 "llvmlite": True}}
    worse["agreement"]["engines"]["newsbot"]["top10_up_to_ties"] = 0.995
    assert _verdict(worse, "install") == targets.NOT_MET  # fast enough, but it brought the compiler
    for fragment in ("seeds", "serving RSS", "index on disk", "full ingest", "exact BM25", "`ask` end to end"):
        assert _verdict(worse, fragment) == targets.NOT_MET, fragment


def test_the_table_has_a_column_per_engine_and_the_target_beside_the_figures() -> None:
    out = _result()
    out["install"] = {"core": {"install_s": 31.0, "install_cpu_s": 20.0, "venv_bytes": 139 * 2**20, "numba": False,
                               "llvmlite": False}}
    lines = targets.render_issue_table(out)
    assert "| measured | newsbot | tantivy | target | newsbot |" in lines
    install = next(line for line in lines if line.startswith("| Quickstart install"))
    assert "core: 31.0 s wall, 20.0 s CPU, 139 MB venv" in install and "≤ 60 s" in install and targets.MET in install
    first = next(line for line in lines if line.startswith("| fresh process"))
    assert "0.40 s wall, 0.30 s CPU" in first
    rss = next(line for line in lines if line.startswith("| serving RSS"))
    assert "| 150 MB | 100 MB |" in rss and "= 200 MB" in rss


def test_index_on_disk_counts_the_served_generation_not_the_previous_one_kept_beside_it(tmp_path: Path) -> None:
    from benchmarks.engines import dir_bytes, served_index_bytes
    from retrieval.index import LiveIndex

    docs = [(i, ["news", f"term{i % 7}", f"word{i}"]) for i in range(1, 400)]
    index = LiveIndex(tmp_path / "index")
    index.rebuild(docs[:-1], watermark=398)
    once = served_index_bytes(tmp_path / "index")
    index.rebuild(docs, watermark=399)  # the previous generation stays for readers still mapping it
    assert len(list((tmp_path / "index").glob("gen-*"))) == 2
    served = served_index_bytes(tmp_path / "index")
    assert 0.9 * once < served < 1.1 * once and dir_bytes(tmp_path / "index") > 1.8 * served


def test_fresh_processes_run_as_on_a_users_machine(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # this machine's setting: every run would recompile
    monkeypatch.setenv("NEWSBOT_DB", "/tmp/elsewhere.db")
    monkeypatch.setenv("HOME", "/root")
    env = coldstart.clean_env({"EXTRA": "1"})
    assert "PYTHONDONTWRITEBYTECODE" not in env and "NEWSBOT_DB" not in env
    assert env["HOME"] == "/root" and env["EXTRA"] == "1"


def test_serving_memory_is_judged_on_the_default_install_and_both_are_shown() -> None:
    out = _result(peak_rss_mb=334.0, compiled_search=True,
                  numpy={"peak_rss_mb": 170.0, "p50_ms": 0.6, "p95_ms": 1.5, "ask": {"p50_ms": 2.0, "p95_ms": 4.2}})
    assert _verdict(out, "serving RSS") == targets.MET  # 170 ≤ 2 × 100 MB; the Numba extra's 334 MB is shown
    lines = targets.render_issue_table(out)
    rss = next(line for line in lines if line.startswith("| serving RSS"))
    assert "334 MB (Numba loaded); default install (NumPy): 170 MB" in rss and "(default install)" in rss
    ask = next(line for line in lines if line.startswith("| `ask` end to end"))
    assert "NumPy 2.00 / 4.20 ms" in ask
    out["engines"]["newsbot"]["numpy"]["peak_rss_mb"] = 250.0
    assert _verdict(out, "serving RSS") == targets.NOT_MET
