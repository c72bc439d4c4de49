"""/ask end to end: deferral, the cited answer embed, its buttons, feedback, abstention and bad input."""

from __future__ import annotations

import re

import pytest

from bot.discord import embeds

from .emulator import (
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    EPHEMERAL,
    DiscordEmulator,
)

pytestmark = pytest.mark.asyncio


async def ask(emulator: DiscordEmulator, question: str, **kwargs):
    record = await emulator.slash("ask", question=question, **kwargs)
    await emulator.wait_until(
        lambda: record.followups or (record.callbacks and record.callbacks[0]["type"] == CHANNEL_MESSAGE),
        what="an answer to /ask",
    )
    return record


async def test_ask_defers_then_answers_with_cited_embed_and_buttons(emulator: DiscordEmulator, newsbot) -> None:
    record = await ask(emulator, "What did IBM decide about facial recognition?")

    assert record.callback_types == [DEFERRED_CHANNEL_MESSAGE], "the bot must defer before answering"
    answer = record.followups[0]
    embed = answer["embeds"][0]
    assert "IBM" in embed["description"] or "Amazon" in embed["description"]
    assert "[\\[1\\]](http" in embed["description"], "sentences carry linked [n] markers"
    sources = next(f for f in embed["fields"] if f["name"] == "Sources")
    assert sources["value"].startswith("**[1]** [")
    assert embed["footer"]["text"].startswith("Searched 40 articles")
    labels = [c.get("label") or c["emoji"]["name"] for c in emulator.components(answer)]
    assert labels == ["Sources", "👍", "👎"]
    assert answer["allowed_mentions"] == {"parse": []}


def ephemeral_text(record) -> str:
    """The text of a private reply, whether sent as the callback or as a follow-up."""
    for message in ([record.callbacks[0].get("data", {})] if record.callbacks else []) + record.followups:
        if int(message.get("flags") or 0) & EPHEMERAL:
            return message.get("content") or ""
    raise AssertionError(f"no ephemeral reply in {record.callbacks} / {record.followups}")


async def answered(emulator: DiscordEmulator, record, what: str = "a reply"):
    await emulator.wait_until(
        lambda: record.callbacks and (record.callbacks[0]["type"] != DEFERRED_CHANNEL_MESSAGE or record.followups),
        what=what,
    )
    return record


async def test_sources_button_lists_every_source_privately(emulator: DiscordEmulator, newsbot) -> None:
    record = await ask(emulator, "Why did Amazon ban police use of its face recognition?")
    answer = record.followups[0]
    n_sources = answer["embeds"][0]["fields"][0]["value"].count("**[")

    click = await answered(emulator, await emulator.click(answer, "Sources"))

    reply = click.callbacks[0]
    assert reply["type"] == CHANNEL_MESSAGE and reply["data"]["flags"] & EPHEMERAL
    listing = reply["data"]["embeds"][0]
    assert listing["title"] == "Sources"
    assert listing["description"].count("**[") == n_sources
    assert "\n> " in listing["description"], "each source shows the passage it was quoted from"


async def test_feedback_is_one_vote_per_user_and_acknowledged_privately(emulator: DiscordEmulator, newsbot) -> None:
    record = await ask(emulator, "What did IBM decide?")
    answer = record.followups[0]

    replies = []
    for user, emoji in ((emulator.alice, "👍"), (emulator.alice, "👍"), (emulator.alice, "👎"), (emulator.bob, "👍")):
        click = await answered(emulator, await emulator.click(answer, emoji, user))
        assert click.callbacks[0]["data"]["flags"] & EPHEMERAL
        replies.append(click.callbacks[0]["data"]["content"])

    assert replies == [
        "Thanks for the feedback!",
        "You already voted that way; one vote per person.",
        "Got it — your vote is changed.",
        "Thanks for the feedback!",
    ]
    stats = await newsbot.service.stats()
    assert (stats.queries, stats.upvotes, stats.downvotes) == (1, 1, 1)


async def test_every_question_is_logged_with_a_hashed_user(emulator: DiscordEmulator, newsbot) -> None:
    await ask(emulator, "What did IBM decide?")
    db = newsbot.service.store._db
    columns = "origin, guild_id, channel_id, user_hash, question, abstained, cited, latency_ms"
    async with db.execute(f"SELECT {columns} FROM queries") as cur:
        rows = list(await cur.fetchall())
    assert len(rows) == 1
    origin, guild_id, channel_id, user_hash, question, abstained, cited, latency_ms = rows[0]
    assert (origin, guild_id, channel_id, question, abstained) == (
        "discord-slash", emulator.guild_id, emulator.channel_id, "What did IBM decide?", 0
    )
    assert user_hash and str(emulator.alice.id) not in user_hash
    assert "http" in cited and latency_ms > 0


async def test_an_abstention_says_so_plainly(emulator: DiscordEmulator, newsbot) -> None:
    record = await ask(emulator, "What did the Mars rover find on Europa?")
    embed = record.followups[0]["embeds"][0]
    assert embed["title"] == "What did the Mars rover find on Europa?"
    assert embed["description"].startswith("The coverage doesn't say")
    assert "fields" not in embed or not embed["fields"]
    labels = [c.get("label") or c["emoji"]["name"] for c in emulator.components(record.followups[0])]
    assert labels == ["👍", "👎"], "no Sources button without sources; feedback still welcome"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("   ", "Please ask a question"),
        ("why " * 500, "too long (1999 characters)"),
        ("\u200b\u200d\ufeff", "only invisible characters"),
    ],
    ids=["empty", "too-long", "zero-width-only"],
)
async def test_bad_questions_get_a_private_explanation_without_a_deferral(
    emulator: DiscordEmulator, newsbot, question: str, expected: str
) -> None:
    record = await answered(emulator, await emulator.slash("ask", question=question))
    assert record.callback_types == [CHANNEL_MESSAGE]
    assert expected in ephemeral_text(record)


@pytest.mark.parametrize("command, option", [("ask", "question"), ("search", "query")])
async def test_question_options_declare_the_cores_length_limit(
    emulator: DiscordEmulator, newsbot, command: str, option: str
) -> None:
    """Discord itself stops an over-long question, at the same limit as the core's check."""
    from bot.service import MAX_QUESTION_CHARS

    declared = next(c for c in emulator.commands[emulator.guild_id] if c["name"] == command)
    spec = next(o for o in declared["options"] if o["name"] == option)
    assert (spec.get("min_length"), spec.get("max_length")) == (1, MAX_QUESTION_CHARS)


async def test_mentions_and_markdown_in_a_question_are_neutralised(emulator: DiscordEmulator, newsbot) -> None:
    question = f"@everyone **what** did IBM decide? <@{emulator.bob.id}>"
    record = await ask(emulator, question)
    message = record.followups[0]
    title = message["embeds"][0]["title"]
    assert "@everyone" not in title and "@\u200beveryone" in title
    assert f"<@{emulator.bob.id}>" not in title
    assert "\\*\\*what\\*\\*" in title
    assert message["allowed_mentions"] == {"parse": []}, "the bot never pings anyone"
    assert "@everyone" not in message["embeds"][0]["description"]


async def test_a_user_over_the_cooldown_is_told_when_to_retry(emulator: DiscordEmulator, start_bot) -> None:
    await start_bot(ask_cooldown_rate=1, ask_cooldown_seconds=30.0)
    await ask(emulator, "What did IBM decide?")

    again = await answered(emulator, await emulator.slash("ask", question="And Amazon?"))
    assert again.callback_types == [CHANNEL_MESSAGE]
    assert "try again in 30 s" in ephemeral_text(again)

    other = await ask(emulator, "And Amazon?", user=emulator.bob)
    assert other.callback_types == [DEFERRED_CHANNEL_MESSAGE], "the cooldown is per user"

    mention = await emulator.say("what about Microsoft?", mention_bot=True)
    notices = await emulator.wait_until(
        lambda: [m for m in emulator.bot_messages(emulator.channel_id) if "try again in" in m["content"]],
        what="a cooldown notice for the mention",
    )
    assert notices[0]["message_reference"]["message_id"] == mention["id"]
    assert not emulator.threads, "a rate-limited mention opens no thread"


async def test_a_command_that_raises_reports_briefly_and_the_bot_keeps_running(
    emulator: DiscordEmulator, newsbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_ask = newsbot.service.ask

    async def broken(*args, **kwargs):
        raise RuntimeError("index exploded")

    monkeypatch.setattr(newsbot.service, "ask", broken)
    record = await ask(emulator, "What did IBM decide?")
    reply = record.followups[0]
    assert "something went wrong with /ask" in reply["content"]
    assert not reply["embeds"]
    logged = [r for r in caplog.records if r.exc_info and "index exploded" in str(r.exc_info[1])]
    assert logged and logged[0].levelname == "ERROR", "the traceback goes to the log"

    monkeypatch.setattr(newsbot.service, "ask", real_ask)
    record = await ask(emulator, "What did IBM decide?")
    assert record.followups[0]["embeds"], "the next question is answered normally"


async def test_a_failing_query_log_never_costs_the_user_the_answer(
    emulator: DiscordEmulator, newsbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken_log(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(newsbot.service, "log_query", broken_log)
    record = await ask(emulator, "What did IBM decide?")
    answer = record.followups[0]
    assert answer["embeds"] and "IBM" in answer["embeds"][0]["description"]
    labels = [c.get("label") or c["emoji"]["name"] for c in emulator.components(answer)]
    assert labels == ["Sources"], "no feedback buttons without a logged query to attach them to"
    assert [r.getMessage() for r in caplog.records if r.exc_info] == ["could not log a query"]


async def test_an_unexpected_error_gets_a_private_apology_and_one_log_record(
    emulator: DiscordEmulator, newsbot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args, **kwargs):
        raise RuntimeError("store on fire")

    monkeypatch.setattr(newsbot.service, "sources", broken)
    record = await answered(emulator, await emulator.slash("sources"))
    assert record.callback_types == [CHANNEL_MESSAGE]
    assert ephemeral_text(record) == (
        "Sorry — something went wrong with /sources. The error has been logged; please try again later."
    )
    logged = [r for r in caplog.records if r.exc_info and "store on fire" in str(r.exc_info[1])]
    assert len(logged) == 1 and logged[0].levelname == "ERROR", "logged once, in full"


async def test_every_marker_links_to_the_source_it_numbers(emulator: DiscordEmulator, newsbot, monkeypatch) -> None:
    answers = []
    real_ask = newsbot.service.ask

    async def keep(question, **kwargs):
        answers.append(await real_ask(question, **kwargs))
        return answers[-1]

    monkeypatch.setattr(newsbot.service, "ask", keep)
    record = await ask(emulator, "What did IBM decide about facial recognition?")
    embed = record.followups[0]["embeds"][0]
    source_url = {c.n: embeds.safe_url(c.story.url) for c in answers[0].citations}
    assert len(set(source_url.values())) >= 2, "the question needs sources with different URLs"

    markers = [(int(n), url) for n, url in re.findall(r"\[\\\[(\d+)\\\]\]\((\S+?)\)", embed["description"])]
    assert len({n for n, _ in markers}) >= 2, embed["description"]
    for n, url in markers:
        assert url == source_url[n], f"[{n}] links to {url}, not to source {n} ({source_url[n]})"
    sources = embed["fields"][0]["value"]
    listed = {int(n): url for n, url in re.findall(r"^\*\*\[(\d+)\]\*\* \[.*?\]\((\S+?)\)", sources, re.MULTILINE)}
    assert len(listed) >= 2 and listed == {n: source_url[n] for n in listed}, "the Sources field numbers them alike"
