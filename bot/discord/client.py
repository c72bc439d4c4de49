"""NewsBot: the Discord client. Opens the service in ``setup_hook``, loads a cog per concern, syncs commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator, Awaitable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from ..answering import Answer
from ..service import NewsService, QueryOrigin, QuestionError
from ..settings import Settings
from ..watch import SeedWatcher
from .checks import NotManager
from .cogs.admin import AdminCog
from .cogs.ask import AskCog
from .cogs.browse import BrowseCog
from .cogs.feeds import FeedsCog
from .cogs.live import LiveCog
from .cooldown import UserCooldown
from .notifier import StoryNotifier
from .views import CONTROLS, SavedPages, is_expired, reply_ephemeral, warn_expired

log = logging.getLogger(__name__)

T = TypeVar("T")

SHUTDOWN_GRACE_S = 5.0
RESTART_NOTICE = "The bot is restarting, so this answer was cut short — please ask again in a minute."


class CommandSyncRefused(RuntimeError):
    """Discord refused to register the slash commands; the message says what to check."""


class NewsBot(commands.AutoShardedBot):
    """The newsbot Discord client. All state lives on the instance (safe for any number of shards).

    ``service`` may be injected (tests); otherwise it is opened from ``settings`` in ``setup_hook``
    and closed in ``close``.
    """

    def __init__(self, settings: Settings, *, service: NewsService | None = None, **options: Any) -> None:
        intents = discord.Intents.default()  # no privileged intents...
        intents.message_content = settings.message_content  # ...unless the owner turned this one on
        intents.members = False
        intents.presences = False
        options.setdefault("allowed_mentions", discord.AllowedMentions.none())
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # a text-only bot needs no voice
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None, **options)
        self.settings = settings
        self._service = service
        self._owns_service = service is None
        self.cooldown = UserCooldown(rate=settings.ask_cooldown_rate, per=settings.ask_cooldown_seconds)
        self._pending_writes: set[asyncio.Task[Any]] = set()
        self._in_flight: dict[int, tuple[discord.Interaction, asyncio.Task[Any] | None]] = {}
        self._shutdown: asyncio.Task[None] | None = None
        self.saved_pages = SavedPages()
        self.notifier = StoryNotifier(self)
        self.watcher: SeedWatcher | None = None

    @property
    def service(self) -> NewsService:
        if self._service is None:
            raise RuntimeError("the news service is not open yet")
        return self._service

    # ---------------------------------------------------------------- lifecycle
    async def setup_hook(self) -> None:
        if self._service is None:
            # answer from the stored coverage at once; new or changed seed files arrive as the rescan finds them
            self._service = await NewsService.open(
                self.settings, ingest=self.settings.rescan, background=True, compile_search=True
            )
        self.notifier.start()  # before anything awaits: the background rescan's new stories are posted too
        if self.settings.watch and self.settings.rescan:
            self.watcher = SeedWatcher(self.service)
            self.watcher.start()
        for cog in (AskCog(self), BrowseCog(self), AdminCog(self), LiveCog(self), FeedsCog(self)):
            await self.add_cog(cog)
        self.service.start_feed_polling()  # in the background, never blocking the loop; stopped on close
        self.add_dynamic_items(*CONTROLS)  # buttons and menus work on messages sent before a restart
        self.tree.on_error = self.on_app_command_error  # type: ignore[method-assign]
        await self.sync_commands()

    async def sync_commands(self) -> list[app_commands.AppCommand]:
        """To one guild when ``DISCORD_GUILD_ID`` is set (instant), else globally.

        Raises :class:`CommandSyncRefused` (one line saying what to check) when Discord refuses the guild.
        """
        if self.settings.guild_id:
            guild = discord.Object(id=self.settings.guild_id)
            self.tree.copy_global_to(guild=guild)
            try:
                synced = await self.tree.sync(guild=guild)
            except discord.Forbidden as error:
                raise CommandSyncRefused(
                    f"Discord refused the slash commands for guild {self.settings.guild_id} ({error.text or error.status}): "
                    "check that DISCORD_GUILD_ID is a server the bot is in, or re-invite the bot with the "
                    "applications.commands scope"
                ) from None
            log.info("synced %d commands to guild %s", len(synced), self.settings.guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d commands globally (may take a while to appear)", len(synced))
        return synced

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("connected as %s (%s) to %d guild(s), %s shard(s)", self.user, self.user.id, len(self.guilds), self.shard_count)

    async def on_message(self, message: discord.Message) -> None:
        """No prefix commands: mentions and DMs are handled by the ask cog's listener."""

    async def close(self) -> None:
        """Shut down once, however often called (Ctrl-C, SIGTERM, the context manager): see :meth:`_shut_down`."""
        await asyncio.shield(self.begin_shutdown())

    def begin_shutdown(self) -> asyncio.Task[None]:
        """Start shutting down (idempotent); the returned task ends when the store is closed."""
        if self._shutdown is None:
            self._shutdown = asyncio.create_task(self._shut_down(), name="newsbot-shutdown")
        return self._shutdown

    async def _shut_down(self) -> None:
        """Tell deferred answers we are restarting, disconnect, let in-flight writes finish, close the store."""
        await self._cut_short_in_flight_answers()
        if self._service is not None:  # first: no feed item arrives while the notifier posts what waits
            await self._service.stop_feed_polling()
        if self.watcher is not None:
            await self.watcher.stop()
        await self.notifier.stop()
        await super().close()
        if self._pending_writes:
            await asyncio.wait(self._pending_writes, timeout=SHUTDOWN_GRACE_S)
        if self._service is not None and self._owns_service:
            service, self._service = self._service, None
            await service.close()
            log.info("store closed")

    @contextlib.asynccontextmanager
    async def deferred(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> AsyncIterator[None]:
        """Defer (the user sees "thinking…"); until the block ends, a shutdown stops it and edits in a notice."""
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        self._in_flight[interaction.id] = (interaction, asyncio.current_task())
        try:
            yield
        finally:
            self._in_flight.pop(interaction.id, None)

    async def _cut_short_in_flight_answers(self) -> None:
        in_flight, self._in_flight = list(self._in_flight.values()), {}
        if not in_flight:
            return
        for _, task in in_flight:
            if task is not None and task is not asyncio.current_task():
                task.cancel()  # store writes are shielded (see write) and awaited below
        log.info("telling %d deferred answer(s) that the bot is restarting", len(in_flight))
        try:
            results = await asyncio.wait_for(
                asyncio.gather(
                    *(interaction.edit_original_response(content=RESTART_NOTICE) for interaction, _ in in_flight),
                    return_exceptions=True,
                ),
                timeout=SHUTDOWN_GRACE_S,
            )
        except TimeoutError:
            log.warning("Discord did not take the restarting notices within %.0f s; shutting down anyway", SHUTDOWN_GRACE_S)
            return
        for result in results:
            if isinstance(result, Exception):
                log.warning("could not tell a deferred answer that the bot is restarting: %s", result)

    # ----------------------------------------------------------- service calls
    def write(self, coro: Awaitable[T]) -> Awaitable[T]:
        """Run a store write so that shutdown waits for it and a cancelled caller cannot tear it."""
        task = asyncio.ensure_future(coro)
        self._pending_writes.add(task)
        task.add_done_callback(self._pending_writes.discard)
        return asyncio.shield(task)

    async def log_query(self, answer: Answer, origin: QueryOrigin) -> int | None:
        """Log a question; a failing log never costs the user the answer."""
        try:
            return await self.write(self.service.log_query(answer, origin=origin))
        except Exception:
            log.exception("could not log a query")
            return None

    async def record_feedback(self, query_id: int, user_id: int, vote: int) -> str:
        return await self.write(self.service.record_feedback(query_id, user_id, vote))

    # ------------------------------------------------------------------ errors
    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Every slash-command error becomes a short private message; unexpected ones are logged in full."""
        original = getattr(error, "original", error)
        name = interaction.command.qualified_name if interaction.command else "that command"
        if is_expired(error):
            warn_expired(interaction, f"/{name}")
            return
        if isinstance(error, app_commands.CommandOnCooldown):
            text = f"You're asking quickly — try again in {math.ceil(error.retry_after)} s."
        elif isinstance(original, QuestionError):
            text = str(original)
        elif isinstance(error, (NotManager, app_commands.MissingPermissions)):
            text = "Only members with the Manage Server permission (or the bot's owner) can do that."
        elif isinstance(error, app_commands.NoPrivateMessage):
            text = "That command only works in a server."
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use that command here."
        else:
            log.error("error in /%s (user %s)", name, interaction.user.id, exc_info=original)
            text = f"Sorry — something went wrong with /{name}. The error has been logged; please try again later."
        try:
            await reply_ephemeral(interaction, text)
        except discord.HTTPException:
            log.warning("could not report an error to the user", exc_info=True)

