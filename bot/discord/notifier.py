"""Posting new stories to subscribed channels: a burst of new stories is one message a channel, not a flood.

The service announces new stories after each ingest (files, the watched folder, feeds). The notifier
queues them, waits :data:`BURST_WINDOW_S` for the rest of a burst, then, channel by channel, claims the
stories in the store (a story is posted to a channel at most once, across restarts and duplicate items)
and posts them as compact embeds that ping nobody. discord.py waits out rate limits (429s); the
notifier sends one message at a time, so it never spins against them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from retrieval.models import Story
from retrieval.signals import Signal

from . import embeds

if TYPE_CHECKING:
    from .client import NewsBot

log = logging.getLogger(__name__)

BURST_WINDOW_S = 2.0
"""New stories announced within this long of the first are posted together."""
MAX_STORIES_PER_BURST = 20
"""At most this many stories a channel per burst (two messages); the rest are named in a line pointing
to /digest, so a feed that publishes its whole archive at once cannot flood a channel."""
STOP_GRACE_S = 5.0
"""At shutdown, stories still queued are posted for at most this long."""
NO_PINGS = discord.AllowedMentions.none()


class StoryNotifier:
    """Listens to ``service.new_stories`` and posts what each subscribed channel asked for."""

    def __init__(self, bot: NewsBot, *, burst_window_s: float = BURST_WINDOW_S) -> None:
        self.bot = bot
        self.burst_window_s = burst_window_s
        self._queue: asyncio.Queue[list[Story]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._signal: Signal[list[Story]] | None = None
        self._pending: list[Story] = []
        self._closing = asyncio.Event()
        self.posted = 0
        """Messages posted so far (for tests and logs)."""

    def start(self) -> None:
        self._signal = self.bot.service.new_stories
        self._signal.connect(self.enqueue)
        self._task = asyncio.create_task(self._run(), name="newsbot-notifier")

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Stop listening, and post what is queued (up to ``grace_s``; the gateway is still connected)."""
        if self._signal is not None:
            self._signal.disconnect(self.enqueue)
        if self._task is None:
            return
        self._closing.set()
        self._queue.put_nowait([])  # wakes a notifier waiting for stories
        if not self.bot.is_ready():  # never connected: nothing could be posted
            grace_s = 0
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace_s)
        except TimeoutError:
            if grace_s:
                log.warning("new stories not posted within %.0f s of shutting down; /digest lists them", grace_s)
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._task = None

    async def enqueue(self, stories: list[Story]) -> None:
        """The service's listener: never waits on Discord, so an ingest is never held up by posting."""
        self._queue.put_nowait(stories)

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while not self._closing.is_set():
            self._pending.extend(await self._queue.get())
            if not self._closing.is_set():
                with contextlib.suppress(TimeoutError):  # the rest of the burst, or a shutdown
                    await asyncio.wait_for(self._closing.wait(), self.burst_window_s)
            await self._flush()

    async def _flush(self) -> None:
        while not self._queue.empty():
            self._pending.extend(self._queue.get_nowait())
        stories, self._pending = self._pending, []
        if not stories:
            return
        try:
            await self.deliver(stories)
        except Exception:
            log.exception("could not post %d new stories to the subscribed channels", len(stories))

    async def deliver(self, stories: Sequence[Story]) -> None:
        """Post the new stories each subscribed channel asked for, each story at most once a channel."""
        unique = list({story.key: story for story in stories}.values())
        for channel_id, matched in (await self.bot.service.deliveries(unique)).items():
            shown = matched[:MAX_STORIES_PER_BURST]
            claimed = set(await self.bot.write(self.bot.service.claim_posts(channel_id, [s.key for s in shown])))
            fresh = [story for story in shown if story.key in claimed]
            if fresh:
                await self._post(channel_id, fresh, more=len(matched) - len(shown))

    async def _post(self, channel_id: int, stories: list[Story], *, more: int) -> None:
        channel = self.bot.get_channel(channel_id)
        try:
            if channel is None:
                channel = await self.bot.fetch_channel(channel_id)
            if not isinstance(channel, discord.abc.Messageable):
                log.warning("subscription channel %s cannot take messages", channel_id)
                return
            leads = await self.bot.service.leads(stories)
            cards = [embeds.new_story_embed(s, s.excerpt or (leads.get(s.id) or (None, 0))[0]) for s in stories]
            messages = embeds.batches(cards)
            for number, batch in enumerate(messages):
                last = number == len(messages) - 1
                note = f"…and {more} more new stories: see `/digest`." if last and more else None
                await channel.send(content=note, embeds=batch, allowed_mentions=NO_PINGS)
                self.posted += 1
        except (discord.Forbidden, discord.NotFound) as error:
            log.warning("cannot post new stories to channel %s (%s); /unsubscribe it or give the bot access",
                        channel_id, error.text or error.status)
        except discord.HTTPException:
            log.exception("posting new stories to channel %s failed", channel_id)
