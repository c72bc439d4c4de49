"""NewsService internals that adapters rely on: where a search runs does not change what it finds."""

from __future__ import annotations

import threading

from bot import service as service_module


async def test_short_searches_run_on_the_event_loop_and_long_ones_in_a_worker_thread(service, monkeypatch):
    threads: list[str] = []
    original = service._search_and_read

    def recording(terms, k):
        threads.append(threading.current_thread().name)
        return original(terms, k)

    monkeypatch.setattr(service, "_search_and_read", recording)
    terms = {"microsoft": 1.0, "dea": 1.0}
    inline = await service._ranked(terms, postings=10)
    threaded = await service._ranked(terms, postings=service_module.INLINE_SEARCH_POSTINGS + 1)
    assert threads[0] == threading.main_thread().name and threads[1] != threading.main_thread().name
    assert [(r.passage.id, r.score) for r in inline] == [(r.passage.id, r.score) for r in threaded]
    assert inline and all("DEA" in r.passage.text or "DEA" in r.story.title for r in inline[:3])
