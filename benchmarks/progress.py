"""A minimal progress bar on stderr (the benchmarks add no third-party dependency)."""

from __future__ import annotations

import math
import sys
import time


class ProgressBar:
    """``bar = ProgressBar("ingest", total); bar.update(done); bar.close()`` — redraws at most 4×/s."""

    def __init__(self, label: str, total: float, *, unit: str = "", stream=None) -> None:
        self.label = label
        self.total = total
        self.unit = unit
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self._last_draw = 0.0
        self.done = 0.0

    def update(self, done: float, *, force: bool = False) -> None:
        self.done = done
        now = time.perf_counter()
        if force or now - self._last_draw >= 0.25:
            self._last_draw = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        fraction = min(1.0, self.done / self.total) if self.total else 1.0
        elapsed = now - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = elapsed / fraction - elapsed if fraction > 0 else math.inf
        bar = "#" * int(fraction * 30)
        self.stream.write(
            f"\r{self.label} [{bar:<30}] {fraction:6.1%} {self.done:,.0f}/{self.total:,.0f}{self.unit}"
            f" {rate:,.0f}{self.unit}/s {elapsed:5.0f}s eta {eta:5.0f}s "
        )
        self.stream.flush()

    def close(self) -> None:
        self._draw(time.perf_counter())
        self.stream.write("\n")
        self.stream.flush()
