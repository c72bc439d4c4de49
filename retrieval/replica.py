"""A process's own index kept in step with a store that several processes share (PostgreSQL).

Each process answers from its own memory-mapped index. The leader changes the store; every process
(the leader too) brings its index up to date from the store's change log: passages after the last one
the index holds, and passages removed since the generation it last saw. When the log no longer reaches
that far back (or at start-up, whatever the saved index holds), the index is compared with the stored
passage ids instead, so a replica that was down or disconnected for any time still converges.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .index import LiveIndex

if TYPE_CHECKING:
    from .ingest import Ingestor
    from .pgstore import ChangeSet

log = logging.getLogger(__name__)


class SharedStore(Protocol):
    """What a replica asks of a shared store (see :class:`~retrieval.pgstore.PostgresStore`)."""

    async def changes_since(self, generation: int, after_id: int) -> ChangeSet: ...
    async def generation(self) -> int: ...
    async def live_passage_ids(self) -> list[int]: ...
    async def passages_after(self, watermark: int) -> list[tuple[int, list[str]]]: ...
    async def max_passage_id(self) -> int: ...


class Replica:
    """Brings one index up to date with a shared store; ``generation`` is the last one applied."""

    def __init__(self, store: SharedStore, index: LiveIndex, ingestor: Ingestor) -> None:
        self.store = store
        self.index = index
        self.ingestor = ingestor
        self.generation = -1
        """The store generation the index reflects (-1: not known yet, compare the ids)."""

    async def load(self) -> None:
        """Open the saved index (or build one from the store when there is none), then catch up."""
        found = await asyncio.to_thread(self.index.load)
        async with self.ingestor.lock:
            if not found and await self.store.max_passage_id() > 0:
                generation = await self.store.generation()
                await self.ingestor.rebuild_index()
                self.generation = generation  # the rebuild read every passage committed by then
                return
        await self.catch_up()

    async def catch_up(self) -> bool:
        """Apply what the store changed since the last catch-up; True if the index changed."""
        async with self.ingestor.lock:
            if self.generation < 0:
                return await self._compare()
            changes = await self.store.changes_since(self.generation, self.index.max_key())
            if changes.removed is None:
                log.info("index generation %d is older than the change log: comparing ids", self.generation)
                return await self._compare()
            if changes.generation == self.generation and not changes.added:
                return False
            await self._apply(changes.removed, changes.added)
            self.generation = changes.generation
            return True

    async def _compare(self) -> bool:
        """Remove what the index holds and the store no longer does, add what is newer than the index."""
        generation = await self.store.generation()  # read first: what commits later is replayed next time
        live = np.asarray(await self.store.live_passage_ids(), dtype=np.int64)
        gone = np.setdiff1d(self.index.indexed_keys(), live, assume_unique=True).tolist()
        added = await self.store.passages_after(self.index.max_key())
        await self._apply(gone, added)
        self.generation = generation
        return bool(gone or added)

    async def _apply(self, removed: list[int], added: list[tuple[int, list[str]]]) -> None:
        if removed or added:
            await asyncio.to_thread(self._apply_to_index, removed, added)
            log.info("index caught up: %d passages added, %d removed", len(added), len(removed))
        if self.index.needs_compaction():
            await self.ingestor.rebuild_index()

    def _apply_to_index(self, removed: list[int], added: list[tuple[int, list[str]]]) -> None:
        self.index.remove(removed)
        self.index.add(added)
