"""Sanity checks for the question sets (format + honesty of expectations).

For every answerable case, at least one ``expect_any`` phrase must occur verbatim
(case-insensitive, quotes normalised) in the text of at least one story whose URL or file
name matches ``sources_any`` -- i.e. a correct *extractive* answer can contain it.
Unanswerable cases must carry neither expect_any nor sources_any.

This deliberately uses its own tiny reader (front matter + ``related:`` stories, plain text)
so that it does not depend on the product's parser.

    python benchmarks/questions/check_sets.py                # the default sets
    python benchmarks/questions/check_sets.py SET.yaml --corpus DIR
"""

from __future__ import annotations

import argparse
import html
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DEFAULT_SETS = [
    (ROOT / "benchmarks/questions/seeds.yaml", ROOT / "seeds"),
    (ROOT / "benchmarks/questions/smartable.yaml", SHARED / "corpora/smartable-powerapps"),
    (SHARED / "eval/questions.yaml", ROOT / "seeds"),
]
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "})


def norm(text: str) -> str:
    return " ".join(html.unescape(text).translate(_QUOTES).casefold().split())


@dataclass
class Story:
    keys: list[str]  # URL(s) and/or file name
    text: str
    date: str | None


def read_corpus(folder: Path) -> list[Story]:
    stories: list[Story] = []
    for path in sorted(folder.rglob("*")):  # a corpus may keep its stories in folders (bbc/sport/090.txt)
        if path.suffix not in {".txt", ".md"} or path.name.lower() in {"readme.md", "readme.txt"}:
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("cp1252")
        lines = text.split("\n")
        if lines and lines[0].strip() == "---":
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
            body = "\n".join(lines[end + 1 :])
            url = meta.get("webUrl") or meta.get("originalUrl") or ""
            stories.append(
                Story(
                    [path.relative_to(folder).as_posix(), url, meta.get("originalUrl") or ""],
                    f"{meta.get('title', '')}\n{meta.get('excerpt', '')}\n{body}",
                    str(meta.get("publishedDateTime")),
                )
            )
            for rel in meta.get("related") or []:
                stories.append(
                    Story(
                        [rel.get("webUrl") or ""],
                        f"{rel.get('title', '')}\n{rel.get('excerpt', '')}",
                        str(rel.get("publishedDateTime")),
                    )
                )
        else:
            stories.append(Story([path.relative_to(folder).as_posix()], text, None))
    return stories


def check(set_path: Path, corpus: Path) -> list[str]:
    cases = yaml.safe_load(set_path.read_text(encoding="utf-8"))
    stories = read_corpus(corpus)
    problems: list[str] = []
    seen: set[str] = set()
    for case in cases:
        cid = case.get("id", "?")
        if cid in seen:
            problems.append(f"{cid}: duplicate id")
        seen.add(cid)
        if not case.get("question"):
            problems.append(f"{cid}: no question")
        unknown = set(case) - {"id", "question", "expect_any", "sources_any", "answerable", "lead", "correct_any", "context"}
        if unknown:
            problems.append(f"{cid}: unknown keys {sorted(unknown)}")
        if case.get("answerable", True) is False:
            if case.get("expect_any") or case.get("sources_any"):
                problems.append(f"{cid}: unanswerable case has expectations")
            continue
        expect = [norm(e) for e in case.get("expect_any") or []]
        sources = [s.casefold() for s in case.get("sources_any") or []]
        if not expect or not sources:
            problems.append(f"{cid}: answerable case needs expect_any and sources_any")
            continue
        matching = [s for s in stories if any(f in k.casefold() for k in s.keys if k for f in sources)]
        if not matching:
            problems.append(f"{cid}: no story matches sources_any {sources}")
            continue
        unmatched_fragments = [f for f in sources if not any(f in k.casefold() for s in stories for k in s.keys if k)]
        if unmatched_fragments:
            problems.append(f"{cid}: sources_any fragments match no story: {unmatched_fragments}")
        if not any(e in norm(s.text) for s in matching for e in expect):
            problems.append(f"{cid}: no expect_any phrase occurs in any story matching sources_any")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("set", nargs="?", type=Path)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args(argv)
    pairs = [(args.set, args.corpus or ROOT / "seeds")] if args.set else DEFAULT_SETS
    failed = False
    for set_path, corpus in pairs:
        if not set_path.exists():
            continue
        cases = yaml.safe_load(set_path.read_text(encoding="utf-8"))
        problems = check(set_path, corpus)
        n_ans = sum(1 for c in cases if c.get("answerable", True) is not False)
        status = "OK" if not problems else f"{len(problems)} problem(s)"
        print(f"{set_path.name}: {len(cases)} cases ({n_ans} answerable, {len(cases) - n_ans} unanswerable): {status}")
        for p in problems:
            print("   ", p)
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
