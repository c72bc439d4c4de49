"""Turn one article file into :class:`Article` objects.

Accepted: YAML front-matter items (``---`` … ``---`` plus an optional Markdown body), bare YAML
(``.yaml``/``.yml``: one item or a list of items), and plain-text or Markdown articles whose first
real line is the title. Web boilerplate is dropped from bodies, and bylines, datelines and timestamps
from the head of each paragraph (:mod:`retrieval.bylines`).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from .bylines import strip_heading_furniture
from .listing import ARTICLE_SUFFIXES as ARTICLE_SUFFIXES  # where it is defined: listing needs no parser
from .models import Article, StoryKind
from .text import NotText, decode, normalise, normalise_inline, title_key

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_TITLE_CHARS = 400


class ParseError(ValueError):
    """The file is not a usable article; the message is the reason shown in the ingest report."""


# Whole lines that are page furniture, not article text (compared case-insensitively, stripped).
_BOILERPLATE_LINES = frozenset(
    {
        "advertisement", "advertisements", "ad", "source link", "spread the love", "leave a reply",
        "leave a comment", "share this", "share this article", "share", "tweet", "related", "related articles",
        "read more", "click to share", "sponsored", "skip to content", "subscribe", "comments",
        "cancel reply", "print", "email",
    }
)
_BOILERPLATE_PATTERNS = (
    re.compile(r"^\[(photo|image|video|graphic|illustration)\b.*\]$", re.IGNORECASE),
    re.compile(r"^your email address will not be published", re.IGNORECASE),
    re.compile(r"^required fields are marked", re.IGNORECASE),
    re.compile(r"^(click|tap) here to\b", re.IGNORECASE),
    re.compile(r"^(follow|like) us on\b", re.IGNORECASE),
    re.compile(r"^sign up for\b.*newsletter", re.IGNORECASE),
    re.compile(r"^(photo|image) (credit|courtesy)\b", re.IGNORECASE),
    re.compile(r"^\(?(photos?|images?|pictures?) (by|via|courtesy of) .{0,100}[^.!?]\)?$", re.IGNORECASE),
    re.compile(r"^(photo|image|picture)s?( credit)?:", re.IGNORECASE),
    re.compile(r"^(image|photo) (copyright|caption)\b", re.IGNORECASE),
    re.compile(r"^credit:", re.IGNORECASE),
    re.compile(  # "Drew Angerer/Getty Images"
        r"^[^.!?]{0,80}/ ?(getty images|afp|ap( photo)?|reuters|epa|shutterstock)( via getty images)?\)?$",
        re.IGNORECASE,
    ),
    re.compile(r"^copyright\b|^©", re.IGNORECASE),
)
_BOILERPLATE_RE = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in _BOILERPLATE_PATTERNS), re.IGNORECASE)
"""The patterns above as one: each is anchored at the start, so one match call tries them all."""
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_MD_EMPHASIS = re.compile(r"(\*\*|__|(?<!\w)\*(?!\s)|(?<!\w)_(?!\s))")
_HTML_TAG = re.compile(r"<[^>]+>")


def is_boilerplate(line: str) -> bool:
    """True for web furniture such as "advertisement" or "[Photo: …]"."""
    stripped = line.strip().strip("*_#> ").strip()
    if not stripped:
        return False
    if stripped.casefold().rstrip(":.!") in _BOILERPLATE_LINES:
        return True
    return _BOILERPLATE_RE.match(stripped) is not None


def clean_body(
    text: str, *, title: str | None = None, markdown: bool = False, outlets: tuple[str | None, ...] = ()
) -> str:
    """Drop boilerplate lines, repeated titles and heading bylines, datelines and timestamps (``outlets``:
    the article's own, accepted in bylines and datelines); keep paragraphs separated by blank lines."""
    key = title_key(title) if title else None
    kept: list[str] = []
    for line in normalise(text).split("\n"):
        if markdown:
            line = _MD_LINK.sub(r"\1", _HTML_TAG.sub("", line))
            line = _MD_EMPHASIS.sub("", _MD_HEADING.sub("", line)).strip()
        if is_boilerplate(line) or (key and line and len(line) <= 2 * len(key) + 10 and title_key(line) == key):
            continue
        if line:
            line = strip_heading_furniture(line, outlets)
            if not line:
                continue
        kept.append(line)
    return normalise("\n".join(_unwrap(kept)))


_SENTENCE_END = tuple(".!?:;…\"'”’)]")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s")
HARD_WRAP_MIN_CHARS = 40
"""A line at least this long that stops mid-sentence was wrapped by its editor, not ended by its author."""


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped lines back into their paragraph (a newline is otherwise a sentence boundary)."""
    out: list[str] = []
    for line in lines:
        previous = out[-1].rstrip() if out else ""
        if (
            line.strip() and len(previous) >= HARD_WRAP_MIN_CHARS and not previous.endswith(_SENTENCE_END)
            and not _LIST_ITEM.match(line) and line.strip()[0].isalnum()
        ):
            out[-1] = f"{previous} {line.strip()}"
        else:
            out.append(line)
    return out


def parse_datetime(value: Any) -> datetime | None:
    """ISO 8601 strings or YAML timestamps → aware UTC datetimes; anything else → None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if hasattr(value, "year") and hasattr(value, "month"):  # a date
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _provider(item: dict[str, Any]) -> dict[str, Any]:
    """The item's ``provider`` mapping (name, domain), or an empty one."""
    provider = item.get("provider")
    return provider if isinstance(provider, dict) else {}


def _text_field(item: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = item.get(name)
        if isinstance(value, (str, int, float)) and str(value).strip():
            return normalise_inline(str(value))
    return None


def _int_field(item: dict[str, Any], name: str) -> int | None:
    value = item.get(name)
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):  # YAML's .inf and .nan are floats too
        return int(value)
    return None


def _topics(item: dict[str, Any]) -> tuple[str, ...]:
    raw = item.get("topics") or item.get("tags") or ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, (list, tuple)):
        return ()
    seen: dict[str, str] = {}
    for topic in raw:
        if isinstance(topic, (str, int)) and str(topic).strip():
            name = normalise_inline(str(topic))
            seen.setdefault(name.casefold(), name)
    return tuple(seen.values())


def _outlets(item: dict[str, Any]) -> tuple[str | None, ...]:
    """The item's own outlet names, accepted in its bylines and datelines."""
    provider = _provider(item)
    return (_text_field(provider, "name"), _text_field(item, "outlet", "source", "publisher"))


def _yaml_body(item: dict[str, Any]) -> str:
    """The ``body`` (or ``content``) of a bare YAML item, without a heading byline or dateline."""
    return strip_heading_furniture(_text_field(item, "body", "content") or "", _outlets(item))


def _first_image(item: dict[str, Any]) -> str | None:
    images = item.get("images")
    if isinstance(images, list):
        for image in images:
            if isinstance(image, dict) and isinstance(image.get("url"), str):
                return image["url"]
    return None


def _item_to_article(
    item: dict[str, Any], source_file: str, *, body: str = "", kind: StoryKind = StoryKind.ARTICLE
) -> Article:
    """Map one front-matter mapping (or one ``related`` entry) to an Article."""
    title = _text_field(item, "title", "headline")
    if not title:
        raise ParseError("missing title")
    if len(title) > MAX_TITLE_CHARS:
        raise ParseError(f"title longer than {MAX_TITLE_CHARS} characters")
    excerpt = _text_field(item, "excerpt", "description", "summary")
    if excerpt:
        excerpt = strip_heading_furniture(excerpt, _outlets(item)) or None
    provider = _provider(item)
    outlet = _text_field(provider, "name") or _text_field(item, "outlet", "source", "publisher")
    domain = _text_field(provider, "domain")
    url = _text_field(item, "webUrl", "url", "originalUrl", "link")
    text = "\n\n".join(part for part in (excerpt, body) if part)
    related: list[Article] = []
    if kind is StoryKind.ARTICLE and isinstance(item.get("related"), list):
        for entry in item["related"]:
            if not isinstance(entry, dict):
                continue
            try:
                related.append(_item_to_article(entry, source_file, kind=StoryKind.RELATED))
            except ParseError:
                continue  # one bad related entry never costs the whole article
    return Article(
        title=title,
        body=text,
        source_file=source_file,
        kind=kind,
        excerpt=excerpt,
        url=url,
        outlet=outlet,
        outlet_domain=domain,
        published=parse_datetime(item.get("publishedDateTime") or item.get("published_at") or item.get("date")),
        topics=_topics(item),
        quality=_int_field(item, "quality"),
        image_url=_first_image(item),
        related=tuple(related),
    )


def _split_front_matter(text: str) -> tuple[str, str] | None:
    """``(yaml, body)`` when the text opens with a ``---`` front-matter block (the YAML starts on the
    text's second line)."""
    if not text.startswith("---"):
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :])
    raise ParseError("front matter is not closed by '---'")


def _load_yaml(source: str, first_line: int = 1) -> Any:
    """Load YAML that starts on line ``first_line`` of its file: an error names the file's line."""
    import yaml  # on demand: a command that parses nothing never loads it

    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None and "\t" not in source and "\ufeff" not in source:
        # libyaml's parser, when PyYAML was built with it, is ~10× faster, with the same safe constructor.
        # It differs from PyYAML's own on tabs and byte-order marks inside the text (it accepts some that
        # PyYAML rejects) and on the line it names in some errors: a source with either character, or one
        # it rejects, is read by PyYAML's parser (60,000 mutated front matters: no other difference).
        try:
            return yaml.load(source, Loader=fast)  # a safe loader (libyaml parser, safe constructor)
        except yaml.YAMLError:
            pass
    try:
        return yaml.safe_load(source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + first_line}" if mark is not None else ""
        raise ParseError(f"invalid YAML{where}") from None


def _plain_text_article(text: str, source_file: str, *, markdown: bool) -> Article:
    lines = [line for line in normalise(text).split("\n")]
    title = None
    for line in lines:
        candidate = _MD_HEADING.sub("", line).strip() if markdown else line.strip()
        if candidate and not is_boilerplate(candidate):
            title = normalise_inline(_MD_EMPHASIS.sub("", candidate))
            break
    if not title:
        raise ParseError("missing title (no text)")
    if len(title) > MAX_TITLE_CHARS:
        raise ParseError("missing title (first line is a paragraph, not a headline)")
    body = clean_body(text, title=title, markdown=markdown)
    if not body:
        raise ParseError("no article text after the title")
    return Article(title=title, body=body, source_file=source_file)


def parse_text(text: str, source_file: str) -> list[Article]:
    """Parse decoded file content. Raises :class:`ParseError` with a reason."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    if not text.strip():
        raise ParseError("empty file")
    suffix = PurePath(source_file).suffix.lower()
    markdown = suffix in (".md", ".markdown")
    content = text.lstrip()
    front = _split_front_matter(content)
    if front is not None:
        meta, body = front
        blank_lines = text[: len(text) - len(content)].count("\n")  # before the opening '---'
        item = _load_yaml(meta, first_line=blank_lines + 2)
        if not isinstance(item, dict):
            raise ParseError("front matter is not a mapping")
        return [_item_to_article(item, source_file, body=clean_body(body, markdown=True, outlets=_outlets(item)))]
    if suffix in (".yaml", ".yml"):
        data = _load_yaml(text)
        items = data if isinstance(data, list) else [data]
        if not items or not all(isinstance(item, dict) for item in items):
            raise ParseError("YAML file is not a news item or a list of items")
        return [_item_to_article(item, source_file, body=_yaml_body(item)) for item in items]
    return [_plain_text_article(text, source_file, markdown=markdown)]


def parse_bytes(data: bytes, source_file: str) -> list[Article]:
    """Decode (UTF-8, latin-1 fallback) and parse one file's bytes."""
    if not data.strip():
        raise ParseError("empty file")
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        text, _ = decode(data)
    except NotText as error:
        raise ParseError(str(error)) from None
    return parse_text(text, source_file)
