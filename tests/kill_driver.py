"""Ingest a folder and die by SIGKILL in the middle of a batch transaction (run as a script by tests).

``python -m tests.kill_driver DB FOLDER BATCH_FILES KILL_AT_BATCH``: batches of BATCH_FILES files; the
process kills itself once batch KILL_AT_BATCH (counted from 1) has deleted its files' old rows and
before it inserts the new ones, so nothing in the process can clean up or roll back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import retrieval.ingest as ingest_module
from bot.service import NewsService
from bot.settings import Settings
from retrieval.store import Store


async def _ingest_until_killed(db: Path, folder: Path, kill_at_batch: int) -> None:
    original_insert = Store._insert
    batches = 0

    async def insert_or_die(self: Store, changes):
        nonlocal batches
        batches += 1
        if batches == kill_at_batch:
            os.kill(os.getpid(), signal.SIGKILL)
        return await original_insert(self, changes)

    Store._insert = insert_or_die  # type: ignore[method-assign]
    service = await NewsService.open(Settings(seeds=(folder,), db_path=db), ingest=False)
    await service.ingest()
    await service.close()


def main() -> None:
    db, folder, batch_files, kill_at_batch = sys.argv[1:5]
    ingest_module.BATCH_FILES = int(batch_files)
    ingest_module.PARALLEL_MIN_FILES = 10**9
    asyncio.run(_ingest_until_killed(Path(db), Path(folder), int(kill_at_batch)))


if __name__ == "__main__":
    main()
