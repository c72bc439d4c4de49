"""Small news articles for the live-coverage tests (new stories, subscriptions, digests)."""

from __future__ import annotations

from pathlib import Path


def story_text(
    slug: str, title: str, body: str, *, outlet: str = "Example News", topics: tuple[str, ...] = ("Science",),
    published: str = "2026-11-29T10:00:00Z",
) -> str:
    """One article in the seeds' front-matter format; ``slug`` makes its URL (its identity)."""
    topic_lines = "".join(f"  - {topic}\n" for topic in topics)
    return (
        "---\n"
        f'title: "{title}"\n'
        f'webUrl: "https://example.org/news/{slug}"\n'
        f"publishedDateTime: {published}\n"
        f"provider:\n  name: {outlet}\n  domain: example.org\n"
        + (f"topics:\n{topic_lines}" if topics else "")
        + "---\n"
        f"{body}\n"
    )


def write_story(folder: Path, slug: str, title: str, body: str, **fields: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug}.md"
    path.write_text(story_text(slug, title, body, **fields), encoding="utf-8")  # type: ignore[arg-type]
    return path


OTTERS = (
    "otters", "River otters return to the Thames",
    ("River otters have returned to the upper Thames after decades away, the wildlife trust said on Sunday. "
     "Volunteers counted twelve otter families along the banks this autumn."),
)
GLACIER = (
    "glacier", "Alpine glacier loses a tenth of its ice",
    ("The Rhone glacier lost a tenth of its remaining ice during the summer heat, glaciologists reported. "
     "Researchers said the melt was the fastest since measurements began."),
)
BUDGET = (
    "budget", "City council approves the new transport budget",
    ("The city council approved a transport budget of two billion euros on Monday evening. "
     "The money will pay for new tram lines and cycle paths across the northern districts."),
)
