"""Issue 17's table ("Light and quick"): every row's figures for each engine, the target beside them, met or not.

:func:`issue_rows` reads a ``benchmarks.compare`` result (the JSON it writes); :func:`render_issue_table` prints
the rows as Markdown. A figure that was not measured in the run shows as "—" and its verdict as "not run". Time
targets are judged on wall time; where wall time misses and CPU time (user + sys: what a loaded machine does
not inflate) meets the bound, the verdict says so. The targets are set at 1M passages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

ENGINE_ORDER = ("newsbot", "tantivy", "bm25s", "rank_bm25")

INSTALL_MAX_S = 60.0
"""Quickstart install, ``pip install -e .`` in a fresh venv, without a compiler toolchain."""
SEEDS_ASK_MAX_S = 0.5
"""``newsbot ask`` in a fresh process, on the seeds."""
RESCAN_ASK_MAX_S = 1.0
"""``newsbot ask`` in a fresh process at the benchmark size, default rescan (still picking up changed files)."""
RSS_MAX_X_TANTIVY = 2.0
"""Serving RSS, as a multiple of tantivy's."""
INDEX_MAX_X_TANTIVY = 2.0
"""Index on disk, as a multiple of tantivy's."""
INGEST_MIN_ARTICLES_S = 2000.0
INGEST_MAX_PEAK_MB = 1024.0
"""Full ingest from files on 2 cores: throughput and peak RSS."""
ASK_P95_MAX_MS = 10.0
"""``ask`` end to end in-process, p95 (the answer composer's bound, benchmarks/README.md)."""
AGREEMENT_MIN = 1.0
"""Top-10 identical to exact brute-force BM25 (up to equal scores) on the sample."""

MET, NOT_MET, NOT_RUN = "✅ met", "❌ not met", "not run"


@dataclass(frozen=True)
class Row:
    """One measured figure: a cell per engine ("—" where it does not apply), the target and the verdict."""

    label: str
    cells: dict[str, str]
    target: str = "—"
    verdict: str = ""


def verdict(ok: bool | None, *, cpu_ok: bool | None = None) -> str:
    """✅/❌ for one figure against its target; None: not measured."""
    if ok is None:
        return NOT_RUN
    if ok:
        return MET
    return f"{NOT_MET} (✅ in CPU time)" if cpu_ok else NOT_MET


def _num(value: object, spec: str, suffix: str = "") -> str:
    if not isinstance(value, int | float) or value != value:
        return "—"
    return f"{value:{spec}}{suffix}"


def _mb(value: object) -> str:
    return _num(value, ",.0f", " MB")


def _bytes_mb(value: object) -> str:
    return _num(value / 1024**2, ",.1f", " MB") if isinstance(value, int | float) and value else "—"


def _timed(summary: dict | None) -> str:
    """``0.69 s wall, 0.30 s CPU, 60 MB`` for a fresh-process summary (see ``benchmarks.coldstart.summarize``)."""
    if not summary:
        return "—"
    return (
        f"{summary['wall_s']:.2f} s wall, {summary['cpu_s']:.2f} s CPU, {summary['peak_rss_mb']:,.0f} MB "
        f"(×{summary['runs']})"
    )


def _time_verdict(summary: dict | None, bound: float) -> str:
    if not summary:
        return NOT_RUN
    return verdict(summary["wall_s"] <= bound, cpu_ok=summary["cpu_s"] <= bound)


def _install_verdict(core: dict | None) -> str:
    """The core install: within the time bound, and neither Numba nor llvmlite (the compiler) installed."""
    if not core:
        return NOT_RUN
    lean = not core["numba"] and not core["llvmlite"]
    return verdict(lean and core["install_s"] <= INSTALL_MAX_S, cpu_ok=lean and core["install_cpu_s"] <= INSTALL_MAX_S)


def _at_most(value: object, bound: float | None) -> bool | None:
    if not isinstance(value, int | float) or bound is None or not bound:
        return None
    return value <= bound


def _per_engine(engines: dict, fmt: Callable[[str, dict], str]) -> dict[str, str]:
    return {name: fmt(name, figures) for name, figures in engines.items()}


def _star(figures: dict) -> str:
    return "*" if figures.get("extrapolated_x") else ""


def issue_rows(out: dict) -> list[Row]:
    """Issue 17's rows for one ``benchmarks.compare`` result."""
    engines = {name: out["engines"][name] for name in ENGINE_ORDER if name in out.get("engines", {})}
    engines |= {name: figures for name, figures in out.get("engines", {}).items() if name not in engines}
    nb = engines.get("newsbot", {})
    tv = engines.get("tantivy", {})
    size = out.get("size", "?")
    cli = nb.get("cli", {})
    rows: list[Row] = []

    install = out.get("install") or {}
    core, fast = install.get("core"), install.get("fast")
    install_cell = " / ".join(
        f"{name}: {v['install_s']:.1f} s wall, {v['install_cpu_s']:.1f} s CPU, {v['venv_bytes'] / 1024**2:,.0f} MB venv"
        + (" (Numba)" if v["numba"] else "")
        for name, v in (("core", core), ("`[fast]`", fast)) if v
    )
    rows.append(Row(
        "Quickstart install, `pip install --no-cache-dir -e .`, fresh venv",
        {"newsbot": install_cell or "— (`--install`)"},
        f"≤ {INSTALL_MAX_S:.0f} s, core without a compiler",
        _install_verdict(core),
    ))
    rows.append(Row(
        "`newsbot ask`, fresh process, seeds (up-to-date store)",
        {"newsbot": _timed(cli.get("seeds"))},
        f"≤ {SEEDS_ASK_MAX_S} s",
        _time_verdict(cli.get("seeds"), SEEDS_ASK_MAX_S),
    ))
    rows.append(Row(
        f"`newsbot ask`, fresh process, {size}, default rescan (nothing changed)",
        {"newsbot": _timed(cli.get("ask"))},
        f"≤ {RESCAN_ASK_MAX_S:.0f} s, still picking up changed files",
        _time_verdict(cli.get("ask"), RESCAN_ASK_MAX_S),
    ))
    rows.append(Row(
        f"`newsbot --no-rescan ask`, fresh process, {size}",
        {"newsbot": _timed(cli.get("ask_no_rescan"))},
    ))
    rows.append(Row(
        f"fresh process: imports, open the index, first query, {size}",
        _per_engine(engines, lambda _n, e: _timed(e.get("first_query")) + (
            f" (its first {e['measured_passages']:,} passages)" if e.get("extrapolated_x") else "")),
    ))
    limit_rss = RSS_MAX_X_TANTIVY * tv["peak_rss_mb"] if tv.get("peak_rss_mb") else None
    numpy = nb.get("numpy") or {}  # the default install's serving figures (no Numba), when measured
    rows.append(Row(
        "serving RSS (peak of the serving process)",
        _per_engine(engines, lambda name, e: _mb(e.get("peak_rss_mb")) + _star(e) + (
            " (Numba loaded)" if e.get("compiled_search") else "") + (
            f"; default install (NumPy): {_mb(numpy.get('peak_rss_mb'))}" if name == "newsbot" and numpy else "")),
        f"≤ {RSS_MAX_X_TANTIVY:.0f}× tantivy" + (f" = {limit_rss:,.0f} MB" if limit_rss else "")
        + (" (default install)" if numpy else ""),
        verdict(_at_most(numpy.get("peak_rss_mb") or nb.get("peak_rss_mb"), limit_rss)),
    ))
    limit_index = INDEX_MAX_X_TANTIVY * tv["index_bytes"] if tv.get("index_bytes") else None
    rows.append(Row(
        "index on disk",
        _per_engine(engines, lambda _n, e: _bytes_mb(e.get("index_bytes")) + _star(e)),
        f"≤ {INDEX_MAX_X_TANTIVY:.0f}× tantivy" + (f" = {limit_index / 1024**2:,.1f} MB" if limit_index else ""),
        verdict(_at_most(nb.get("index_bytes"), limit_index)),
    ))

    per_article = nb["passages"] / nb["articles"] if nb.get("passages") and nb.get("articles") else None

    def ingest(name: str, e: dict) -> str:
        if name == "newsbot":
            return (f"{_num(e.get('articles_per_s'), ',.0f')} articles/s ({_num(e.get('passages_per_s'), ',.0f')} "
                    f"passages/s), peak {_mb(e.get('peak_rss_build_mb'))}")
        rate = e["passages"] / e["build_s"] if e.get("passages") and e.get("build_s") else None
        if e.get("extrapolated_x") and rate:
            rate = e["measured_passages"] / e["measured_build_s"]
        articles = f"≈{rate / per_article:,.0f} articles/s, " if rate and per_article else ""
        return f"{articles}{_num(rate, ',.0f')} passages/s†, peak {_mb(e.get('peak_rss_build_mb'))}{_star(e)}"

    ingest_ok = None
    if nb.get("articles_per_s") and nb.get("peak_rss_build_mb"):
        ingest_ok = nb["articles_per_s"] >= INGEST_MIN_ARTICLES_S and nb["peak_rss_build_mb"] <= INGEST_MAX_PEAK_MB
    rows.append(Row(
        "full ingest from files (others: index build from the analyzed terms†)",
        _per_engine(engines, ingest),
        f"≥ {INGEST_MIN_ARTICLES_S:,.0f} articles/s, peak ≤ {INGEST_MAX_PEAK_MB / 1024:.0f} GB",
        verdict(ingest_ok),
    ))
    rows.append(Row(
        "retrieval p50 / p95, top-10, one thread",
        _per_engine(engines, lambda _n, e: f"{_num(e.get('p50_ms'), ',.2f')} / {_num(e.get('p95_ms'), ',.2f')} ms"
                    + _star(e)),
    ))
    agreement = (out.get("agreement") or {}).get("engines", {})
    rows.append(Row(
        "top-10 identical to exact BM25 (up to equal scores, sample)",
        {name: _num(100 * a["top10_up_to_ties"], ".1f", " %") for name, a in agreement.items() if name in engines},
        f"{100 * AGREEMENT_MIN:.0f} %",
        verdict(agreement["newsbot"]["top10_up_to_ties"] >= AGREEMENT_MIN if "newsbot" in agreement else None),
    ))
    ask = nb.get("ask") or {}
    numpy_ask = numpy.get("ask") or {}
    rows.append(Row(
        "`ask` end to end in-process, p50 / p95",
        {"newsbot": f"{_num(ask.get('p50_ms'), '.2f')} / {_num(ask.get('p95_ms'), '.2f')} ms" + (
            f"; NumPy {_num(numpy_ask.get('p50_ms'), '.2f')} / {_num(numpy_ask.get('p95_ms'), '.2f')} ms"
            if numpy_ask else "")} if ask else {},
        f"p95 ≤ {ASK_P95_MAX_MS:.0f} ms",
        verdict(_at_most(ask.get("p95_ms"), ASK_P95_MAX_MS)),
    ))
    return rows


def render_issue_table(out: dict) -> list[str]:
    """Issue 17's table as Markdown lines: one column per engine, the target, newsbot's verdict."""
    names = [n for n in ENGINE_ORDER if n in out.get("engines", {})]
    names += [n for n in out.get("engines", {}) if n not in names]
    load = out.get("load_average") or {}
    lines = [
        f"Issue 17, light and quick, at {out.get('size', '?')} (the targets are set at 1M; met/not met is newsbot's)"
        + (f"; load average {load['start']:.1f} at the start, {load['end']:.1f} at the end on "
           f"{out.get('machine', {}).get('cpus', '?')} CPUs" if load else "")
        + ":",
        "",
        "| measured | " + " | ".join(names) + " | target | newsbot |",
        "|---|" + "---|" * len(names) + "---|---|",
    ]
    for row in issue_rows(out):
        cells = " | ".join(row.cells.get(name, "—") for name in names)
        lines.append(f"| {row.label} | {cells} | {row.target} | {row.verdict or '—'} |")
    lines += [
        "",
        "Fresh-process figures are medians of the runs shown (×N, after one untimed round), each command in turn; "
        "wall time, CPU time "
        "(user + sys) and the process's peak RSS. † The other engines index the analyzed terms exported from "
        "newsbot's store (no parsing, splitting or analysis); their articles/s is their passages/s ÷ newsbot's "
        "passages per article.",
    ]
    return lines
