"""Generated article files in the seeds' front-matter format, for tests that need many of them."""

from __future__ import annotations

from pathlib import Path

ANIMALS = ("zebra", "giraffe", "otter", "heron", "badger", "lynx", "walrus", "ibis")


def article_text(number: int, version: str = "first") -> str:
    """A small article whose title, URL and body name its number and version."""
    animal = ANIMALS[number % len(ANIMALS)]
    return (
        "---\n"
        f'title: "Report {number} on the {animal} census ({version} edition)"\n'
        f'webUrl: "https://example.org/{version}/{number}"\n'
        "publishedDateTime: 2020-06-17T10:00:00Z\n"
        "provider:\n  name: Example News\n  domain: example.org\n"
        "---\n"
        f"Volunteers counted {number} {animal}s near the river in the {version} survey of the season. "
        f"The {animal} census team said report {number} would be checked again next spring.\n"
    )


def write_articles(folder: Path, count: int, version: str = "first") -> list[Path]:
    """``count`` article files ``article-00000.md`` … in ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number in range(count):
        path = folder / f"article-{number:05d}.md"
        path.write_text(article_text(number, version), encoding="utf-8")
        paths.append(path)
    return paths


async def open_service_over(folder: Path, stories: dict[str, str], db: Path):
    """A service over ``stories`` (file name → text) written into ``folder`` (created), stored in ``db``."""
    from bot.service import NewsService
    from bot.settings import Settings

    folder.mkdir(parents=True)
    for name, text in stories.items():
        (folder / name).write_text(text, encoding="utf-8")
    return await NewsService.open(Settings(seeds=(folder,), db_path=db))
