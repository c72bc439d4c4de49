"""Buttons and menus: answer feedback, result paging, opening a story. All views time out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import discord

from retrieval.models import Story

from ..answering import Answer
from . import embeds

if TYPE_CHECKING:
    from .client import NewsBot

log = logging.getLogger(__name__)

T = TypeVar("T")

FEEDBACK_TIMEOUT = 14 * 60.0
"""Under Discord's 15-minute interaction-token life, so the expired buttons can still be disabled."""
PAGER_TIMEOUT = 10 * 60.0

UNKNOWN_INTERACTION = 10062
"""Discord's code for an interaction answered after its 3 s (or that no longer exists)."""
INVALID_WEBHOOK_TOKEN = 50027
"""Discord's code for a follow-up or edit after the interaction token's 15 minutes."""

FEEDBACK_REPLIES = {
    "recorded": "Thanks for the feedback!",
    "changed": "Got it — your vote is changed.",
    "unchanged": "You already voted that way; one vote per person.",
}


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


class BaseView(discord.ui.View):
    """A view that reports its errors to the user briefly and to the log in full, and disables itself on timeout."""

    message: discord.Message | discord.InteractionMessage | None = None

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        label = getattr(item, "label", None) or getattr(item, "custom_id", "")
        await report_error(interaction, error, f"{type(self).__name__} {label}")

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, (discord.ui.Button, discord.ui.Select)):
                item.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException:
                pass


class AnswerView(BaseView):
    """Under an answer: the full source list (private) and 👍 / 👎 feedback (one vote per user)."""

    def __init__(self, bot: NewsBot, answer: Answer, query_id: int | None, *, timeout: float | None = None) -> None:
        super().__init__(timeout=FEEDBACK_TIMEOUT if timeout is None else timeout)
        self.bot = bot
        self.answer = answer
        self.query_id = query_id
        if not answer.citations:
            self.remove_item(self.sources)
        if query_id is None:
            self.remove_item(self.upvote)
            self.remove_item(self.downvote)

    @discord.ui.button(label="Sources", style=discord.ButtonStyle.secondary)
    async def sources(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await interaction.response.send_message(embed=embeds.sources_embed(self.answer), ephemeral=True)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def upvote(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await self._vote(interaction, +1)

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def downvote(self, interaction: discord.Interaction, button: discord.ui.Button[AnswerView]) -> None:
        await self._vote(interaction, -1)

    async def _vote(self, interaction: discord.Interaction, vote: int) -> None:
        assert self.query_id is not None
        outcome = await self.bot.record_feedback(self.query_id, interaction.user.id, vote)
        await interaction.response.send_message(FEEDBACK_REPLIES.get(outcome, "Thanks!"), ephemeral=True)


Fetch = Callable[[int, int], Awaitable[Sequence[T]]]
"""``fetch(offset, limit)`` → one page of items."""
Render = Callable[[Sequence[T], int, bool, int], discord.Embed]
"""``render(items, page, has_more, offset)`` → the page's embed."""


class StorySelect(discord.ui.Select["PagerView[Any]"]):
    """Open one of the page's stories in full (privately); anyone may use it."""

    def __init__(self) -> None:
        super().__init__(
            placeholder="Open a story…", min_values=1, max_values=1, options=[discord.SelectOption(label="-")], row=0
        )

    def set_stories(self, stories: Sequence[Story], offset: int) -> None:
        self.options = [
            discord.SelectOption(
                label=embeds.clip(f"{offset + i}. {s.title}", embeds.SELECT_LABEL_LIMIT),
                description=embeds.clip(", ".join(p for p in (s.outlet, s.published_date) if p) or f"#{s.id}", 100),
                value=str(s.id),
            )
            for i, s in enumerate(stories[: embeds.SELECT_OPTIONS], start=1)
        ]

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await send_story(self.view.bot, interaction, int(self.values[0]))


async def send_story(bot: NewsBot, interaction: discord.Interaction, story_id: int, *, ephemeral: bool = True) -> None:
    """Answer with one story in full, or say plainly that the id is unknown."""
    detail = await bot.service.story(story_id)
    if detail is None:
        await reply_ephemeral(interaction, f"There is no story #{story_id}. Find ids with /latest or /search.")
        return
    await interaction.response.send_message(embed=embeds.story_embed(detail), ephemeral=ephemeral)


class PagerView(BaseView, Generic[T]):
    """Previous/Next paging over a query (only the invoking user pages) and a story picker."""

    def __init__(
        self,
        bot: NewsBot,
        owner_id: int,
        fetch: Fetch[T],
        render: Render[T],
        story_of: Callable[[T], Story],
        *,
        per_page: int = 5,
        timeout: float | None = None,
    ) -> None:
        super().__init__(timeout=PAGER_TIMEOUT if timeout is None else timeout)
        self.bot = bot
        self.owner_id = owner_id
        self.fetch = fetch
        self.render = render
        self.story_of = story_of
        self.per_page = per_page
        self.page = 0
        self.items: Sequence[T] = ()
        self.has_more = False
        self.picker = StorySelect()
        self.add_item(self.picker)

    async def load(self, page: int) -> discord.Embed:
        """Fetch ``page`` (one extra item tells whether there is a next page) and render it."""
        offset = page * self.per_page
        items = list(await self.fetch(offset, self.per_page + 1))
        self.page = page
        self.has_more = len(items) > self.per_page
        self.items = items[: self.per_page]
        self.previous.disabled = page == 0
        self.next.disabled = not self.has_more
        if self.items:
            self.picker.set_stories([self.story_of(i) for i in self.items], offset)
            if self.picker not in self.children:
                self.add_item(self.picker)
        elif self.picker in self.children:
            self.remove_item(self.picker)
        return self.render(self.items, page, self.has_more, offset)

    @property
    def is_single_page(self) -> bool:
        return self.page == 0 and not self.has_more

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        custom_id = (interaction.data or {}).get("custom_id")
        if custom_id in (self.previous.custom_id, self.next.custom_id) and interaction.user.id != self.owner_id:
            await interaction.response.send_message(
                "Only the person who ran the command can turn these pages — run it yourself to browse.", ephemeral=True
            )
            return False
        return True

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, row=1)
    async def previous(self, interaction: discord.Interaction, button: discord.ui.Button[PagerView[T]]) -> None:
        embed = await self.load(max(self.page - 1, 0))
        await interaction.response.edit_message(embed=embed, view=self)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.primary, row=1)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[PagerView[T]]) -> None:
        embed = await self.load(self.page + 1)
        await interaction.response.edit_message(embed=embed, view=self)
