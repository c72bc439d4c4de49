"""One bot-like process on a shared PostgreSQL store, for the kill -9 test (run as a script by tests).

``python -m tests.cluster_driver URL SEEDS INDEX_DIR``: opens the service as the bot does (background
rescan, the cluster member electing the leader), then prints one JSON line every 50 ms: whether it
leads and how many passages its index holds. Runs until killed.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.service import NewsService
from bot.settings import Settings


async def _serve(url: str, seeds: Path, index_dir: Path) -> None:
    settings = Settings(seeds=(seeds,), db_url=url, index_path=index_dir)
    async with await NewsService.open(settings, background=True) as service:
        while True:
            leading = bool(service.cluster and service.cluster.leading)
            print(json.dumps({"leading": leading, "docs": service.index.n_docs}), flush=True)
            await asyncio.sleep(0.05)


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
