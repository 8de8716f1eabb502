"""When to try a failed delivery again: exponential backoff with full jitter, bounded by age.

The policy is data; the dispatcher applies it in one place, passing ``now`` and the randomness,
so tests drive it with a manual clock and a fixed random number.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from scheduler.channels.base import RETRYABLE, Outcome
from scheduler.config.schema import RetryConfig


@dataclass(frozen=True)
class RetryPolicy:
    base: dt.timedelta = dt.timedelta(seconds=10)
    cap: dt.timedelta = dt.timedelta(minutes=15)
    max_age: dt.timedelta = dt.timedelta(hours=24)

    @classmethod
    def from_config(cls, config: RetryConfig) -> RetryPolicy:
        return cls(config.base, config.cap, config.max_age)

    def next_attempt(
        self,
        outcome: Outcome,
        attempts: int,
        since: dt.datetime,
        now: dt.datetime,
        retry_after: dt.timedelta | None = None,
        rand: Callable[[], float] = random.random,
    ) -> dt.datetime | None:
        """The time of the next attempt after ``attempts`` failures, or None to give up.

        Only transient and throttled outcomes are retried: a permanent or configuration error
        would fail the same way again. Full jitter (AWS, "Exponential Backoff and Jitter"):
        uniform(0, min(cap, base·2ⁿ⁻¹)); a target's own Retry-After is a floor, never shortened.
        ``since`` is when the message first became due (or was retried by hand); past
        ``max_age`` from it, the message is given up.
        """
        if outcome not in RETRYABLE:
            return None
        wait = self.backoff(attempts, rand)
        if retry_after is not None:
            wait = max(wait, retry_after)
        when = now + wait
        return None if when - since > self.max_age else when

    def backoff(self, failures: int, rand: Callable[[], float] = random.random) -> dt.timedelta:
        """A full-jitter wait after ``failures`` consecutive failures (also how long a target
        that failed as a whole is left alone before the next probe)."""
        ceiling = min(self.cap, self.base * (2 ** min(30, max(0, failures - 1))))
        return ceiling * rand()
