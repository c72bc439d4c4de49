"""Answering in another domain: do paraphrase-free, answerable questions get answered, or refused?

The bot's rules were written over news. BEIR SciFact (5,183 biomedical abstracts, 300 test claims, each
judged against the abstracts that support or contradict it) is another domain with its own vocabulary. Each
claim is asked as a yes/no question ("Is it true that <claim>?") of a store of the abstracts; every claim is
answerable by its judged abstracts, so an abstention is a wrong refusal. The report gives the share refused,
the share answered citing a judged abstract, and the refusals grouped by the reason the bot gave.

SciFact is CC BY-NC 2.0: it is read from ``../shared/corpora/scifact`` at run time (test data only) and never
copied into the repository or the package.

    python benchmarks/cross_domain.py                 # ~1 min: writes the abstracts as articles, ingests, asks
    python benchmarks/cross_domain.py --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.service import NewsService  # noqa: E402
from bot.settings import Settings  # noqa: E402

SCIFACT = ROOT.parent / "shared" / "corpora" / "scifact"


@dataclass
class Report:
    """What the bot did with the claims."""

    claims: int = 0
    refused: int = 0
    cited_judged: int = 0
    reasons: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        share = lambda n: f"{n} ({n / max(self.claims, 1):.1%})"  # noqa: E731
        out = [f"claims: {self.claims}", f"refused (each is answerable): {share(self.refused)}",
               f"answered citing a judged abstract: {share(self.cited_judged)}", "refusals by reason:"]
        out += [f"  {count:4d}  {reason}" for reason, count in self.reasons.most_common()]
        return out

    def to_json(self) -> dict:
        """The figures, the reasons most common first (``asdict`` would turn the Counter's items into keys)."""
        return {"claims": self.claims, "refused": self.refused, "cited_judged": self.cited_judged,
                "reasons": dict(self.reasons.most_common())}


def write_articles(scifact: Path, folder: Path) -> None:
    """Each abstract as a plain-text article: its title, a blank line, its text (named by its id)."""
    for line in (scifact / "corpus.jsonl").read_text(encoding="utf-8").splitlines():
        doc = json.loads(line)
        (folder / f"{doc['_id']}.txt").write_text(f"{doc['title']}\n\n{doc['text']}\n", encoding="utf-8")


def judged(scifact: Path) -> dict[str, set[str]]:
    """Claim id -> the ids of the abstracts judged against it."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in (scifact / "qrels" / "test.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        claim, doc, _ = row.split("\t")
        out[claim].add(doc)
    return out


def as_question(claim: str) -> str:
    claim = claim.strip().rstrip(".")
    return f"Is it true that {claim[:1].lower()}{claim[1:]}?"


def reason_kind(reason: str) -> str:
    """The refusal's reason without the story count ("none of the 5178 stories …" -> "none of the stories …")."""
    words = reason.removeprefix("The coverage doesn't say: ").split()
    return " ".join(w for w in words if not w.isdigit())[:80]


async def run(scifact: Path) -> Report:
    relevant = judged(scifact)
    claims = [json.loads(line) for line in (scifact / "queries.jsonl").read_text(encoding="utf-8").splitlines()]
    claims = [c for c in claims if c["_id"] in relevant]
    report = Report(claims=len(claims))
    with tempfile.TemporaryDirectory(prefix="newsbot-scifact-") as tmp:
        articles = Path(tmp) / "abstracts"
        articles.mkdir()
        write_articles(scifact, articles)
        service = await NewsService.open(Settings(seeds=(articles,), db_path=Path(tmp) / "scifact.db"))
        try:
            for claim in claims:
                answer = await service.ask(as_question(claim["text"]))
                if answer.abstained:
                    report.refused += 1
                    report.reasons[reason_kind(answer.reason or "")] += 1
                elif any(Path(c.story.source_file).stem in relevant[claim["_id"]] for c in answer.citations):
                    report.cited_judged += 1
        finally:
            await service.close()
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scifact", type=Path, default=SCIFACT, help="BEIR layout: corpus.jsonl, queries.jsonl, qrels/")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not (args.scifact / "corpus.jsonl").exists():
        print(f"skipped: {args.scifact / 'corpus.jsonl'} missing")
        return 0
    report = asyncio.run(run(args.scifact))
    print("\n".join(report.lines()))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
