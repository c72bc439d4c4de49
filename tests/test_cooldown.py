"""The per-user cooldown: how many questions pass, and when a refused user is told."""

from __future__ import annotations

from bot.discord.cooldown import UserCooldown


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_refused_user_is_told_once_per_cooldown_window() -> None:
    clock = Clock()
    cooldown = UserCooldown(rate=1, per=10.0, clock=clock)
    assert cooldown.hit(1) == 0.0
    clock.now += 2
    retry_after = cooldown.hit(1)
    assert retry_after == 8.0
    assert cooldown.first_refusal(1, retry_after) is True
    clock.now += 3
    assert cooldown.first_refusal(1, cooldown.hit(1)) is False, "still the same window"
    assert cooldown.first_refusal(2, 5.0) is True, "per user"

    clock.now += 6  # the window has ended; the user may ask, and a new refusal is told again
    assert cooldown.hit(1) == 0.0
    clock.now += 1
    assert cooldown.first_refusal(1, cooldown.hit(1)) is True
