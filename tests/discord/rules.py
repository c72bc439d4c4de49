"""Discord's rules for message bodies, as pure functions the emulator applies to everything the bot sends.

* :func:`form_errors` checks the documented size limits (content, embeds, components) and returns
  Discord's nested ``errors`` object for a 400 ``Invalid Form Body`` (code 50035), empty when valid.
* :func:`pings` computes who a message notifies: the user, role and ``@everyone`` mentions in its
  content, filtered by ``allowed_mentions``, plus the replied-to author when ``replied_user`` allows it.

Limits: https://discord.com/developers/docs/resources/message#create-message-jsonform-params,
https://discord.com/developers/docs/resources/message#embed-object-embed-limits,
https://discord.com/developers/docs/components/reference.
Allowed mentions: https://discord.com/developers/docs/resources/message#allowed-mentions-object.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

INVALID_FORM_BODY = 50035

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_NAME_MAX = 256
EMBEDS_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150

ACTION_ROW, BUTTON = 1, 2
SELECTS = {3, 5, 6, 7, 8}
STRING_SELECT = 3

Path = tuple[str, ...]
Problem = tuple[Path, str, str]  # (where, Discord's error code, message)


def _too_long(path: Path, value: Any, limit: int) -> Iterator[Problem]:
    if isinstance(value, str) and len(value) > limit:
        yield path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."


def _too_many(path: Path, items: Any, limit: int) -> Iterator[Problem]:
    if isinstance(items, list) and len(items) > limit:
        yield path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."


def _embed_text(embed: dict[str, Any]) -> int:
    """The characters Discord counts towards an embed's 6,000 total."""
    parts = [embed.get("title"), embed.get("description"), (embed.get("footer") or {}).get("text")]
    parts.append((embed.get("author") or {}).get("name"))
    for f in embed.get("fields") or []:
        parts += [f.get("name"), f.get("value")]
    return sum(len(p) for p in parts if isinstance(p, str))


def _embed_problems(path: Path, embed: dict[str, Any]) -> Iterator[Problem]:
    yield from _too_long((*path, "title"), embed.get("title"), EMBED_TITLE_MAX)
    yield from _too_long((*path, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX)
    yield from _too_long((*path, "footer", "text"), (embed.get("footer") or {}).get("text"), EMBED_FOOTER_MAX)
    yield from _too_long((*path, "author", "name"), (embed.get("author") or {}).get("name"), EMBED_AUTHOR_NAME_MAX)
    fields = embed.get("fields") or []
    yield from _too_many((*path, "fields"), fields, EMBED_FIELDS_MAX)
    for i, f in enumerate(fields):
        yield from _too_long((*path, "fields", str(i), "name"), f.get("name"), EMBED_FIELD_NAME_MAX)
        yield from _too_long((*path, "fields", str(i), "value"), f.get("value"), EMBED_FIELD_VALUE_MAX)


def _component_problems(path: Path, component: dict[str, Any]) -> Iterator[Problem]:
    yield from _too_long((*path, "custom_id"), component.get("custom_id"), CUSTOM_ID_MAX)
    kind = component.get("type")
    if kind == BUTTON:
        yield from _too_long((*path, "label"), component.get("label"), BUTTON_LABEL_MAX)
    elif kind in SELECTS:
        yield from _too_long((*path, "placeholder"), component.get("placeholder"), SELECT_PLACEHOLDER_MAX)
        options = component.get("options") or []
        if kind == STRING_SELECT:
            yield from _too_many((*path, "options"), options, SELECT_OPTIONS_MAX)
        for i, option in enumerate(options):
            for key in ("label", "value", "description"):
                yield from _too_long((*path, "options", str(i), key), option.get(key), SELECT_OPTION_TEXT_MAX)


def _row_problems(path: Path, row: dict[str, Any]) -> Iterator[Problem]:
    children = row.get("components") or []
    buttons = [c for c in children if c.get("type") == BUTTON]
    selects = [c for c in children if c.get("type") in SELECTS]
    if len(buttons) > BUTTONS_PER_ROW_MAX:
        yield (*path, "components"), "BASE_TYPE_MAX_LENGTH", f"Must be {BUTTONS_PER_ROW_MAX} or fewer in length."
    if selects and len(children) > 1:
        yield (*path, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "The specified component exceeds the maximum width"
    for i, child in enumerate(children):
        yield from _component_problems((*path, "components", str(i)), child)


def problems(body: dict[str, Any]) -> list[Problem]:
    """Every limit ``body`` (a message create/edit or interaction response ``data``) breaks."""
    found: list[Problem] = list(_too_long(("content",), body.get("content"), CONTENT_MAX))
    embeds = body.get("embeds") or []
    found += _too_many(("embeds",), embeds, EMBEDS_MAX)
    for i, embed in enumerate(embeds):
        found += _embed_problems(("embeds", str(i)), embed)
    if sum(_embed_text(e) for e in embeds) > EMBEDS_TOTAL_MAX:
        found.append((("embeds",), "BASE_TYPE_MAX_LENGTH", f"Embed size exceeds maximum size of {EMBEDS_TOTAL_MAX}"))
    rows = body.get("components") or []
    found += _too_many(("components",), rows, ACTION_ROWS_MAX)
    for i, row in enumerate(rows):
        if row.get("type") == ACTION_ROW:
            found += _row_problems(("components", str(i)), row)
    return found


def form_errors(body: Any, prefix: Path = ()) -> dict[str, Any]:
    """Discord's nested ``errors`` object for ``body``'s broken limits; ``{}`` when it is valid."""
    errors: dict[str, Any] = {}
    if not isinstance(body, dict):
        return errors
    for path, code, message in problems(body):
        node = errors
        for key in (*prefix, *path):
            node = node.setdefault(key, {})
        node.setdefault("_errors", []).append({"code": code, "message": message})
    return errors


# ------------------------------------------------------------------------------------ pings
_USER = re.compile(r"<@!?(\d{1,21})>")
_ROLE = re.compile(r"<@&(\d{1,21})>")
_EVERYONE = re.compile(r"@(everyone|here)\b")


@dataclass(frozen=True)
class Pings:
    """Who one message notified."""

    users: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[int] = field(default_factory=frozenset)
    everyone: bool = False

    def __bool__(self) -> bool:
        return bool(self.users or self.roles or self.everyone)


def pings(content: str, allowed_mentions: dict[str, Any] | None, replied_author: int | None = None) -> Pings:
    """Who a message with ``content`` notifies under ``allowed_mentions`` (absent: every mention pings,
    and so does a reply); ``replied_author`` is the author of the message it replies to, if any."""
    users = {int(u) for u in _USER.findall(content)}
    roles = {int(r) for r in _ROLE.findall(content)}
    everyone = bool(_EVERYONE.search(content))
    if allowed_mentions is None:
        if replied_author is not None:
            users.add(replied_author)
        return Pings(frozenset(users), frozenset(roles), everyone)
    parse = set(allowed_mentions.get("parse") or ())
    allowed_users = {int(u) for u in allowed_mentions.get("users") or ()}
    allowed_roles = {int(r) for r in allowed_mentions.get("roles") or ()}
    pinged_users = users if "users" in parse else users & allowed_users
    if replied_author is not None and allowed_mentions.get("replied_user"):
        pinged_users = pinged_users | {replied_author}
    pinged_roles = roles if "roles" in parse else roles & allowed_roles
    return Pings(frozenset(pinged_users), frozenset(pinged_roles), everyone and "everyone" in parse)
