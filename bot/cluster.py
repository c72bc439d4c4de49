"""Several bot processes sharing one PostgreSQL store: one leads (ingests), every one keeps its index.

The leader is whichever process holds the store's advisory lock (``PostgresStore.try_lead``); the
server releases it when the leader's connection ends, so a process that dies (even by ``kill -9``)
hands the lead over within :data:`LEAD_CHECK_S` plus a connect. Each member wakes on the store's
change notifications, or every :data:`LEAD_CHECK_S` whatever happens (notifications are lost while a
listener is disconnected), and catches its index up (:class:`~retrieval.replica.Replica`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from retrieval.replica import Replica

log = logging.getLogger(__name__)

LEAD_CHECK_S = 1.0
"""How often a member checks the lead and the store's generation when no notification arrives."""


class LeaderStore(Protocol):
    async def try_lead(self) -> bool: ...
    async def resign(self) -> None: ...
    async def wait_for_changes(self, timeout: float) -> bool: ...


class ClusterMember:
    """Takes the lead when it is free, runs ``on_lead`` (if any) when it does, and keeps the replica caught up."""

    def __init__(
        self, store: LeaderStore, replica: Replica, on_lead: Callable[[], Awaitable[object]] | None,
        *, leading: bool = False, check_s: float = LEAD_CHECK_S,
    ) -> None:
        self.store = store
        self.replica = replica
        self.on_lead = on_lead
        self.leading = leading
        self.check_s = check_s
        self.caught_up = asyncio.Event()
        """Set after each catch-up (tests and benchmarks wait on it)."""
        self._lead_task: asyncio.Task[object] | None = None

    def adopt(self, task: asyncio.Task | None) -> None:
        """The leader's ingest started before the member ran (the rescan at start-up): stopped with the lead."""
        if task is not None:
            self._lead_task = task

    async def run(self) -> None:
        """Check the lead and catch up, then wait for a change or the next check; until cancelled."""
        try:
            while True:
                await self.step()
                await self.store.wait_for_changes(self.check_s)
        finally:
            await self._stop_leading()

    async def step(self) -> None:
        """One round: take or confirm the lead, then catch the index up. A database that cannot be
        reached is logged and tried again next round (a restart of the server is ridden out)."""
        try:
            leading = await self.store.try_lead()
        except Exception as error:  # noqa: BLE001 - any driver error: not leading this round
            log.warning("checking the lead failed: %s", " ".join(str(error).split()))
            leading = False
        if leading and not self.leading:
            log.info("this process now leads: it does the ingesting")
            if self.on_lead is not None:
                self._lead_task = asyncio.create_task(self._lead(), name="newsbot-lead")
        elif self.leading and not leading:
            log.warning("this process lost the lead")
            await self._stop_leading()
        self.leading = leading
        try:
            await self.replica.catch_up()
        except Exception as error:  # noqa: BLE001 - the database is away: catch up next round
            log.warning("catching the index up failed (next round tries again): %s", " ".join(str(error).split()))
        else:
            self.caught_up.set()

    async def _lead(self) -> object:
        assert self.on_lead is not None
        try:
            return await self.on_lead()
        except asyncio.CancelledError:
            raise
        except Exception:  # logged; the next round goes on
            log.exception("the leader's ingest failed")
            return None

    async def _stop_leading(self) -> None:
        task, self._lead_task = self._lead_task, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
