"""A minimal asyncio signal: async listeners called, in order, with one value each time it is emitted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
Listener = Callable[[T], Awaitable[None]]


class Signal(Generic[T]):
    """Listeners subscribe with :meth:`connect`; :meth:`emit` awaits each in turn. A failing listener is
    logged and never stops the others, nor the code that emitted (an ingest that has committed)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Listener[T]] = []

    def connect(self, listener: Listener[T]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: Listener[T]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def __len__(self) -> int:
        return len(self._listeners)

    async def emit(self, value: T) -> None:
        for listener in list(self._listeners):
            try:
                await listener(value)
            except Exception:
                log.exception("a listener of %s failed", self.name)
