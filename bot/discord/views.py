"""Buttons and menus: an answer's sources and feedback, result paging, opening a story.

Every control is a :class:`discord.ui.DynamicItem` whose custom id carries what it needs (the quoted
passages' ids, the query id, the pages' query and number), registered in ``setup_hook`` with
``bot.add_dynamic_items(*CONTROLS)``. So controls never time out and keep working after a restart.
A control that cannot be rebuilt from its id (its passages were re-ingested, its pages were kept only
in memory, or it comes from an older version of the bot) is answered privately with what to do instead.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote

import discord

from retrieval.models import Story

from ..answering import Answer, Citation
from . import embeds

if TYPE_CHECKING:
    from .client import NewsBot

log = logging.getLogger(__name__)

CUSTOM_ID_LIMIT = 100
"""Discord's limit on a component's custom id."""
UNKNOWN_INTERACTION = 10062
"""Discord's code for an interaction answered after its 3 s (or that no longer exists)."""
INVALID_WEBHOOK_TOKEN = 50027
"""Discord's code for a follow-up or edit after the interaction token's 15 minutes."""

FEEDBACK_REPLIES = {
    "recorded": "Thanks for the feedback!",
    "changed": "Got it — your vote is changed.",
    "unchanged": "You already voted that way; one vote per person.",
}
SOURCES_GONE = "The articles behind this answer have changed since; ask again for a fresh answer with its sources."
VOTE_GONE = "That answer is no longer in the log, so it can't take a vote; ask again to rate a fresh one."
PAGES_GONE = "These pages were kept only until the bot restarted; run the command again to browse."
NOT_YOUR_PAGES = "Only the person who ran the command can turn these pages — run it yourself to browse."
STALE_CONTROL = "This control is from an older version of the bot and no longer works; run the command again."


# ---------------------------------------------------------------------------- errors
async def reply_ephemeral(interaction: discord.Interaction, text: str, **kwargs: Any) -> None:
    """A short private reply, whether or not the interaction was answered already."""
    text = embeds.fit_content(text)
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(text, ephemeral=True, **kwargs)


def is_expired(error: BaseException) -> bool:
    """Whether ``error`` (or the error it wraps) says the interaction can no longer be answered."""
    original = getattr(error, "original", error)
    return isinstance(original, discord.HTTPException) and original.code in (UNKNOWN_INTERACTION, INVALID_WEBHOOK_TOKEN)


def warn_expired(interaction: discord.Interaction, what: str) -> None:
    """One line for an interaction that expired before the bot answered: nothing to retry, nobody to tell."""
    log.warning(
        "%s: interaction %s of user %s expired before the answer (Discord allows 3 s); not replying",
        what, interaction.id, interaction.user.id,
    )


async def report_error(interaction: discord.Interaction, error: Exception, what: str) -> None:
    """A failed button or menu: an expired interaction is one warning; anything else is logged in full and
    the user told briefly (privately)."""
    if is_expired(error):
        warn_expired(interaction, what)
        return
    log.error("error in %s for user %s", what, interaction.user.id, exc_info=error)
    try:
        await reply_ephemeral(interaction, "Sorry — that didn't work. The error has been logged.")
    except discord.HTTPException:
        log.warning("could not report an error in %s to the user", what)


async def guarded(interaction: discord.Interaction, what: str, action: Callable[[], Awaitable[None]]) -> None:
    """Run a control's action; its errors are reported (discord.py would only log dynamic items' errors)."""
    try:
        await action()
    except Exception as error:  # noqa: BLE001 - any failure is reported to the user and logged in full
        await report_error(interaction, error, what)


def _bot(interaction: discord.Interaction) -> NewsBot:
    return interaction.client  # type: ignore[return-value]


# ---------------------------------------------------------------------------- answers
def _encode_sources(groups: Sequence[Sequence[int]]) -> str:
    return "nb:src:" + ",".join(".".join(str(i) for i in group) for group in groups)


class SourcesButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"nb:src:(?P<groups>\d+(?:[.,]\d+)*)"):
    """Every source of an answer, privately, rebuilt from the quoted passages' ids (one group per source)."""

    def __init__(self, groups: Sequence[Sequence[int]]) -> None:
        super().__init__(
            discord.ui.Button(label="Sources", style=discord.ButtonStyle.secondary, custom_id=_encode_sources(groups))
        )
        self.groups = [list(group) for group in groups]

    @classmethod
    def for_answer(cls, answer: Answer) -> SourcesButton | None:
        """The button for ``answer``: every quoted passage if its id fits, else each source's first; None if
        it has no sources or even that does not fit."""
        for groups in ([[p.id for p in c.passages] for c in answer.citations], [[c.passages[0].id] for c in answer.citations]):
            if groups and all(groups) and len(_encode_sources(groups)) <= CUSTOM_ID_LIMIT:
                return cls(groups)
        if answer.citations:
            log.warning("the %d sources of %r do not fit a button's custom id", len(answer.citations), answer.question)
        return None

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SourcesButton:
        return cls([[int(i) for i in group.split(".")] for group in match["groups"].split(",")])

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, "the Sources button", lambda: self._show(interaction))

    async def _show(self, interaction: discord.Interaction) -> None:
        citations: Sequence[Citation] | None = await _bot(interaction).service.citations(self.groups)
        if citations is None:
            await reply_ephemeral(interaction, SOURCES_GONE)
            return
        await interaction.response.send_message(embed=embeds.sources_embed(citations), ephemeral=True)


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"nb:vote:(?P<query_id>\d+):(?P<vote>up|down)"):
    """👍 / 👎 on a logged answer; one vote per user."""

    def __init__(self, query_id: int, vote: Literal["up", "down"]) -> None:
        super().__init__(
            discord.ui.Button(
                emoji="👍" if vote == "up" else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"nb:vote:{query_id}:{vote}",
            )
        )
        self.query_id = query_id
        self.vote = vote

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["query_id"]), "up" if match["vote"] == "up" else "down")

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, f"the {self.vote}vote button", lambda: self._record(interaction))

    async def _record(self, interaction: discord.Interaction) -> None:
        try:
            outcome = await _bot(interaction).record_feedback(
                self.query_id, interaction.user.id, +1 if self.vote == "up" else -1
            )
        except KeyError:
            await reply_ephemeral(interaction, VOTE_GONE)
            return
        await interaction.response.send_message(FEEDBACK_REPLIES.get(outcome, "Thanks!"), ephemeral=True)


def answer_controls(answer: Answer, query_id: int | None) -> discord.ui.View:
    """Under an answer: Sources (when it has any) and 👍 / 👎 (when it was logged)."""
    view = discord.ui.View(timeout=None)
    sources = SourcesButton.for_answer(answer)
    if sources is not None:
        view.add_item(sources)
    if query_id is not None:
        view.add_item(VoteButton(query_id, "up"))
        view.add_item(VoteButton(query_id, "down"))
    return view


# ---------------------------------------------------------------------------- stories
async def send_story(bot: NewsBot, interaction: discord.Interaction, story_id: int, *, ephemeral: bool = True) -> None:
    """Answer with one story in full, or say plainly that the id is unknown."""
    detail = await bot.service.story(story_id)
    if detail is None:
        await reply_ephemeral(interaction, f"There is no story #{story_id}. Find ids with /latest or /search.")
        return
    await interaction.response.send_message(embed=embeds.story_embed(detail), ephemeral=ephemeral)


class StoryPicker(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"nb:story"):
    """Open one of the page's stories in full (privately); anyone may use it. Its options are the story ids."""

    def __init__(self, select: discord.ui.Select[Any]) -> None:
        super().__init__(select)

    @classmethod
    def for_stories(cls, stories: Sequence[Story], offset: int) -> StoryPicker:
        options = [
            discord.SelectOption(
                label=embeds.clip(f"{offset + i}. {s.title}", embeds.SELECT_LABEL_LIMIT),
                description=embeds.clip(", ".join(p for p in (s.outlet, s.published_date) if p) or f"#{s.id}", 100),
                value=str(s.id),
            )
            for i, s in enumerate(stories[: embeds.SELECT_OPTIONS], start=1)
        ]
        return cls(discord.ui.Select(custom_id="nb:story", placeholder="Open a story…", options=options, row=0))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StoryPicker:
        assert isinstance(item, discord.ui.Select)
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, "the story menu", lambda: send_story(_bot(interaction), interaction, int(self.item.values[0])))


# ---------------------------------------------------------------------------- pages
@dataclass(frozen=True, slots=True)
class Pages:
    """What a pager lists, and for whom: the newest stories (optionally by topic/outlet) or a search."""

    kind: Literal["latest", "search"]
    owner_id: int
    per_page: int = 5
    topic: str = ""
    outlet: str = ""
    query: str = ""

    def encode(self) -> str:
        args = (self.topic, self.outlet) if self.kind == "latest" else (self.query,)
        return f"{self.kind}:{self.owner_id:x}:{self.per_page}:" + "|".join(quote(a, safe=" ") for a in args)

    @classmethod
    def decode(cls, kind: str, owner: str, per_page: str, args: str) -> Pages:
        values = [unquote(a) for a in args.split("|")]
        if kind == "latest":
            topic, outlet = [*values, "", ""][:2]
            return cls("latest", int(owner, 16), int(per_page), topic=topic, outlet=outlet)
        return cls("search", int(owner, 16), int(per_page), query=values[0])

    @property
    def title(self) -> str:
        if self.kind == "search":
            return f"Search: {self.query}"
        filters = (("topic", self.topic), ("outlet", self.outlet))
        return "Latest stories" + "".join(f" · {label}: {value}" for label, value in filters if value)


class SavedPages:
    """Pages whose query is too long for a custom id, kept in memory (bounded) under a random token."""

    def __init__(self, capacity: int = 1000) -> None:
        self.capacity = capacity
        self._saved: OrderedDict[str, Pages] = OrderedDict()

    def save(self, pages: Pages) -> str:
        token = secrets.token_hex(6)
        self._saved[token] = pages
        while len(self._saved) > self.capacity:
            self._saved.popitem(last=False)
        return token

    def get(self, token: str) -> Pages | None:
        return self._saved.get(token)


_PAGE_TEMPLATE = (
    r"nb:page:(?P<page>\d+):(?:saved:(?P<token>[0-9a-f]+)"
    r"|(?P<kind>latest|search):(?P<owner>[0-9a-f]+):(?P<per_page>\d+):(?P<args>.*))"
)


def _page_id(page: int, pages: Pages, token: str | None) -> str:
    return f"nb:page:{page}:saved:{token}" if token else f"nb:page:{page}:{pages.encode()}"


class PageButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=_PAGE_TEMPLATE):
    """Previous / Next: shows ``page`` of ``pages`` in place; only the user who ran the command pages."""

    def __init__(self, button: discord.ui.Button[Any], page: int, pages: Pages | None, token: str | None) -> None:
        super().__init__(button)
        self.page = page
        self.pages = pages
        self.token = token

    @classmethod
    def make(cls, label: str, page: int, pages: Pages, token: str | None, *, disabled: bool) -> PageButton:
        style = discord.ButtonStyle.primary if label == "Next" else discord.ButtonStyle.secondary
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label, style=style, disabled=disabled, custom_id=_page_id(page, pages, token), row=1
        )
        return cls(button, page, pages, token)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        assert isinstance(item, discord.ui.Button)
        token = match["token"]
        if token:
            return cls(item, int(match["page"]), _bot(interaction).saved_pages.get(token), token)
        pages = Pages.decode(match["kind"], match["owner"], match["per_page"], match["args"])
        return cls(item, int(match["page"]), pages, None)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, f"the {self.item.label} button", lambda: self._turn(interaction))

    async def _turn(self, interaction: discord.Interaction) -> None:
        if self.pages is None:
            await reply_ephemeral(interaction, PAGES_GONE)
            return
        if interaction.user.id != self.pages.owner_id:
            await reply_ephemeral(interaction, NOT_YOUR_PAGES)
            return
        page = await load_page(_bot(interaction), self.pages, self.page, token=self.token)
        await interaction.response.edit_message(embed=page.embed, view=page.view)


@dataclass(frozen=True, slots=True)
class Page:
    """One rendered page and its controls."""

    embed: discord.Embed
    view: discord.ui.View
    empty: bool
    single: bool


async def load_page(bot: NewsBot, pages: Pages, page: int, *, token: str | None = None) -> Page:
    """Fetch ``page`` (one extra item tells whether there is a next one), render it and its controls."""
    offset = page * pages.per_page
    service = bot.service
    embed: discord.Embed
    if pages.kind == "latest":
        found = await service.latest(
            topic=pages.topic or None, outlet=pages.outlet or None, limit=pages.per_page + 1, offset=offset
        )
        stories = found[: pages.per_page]
        has_more = len(found) > pages.per_page
        title = embeds.escape(pages.title)
        embed = embeds.stories_embed(stories, title=title, page=page, has_more=has_more, offset=offset)
    else:
        results = await service.search(pages.query, limit=pages.per_page + 1, offset=offset)
        has_more = len(results) > pages.per_page
        results = results[: pages.per_page]
        stories = [r.story for r in results]
        embed = embeds.search_embed(results, query=pages.query, page=page, has_more=has_more, offset=offset)
    if token is None and len(_page_id(page + 1, pages, None)) > CUSTOM_ID_LIMIT:
        token = bot.saved_pages.save(pages)
    view = discord.ui.View(timeout=None)
    if stories:
        view.add_item(StoryPicker.for_stories(stories, offset))
    view.add_item(PageButton.make("Previous", max(page - 1, 0), pages, token, disabled=page == 0))
    view.add_item(PageButton.make("Next", page + 1, pages, token, disabled=not has_more))
    return Page(embed, view, empty=not stories, single=page == 0 and not has_more)


# ---------------------------------------------------------------------------- older controls
class StaleControl(discord.ui.DynamicItem[discord.ui.Item[Any]], template=r"[0-9a-f]{32}"):
    """A control from before controls were dynamic: discord.py's random 32-hex custom id, whose view died with
    the old process. Every control this bot sends now has an ``nb:`` id, so such an id is never live."""

    def __init__(self, item: discord.ui.Item[Any]) -> None:
        super().__init__(item)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StaleControl:
        return cls(item)

    async def callback(self, interaction: discord.Interaction) -> None:
        await guarded(interaction, "an older control", lambda: reply_ephemeral(interaction, STALE_CONTROL))


CONTROLS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (SourcesButton, VoteButton, StoryPicker, PageButton, StaleControl)
"""Every control the bot answers, for ``bot.add_dynamic_items(*CONTROLS)``."""
