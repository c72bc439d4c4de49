"""A per-user cooldown shared by ``/ask`` and mentions (one bucket per bot instance, not global)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class UserCooldown:
    """Allow ``rate`` questions per ``per`` seconds for each user.

    ``hit(user_id)`` records an attempt and returns 0.0 when it is allowed, otherwise the
    seconds until the user may ask again (the attempt is then not counted).
    """

    rate: int = 1
    per: float = 10.0
    clock: Callable[[], float] = time.monotonic
    _hits: dict[int, list[float]] = field(default_factory=dict, repr=False)
    _told_until: dict[int, float] = field(default_factory=dict, repr=False)

    def hit(self, user_id: int) -> float:
        if self.rate <= 0 or self.per <= 0:
            return 0.0
        now = self.clock()
        recent = [t for t in self._hits.get(user_id, ()) if now - t < self.per]
        if len(recent) >= self.rate:
            self._hits[user_id] = recent
            return self.per - (now - recent[0])
        recent.append(now)
        self._hits[user_id] = recent
        if len(self._hits) > 10_000:  # forget idle users now and then
            self._hits = {u: ts for u, ts in self._hits.items() if ts and now - ts[-1] < self.per}
        return 0.0

    def first_refusal(self, user_id: int, retry_after: float) -> bool:
        """Whether to tell a refused user to wait: True once per cooldown window, False for the rest of it."""
        now = self.clock()
        if now < self._told_until.get(user_id, float("-inf")):
            return False
        self._told_until = {u: t for u, t in self._told_until.items() if t > now}  # forget windows that ended
        self._told_until[user_id] = now + retry_after
        return True

    def reset(self, user_id: int | None = None) -> None:
        if user_id is None:
            self._hits.clear()
            self._told_until.clear()
        else:
            self._hits.pop(user_id, None)
            self._told_until.pop(user_id, None)
