"""Asking: ``/ask`` and questions by mention, in threads and in DMs."""

from __future__ import annotations

import asyncio
import datetime
import logging
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from ...answering import Answer
from ...guild_settings import DEFAULTS
from ...service import MAX_QUESTION_CHARS, QueryOrigin, QuestionError
from .. import embeds
from ..checks import ask_cooldown_check
from ..views import answer_controls

if TYPE_CHECKING:
    from ..client import NewsBot

log = logging.getLogger(__name__)

THREAD_NAME_LIMIT = 100
THREAD_ARCHIVE_MINUTES: Final = 1440  # one of the durations Discord offers
CONTEXT_QUESTIONS = 4
HISTORY_LIMIT = 50
COOLDOWN_NOTICE_SECONDS = 10.0
COOLDOWN_REACTION = "⏳"
ERROR_REPLY = "Sorry — something went wrong answering that. The error has been logged."
DM_CONTEXT_WINDOW = datetime.timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class Conversation:
    """Where a mention came from and how to answer it."""

    question: str
    mentioned: bool
    in_own_thread: bool
    is_dm: bool


def strip_bot_mention(content: str, bot_id: int) -> str:
    """The message text without the bot's ``<@id>`` / ``<@!id>`` mentions, whitespace-normalised."""
    return " ".join(re.sub(rf"<@!?{bot_id}>", " ", content).split())


class AskCog(commands.Cog, name="Ask"):
    """Questions in, cited answers out. Translates only: the service does the answering."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self._settings_reads = asyncio.Lock()
        """Mentions read their guild's settings one at a time, in the order they arrived (the lock is fair),
        so they reach the cooldown in that order too: the first of a burst is answered, not whichever
        read came back first."""

    # ------------------------------------------------------------------ /ask
    @app_commands.command(name="ask", description="Ask about the news coverage; the answer cites its sources")
    @app_commands.describe(question="For example: what did IBM decide about facial recognition?")
    @app_commands.check(ask_cooldown_check)
    async def ask(
        self, interaction: discord.Interaction, question: app_commands.Range[str, 1, MAX_QUESTION_CHARS]
    ) -> None:
        question = self.bot.service.validate_question(question)  # QuestionError → a private note
        async with self.bot.deferred(interaction):
            answer = await self.bot.service.ask(question)
            origin = self._origin("slash", interaction.guild_id, interaction.channel_id, interaction.user.id)
            query_id = await self.bot.log_query(answer, origin)
            await interaction.followup.send(embed=embeds.answer_embed(answer), view=answer_controls(answer, query_id))

    @staticmethod
    def _origin(kind: str, guild_id: int | None, channel_id: int | None, user_id: int) -> QueryOrigin:
        return QueryOrigin(origin=f"discord-{kind}", guild_id=guild_id, channel_id=channel_id, user_id=user_id)

    # -------------------------------------------------------------- mentions
    def classify(self, message: discord.Message) -> Conversation | None:
        """Whether (and how) a message is addressed to the bot; None to ignore it."""
        me = self.bot.user
        if me is None or message.author.bot or message.author.id == me.id:
            return None
        is_dm = message.guild is None
        mentioned = any(u.id == me.id for u in message.mentions)
        resolved = message.reference.resolved if message.reference else None
        replied_to_me = isinstance(resolved, discord.Message) and resolved.author.id == me.id
        channel = message.channel
        in_own_thread = isinstance(channel, discord.Thread) and channel.owner_id == me.id
        addressed = is_dm or mentioned or replied_to_me or (in_own_thread and self.bot.settings.message_content)
        if not addressed:
            return None
        return Conversation(
            question=strip_bot_mention(message.content, me.id),
            mentioned=mentioned or replied_to_me,
            in_own_thread=in_own_thread,
            is_dm=is_dm,
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        conversation = self.classify(message)
        if conversation is None:
            return
        try:
            async with self._settings_reads:
                settings = await self.bot.service.guild_settings(message.guild.id) if message.guild else DEFAULTS
            # no await from here to the cooldown in answer_message: this message is counted before the next
            if not settings.answer_mentions:
                log.debug("not answering message %s: mentions are off in guild %s", message.id, message.guild)
                return
            await self.answer_message(message, conversation, in_thread=settings.answer_in_threads)
        except Exception:
            log.exception("error answering message %s in channel %s", message.id, message.channel.id)
            await self._report_failure(message.channel, message)

    @staticmethod
    async def _report_failure(target: discord.abc.Messageable, message: discord.Message | None) -> None:
        """Tell the user briefly that answering failed (the traceback is already logged)."""
        kwargs: dict[str, Any] = {"reference": message, "mention_author": False} if message is not None else {}
        try:
            await target.send(ERROR_REPLY, **kwargs)
        except discord.HTTPException:
            log.warning("could not report a failure in %s", getattr(target, "id", target))

    async def answer_message(self, message: discord.Message, conversation: Conversation, *, in_thread: bool = True) -> None:
        """Answer a message addressed to the bot; ``in_thread``: a question in a guild channel gets a thread."""
        assert self.bot.user is not None
        if not conversation.question:
            if conversation.mentioned or conversation.is_dm:
                await message.reply(embeds.bare_mention_help(self.bot.user.mention))
            return
        try:
            question = self.bot.service.validate_question(conversation.question)
        except QuestionError as error:
            await message.reply(str(error))
            return
        retry_after = self.bot.cooldown.hit(message.author.id)
        if retry_after:
            await self._refuse_for_cooldown(message, retry_after)
            return

        context: list[str] = []
        target: discord.abc.Messageable = message.channel
        reply_to: discord.Message | None = message
        if conversation.in_own_thread:
            assert isinstance(message.channel, discord.Thread)
            context = await self.thread_questions(message.channel, before=message)
        elif conversation.is_dm:
            context = await self.recent_dm_questions(message)
        elif in_thread and not isinstance(message.channel, discord.Thread):  # a guild channel: a thread a question
            thread = await self.open_thread(message, question)
            if thread is not None:
                target, reply_to = thread, None

        try:
            async with target.typing():
                answer = await self.bot.service.ask(question, context=context)
            kind = "dm" if conversation.is_dm else ("thread" if conversation.in_own_thread else "mention")
            channel_id = getattr(target, "id", message.channel.id)
            origin = self._origin(kind, message.guild.id if message.guild else None, channel_id, message.author.id)
            query_id = await self.bot.log_query(answer, origin)
            await self.send_answer(target, answer, query_id, reply_to=reply_to)
        except Exception:
            log.exception("error answering message %s in %s", message.id, getattr(target, "id", target))
            await self._report_failure(target, reply_to)

    async def _refuse_for_cooldown(self, message: discord.Message, retry_after: float) -> None:
        """One short notice per cooldown window; later questions in the window only get a ⏳ reaction."""
        if self.bot.cooldown.first_refusal(message.author.id, retry_after):
            await message.reply(
                f"You're asking quickly — try again in {math.ceil(retry_after)} s.", delete_after=COOLDOWN_NOTICE_SECONDS
            )
            return
        try:
            await message.add_reaction(COOLDOWN_REACTION)
        except discord.HTTPException:  # no Add Reactions permission: staying quiet is fine
            log.debug("could not react to message %s", message.id)

    async def send_answer(
        self, target: discord.abc.Messageable, answer: Answer, query_id: int | None, *, reply_to: discord.Message | None
    ) -> None:
        kwargs: dict[str, Any] = {"reference": reply_to, "mention_author": False} if reply_to is not None else {}
        await target.send(embed=embeds.answer_embed(answer), view=answer_controls(answer, query_id), **kwargs)

    async def open_thread(self, message: discord.Message, question: str) -> discord.Thread | None:
        """A public thread on the question's message; None (answer in place) if not allowed."""
        name = embeds.clip(embeds.escape_mentions(question), THREAD_NAME_LIMIT)
        try:
            return await message.create_thread(name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as error:
            log.info("could not open a thread in %s (%s); answering in the channel", message.channel.id, error)
            return None

    async def thread_questions(self, thread: discord.Thread, *, before: discord.Message) -> list[str]:
        """The thread's earlier questions, oldest first: its starter message, then users' messages to the bot."""
        assert self.bot.user is not None
        questions: list[str] = []
        starter = thread.starter_message
        if starter is None and thread.parent is not None:
            try:
                starter = await thread.parent.fetch_message(thread.id)  # type: ignore[union-attr]
            except discord.HTTPException:
                starter = None
        if starter is not None:
            questions.append(strip_bot_mention(starter.content, self.bot.user.id))
        history = [m async for m in thread.history(limit=HISTORY_LIMIT, before=before)]
        for previous in reversed(history):
            if not previous.author.bot:
                questions.append(strip_bot_mention(previous.content, self.bot.user.id))
        return [q for q in questions if q][-CONTEXT_QUESTIONS:]

    async def recent_dm_questions(self, message: discord.Message) -> list[str]:
        """The user's questions earlier in this DM, within the last half hour, oldest first."""
        assert self.bot.user is not None
        since = message.created_at - DM_CONTEXT_WINDOW
        channel = message.channel
        history = [m async for m in channel.history(limit=HISTORY_LIMIT, before=message, after=since, oldest_first=False)]
        mine = [m for m in reversed(history) if m.author.id == message.author.id]
        questions = [strip_bot_mention(m.content, self.bot.user.id) for m in mine]
        return [q for q in questions if q][-CONTEXT_QUESTIONS:]
