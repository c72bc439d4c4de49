"""/ask is acknowledged within Discord's 3 s while a /reindex keeps worker processes busy, and while that
rescan fails: the event loop never waits for the ingest's workers."""

from __future__ import annotations

import time

import pytest

from .. import slow_workers
from ..articles import write_articles
from ..test_ingest_responsiveness import MAX_LOOP_GAP_S, ticking
from .emulator import DEFERRED_CHANNEL_MESSAGE, DiscordEmulator

pytestmark = pytest.mark.asyncio

WORKER_BATCH_S = 2.0
MAX_ACK_DELAY_S = 1.0
"""Well inside Discord's 3 s: the old code's failing rescan held the loop for a whole worker batch or more."""


async def _ack_delay(emulator: DiscordEmulator, question: str) -> float:
    started = time.perf_counter()
    record = await emulator.slash("ask", user=emulator.alice, question=question)
    await emulator.wait_until(lambda: record.callbacks, timeout=10, what="the acknowledgement of /ask")
    assert record.callback_types[0] == DEFERRED_CHANNEL_MESSAGE
    assert not record.rejected
    return time.perf_counter() - started


async def test_ask_is_acknowledged_promptly_during_a_rescan_and_its_failure(
    emulator: DiscordEmulator, start_bot, tmp_path, monkeypatch
) -> None:
    corpus = tmp_path / "corpus"
    write_articles(corpus, 4)
    bot = await start_bot(seeds=(corpus,))  # the first ingest runs as usual

    # The rescan /reindex starts: a parallel pool of slow workers, and one batch that fails at once.
    markers = tmp_path / "markers"
    markers.mkdir()
    slow_workers.use_slow_workers(monkeypatch, markers, WORKER_BATCH_S)
    write_articles(corpus, 12, version="second")
    (corpus / "000-fail.md").write_text("---\ntitle: Fails\n---\nThe worker given this batch raises.\n")

    # The bot and this test share one event loop, so a stall would also delay the test's own clock:
    # the ticker sees stalls that the acknowledgement delays alone could not.
    async with ticking() as ticker:
        reindex = await emulator.slash("reindex", user=emulator.owner)
        await emulator.wait_until(lambda: any(markers.iterdir()), timeout=10, what="the workers to start")
        during = await _ack_delay(emulator, "How many zebras did volunteers count?")
        await emulator.wait_until(lambda: reindex.followups or reindex.original, timeout=15, what="the reindex report")
        after_failure = await _ack_delay(emulator, "How many otters did volunteers count?")

    assert ticker.max_gap_s < MAX_LOOP_GAP_S, f"the bot's event loop stalled {ticker.max_gap_s:.2f} s"

    assert during < MAX_ACK_DELAY_S, f"/ask waited {during:.2f} s for its acknowledgement during the rescan"
    assert after_failure < MAX_ACK_DELAY_S, f"/ask waited {after_failure:.2f} s after the rescan failed"
    assert bot.is_ready()
