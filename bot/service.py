"""NewsService: the one facade over the core that every adapter (CLI, chat, Discord) calls."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import statistics
import time
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Self, cast

from retrieval import kernels
from retrieval.analyzer import Analyzer
from retrieval.feedtable import Clock, FeedError, FeedTable, SystemClock, validate_url
from retrieval.index import LiveIndex
from retrieval.ingest import Document, IngestError, Ingestor, Progress
from retrieval.models import Facet, Feed, FeedStatus, IngestReport, Passage, RankedPassage, Story
from retrieval.passages import split_sentences
from retrieval.storage import NewsStore, open_store

from .answering import Answer, Citation
from .answering.compose import compose_answer, compose_digest, lead_sentence
from .answering.dates import DateMention, find_date
from .answering.question import Question, analyse
from .answering.spans import TYPED, has_answer
from .guild_settings import GuildSettings, GuildSettingsBook, open_guild_settings
from .live import Digest, DigestItem, SubscriptionError, SubscriptionRow, deliveries, group_by_topic
from .records import QueryLog, QueryRecord, open_query_log
from .settings import Settings
from .subscriptions import SubscriptionBook, open_subscriptions

if TYPE_CHECKING:
    from retrieval.early_listing import EarlyListing
    from retrieval.feeds import FeedPoller, PollOutcome
    from retrieval.pgstore import PostgresStore
    from retrieval.replica import Replica

    from .cluster import ClusterMember

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1_000
RETRIEVE_PASSAGES = 20
SEARCH_PASSAGES = 40
"""An answer searches this many passages and keeps RETRIEVE_PASSAGES of them, PASSAGES_PER_STORY at most
from one story."""
PASSAGES_PER_STORY = 4
INLINE_SEARCH_POSTINGS = 500_000
"""A question whose terms have at most this many postings in all is searched on the event loop: a few
milliseconds at 1M passages, far below what the gateway notices (discord.py warns when its heartbeat is
blocked for seconds). Longer searches go to a worker thread."""
INLINE_COMPILED_SEARCH_POSTINGS = 4_000_000
"""The same bound once the compiled kernels search (1–3 ns a posting instead of 8: the heaviest benchmark
question, 682k postings, takes 1.5 ms at 1M passages)."""
CORRECT_MIN_LETTERS = 6
TOP_STORY_PASSAGES = 30
"""At most this many passages of the best story are read in full for a typed question."""
COMPILE_MIN_PASSAGES = 20_000
"""A long-running process compiles the search kernels (in the background) once the index holds this many
passages; below it, posting lists are too short for compiling to pay."""
COMPILE_AFTER_S = 1.0
_HELD_S = 24 * 3600.0
"""A feed about to be polled by the caller is not due for the background poller (its poll sets the real time)."""
"""Without a background rescan to wait for, compiling starts this long after start-up."""
MAX_SUBSCRIPTION_QUERY_CHARS = 200
MAX_SUBSCRIPTION_FILTER_CHARS = 100
MAX_SUBSCRIPTIONS_PER_GUILD = 25
DIGEST_STORIES = 50
"""A digest lists at most this many stories (the newest) and says how many more there are."""


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A story matching a search, with its best passage."""

    story: Story
    passage: str
    score: float


@dataclass(frozen=True, slots=True)
class StoryDetail:
    """One story in full, with the coverage it lists and the articles that list it."""

    story: Story
    passages: tuple[Passage, ...]
    related: tuple[Story, ...]
    listed_in: tuple[Story, ...]


@dataclass(frozen=True, slots=True)
class QueryOrigin:
    """Where a question came from, for the query log (the user id is stored only hashed)."""

    origin: str = "cli"
    guild_id: int | None = None
    channel_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True, slots=True)
class UsageStats:
    queries: int
    abstention_rate: float
    upvotes: int
    downvotes: int
    latency_p50_ms: float
    latency_p95_ms: float
    top_questions: tuple[tuple[str, int], ...] = field(default=())


class QuestionError(ValueError):
    """The question cannot be asked as it is (empty, too long); the message says why."""


_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")  # Hangul fillers and the blank Braille pattern


def _is_visible(ch: str) -> bool:
    """False for whitespace, zero-width/format characters (U+200B, U+200D, U+FEFF…) and blank 'letters'."""
    return ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _INVISIBLE_CATEGORIES


def hash_user(user_id: int | None, salt: str) -> str | None:
    """A stable, non-reversible user token for the query log."""
    if user_id is None:
        return None
    return hashlib.blake2b(f"{salt}:{user_id}".encode(), digest_size=8).hexdigest()


class NewsService:
    """Ingest, ask, browse and log: the core's API for adapters. All methods are coroutines."""

    def __init__(
        self, settings: Settings, store: NewsStore, index: LiveIndex, analyzer: Analyzer, *, clock: Clock | None = None
    ) -> None:
        self.settings = settings
        self.store = store
        self.index = index
        self.analyzer = analyzer
        self.ingestor = Ingestor(store, index, analyzer)
        self.clock: Clock = clock or SystemClock()
        self._feeds: FeedPoller | None = None
        self.feeds_task: asyncio.Task[None] | None = None
        """The background feed polling started by :meth:`start_feed_polling`, if any."""
        self.rescan_task: asyncio.Task[IngestReport | None] | None = None
        """The background rescan started by ``open(..., background=True)``, if any."""
        self.compile_task: asyncio.Task[bool] | None = None
        """The background compile started by ``open(..., compile_search=True)``, if any."""
        self._story_count: int | None = None
        self.queries: QueryLog | None = None
        """The query log and feedback (the bot's tables in the store's database), set by :meth:`open`."""
        self.replica: Replica | None = None
        """With a shared (PostgreSQL) store: what keeps this process's index caught up with the store."""
        self.cluster: ClusterMember | None = None
        """With a shared store and ``background``: this process's part in electing the leader."""
        self.cluster_task: asyncio.Task[None] | None = None
        self.subscription_book: SubscriptionBook | None = None
        """Channel subscriptions and what was posted where (the bot's tables), set by :meth:`open`."""
        self.guild_settings_book: GuildSettingsBook | None = None
        """The guilds' settings (a bot table, read through on every use), set by :meth:`open`."""
        self.new_stories = self.ingestor.new_stories
        """Async listeners connected here get the stories each ingest stores for the first time, once they
        are committed and searchable (files, a rescan, the watched folder, feeds: every ingest)."""

    @property
    def feeds(self) -> FeedPoller:
        """Polls the subscribed feeds; items enter through :meth:`ingest_documents`. Made on first use: a
        question never loads the poller (HTTP, feed parsing)."""
        if self._feeds is None:
            from retrieval.feeds import FeedPoller

            self._feeds = FeedPoller(self.store, self.ingest_documents, self.clock, may_write=self._may_write)
        return self._feeds

    @classmethod
    async def open(
        cls, settings: Settings, *, ingest: bool = True, background: bool = False, compile_search: bool = False,
        progress: Progress | None = None, clock: Clock | None = None, listing: EarlyListing | None = None,
    ) -> NewsService:
        """Open the store and the persisted index, then (by default) ingest the configured seeds.

        With ``background``, a store that already holds stories answers at once while the seeds are
        rescanned by :attr:`rescan_task`; an empty store is still ingested before this returns.
        With ``compile_search`` (long-running processes), a large index gets the compiled search
        kernels from :attr:`compile_task`; searches use NumPy until they are ready.
        ``listing``: the seeds' quick listing, started before the imports (``newsbot ask``), for the
        ingest before this returns; closed if that ingest does not take place.
        """
        store = await open_store(settings.db_location)
        index = LiveIndex(settings.index_dir)
        if store.reset:
            index.clear()  # built from the dropped rows
        service = cls(settings, store, index, Analyzer(), clock=clock)
        try:
            service.queries = await open_query_log(store)
            service.subscription_book = await open_subscriptions(store)
            service.guild_settings_book = await open_guild_settings(store)
            await FeedTable(store).create()
            if getattr(store, "shared", False):  # a PostgreSQL store (psycopg is imported only then)
                ingest = await service._join(cast("PostgresStore", store), ingest=ingest, background=background)
            else:
                await service.ingestor.load_index()
            if ingest and background and await service.story_count() > 0:
                service.rescan_task = asyncio.create_task(service._rescan(), name="newsbot-rescan")
            elif ingest:
                await service.ingest(progress=progress, listing=listing)
                listing = None
            if service.cluster is not None:
                service.cluster.adopt(service.rescan_task)
                service.cluster_task = asyncio.create_task(service.cluster.run(), name="newsbot-cluster")
            if (
                compile_search and settings.jit and service.index.n_docs >= COMPILE_MIN_PASSAGES
                and kernels.ready() is None
            ):
                service.compile_task = asyncio.create_task(service._compile_search(), name="newsbot-compile")
        except BaseException:
            await store.close()
            raise
        finally:
            if listing is not None:  # not used: stop its child process
                listing.close()
        return service

    async def _join(self, store: PostgresStore, *, ingest: bool, background: bool) -> bool:
        """Join the processes sharing a PostgreSQL store: catch this process's index up from the store
        and take the lead if it is free. Returns whether this process should ingest now (only the
        leader ingests). With ``background`` (the bot), :attr:`cluster` keeps the index caught up and
        takes the lead over when the leader goes."""
        from retrieval.replica import Replica  # a shared store only: a local one has no other writer

        from .cluster import ClusterMember

        self.replica = Replica(store, self.index, self.ingestor)
        await self.replica.load()
        leading = await store.try_lead()
        if not leading:
            log.info("another process leads this database and ingests: answering from the stored coverage")
        if background:
            # a process told not to scan the seeds (NEWSBOT_RESCAN=0) does not scan them on taking the lead either
            self.cluster = ClusterMember(store, self.replica, self._rescan if ingest else None, leading=leading)
        return ingest and leading

    async def _compile_search(self) -> bool:
        """Compile the search kernels once start-up has settled: after the background rescan, or
        :data:`COMPILE_AFTER_S` from now (loading Numba holds the interpreter lock for a moment)."""
        if self.rescan_task is not None:
            await asyncio.wait([self.rescan_task])
        else:
            await asyncio.sleep(COMPILE_AFTER_S)
        return await asyncio.to_thread(kernels.warm_up)

    async def _rescan(self) -> IngestReport | None:
        """The background rescan: logs what changed; a failure is logged, never raised into the bot."""
        try:
            report = await self.ingest()
        except asyncio.CancelledError:
            log.info("background rescan stopped (shutting down)")
            raise
        except Exception:
            log.exception("background rescan of the seeds failed; answering from the stored coverage")
            return None
        log.info("background rescan done: %s in %.2fs", report.summary(), report.elapsed_s)
        return report

    async def close(self) -> None:
        """Stop a background rescan (its batch is rolled back whole) and a pending compile, then close
        the store."""
        await self.stop_feed_polling()
        for task in (self.cluster_task, self.compile_task, self.rescan_task):
            if task is not None and not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self.rescan_task = self.compile_task = self.cluster_task = None
        if self._feeds is not None:
            await self._feeds.close()
        await self.store.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---- ingest -------------------------------------------------------------------------------
    async def ingest(
        self, paths: Sequence[Path] | None = None, progress: Progress | None = None, *, listing: EarlyListing | None = None
    ) -> IngestReport:
        """Ingest ``paths`` (default: the configured seeds) incrementally. With a shared store, only the
        leader ingests: IngestError when another process leads. ``listing``: see :meth:`Ingestor.ingest`."""
        if getattr(self.store, "shared", False) and not await cast("PostgresStore", self.store).try_lead():
            if listing is not None:
                listing.close()
            raise IngestError("another newsbot process leads this database and does the ingesting")
        report = await self.ingestor.ingest(list(paths or self.settings.seeds), progress=progress, listing=listing)
        self._story_count = report.stories  # counted as story_count counts, once the ingest ended
        return report

    async def _may_write(self) -> bool:
        """True unless the store is shared and another process leads (and ingests)."""
        return not getattr(self.store, "shared", False) or await cast("PostgresStore", self.store).try_lead()

    async def ingest_documents(self, documents: Sequence[Document], removals: Sequence[str] = ()) -> IngestReport:
        """Store documents that are not files (feed items) through the same all-or-nothing path as files.
        With a shared store, only the leader ingests: IngestError when another process leads."""
        if not await self._may_write():
            raise IngestError("another newsbot process leads this database and does the ingesting")
        report = await self.ingestor.ingest_documents(documents, removals)
        if report.changed:
            self._story_count = None
        return report

    # ---- feeds --------------------------------------------------------------------------------
    async def add_feed(
        self, url: str, *, name: str | None = None, topic: str | None = None, full_text: bool = False,
        poll: bool = False,
    ) -> tuple[Feed, list[PollOutcome]]:
        """Subscribe to a feed; FeedError if the URL is unusable or known. ``full_text``: its items' text is
        the article page each links to (when that says more). With ``poll``, it is polled now and the
        outcome returned; otherwise a running background poller takes it at once."""
        url = validate_url(url)
        now = self.clock.now()
        try:
            feed = await self.feeds.table.add(
                url, name=(name or "").strip() or None, topic=(topic or "").strip() or None, added_at=now,
                next_poll=now + _HELD_S if poll else 0.0,  # polled here: not by the background pass meanwhile
                full_text=full_text,
            )
        except KeyError:
            raise FeedError(f"already subscribed: {url}") from None
        return await self._poll_or_wake(feed, poll)

    async def _poll_or_wake(self, feed: Feed, poll: bool) -> tuple[Feed, list[PollOutcome]]:
        if not poll:
            self.feeds.wake()
            return feed, []
        outcomes = await self.feeds.poll(feed_ids=[feed.id])  # joins a background poll of it, if one started
        return await self.find_feed(feed.id), outcomes

    async def list_feeds(self) -> list[Feed]:
        return await self.feeds.table.all()

    async def find_feed(self, ref: str | int) -> Feed:
        """A feed by its number (``3`` or ``#3``) or URL; FeedError if there is none."""
        text = str(ref).strip().lstrip("#")
        for feed in await self.feeds.table.all():
            if (text.isdigit() and feed.id == int(text)) or feed.url == str(ref).strip():
                return feed
        raise FeedError(f"no feed {ref!r}; `feeds list` shows their numbers")

    async def remove_feed(self, ref: str | int) -> tuple[Feed, IngestReport]:
        """Unsubscribe, and remove the feed's items from the coverage (one transaction, index updated)."""
        feed = await self.find_feed(ref)
        keys = list(await self.store.file_states(folders=[f"feed:{feed.id}"]))
        report = await self.ingest_documents([], keys)
        await self.feeds.table.delete(feed.id)
        return feed, report

    async def enable_feed(self, ref: str | int, *, poll: bool = False) -> tuple[Feed, list[PollOutcome]]:
        """Re-enable a failing or disabled feed: its failures are forgotten and it is polled at once
        (``poll``: here, with the outcome returned)."""
        feed = await self.find_feed(ref)
        held = self.clock.now() + _HELD_S if poll else 0.0
        await self.feeds.table.update(feed.id, status=FeedStatus.OK, failures=0, reason=None, next_poll=held)
        return await self._poll_or_wake(await self.find_feed(feed.id), poll)

    async def poll_feeds(self, *, force: bool = False, feed_ids: Sequence[int] | None = None) -> list[PollOutcome]:
        """One pass over the feeds that are due (``force``: every enabled feed)."""
        return await self.feeds.poll(force=force, feed_ids=feed_ids)

    def start_feed_polling(self) -> None:
        """Poll the feeds in the background (the bot); stopped by :meth:`close`."""
        if self.feeds_task is None or self.feeds_task.done():
            self.feeds_task = asyncio.create_task(self.feeds.run(), name="newsbot-feeds")

    async def stop_feed_polling(self) -> None:
        task, self.feeds_task = self.feeds_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def story_count(self) -> int:
        if self._story_count is None:
            self._story_count = await self.store.story_count()
        return self._story_count

    # ---- asking -------------------------------------------------------------------------------
    @staticmethod
    def validate_question(question: str) -> str:
        """Normalise whitespace; reject empty, invisible or over-long questions with a clear message.

        The limit counts the question as typed (surrounding whitespace aside), as Discord's
        ``max_length`` on the /ask option does, so both refuse the same questions.
        """
        typed = (question or "").strip()
        if len(typed) > MAX_QUESTION_CHARS:
            raise QuestionError(
                f"That question is too long ({len(typed)} characters); keep it to {MAX_QUESTION_CHARS} characters or fewer."
            )
        cleaned = " ".join(typed.split())
        if not cleaned:
            raise QuestionError("Please ask a question, for example: what did Microsoft pitch to the DEA?")
        if not any(_is_visible(ch) for ch in cleaned):
            raise QuestionError("That question has only invisible characters; please type it in words.")
        return cleaned

    async def ask(self, question: str, *, context: Sequence[str] = ()) -> Answer:
        """Answer from the coverage with cited sentences, or abstain. ``context``: earlier questions."""
        started = time.perf_counter()
        question = self.validate_question(question)
        searched = await self.story_count()
        date = find_date(question)
        answer = await self._answer_for_day(question, date, context, searched) if date else None
        if answer is None or answer.abstained:  # no date, or that day's stories don't answer: the text may name it
            asked, story = await self._understand_in_chat(question, context)
            ranked = await self._with_top_story(asked, await self._ranked_for(asked))
            answer = own_answer = None
            if story is not None:  # answered from the story the conversation is about when it can be
                own = await self._story_passages(story, ranked)
                own_answer = compose_answer(asked, own, self.analyzer, searched=searched, one_story=True)
                if self._leads_with_answer(own_answer, asked, own):
                    answer = own_answer  # else that story may not answer it: the whole coverage may
            if answer is None or answer.abstained:
                answer = compose_answer(asked, ranked, self.analyzer, searched=searched)
                if (own_answer is not None and not asked.actors and not _cites(answer, story)
                        and self._leads_with_answer(own_answer, asked, ())):
                    # a follow-up naming nothing of its own ("how old is he?") is about the conversation's story:
                    # what that story says beats another story's sentence that merely shares its words
                    answer = own_answer
            if date is not None and answer.abstained:
                answer = replace(answer, reason=(
                    f"The coverage doesn't say: none of the {searched} stories was published on {date.label} "
                    "or mentions it."
                ))
        return replace(answer, elapsed_ms=(time.perf_counter() - started) * 1000, searched=searched)

    def understand(self, text: str, context: Sequence[str] = ()) -> Question:
        """The one analysis of a question: its type, weighted terms, subjects and premise."""
        return analyse(text, self.analyzer, self.index.doc_freq, self.index.n_docs, context=context[-3:],
                       correct=self._correct)

    def _correct(self, term: str, word: str) -> str | None:
        """The known term a misspelt word most likely meant: among the speller's closest candidates, the
        one nearest the word as typed ("barclys": barclay, not bar). Words under CORRECT_MIN_LETTERS
        letters are left alone: "Apple" or "Tesla" one letter from a known word are more often names the
        coverage lacks than typos."""
        if len(word) < CORRECT_MIN_LETTERS:
            return None
        options = self.index.speller().suggestions(term, word)
        if not options:
            return None
        from rapidfuzz.distance import OSA  # imported on first use, as the speller does

        typed = word.casefold()
        return min(options, key=lambda o: (OSA.distance(o.term, typed), o.distance, -o.doc_freq)).term

    async def _with_top_story(self, question: Question, ranked: list[RankedPassage]) -> list[RankedPassage]:
        """For a question after a date, a figure, a name or a place, the rest of the best-matching story
        too, below every ranked passage: the sentence holding the answer ("…using five PCs over three
        days") often shares a single word with the question, so its passage ranks low though its story
        ranks first."""
        if question.answer_type not in TYPED or not ranked:
            return ranked
        return ranked + await self._rest_of_story(ranked[0].story, ranked, ranked[-1].score)

    async def _rest_of_story(self, story: Story, have: Sequence[RankedPassage], score: float) -> list[RankedPassage]:
        """The story's leading passages (up to TOP_STORY_PASSAGES) not among ``have``, each ranked at ``score``."""
        taken = {hit.passage.id for hit in have}
        rest = (await self.store.leading_passages([story.id], per_story=TOP_STORY_PASSAGES))[story.id]
        return [RankedPassage(p, story, score) for p in rest if p.id not in taken]

    async def _understand_in_chat(self, question: str, context: Sequence[str]) -> tuple[Question, Story | None]:
        """The question in its chat: a follow-up ("when did he die?") also takes the words of the sentence the
        last question was answered with, and the story it quoted; the kind of answer it asks for comes from the
        questions alone."""
        asked = self.understand(question, context)
        if not asked.follow_up:
            return asked, None
        lead, story = await self._last_answer(context)
        with_lead = self.understand(question, [*context, *lead])
        return replace(with_lead, answered=tuple(lead), answer_type=asked.answer_type), story

    def _leads_with_answer(self, answer: Answer, question: Question, passages: Sequence[RankedPassage]) -> bool:
        """Does one of the answer's first two sentences name what the question itself asks about (of the words
        the story's ``passages`` use: "sat for his seat" may be told in other words) and, for a kind of answer
        a span gives, hold one?"""
        if answer.abstained or not answer.sentences:
            return False
        told = frozenset().union(*(self.analyzer.terms(hit.passage.text) for hit in passages))
        needed = question.described & told
        return any(  # the first sentence, or the second when the first is what it points back to
            (not needed or needed & set(self.analyzer.terms(lead)))
            and (question.answer_type not in TYPED or has_answer(lead, question.answer_type, question.text))
            for lead in answer.lead(2))

    async def _last_answer(self, context: Sequence[str]) -> tuple[list[str], Story | None]:
        """The first sentence the previous question was answered with, and the story it quotes (none if it was
        not answered)."""
        previous = self.understand(context[-1], context[:-1])
        answer = compose_answer(previous, await self._ranked_for(previous), self.analyzer, searched=0)
        if answer.abstained or not answer.sentences:
            return [], None
        return [answer.sentences[0].text], _first_story(answer)

    async def _story_passages(self, story: Story, ranked: list[RankedPassage]) -> list[RankedPassage]:
        """The passages of the story a conversation is about, to answer a follow-up ("who are the two men?")
        from: those the search ranked, then the rest of it, all level with the best match."""
        top = ranked[0].score if ranked else 1.0
        found = [replace(hit, score=top) for hit in ranked if hit.story.id == story.id]
        return found + await self._rest_of_story(story, found, top)

    async def _ranked_for(self, question: Question) -> list[RankedPassage]:
        """The passages to answer from. A comparison, or a question joining subjects, searches once per
        subject (each without the other subjects' names) and interleaves the results, so every subject
        brings its own passages."""
        search = dict(question.search)
        if not question.per_subject:
            return _diverse(await self._ranked(search, SEARCH_PASSAGES, postings=self._postings(search)))
        per_subject = []
        for subject in question.subjects:
            others = question.subject_terms - subject.terms
            terms = {t: m for t, m in search.items() if t not in others}
            per_subject.append(_diverse(await self._ranked(terms, SEARCH_PASSAGES, postings=self._postings(terms))))
        merged: dict[int, RankedPassage] = {}
        for rank in range(max(len(r) for r in per_subject)):
            for ranked in per_subject:
                if rank < len(ranked):
                    merged.setdefault(ranked[rank].passage.id, ranked[rank])
        return list(merged.values())[:RETRIEVE_PASSAGES]

    def _postings(self, terms: dict[str, float]) -> int:
        return sum(self.index.doc_freq(t) for t in terms)

    async def _answer_for_day(
        self, question: str, date: DateMention, context: Sequence[str], searched: int
    ) -> Answer | None:
        """Answer from the stories published on the named day; None when there are none."""
        asked = replace(self.understand(question[: date.span[0]] + question[date.span[1] :], context), text=question)
        ranked = await self._ranked_on_day(date, asked)
        if not ranked:
            return None
        if asked.search:
            return compose_answer(asked, ranked, self.analyzer, searched=searched)
        return compose_digest(question, ranked, searched=searched, day=date.label)  # "what happened on June 11?"

    async def _ranked(
        self, terms: Sequence[str] | dict[str, float], k: int = RETRIEVE_PASSAGES, *, postings: int | None = None
    ) -> list[RankedPassage]:
        """Search and read the passages: on the event loop when the query's posting lists are known to
        be short (a few milliseconds at most; a thread hop would cost a fifth of that) and the store reads
        a local file, else in a worker thread (a PostgreSQL store's read is a network round trip)."""
        inline = INLINE_SEARCH_POSTINGS if kernels.ready() is None else INLINE_COMPILED_SEARCH_POSTINGS
        if postings is not None and postings <= inline and self.store.local_reads:
            return self._search_and_read(terms, k)
        return await asyncio.to_thread(self._search_and_read, terms, k)

    def _search_and_read(self, terms: Sequence[str] | dict[str, float], k: int) -> list[RankedPassage]:
        hits = self.index.search(terms, k)
        rows = self.store.read_passages([pid for pid, _ in hits])
        # a passage deleted since the index snapshot is simply skipped
        return [RankedPassage(*rows[pid], score) for pid, score in hits if pid in rows]

    async def _ranked_on_day(self, date: DateMention, question: Question) -> list[RankedPassage]:
        """Passages of stories published on the named day, best matching first (ties: quality)."""
        stories = await self.store.stories_on_day(date.month, date.day, date.year, limit=200)
        asked = frozenset(question.weights)
        ranked: list[RankedPassage] = []
        leading = await self.store.leading_passages([story.id for story in stories], per_story=3)
        for story in stories:
            for passage in leading[story.id]:
                # the stored terms (title and text) as one set: composing reads the few that rank
                terms = passage.terms.split() if passage.terms is not None else self.analyzer.terms(
                    f"{story.title}\n{passage.text}")
                score = sum(question.weights[t] for t in asked.intersection(terms)) + (story.quality or 0) / 1000
                ranked.append(RankedPassage(passage, story, score))
        ranked.sort(key=lambda r: (-r.score, -(r.story.quality or 0), r.passage.id))
        return ranked[:RETRIEVE_PASSAGES]

    # ---- browsing -----------------------------------------------------------------------------
    async def search(self, query: str, *, limit: int = 10, offset: int = 0) -> list[SearchResult]:
        """Stories ranked by BM25, one per story, each with its best-matching passage."""
        query = self.validate_question(query)
        terms = self.analyzer.terms(query)
        if not terms:
            return []
        wanted = offset + limit
        k = max(RETRIEVE_PASSAGES, wanted * 4)
        while True:
            ranked = await self._ranked(terms, k)
            results: dict[str, SearchResult] = {}
            for hit in ranked:
                results.setdefault(hit.story.key, SearchResult(hit.story, hit.passage.text, hit.score))
            if len(results) >= wanted or len(ranked) < k:  # fewer than k: nothing more matches
                return list(results.values())[offset:wanted]
            k *= 2

    async def latest(
        self, *, topic: str | None = None, outlet: str | None = None, limit: int = 10, offset: int = 0
    ) -> list[Story]:
        """Newest stories first, one per story (related stories count as stories)."""
        return await self.store.latest(topic=topic, outlet=outlet, limit=limit, offset=offset)

    async def story(self, story_id: int) -> StoryDetail | None:
        story = await self.store.story(story_id)
        if story is None:
            return None
        passages = await self.store.story_passages(story_id)
        related = await self.store.related_of(story_id)
        unique_related: dict[str, Story] = {}
        for item in related:
            if item.key != story.key:
                unique_related.setdefault(item.key, item)
        listed_in = [s for s in await self.store.listed_in(story.key) if s.key != story.key]
        return StoryDetail(story, tuple(passages), tuple(unique_related.values()), tuple(listed_in))

    async def citations(self, passage_groups: Sequence[Sequence[int]]) -> list[Citation] | None:
        """An earlier answer's numbered sources rebuilt from its quoted passages' ids (one group per source,
        in the answer's order); None when any of them is no longer stored (its article changed or went)."""
        passages = await self.store.passages([i for group in passage_groups for i in group])
        citations: list[Citation] = []
        for n, group in enumerate(passage_groups, start=1):
            if not group or any(i not in passages for i in group):
                return None
            story = await self.store.story(passages[group[0]].story_id)
            if story is None:
                return None
            citations.append(Citation(n, story, tuple(passages[i] for i in group)))
        return citations

    async def sources(self) -> list[Facet]:
        """Outlets with their story counts, then the stories without an outlet: the counts add up to
        :meth:`story_count`."""
        return await self.store.facets("outlet")

    async def topics(self) -> list[Facet]:
        return await self.store.facets("topic")

    async def complete_topic(self, prefix: str, limit: int = 25) -> list[str]:
        return _complete(await self.topics(), prefix, limit)

    async def complete_outlet(self, prefix: str, limit: int = 25) -> list[str]:
        return _complete([facet for facet in await self.sources() if facet.named], prefix, limit)

    # ---- live coverage: subscriptions and digests ----------------------------------------------
    async def subscribe(
        self, *, guild_id: int | None, channel_id: int, topic: str | None = None, query: str | None = None,
        outlet: str | None = None, created_by: int | None = None,
    ) -> SubscriptionRow:
        """A channel's standing request for the new stories that match; from now on (no backlog)."""
        topic, outlet = _filter_value(topic, "topic"), _filter_value(outlet, "outlet")
        query = " ".join((query or "").split()) or None
        if query is not None:
            if len(query) > MAX_SUBSCRIPTION_QUERY_CHARS:
                raise SubscriptionError(f"keep the query to {MAX_SUBSCRIPTION_QUERY_CHARS} characters or fewer")
            if not self.analyzer.terms(query):
                raise SubscriptionError(f"the query {query!r} has no word to look for; try a name or a subject")
        book = self._subscriptions()
        if len(await book.list(guild_id=guild_id)) >= MAX_SUBSCRIPTIONS_PER_GUILD:
            raise SubscriptionError(
                f"this server has {MAX_SUBSCRIPTIONS_PER_GUILD} subscriptions already; remove one with /unsubscribe"
            )
        return await book.add(
            guild_id=guild_id, channel_id=channel_id, topic=topic, query=query, outlet=outlet, created_by=created_by
        )

    async def unsubscribe(self, subscription_id: int, *, guild_id: int | None) -> bool:
        """Remove one of a guild's subscriptions; False if it has none by that number."""
        return await self._subscriptions().remove(subscription_id, guild_id=guild_id)

    async def subscriptions(self, *, guild_id: int | None = None) -> list[SubscriptionRow]:
        return await self._subscriptions().list(guild_id=guild_id)

    def _subscriptions(self) -> SubscriptionBook:
        if self.subscription_book is None:
            raise RuntimeError("the service is not open")
        return self.subscription_book

    # ---- per-guild settings ---------------------------------------------------------------------
    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """The guild's settings as stored now (read each time: a change made by any process applies)."""
        return await self._guild_settings().get(guild_id)

    async def update_guild_settings(
        self, guild_id: int, *, answer_mentions: bool | None = None, answer_in_threads: bool | None = None,
        updated_by: int | None = None,
    ) -> GuildSettings:
        """Change the given settings of a guild (None: unchanged); returns all of them."""
        return await self._guild_settings().update(
            guild_id, answer_mentions=answer_mentions, answer_in_threads=answer_in_threads, updated_by=updated_by
        )

    def _guild_settings(self) -> GuildSettingsBook:
        if self.guild_settings_book is None:
            raise RuntimeError("the service is not open")
        return self.guild_settings_book

    async def deliveries(self, stories: Sequence[Story]) -> dict[int, list[Story]]:
        """Which of these new stories each subscribed channel should get (channel id → stories)."""
        subscriptions = await self._subscriptions().list()
        if not subscriptions or not stories:
            return {}
        terms = await self.store.story_terms([s.id for s in stories]) if any(s.query for s in subscriptions) else {}
        query_terms = {s.id: self.analyzer.terms(s.query) for s in subscriptions if s.query}
        first_seen = await self.store.first_seen([s.key for s in stories])
        return deliveries(subscriptions, stories, terms, query_terms, first_seen)

    async def claim_posts(self, channel_id: int, keys: Sequence[str]) -> list[str]:
        """The story keys not yet posted to the channel, now marked posted (one transaction)."""
        return await self._subscriptions().claim(channel_id, keys)

    async def leads(self, stories: Sequence[Story]) -> dict[int, tuple[str, int]]:
        """One verbatim sentence for each story (story id → sentence, passage id): the first that says
        something (as the day digest picks), else the first that is not the headline; none for a story
        that is only a headline."""
        passages = await self.store.leading_passages([s.id for s in stories], per_story=2)
        out: dict[int, tuple[str, int]] = {}
        for story in stories:
            found = next(
                ((sentence, p.id) for p in passages[story.id] if (sentence := lead_sentence(p.text, story.title))), None
            ) or next(
                ((sentence, p.id) for p in passages[story.id] for sentence in split_sentences(p.text)
                 if sentence.strip() and sentence != story.title), None,
            )
            if found is not None:
                out[story.id] = found
        return out

    async def digest(self, since: datetime, *, limit: int = DIGEST_STORIES) -> Digest:
        """What was published since ``since``: one cited sentence a story, grouped by topic, newest first."""
        stories = await self.store.latest(since=since, limit=limit + 1)
        shown = stories[:limit]
        more = 0
        if len(stories) > limit:
            dated = await self.store.latest(since=since, limit=10_000)
            more = len(dated) - limit
        leads = await self.leads(shown)
        items = [DigestItem(s, *(leads.get(s.id) or (None, None))) for s in shown]
        return Digest(since, group_by_topic(items), more)

    # ---- query log ----------------------------------------------------------------------------
    def _query_log(self) -> QueryLog:
        if self.queries is None:
            raise RuntimeError("the service is not open")
        return self.queries

    async def log_query(self, answer: Answer, origin: QueryOrigin = QueryOrigin()) -> int:
        """Record a question and what it cited; returns the query id (for feedback)."""
        return await self._query_log().log_query(
            QueryRecord(
                origin=origin.origin, question=answer.question, abstained=answer.abstained,
                cited=[c.story.url or c.story.source_file for c in answer.citations], latency_ms=answer.elapsed_ms,
                guild_id=origin.guild_id, channel_id=origin.channel_id,
                user_hash=hash_user(origin.user_id, self.settings.user_hash_salt),
            )
        )

    async def record_feedback(self, query_id: int, user_id: int, vote: int) -> str:
        """Store a 👍 (+1) or 👎 (-1); one vote per user per query: recorded/changed/unchanged."""
        if vote not in (1, -1):
            raise ValueError("vote must be +1 or -1")
        return await self._query_log().record_feedback(query_id, hash_user(user_id, self.settings.user_hash_salt) or "", vote)

    async def stats(self, top: int = 10) -> UsageStats:
        rows = await self._query_log().query_rows()
        if not rows:
            return UsageStats(0, 0.0, 0, 0, 0.0, 0.0)
        latencies = sorted(r[2] for r in rows)
        p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
        questions = Counter(" ".join(r[0].lower().split()) for r in rows)
        return UsageStats(
            queries=len(rows),
            abstention_rate=sum(r[1] for r in rows) / len(rows),
            upvotes=sum(r[3] for r in rows),
            downvotes=sum(r[4] for r in rows),
            latency_p50_ms=statistics.median(latencies),
            latency_p95_ms=p95,
            top_questions=tuple(questions.most_common(top)),
        )


def _diverse(ranked: Sequence[RankedPassage]) -> list[RankedPassage]:
    """The best RETRIEVE_PASSAGES passages with at most PASSAGES_PER_STORY from one story, so that one
    long article cannot crowd out the other outlets that report the same thing."""
    taken: Counter[str] = Counter()
    out = []
    for hit in ranked:
        if taken[hit.story.key] < PASSAGES_PER_STORY:
            taken[hit.story.key] += 1
            out.append(hit)
            if len(out) == RETRIEVE_PASSAGES:
                break
    return out


def _filter_value(value: str | None, what: str) -> str | None:
    value = " ".join((value or "").split()) or None
    if value is not None and len(value) > MAX_SUBSCRIPTION_FILTER_CHARS:
        raise SubscriptionError(f"keep the {what} to {MAX_SUBSCRIPTION_FILTER_CHARS} characters or fewer")
    return value


def _complete(facets: Sequence[Facet], prefix: str, limit: int) -> list[str]:
    prefix = prefix.casefold().strip()
    starts = [f.name for f in facets if f.name.casefold().startswith(prefix)]
    contains = [f.name for f in facets if prefix and prefix in f.name.casefold() and f.name not in starts]
    return (starts + contains)[:limit]


def _first_story(answer: Answer) -> Story | None:
    """The story the answer's first sentence quotes (none if it abstained)."""
    if answer.abstained or not answer.sentences:
        return None
    first = answer.sentences[0].citation
    return next((c.story for c in answer.citations if c.n == first), None)


def _cites(answer: Answer, story: Story | None) -> bool:
    """Does the answer quote the story first of all?"""
    quoted = _first_story(answer)
    return story is not None and quoted is not None and quoted.id == story.id
