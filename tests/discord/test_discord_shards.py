"""End to end: two ``newsbot run`` processes, each running its own Discord shards, share one PostgreSQL
store. The emulator has two guilds on different shards: each process answers its own shards' guild (and the
second the DMs) from its own index, never the other's; a file /reindex ingests (on the
leader) is answerable in the other process within seconds; after ``kill -9`` of the leader, the other
takes over the ingest."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

from .conftest import PROJECT_ROOT
from .emulator import DiscordEmulator
from .test_discord_mentions import bot_reply

FOLLOW_S = 8.0
"""A change made by the leader is answered in the other process within this."""


def _shard_count_apart(emulator: DiscordEmulator) -> int:
    """A shard count that puts the guild on a shard other than 0 (where DMs go), so that one process
    serves the guild and the other the DMs (and a second guild, added on shard 0)."""
    return next(count for count in range(2, 64) if (emulator.guild_id >> 22) % count)


async def _run(emulator: DiscordEmulator, tmp: Path, name: str, url: str, seeds: Path, shards: list[int],
               count: int) -> asyncio.subprocess.Process:
    inherited = {key: value for key, value in os.environ.items() if key != "DISCORD_GUILD_ID"}  # global commands
    environment = {
        **inherited, "DISCORD_TOKEN": emulator.token,
        "NEWSBOT_DB": url, "NEWSBOT_SEEDS": str(seeds), "NEWSBOT_INDEX_DIR": str(tmp / f"{name}.index"),
        "NEWSBOT_JIT": "0", "NEWSBOT_ASK_COOLDOWN_RATE": "1000", "PYTHONPATH": str(PROJECT_ROOT),
    }
    log = open(tmp / f"{name}.log", "w")  # noqa: SIM115 - the process writes it until it ends
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.discord.shard_driver", emulator.api_base, emulator.gateway_url,
        "run", "--shard-count", str(count), "--shard-ids", ",".join(map(str, shards)),
        cwd=tmp, env=environment, stdout=log, stderr=log,
    )


async def _dm_answer(emulator: DiscordEmulator, question: str, expected: str, seconds: float) -> str:
    """Ask in a DM until the answer holds ``expected`` (the other process catches up meanwhile)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        message = await emulator.say(question, dm=True)
        channel = int(message["channel_id"])
        count = len([m for m in emulator.messages[channel] if m["author"]["id"] == str(emulator.bot_user.id)]) + 1
        reply = await bot_reply(emulator, channel, count=count)
        text = (reply.get("embeds") or [{}])[0].get("description", "") + reply.get("content", "")
        if expected in text or loop.time() > deadline:
            return text
        await asyncio.sleep(0.3)


async def _guild_answer(emulator: DiscordEmulator, channel_id: int, question: str, seconds: float) -> str | None:
    """/ask in a guild's channel: the answer's text, or None if no process answered within ``seconds``."""
    asked = await emulator.slash("ask", channel_id=channel_id, question=question)
    try:
        await emulator.wait_until(lambda: asked.followups, seconds, "the guild's answer")
    except AssertionError:  # timed out
        return None
    return str(asked.followups[0]["embeds"][0]["description"])


def _guilds_sent(emulator: DiscordEmulator, shard: int) -> set[int]:
    """The guilds the emulator's gateway sent to ``shard`` (in READY and GUILD_CREATE)."""
    frames = emulator.sessions[shard].history
    ready = next(frame["d"] for frame in frames if frame["t"] == "READY")
    return {int(g["id"]) for g in ready["guilds"]} | {int(f["d"]["id"]) for f in frames if f["t"] == "GUILD_CREATE"}


def _connected_guilds(tmp: Path, name: str) -> list[str]:
    """What a process logged on connecting: ``to N guild(s)``, from its own guild cache."""
    return re.findall(r"to (\d+) guild\(s\)", (tmp / f"{name}.log").read_text())


def _article(seeds: Path, name: str, title: str, body: str) -> None:
    (seeds / name).write_text(f"{title}\n\n{body}\n")


async def test_two_shard_processes_share_the_store_and_hand_over_the_ingest(
    emulator: DiscordEmulator, tmp_path: Path, seeds_copy: Path, postgres_url: str
) -> None:
    count = _shard_count_apart(emulator)
    emulator.shard_count = count
    guild_shard = (emulator.guild_id >> 22) % count
    second_guild, second_channel = emulator.add_guild("Harbour desk", shard=(0, count))
    others = [shard for shard in range(count) if shard != guild_shard]
    first = await _run(emulator, tmp_path, "first", postgres_url, seeds_copy, [guild_shard], count)
    second = None
    try:
        await emulator.wait_until(lambda: guild_shard in emulator.sessions and emulator.commands.get(None),
                                  60, "the first process (it ingests the seeds) connected")
        second = await _run(emulator, tmp_path, "second", postgres_url, seeds_copy, others, count)
        await emulator.wait_until(lambda: all(s in emulator.sessions for s in others), 60, "the second process")
        await emulator.wait_until(lambda: len(_connected_guilds(tmp_path, "second")), 20, "the second process ready")

        # Each guild went to the one shard that owns it, and each process holds its own guild only.
        assert _guilds_sent(emulator, guild_shard) == {emulator.guild_id}
        assert _guilds_sent(emulator, 0) == {second_guild}
        assert all(not _guilds_sent(emulator, shard) for shard in others if shard)
        assert _connected_guilds(tmp_path, "first") == _connected_guilds(tmp_path, "second") == ["1"]

        question = "What did Microsoft pitch to the DEA?"
        assert "DEA" in (await _guild_answer(emulator, emulator.channel_id, question, 10) or "")  # first guild: first
        assert "DEA" in (await _guild_answer(emulator, second_channel, question, 10) or "")  # second guild: second
        assert "DEA" in await _dm_answer(emulator, question, "DEA", 10)  # DMs: second

        _article(seeds_copy, "bridge.txt", "Ostravia council approves harbour bridge",
                 "The Ostravia city council approved a new harbour bridge on Tuesday.")
        reindex = await emulator.slash("reindex", user=emulator.owner)  # in the guild: the leader ingests
        await emulator.wait_until(lambda: reindex.followups, 20, "the reindex report")
        assert "added 1" in reindex.followups[0]["embeds"][0]["description"]
        answer = await _dm_answer(emulator, "What did the Ostravia city council approve?", "harbour bridge", FOLLOW_S)
        assert "harbour bridge" in answer

        _article(seeds_copy, "ferry.txt", "Ostravia launches night ferry",
                 "Ostravia launched a night ferry across the harbour on Friday.")
        first.send_signal(signal.SIGKILL)
        await first.wait()
        answer = await _dm_answer(emulator, "What did Ostravia launch?", "night ferry", FOLLOW_S + 5)
        assert "night ferry" in answer  # the second process took the lead and rescanned the seeds
        assert "night ferry" in (await _guild_answer(emulator, second_channel, "What did Ostravia launch?", 5) or "")
        # The first guild's shard died with the first process: the second never answers there.
        assert await _guild_answer(emulator, emulator.channel_id, "What did Ostravia launch?", 1.5) is None
    finally:
        for process in (first, second):
            if process is not None and process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()
