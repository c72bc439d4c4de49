"""Pure rendering of core results into Discord embeds that always fit Discord's limits.

Nothing here talks to Discord or the service: every function takes plain core objects and
returns a :class:`discord.Embed` (or a string). All text that comes from articles or users is
escaped (no mentions, no markdown injection); long text is cut at sentence boundaries, and
lists are cut at whole lines, so a cut never lands inside a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import discord

from retrieval.feeds import PollOutcome, PollResult
from retrieval.models import Facet, Feed, FeedStatus, IngestReport, Story

from ..answering import Answer, Citation
from ..formatting import feed_health
from ..guild_settings import GuildSettings
from ..live import Digest, SubscriptionRow, describe
from ..service import SearchResult, StoryDetail

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
MAX_FIELDS = 25
MAX_CHOICES = 25
CHOICE_LIMIT = 100
SELECT_OPTIONS = 25
SELECT_LABEL_LIMIT = 100
BUTTONS_PER_ROW = 5
EMBEDS_PER_MESSAGE = 10
NEW_STORY_EXCERPT = 350
DIGEST_SENTENCE = 400

ANSWER_COLOUR = discord.Colour.blurple()
ABSTAIN_COLOUR = discord.Colour.light_grey()
BROWSE_COLOUR = discord.Colour.teal()
ERROR_COLOUR = discord.Colour.red()
NEWS_COLOUR = discord.Colour.green()

ELLIPSIS = " …"

_MENTION = re.compile(r"@(everyone|here|[!&]?\d{15,21})")
_LINK = re.compile(r"\[(?:\\.|[^\]\\\n])*\]\([^)\s]*\)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*(?=\s)|\n")


# ---------------------------------------------------------------------------- escaping
def escape_mentions(text: str) -> str:
    """Neutralise ``@everyone``, ``@here`` and user/role mentions with a zero-width space."""
    return _MENTION.sub("@\u200b\\1", text)


def escape(text: str | None) -> str:
    """Article or user text made inert: no mentions, no markdown."""
    return discord.utils.escape_markdown(escape_mentions(text or ""))


def escape_link_text(text: str | None) -> str:
    """Text safe inside ``[…](url)``: escaped, brackets included."""
    return escape(" ".join((text or "").split())).replace("[", "\\[").replace("]", "\\]")


def safe_url(url: str | None) -> str | None:
    """An http(s) URL usable in a markdown link (closing parentheses and spaces encoded), else None."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    return url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def link(text: str | None, url: str | None) -> str:
    """``[text](url)`` when there is a usable URL, else the escaped text."""
    target = safe_url(url)
    label = escape_link_text(text) or (target or "")
    return f"[{label}]({target})" if target else escape(text)


# ---------------------------------------------------------------------------- fitting text
def clip(text: str, limit: int, placeholder: str = "…") -> str:
    """Hard cut for short single-line strings (titles, labels) at a word boundary when possible."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(placeholder)]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    cut = cut.rstrip("\\")  # never leave a dangling escape
    return cut.rstrip() + placeholder


def _inside_link(text: str, pos: int) -> tuple[int, int] | None:
    for match in _LINK.finditer(text):
        if match.start() < pos < match.end():
            return match.span()
    return None


def shorten(text: str, limit: int, placeholder: str = ELLIPSIS) -> str:
    """Cut ``text`` to ``limit`` characters at a sentence boundary (else a word), never inside a link."""
    if len(text) <= limit:
        return text
    budget = max(limit - len(placeholder), 0)
    links = [m.span() for m in _LINK.finditer(text)]

    def safe(pos: int) -> bool:
        return not any(start < pos < end for start, end in links)

    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, budget + 1) if m.end() <= budget and safe(m.end())]
    if sentence_ends and sentence_ends[-1] >= budget // 3:
        cut = sentence_ends[-1]
    else:
        spaces = [i for i, ch in enumerate(text[: budget + 1]) if ch.isspace() and safe(i)]
        if spaces:
            cut = spaces[-1]
        else:
            cut = budget
            span = next(((s, e) for s, e in links if s < cut < e), None)
            if span is not None:
                cut = span[0]
    head = text[:cut].rstrip()
    if head.endswith("\\") and not head.endswith("\\\\"):
        head = head[:-1]
    return head + placeholder


def join_lines(lines: Sequence[str], limit: int, more: str = "…and {n} more", hidden: int = 0) -> str:
    """Whole lines joined by newlines within ``limit``; a last line says how many were left out.

    ``hidden`` counts lines left out beforehand (they are included in the "more" count).
    """
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        after = len(lines) - i - 1 + hidden
        reserve = len(more.format(n=after)) + 1 if after else 0
        if not out and len(line) > limit - reserve:
            line = shorten(line, max(limit - reserve, 1))
        needed = len(line) + (1 if out else 0)
        if used + needed + reserve > limit:
            out.append(more.format(n=len(lines) - i + hidden))
            break
        out.append(line)
        used += needed
    else:
        if hidden:
            out.append(more.format(n=hidden))
    return "\n".join(out)


def fit_content(text: str) -> str:
    """Plain message content within 2000 characters."""
    return shorten(text, CONTENT_LIMIT)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Enforce every embed limit in place: title, description, fields, footer and the 6000 total."""
    if embed.title:
        embed.title = clip(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = shorten(embed.description, DESCRIPTION_LIMIT)
    fields = embed.fields[:MAX_FIELDS]
    embed.clear_fields()
    for f in fields:
        embed.add_field(
            name=clip(f.name or "\u200b", FIELD_NAME_LIMIT),
            value=shorten(f.value or "\u200b", FIELD_VALUE_LIMIT),
            inline=bool(f.inline),
        )
    if embed.footer.text:
        embed.set_footer(text=clip(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url)
    while len(embed) > EMBED_TOTAL_LIMIT and embed.fields:
        embed.remove_field(len(embed.fields) - 1)
    if len(embed) > EMBED_TOTAL_LIMIT and embed.description:
        over = len(embed) - EMBED_TOTAL_LIMIT
        embed.description = shorten(embed.description, max(len(embed.description) - over, 1))
    return embed


# ---------------------------------------------------------------------------- stories
def byline(story: Story) -> str:
    """``Outlet, 2020-06-11`` (whatever is known), escaped."""
    return escape(", ".join(p for p in (story.outlet, story.published_date) if p))


def story_line(story: Story, prefix: str = "") -> str:
    """``prefix [Title](url) — Outlet, date · #id`` on one line."""
    tail = byline(story)
    text = f"{prefix}{link(clip(story.title, 200), story.url)}"
    if tail:
        text += f" — {tail}"
    return text + f" · `#{story.id}`"


def citation_line(citation: Citation) -> str:
    return story_line(citation.story, prefix=f"**[{citation.n}]** ")


# ---------------------------------------------------------------------------- answers
def _answer_body(answer: Answer, limit: int) -> str:
    """The note in italics, then sentences with their ``[n]`` markers, each linked to its source; whole
    sentences only."""
    urls = {c.n: safe_url(c.story.url) for c in answer.citations}
    parts: list[str] = [f"*{escape(answer.note)}*"] if answer.note else []
    used = len(parts[0]) + 1 if parts else 0
    for sentence in answer.sentences:
        marker = "".join(
            f"[\\[{n}\\]]({urls[n]})" if urls.get(n) else f"\\[{n}\\]" for n in sentence.citations
        )
        part = f"{escape(sentence.text)} {marker}"
        if used + len(part) + 1 > limit:
            if sentence is answer.sentences[0]:  # a single over-long sentence: shorten it, keep its markers
                parts.append(shorten(escape(sentence.text), limit - used - len(marker) - 1) + " " + marker)
            else:
                parts.append("…")
            break
        parts.append(part)
        used += len(part) + 1
    return " ".join(parts)


ABSTAIN_HINT = "Try `/latest` for the newest stories or `/search` to browse what is covered."


def answer_embed(answer: Answer, *, max_sources: int = 5) -> discord.Embed:
    """The reply to a question: cited summary, numbered linked sources, a footer with the search size."""
    took = f"{answer.elapsed_ms:.0f} ms" if answer.elapsed_ms < 1000 else f"{answer.elapsed_ms / 1000:.1f} s"
    footer = f"Searched {answer.searched} articles in {took}"
    title = clip(escape(answer.question), TITLE_LIMIT)
    if answer.abstained or not answer.sentences:
        description = f"{escape(answer.text)} {ABSTAIN_HINT}"
        embed = discord.Embed(title=title, description=description, colour=ABSTAIN_COLOUR)
        embed.set_footer(text=footer)
        return fit_embed(embed)
    embed = discord.Embed(title=title, description=_answer_body(answer, 3000), colour=ANSWER_COLOUR)
    lines = [citation_line(c) for c in answer.citations]
    value = join_lines(
        lines[:max_sources], FIELD_VALUE_LIMIT, more="…{n} more under **Sources**", hidden=max(len(lines) - max_sources, 0)
    )
    if value:
        embed.add_field(name="Sources", value=value, inline=False)
    embed.set_footer(text=footer)
    return fit_embed(embed)


def sources_embed(citations: Sequence[Citation]) -> discord.Embed:
    """Every source of an answer with the passage it was quoted from."""
    embed = discord.Embed(title="Sources", colour=ANSWER_COLOUR)
    if not citations:
        embed.description = "This answer has no sources."
        return embed
    blocks = []
    for c in citations:
        quote = shorten(escape(" ".join(c.passage_text.split())), 300)
        blocks.append(f"{citation_line(c)}\n> {quote}")
    embed.description = join_lines(blocks, DESCRIPTION_LIMIT)
    return fit_embed(embed)


# ---------------------------------------------------------------------------- browsing
def stories_embed(stories: Sequence[Story], *, title: str, page: int, has_more: bool, offset: int) -> discord.Embed:
    """A page of stories, numbered from ``offset + 1``."""
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=BROWSE_COLOUR)
    if not stories:
        embed.description = "No stories match." if page == 0 else "No more stories."
    else:
        lines = [story_line(s, prefix=f"{offset + i}. ") for i, s in enumerate(stories, start=1)]
        embed.description = join_lines(lines, DESCRIPTION_LIMIT)
    embed.set_footer(text=f"Page {page + 1}" + (" · more on the next page" if has_more else "") + " · /story id for one in full")
    return fit_embed(embed)


def search_embed(results: Sequence[SearchResult], *, query: str, page: int, has_more: bool, offset: int) -> discord.Embed:
    """A page of ranked stories, each with its matching passage."""
    embed = discord.Embed(title=clip(f"Search: {escape(query)}", TITLE_LIMIT), colour=BROWSE_COLOUR)
    if not results:
        embed.description = "No stories match." if page == 0 else "No more results."
    for rank, result in enumerate(results, start=offset + 1):
        story = result.story
        passage = shorten(escape(" ".join(result.passage.split())), 300)
        where = link(byline(story) or "link", story.url) if story.url else byline(story)
        value = f"> {passage}\n{where} · `#{story.id}`"
        embed.add_field(name=clip(f"{rank}. {escape(story.title)}", FIELD_NAME_LIMIT), value=value, inline=False)
    embed.set_footer(text=f"Page {page + 1}" + (" · more on the next page" if has_more else ""))
    return fit_embed(embed)


def story_embed(detail: StoryDetail) -> discord.Embed:
    """One story in full: excerpt (or opening passages), outlet, date, link, topics, related coverage."""
    story = detail.story
    text = story.excerpt or " ".join(p.text for p in detail.passages[:3])
    embed = discord.Embed(
        title=clip(escape(story.title), TITLE_LIMIT),
        url=safe_url(story.url),
        description=shorten(escape(" ".join(text.split())), 1500) or "No excerpt.",
        colour=BROWSE_COLOUR,
    )
    if story.outlet:
        embed.add_field(name="Outlet", value=escape(story.outlet), inline=True)
    if story.published_date:
        embed.add_field(name="Published", value=story.published_date, inline=True)
    if story.topics:
        embed.add_field(name="Topics", value=clip(escape(", ".join(story.topics)), FIELD_VALUE_LIMIT), inline=True)
    if detail.related:
        embed.add_field(
            name=f"Related coverage ({len(detail.related)})",
            value=join_lines([story_line(s, "• ") for s in detail.related], FIELD_VALUE_LIMIT),
            inline=False,
        )
    if detail.listed_in:
        embed.add_field(
            name=f"Listed with ({len(detail.listed_in)})",
            value=join_lines([story_line(s, "• ") for s in detail.listed_in], FIELD_VALUE_LIMIT),
            inline=False,
        )
    embed.set_footer(text=f"Story #{story.id}")
    return fit_embed(embed)


def facets_embed(facets: Sequence[Facet], *, title: str, noun: str) -> discord.Embed:
    embed = discord.Embed(title=title, colour=BROWSE_COLOUR)
    if not facets:
        embed.description = f"No {noun} yet."
    else:
        lines = [f"**{f.count}** · {escape(f.name)}" for f in facets]
        embed.description = join_lines(lines, DESCRIPTION_LIMIT)
        embed.set_footer(text=f"{len(facets)} {noun}")
    return fit_embed(embed)


def ingest_embed(report: IngestReport) -> discord.Embed:
    """What ``/reindex`` changed."""
    embed = discord.Embed(
        title="Reindexed" if report.changed else "Reindexed: nothing changed",
        description=(
            f"{report.summary()} in {report.elapsed_s:.2f} s\n"
            f"Store: {report.stories} stories, {report.passages} passages"
        ),
        colour=BROWSE_COLOUR,
    )
    for label, paths in (("Added", report.added), ("Updated", report.updated), ("Removed", report.removed)):
        if paths:
            embed.add_field(name=label, value=join_lines([_code(_basename(p)) for p in paths], FIELD_VALUE_LIMIT))
    if report.skipped:
        lines = [f"{_code(_basename(s.path))}: {escape(s.reason)}" for s in report.skipped]
        embed.add_field(name="Skipped", value=join_lines(lines, FIELD_VALUE_LIMIT), inline=False)
    return fit_embed(embed)


def feed_line(feed: Feed, now: float) -> str:
    """``**#3** [Name](url) [topic] — 12 items[ — full text] — ok, every 30 min, next in 12 min``, escaped."""
    topic = f" [{escape(feed.topic)}]" if feed.topic else ""
    full_text = " — full text" if feed.full_text else ""
    mark = {FeedStatus.OK: "", FeedStatus.FAILING: "⚠️ ", FeedStatus.DISABLED: "⛔ "}[feed.status]
    return (
        f"{mark}**#{feed.id}** {link(clip(feed.label, 120), feed.url)}{topic} — {feed.items} items{full_text} — "
        f"{escape(feed_health(feed, now))}"
    )


def feeds_embed(feeds: Sequence[Feed], now: float) -> discord.Embed:
    """``/feeds list``: every feed with its health (the failure reason of a failing or disabled one)."""
    embed = discord.Embed(title="Feeds", colour=BROWSE_COLOUR)
    if not feeds:
        embed.description = "No feeds yet. Add one with `/feeds add`."
        return embed
    embed.description = join_lines([feed_line(f, now) for f in feeds], DESCRIPTION_LIMIT)
    footer = f"{len(feeds)} feeds"
    if any(f.status is FeedStatus.DISABLED for f in feeds):
        footer += " · re-enable a disabled feed with /feeds enable"
    embed.set_footer(text=footer)
    return fit_embed(embed)


def poll_embed(title: str, feed: Feed, outcomes: Sequence[PollOutcome], now: float) -> discord.Embed:
    """What adding or re-enabling a feed did: the feed, and what its first poll found."""
    embed = discord.Embed(title=clip(title, TITLE_LIMIT), colour=BROWSE_COLOUR, description=feed_line(feed, now))
    for outcome in outcomes:
        if outcome.result is PollResult.FAILED:
            value = f"failed: {escape(outcome.reason)}"
        elif outcome.result is PollResult.NEW:
            value = f"{outcome.added} new, {outcome.updated} updated"
        else:
            value = outcome.result.value
        embed.add_field(name="First poll", value=clip(value, FIELD_VALUE_LIMIT), inline=False)
    return fit_embed(embed)


def _code(text: str) -> str:
    return "`" + clip(text.replace("`", "'"), 200) + "`"


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


HELP_LINES: tuple[tuple[str, str], ...] = (
    ("/ask question", "a cited summary from the coverage (or an honest “the coverage doesn't say”)"),
    ("/latest [topic] [outlet] [count]", "the newest stories, with pages"),
    ("/search query", "stories ranked by relevance, with the matching passage"),
    ("/story id", "one story in full, with its related coverage"),
    ("/sources · /topics", "outlets and topics with story counts"),
    ("/digest [since]", "what was published since a time (24h, 3d, 2020-06-11), one cited sentence a story"),
    ("/reindex", "re-read the article files now (Manage Server only)"),
    ("/subscribe [topic] [query] [outlet] [channel]", "post new stories to a channel (Manage Server only)"),
    ("/feeds add · list · remove · enable", "the RSS and Atom feeds followed (Manage Server only)"),
    ("/settings [answer_mentions] [answer_in_threads]", "how I answer mentions in this server (Manage Server only)"),
)


def help_embed(bot_mention: str | None = None) -> discord.Embed:
    embed = discord.Embed(title="What I can do", colour=ANSWER_COLOUR)
    embed.description = "\n".join(f"**{cmd}** — {text}" for cmd, text in HELP_LINES)
    if bot_mention:
        embed.description += (
            f"\n\nOr mention me with a question ({bot_mention} what did IBM decide?): I answer in a thread,"
            " and follow-ups there that mention or reply to me keep the conversation's context. DMs work too."
            " A server's managers can turn mention answers or their threads off with /settings."
        )
    return fit_embed(embed)


SETTING_LINES: tuple[tuple[str, str], ...] = (
    ("answer_mentions", "questions that mention me (or reply to me) are answered; off: only /ask"),
    ("answer_in_threads", "a mention in a channel is answered in a new thread; off: in the channel"),
)


def settings_embed(settings: GuildSettings, *, changed: bool) -> discord.Embed:
    """A guild's settings, after ``/settings`` showed or changed them."""
    embed = discord.Embed(title="Settings changed" if changed else "Settings", colour=BROWSE_COLOUR)
    embed.description = "\n".join(
        f"**{name}**: {'on' if getattr(settings, name) else 'off'} — {text}" for name, text in SETTING_LINES
    )
    embed.set_footer(text="Change one with /settings answer_mentions:False (Manage Server only)")
    return fit_embed(embed)


def bare_mention_help(bot_mention: str) -> str:
    """The one-line answer to a mention without a question."""
    return f"Ask me about the news: {bot_mention} what did IBM decide? — or try /help."



# ---------------------------------------------------------------------------- live coverage
def new_story_embed(story: Story, excerpt: str | None) -> discord.Embed:
    """A compact card for a story posted to a subscribed channel: title (linked), excerpt, outlet and date."""
    embed = discord.Embed(
        title=clip(escape(story.title), TITLE_LIMIT), url=safe_url(story.url), colour=NEWS_COLOUR,
        description=shorten(escape(" ".join((excerpt or "").split())), NEW_STORY_EXCERPT) or None,
    )
    footer = ", ".join(p for p in (story.outlet, story.published_date) if p)
    embed.set_footer(text=f"{footer} · #{story.id}" if footer else f"#{story.id}")
    return fit_embed(embed)


def batches(embeds: Sequence[discord.Embed]) -> list[list[discord.Embed]]:
    """Embeds grouped into messages within Discord's limits: 10 embeds and 6,000 characters a message."""
    out: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        if not out or len(out[-1]) == EMBEDS_PER_MESSAGE or size + len(embed) > EMBED_TOTAL_LIMIT:
            out.append([])
            size = 0
        out[-1].append(embed)
        size += len(embed)
    return out


def digest_embeds(digest: Digest) -> list[discord.Embed]:
    """One embed per topic: each story's sentence, quoted verbatim, then the story it cites."""
    out = []
    for group in digest.groups:
        lines = []
        for item in group.items:
            source = link(clip(item.story.title, 200), item.story.url)
            tail = byline(item.story)
            cited = f"{source} — {tail}" if tail else source
            if item.sentence:
                lines.append(f"> {shorten(escape(item.sentence), DIGEST_SENTENCE)}\n{cited} · `#{item.story.id}`")
            else:
                lines.append(f"{cited} · `#{item.story.id}`")
        embed = discord.Embed(title=clip(escape(group.topic), TITLE_LIMIT), colour=NEWS_COLOUR)
        embed.description = join_lines(lines, DESCRIPTION_LIMIT)
        embed.set_footer(text=f"{len(group.items)} {'story' if len(group.items) == 1 else 'stories'}")
        out.append(fit_embed(embed))
    return out


def digest_heading(digest: Digest) -> str:
    since = digest.since.strftime("%Y-%m-%d %H:%M UTC")
    if not digest.groups:
        return f"Nothing published since {since}."
    more = f" (and {digest.more} more: try a later time)" if digest.more else ""
    return f"**New since {since}**: {digest.count} {'story' if digest.count == 1 else 'stories'}{more}"


def subscriptions_embed(subscriptions: Sequence[SubscriptionRow]) -> discord.Embed:
    embed = discord.Embed(title="Subscriptions", colour=NEWS_COLOUR)
    if not subscriptions:
        embed.description = "None yet. A manager can add one with `/subscribe`."
        return embed
    lines = [f"`{s.id}` <#{s.channel_id}> — {escape(describe(s))}" for s in subscriptions]
    embed.description = join_lines(lines, DESCRIPTION_LIMIT)
    embed.set_footer(text="/unsubscribe id to stop one")
    return fit_embed(embed)
