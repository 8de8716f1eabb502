"""When to try a failed delivery again: exponential backoff with full jitter, bounded by age."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base: dt.timedelta
    cap: dt.timedelta
    max_age: dt.timedelta

    def next_attempt(
        self,
        attempts: int,
        due_at: dt.datetime,
        now: dt.datetime,
        retry_after: dt.timedelta | None = None,
        rand: Callable[[], float] = random.random,
    ) -> dt.datetime | None:
        """The time of the next attempt after ``attempts`` failures, or None to give up.

        Full jitter (AWS, "Exponential Backoff and Jitter"): uniform(0, min(cap, base·2ⁿ)); a
        target's own Retry-After is a floor, never shortened.
        """
        ceiling = min(self.cap, self.base * (2 ** max(0, attempts - 1)))
        wait = ceiling * rand()
        if retry_after is not None:
            wait = max(wait, retry_after)
        when = now + wait
        return None if when - due_at > self.max_age else when
