"""Answer quality on the question sets: the same evaluation as ``newsbot eval``, over every set.

Each set is evaluated against a fresh temporary database built from its corpus:

    shared   ../shared/eval/questions.yaml          over seeds/
    seeds    benchmarks/questions/seeds.yaml         over seeds/
    smartable benchmarks/questions/smartable.yaml    over ../shared/corpora/smartable-powerapps

    python benchmarks/answer_quality.py               # table of the four rates per set + failures
    python benchmarks/answer_quality.py --set seeds   # one set
    python benchmarks/answer_quality.py --verbose     # print every failing case's reply and sources
    python benchmarks/answer_quality.py --json FILE

Rates (bot/evaluation.py): answer hit rate (answerable cases whose reply holds an expected phrase),
citation hit rate (a cited source is an expected one), abstention accuracy (unanswerable cases
abstained, answerable ones not) and citation faithfulness (share of answer sentences found verbatim
in the passage they cite).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.evaluation import EvalSummary, evaluate, load_cases  # noqa: E402
from bot.service import NewsService  # noqa: E402
from bot.settings import Settings  # noqa: E402

SHARED = ROOT.parent / "shared"
SETS: dict[str, tuple[Path, Path]] = {
    "shared": (SHARED / "eval" / "questions.yaml", ROOT / "seeds"),
    "seeds": (ROOT / "benchmarks" / "questions" / "seeds.yaml", ROOT / "seeds"),
    "smartable": (ROOT / "benchmarks" / "questions" / "smartable.yaml", SHARED / "corpora" / "smartable-powerapps"),
}
TARGETS = {"answer_hit_rate": 0.90, "abstention_accuracy": 0.95, "faithfulness": 1.0}


async def run_set(questions: Path, corpus: Path) -> EvalSummary:
    cases = load_cases(questions)
    with tempfile.TemporaryDirectory(prefix="newsbot-eval-") as tmp:
        settings = Settings(seeds=(corpus,), db_path=Path(tmp) / "eval.db")
        service = await NewsService.open(settings)
        try:
            return await evaluate(service, cases)
        finally:
            await service.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=sorted(SETS), action="append", help="evaluate only these sets")
    parser.add_argument("--verbose", "-v", action="store_true", help="show replies of failing cases")
    parser.add_argument("--json", type=Path, help="write per-case results to this file")
    args = parser.parse_args(argv)
    names = args.set or list(SETS)
    report: dict[str, dict] = {}
    rows = []
    for name in names:
        questions, corpus = SETS[name]
        if not questions.exists() or not corpus.exists():
            print(f"{name}: skipped ({questions if not questions.exists() else corpus} missing)", file=sys.stderr)
            continue
        summary = asyncio.run(run_set(questions, corpus))
        data = summary.to_json()
        report[name] = data
        t = data["totals"]
        rows.append(
            f"| {name} ({questions.name}) | {t['cases']} | {t['passed']}/{t['cases']} | "
            f"{t['answer_hit_rate']:.1%} ({t['answered_correctly']}/{t['answerable']}) | "
            f"{t['citation_hit_rate']:.1%} ({t['cited_correctly']}/{t['answerable']}) | "
            f"{summary.abstention_accuracy:.1%} | {t['faithfulness']:.1%} |"
        )
        for case in data["cases"]:
            if case["passed"]:
                continue
            why = []
            if case["answerable"]:
                if not case["abstained_correctly"]:
                    why.append("abstained")
                else:
                    if not case["answered_correctly"]:
                        why.append("no expected phrase")
                    if not case["cited_correctly"]:
                        why.append("no expected source")
            else:
                why.append("answered instead of abstaining")
            if case["faithful_sentences"] != case["sentences"]:
                why.append(f"unfaithful {case['sentences'] - case['faithful_sentences']}/{case['sentences']}")
            print(f"FAIL {name}/{case['id']}: {', '.join(why)} — {case['question']}", file=sys.stderr)
            if args.verbose:
                print(f"     reply: {case['answer'][:600]}", file=sys.stderr)
                for src in case["sources"]:
                    print(f"     cited: {src}", file=sys.stderr)
    print("| set | cases | passed | answer hit rate | citation hit rate | abstention accuracy | faithfulness |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(row)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    ok = all(
        d["totals"]["answer_hit_rate"] >= TARGETS["answer_hit_rate"]
        and d["totals"]["abstention_accuracy"] >= TARGETS["abstention_accuracy"]
        and d["totals"]["faithfulness"] >= TARGETS["faithfulness"]
        for d in report.values()
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
