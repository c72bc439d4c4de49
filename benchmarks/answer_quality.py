"""Answer quality on the question sets: the same evaluation as ``newsbot eval``, for the bot and a
naive baseline, over every set.

Each corpus is ingested once per run into a fresh temporary database; every set over it is asked of
the bot and of the baseline (bot/baseline.py: BM25Okapi's top-2 passages quoted whole, never
abstaining), and the same judge scores both:

    shared       ../shared/eval/questions.yaml          over seeds/
    answer_first ../shared/eval/answer_first.yaml       over seeds/
    seeds        benchmarks/questions/seeds.yaml        over seeds/
    smartable    benchmarks/questions/smartable.yaml    over ../shared/corpora/smartable-powerapps
    judged       benchmarks/questions/judged.yaml       over seeds/ + smartable-powerapps + bbc
    heldout      benchmarks/questions/heldout.yaml      over seeds/ + smartable-powerapps + bbc
    heldout2     benchmarks/questions/heldout2.yaml     over seeds/ + smartable-powerapps + bbc (articles no other set uses)
    heldout3     benchmarks/questions/heldout3.yaml     over seeds/ + smartable-powerapps + bbc (articles no other set uses)
    heldout4     benchmarks/questions/heldout4.yaml     over seeds/ + smartable-powerapps + bbc (articles no other set uses)
    heldout5     benchmarks/questions/heldout5.yaml     over seeds/ + smartable-powerapps + bbc (articles no other set uses)
    heldout6     benchmarks/questions/heldout6.yaml     over seeds/ + smartable-powerapps + bbc (articles no other set uses)
    heldout7     benchmarks/questions/heldout7.yaml     over seeds/ + smartable-powerapps + bbc (acceptance, with heldout8)
    heldout8     benchmarks/questions/heldout8.yaml     over seeds/ + smartable-powerapps + bbc (acceptance, with heldout7)
    heldout9     benchmarks/questions/heldout9.yaml     over seeds/ + smartable-powerapps + bbc (acceptance, with heldout10)
    heldout10    benchmarks/questions/heldout10.yaml    over seeds/ + smartable-powerapps + bbc (acceptance)
    heldout11    benchmarks/questions/heldout11.yaml    over seeds/ + smartable-powerapps + bbc (acceptance)
    heldout12    benchmarks/questions/heldout12.yaml    over seeds/ + smartable-powerapps + bbc (acceptance)
    heldout13    benchmarks/questions/heldout13.yaml    over seeds/ + smartable-powerapps + bbc (acceptance: Smartable items no set used)
    validation   benchmarks/questions/validation.yaml   over seeds/ + smartable-powerapps + bbc
    probe        benchmarks/questions/probe.yaml        over seeds/ + smartable-powerapps + bbc
    probe2       benchmarks/questions/probe2.yaml       over seeds/ + smartable-powerapps + bbc
    probe3       benchmarks/questions/probe3.yaml       over seeds/ + smartable-powerapps + bbc (follow-ups)
    probe4       benchmarks/questions/probe4.yaml       over seeds/ + smartable-powerapps + bbc (paraphrases)
    probe5       benchmarks/questions/probe5.yaml       over seeds/ + smartable-powerapps + bbc (premises)
    probe6       benchmarks/questions/probe6.yaml       over seeds/ + smartable-powerapps + bbc (premises, 7 kinds)
    probe7       benchmarks/questions/probe7.yaml       over seeds/ + smartable-powerapps + bbc (hard kinds)
    probe8       benchmarks/questions/probe8.yaml       over seeds/ + smartable-powerapps + bbc (hard kinds)
    probe9       benchmarks/questions/probe9.yaml       over seeds/ + smartable-powerapps + bbc (described subjects)
    probe10      benchmarks/questions/probe10.yaml      over seeds/ + smartable-powerapps + bbc (every kind, fresh articles)
    probe11      benchmarks/questions/probe11.yaml      over seeds/ + smartable-powerapps + bbc (every kind, fresh articles)
    probe12      benchmarks/questions/probe12.yaml      over seeds/ + smartable-powerapps + bbc (follow-ups, random articles)
    probe13      benchmarks/questions/probe13.yaml      over seeds/ + smartable-powerapps + bbc (paraphrased, Smartable items)

    python benchmarks/answer_quality.py               # a table per set + failures
    python benchmarks/answer_quality.py --set seeds   # one set (repeatable)
    python benchmarks/answer_quality.py --verbose     # print every failing case's reply and sources
    python benchmarks/answer_quality.py --json FILE

Rates (bot/evaluation.py): answer hit rate (answerable cases whose reply holds an expected phrase),
citation hit rate (a cited source is an expected one), answer-first rate (``lead`` cases with an
expected phrase in the first two sentences), premise accuracy (``correct_any`` cases that abstain or
correct the premise first), abstention accuracy (other cases: unanswerable ones abstained, answerable
ones not) and faithfulness (share of answer sentences verbatim in the passage they cite). A set whose
file or corpus is missing, or whose file does not load, is skipped with the reason. The exit status
is non-zero when the bot misses a target on a set.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.baseline import Bm25Baseline  # noqa: E402
from bot.evaluation import EvalCase, EvalFileError, EvalSummary, evaluate, load_cases  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
QUESTIONS = ROOT / "benchmarks" / "questions"
SEEDS = (ROOT / "seeds",)
SMARTABLE = (SHARED / "corpora" / "smartable-powerapps",)
COMBINED = (ROOT / "seeds", SHARED / "corpora" / "smartable-powerapps", SHARED / "corpora" / "bbc")
SETS: dict[str, tuple[Path, tuple[Path, ...]]] = {
    "shared": (SHARED / "eval" / "questions.yaml", SEEDS),
    "answer_first": (SHARED / "eval" / "answer_first.yaml", SEEDS),
    "seeds": (QUESTIONS / "seeds.yaml", SEEDS),
    "smartable": (QUESTIONS / "smartable.yaml", SMARTABLE),
    "judged": (QUESTIONS / "judged.yaml", COMBINED),
    "heldout": (QUESTIONS / "heldout.yaml", COMBINED),
    "heldout2": (QUESTIONS / "heldout2.yaml", COMBINED),
    "heldout3": (QUESTIONS / "heldout3.yaml", COMBINED),
    "heldout4": (QUESTIONS / "heldout4.yaml", COMBINED),
    "heldout5": (QUESTIONS / "heldout5.yaml", COMBINED),
    "heldout6": (QUESTIONS / "heldout6.yaml", COMBINED),
    "heldout7": (QUESTIONS / "heldout7.yaml", COMBINED),
    "heldout8": (QUESTIONS / "heldout8.yaml", COMBINED),
    "heldout9": (QUESTIONS / "heldout9.yaml", COMBINED),
    "heldout10": (QUESTIONS / "heldout10.yaml", COMBINED),
    "heldout11": (QUESTIONS / "heldout11.yaml", COMBINED),
    "heldout12": (QUESTIONS / "heldout12.yaml", COMBINED),
    "heldout13": (QUESTIONS / "heldout13.yaml", COMBINED),
    "validation": (QUESTIONS / "validation.yaml", COMBINED),
    "probe": (QUESTIONS / "probe.yaml", COMBINED),
    "probe2": (QUESTIONS / "probe2.yaml", COMBINED),
    "probe3": (QUESTIONS / "probe3.yaml", COMBINED),
    "probe4": (QUESTIONS / "probe4.yaml", COMBINED),
    "probe5": (QUESTIONS / "probe5.yaml", COMBINED),
    "probe6": (QUESTIONS / "probe6.yaml", COMBINED),
    "probe7": (QUESTIONS / "probe7.yaml", COMBINED),
    "probe8": (QUESTIONS / "probe8.yaml", COMBINED),
    "probe9": (QUESTIONS / "probe9.yaml", COMBINED),
    "probe10": (QUESTIONS / "probe10.yaml", COMBINED),
    "probe11": (QUESTIONS / "probe11.yaml", COMBINED),
    "probe12": (QUESTIONS / "probe12.yaml", COMBINED),
    "probe13": (QUESTIONS / "probe13.yaml", COMBINED),
}


@dataclass(frozen=True, slots=True)
class Metric:
    """One column: its rate, the cases it counts ``(hits, cases)`` and the bot's target (if any)."""

    label: str
    rate: Callable[[EvalSummary], float]
    counts: Callable[[dict], tuple[int, int]]
    target: float | None = None


METRICS = (
    Metric("answer hit", lambda s: s.answer_hit_rate, lambda t: (t["answered_correctly"], t["answerable"]), 0.90),
    Metric("citation hit", lambda s: s.citation_hit_rate, lambda t: (t["cited_correctly"], t["answerable"])),
    Metric("answer-first", lambda s: s.answer_first_rate, lambda t: (t["answer_first"], t["lead_cases"]), 0.85),
    Metric("premise", lambda s: s.premise_accuracy, lambda t: (t["premise_ok"], t["premise_cases"]), 0.90),
    Metric("abstention", lambda s: s.abstention_accuracy, lambda t: (t["abstention_ok"], t["abstention_cases"]), 0.95),
    Metric("faithfulness", lambda s: s.faithfulness, lambda t: (t["faithful_sentences"], t["sentences"]), 1.0),
)
TARGETS_LINE = "Targets (newsbot): answer hit ≥ 90%, answer-first ≥ 85%, premise ≥ 90%, abstention ≥ 95%, faithfulness 100%."


def _totals(summary: EvalSummary) -> dict:
    """``EvalSummary.to_json()['totals']`` plus the abstention and sentence counts the table shows."""
    totals = summary.to_json()["totals"]
    totals["abstention_ok"] = sum(bool(r.abstained_correctly) for r in summary.abstention_cases)
    totals["abstention_cases"] = len(summary.abstention_cases)
    totals["faithful_sentences"] = sum(r.faithful_sentences for r in summary.results)
    totals["sentences"] = sum(r.total_sentences for r in summary.results)
    return totals


def _cell(metric: Metric, summary: EvalSummary, totals: dict) -> str:
    hits, cases = metric.counts(totals)
    if not cases:
        return "—"
    return f"{metric.rate(summary):.1%} ({hits}/{cases})"


def _missed(summary: EvalSummary, totals: dict) -> list[str]:
    """The bot's figures below target on this set (metrics with no cases are not judged)."""
    return [
        f"{m.label} {m.rate(summary):.1%} < {m.target:.0%}"
        for m in METRICS
        if m.target is not None and m.counts(totals)[1] and m.rate(summary) < m.target
    ]


def _why(case: dict) -> list[str]:
    """Why a failing case failed, in a few words."""
    why = []
    if case["answerable"]:
        if not case["abstained_correctly"]:
            why.append("abstained")
        else:
            if not case["answered_correctly"]:
                why.append("no expected phrase")
            if not case["cited_correctly"]:
                why.append("no expected source")
            if case["lead"] and not case["answer_first"]:
                why.append("expected phrase not in the first two sentences")
    elif case["premise"]:
        why.append("premise neither corrected first nor abstained")
    else:
        why.append("answered instead of abstaining")
    if case["faithful_sentences"] != case["sentences"]:
        why.append(f"unfaithful {case['sentences'] - case['faithful_sentences']}/{case['sentences']}")
    return why


def print_failures(name: str, engine: str, data: dict, verbose: bool) -> None:
    sys.stdout.flush()  # the table first, then its failures
    for case in data["cases"]:
        if case["passed"]:
            continue
        print(f"FAIL {name}/{case['id']} ({engine}): {', '.join(_why(case))} — {case['question']}", file=sys.stderr)
        if verbose:
            if case["context"]:
                print(f"     context: {' / '.join(case['context'])}", file=sys.stderr)
            print(f"     reply: {case['answer'][:600]}", file=sys.stderr)
            if case["lead"] or case["premise"]:
                print(f"     first sentences: {' | '.join(case['lead_sentences'])[:400]}", file=sys.stderr)
            for src in case["sources"]:
                print(f"     cited: {src}", file=sys.stderr)


def print_table(name: str, questions: Path, corpus: tuple[Path, ...], summaries: dict[str, EvalSummary]) -> None:
    where = " + ".join(p.name for p in corpus)
    print(f"\n### {name} ({questions.name} over {where})\n")
    print("| engine | cases | " + " | ".join(m.label for m in METRICS) + " | passed |")
    print("|---" * (len(METRICS) + 3) + "|")
    for engine, summary in summaries.items():
        totals = _totals(summary)
        cells = " | ".join(_cell(m, summary, totals) for m in METRICS)
        print(f"| {engine} | {totals['cases']} | {cells} | {totals['passed']}/{totals['cases']} |")
    missed = _missed(summaries["newsbot"], _totals(summaries["newsbot"]))
    print(f"\nnewsbot below target: {'; '.join(missed)}" if missed else "\nnewsbot meets every target on this set")


async def run_corpus(corpus: tuple[Path, ...], sets: dict[str, list[EvalCase]]) -> dict[str, dict[str, EvalSummary]]:
    """Ingest ``corpus`` once; evaluate the bot and the baseline on every set over it."""
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        settings = Settings(seeds=corpus, db_path=Path(tmp) / "eval.db")
        service = await NewsService.open(settings)
        try:
            baseline = await asyncio.to_thread(Bm25Baseline.from_store, service.store)
            return {
                name: {"newsbot": await evaluate(service, cases), "baseline": await evaluate(baseline, cases)}
                for name, cases in sets.items()
            }
        finally:
            await service.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=list(SETS), action="append", help="evaluate only these sets")
    parser.add_argument("--verbose", "-v", action="store_true", help="show replies of failing cases")
    parser.add_argument("--json", type=Path, help="write per-case results to this file")
    args = parser.parse_args(argv)
    names = args.set or list(SETS)
    by_corpus: dict[tuple[Path, ...], dict[str, list[EvalCase]]] = {}
    for name in names:
        questions, corpus = SETS[name]
        missing = next((p for p in (questions, *corpus) if not p.exists()), None)
        if missing is not None:
            print(f"{name}: skipped ({missing} missing)")
            continue
        try:
            by_corpus.setdefault(corpus, {})[name] = load_cases(questions)
        except EvalFileError as error:
            print(f"{name}: skipped ({error})")
    results: dict[str, dict[str, EvalSummary]] = {}
    for corpus, sets in by_corpus.items():
        results.update(asyncio.run(run_corpus(corpus, sets)))
    report: dict[str, dict] = {}
    ok = True
    for name in (n for n in names if n in results):
        questions, corpus = SETS[name]
        summaries = results[name]
        print_table(name, questions, corpus, summaries)
        report[name] = {
            "questions": str(questions),
            "corpus": [str(p) for p in corpus],
            **{engine: summary.to_json() for engine, summary in summaries.items()},
        }
        print_failures(name, "newsbot", report[name]["newsbot"], args.verbose)
        ok = ok and not _missed(summaries["newsbot"], _totals(summaries["newsbot"]))
    print(f"\n{TARGETS_LINE}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
