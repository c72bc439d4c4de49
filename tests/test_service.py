"""NewsService internals that adapters rely on: where a search runs does not change what it finds."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from bot import service as service_module
from bot.service import NewsService
from retrieval import kernels


async def test_short_searches_run_on_the_event_loop_and_long_ones_in_a_worker_thread(
    service, monkeypatch, compiled_kernels
):
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
    monkeypatch.setattr(kernels, "_kernels", compiled_kernels)  # compiled walks: a longer search stays inline
    await service._ranked(terms, postings=service_module.INLINE_SEARCH_POSTINGS + 1)
    await service._ranked(terms, postings=service_module.INLINE_COMPILED_SEARCH_POSTINGS + 1)
    assert threads[2] == threading.main_thread().name and threads[3] != threading.main_thread().name
    assert [(r.passage.id, r.score) for r in inline] == [(r.passage.id, r.score) for r in threaded]
    assert inline and all("DEA" in r.passage.text or "DEA" in r.story.title for r in inline[:3])


async def test_long_running_processes_compile_the_search_kernels_in_the_background(
    settings, monkeypatch, compiled_kernels
):
    monkeypatch.setattr(kernels, "_kernels", None)
    compiles: list[str] = []

    def warm_up() -> bool:
        compiles.append(threading.current_thread().name)
        kernels._kernels = compiled_kernels
        return True

    monkeypatch.setattr(kernels, "warm_up", warm_up)
    one_shot = await NewsService.open(settings)  # a CLI command: nothing to compile for
    await one_shot.close()
    assert one_shot.compile_task is None and kernels.ready() is None

    monkeypatch.setattr(service_module, "COMPILE_MIN_PASSAGES", 10**9)
    small = await NewsService.open(settings, compile_search=True)  # too few passages for compiling to pay
    await small.close()
    assert small.compile_task is None

    monkeypatch.setattr(service_module, "COMPILE_MIN_PASSAGES", 1)
    monkeypatch.setattr(service_module, "COMPILE_AFTER_S", 0.0)
    switched_off = await NewsService.open(replace(settings, jit=False), compile_search=True)  # NEWSBOT_JIT=0
    await switched_off.close()
    assert switched_off.compile_task is None

    bot = await NewsService.open(settings, compile_search=True)
    try:
        before = await bot.ask("What did Microsoft pitch to the DEA?")  # answered while compiling, or after
        assert await bot.compile_task is True and kernels.ready() is compiled_kernels
        assert compiles and compiles[0] != threading.main_thread().name
        after = await bot.ask("What did Microsoft pitch to the DEA?")
        assert after.text == before.text and not after.abstained
    finally:
        await bot.close()

    monkeypatch.setattr(kernels, "_kernels", None)
    monkeypatch.setattr(service_module, "COMPILE_AFTER_S", 60.0)
    closing = await NewsService.open(settings, compile_search=True)
    await closing.close()  # a compile still waiting to start is called off, never left behind
    assert closing.compile_task is None and kernels.ready() is None and len(compiles) == 1


async def test_an_answers_sources_are_rebuilt_from_its_passage_ids_until_they_change(service):
    answer = await service.ask("Why did Amazon ban police use of its face recognition?")
    groups = [[p.id for p in c.passages] for c in answer.citations]
    assert len(groups) >= 2

    assert await service.citations(groups) == list(answer.citations)
    assert await service.citations(groups[1:]) == [replace(c, n=c.n - 1) for c in answer.citations[1:]]
    assert await service.citations([[max(i for g in groups for i in g) + 10**6]]) is None

    changed = Path(answer.citations[0].story.source_file)
    changed.write_text(changed.read_text(encoding="utf-8").replace("police", "law enforcement"), encoding="utf-8")
    await service.ingest()
    assert await service.citations(groups) is None, "re-ingested passages are not quoted under their old ids"
