"""``[outbox]``: how long the outbox keeps what it sent, word for word.

The office must be able to show what it sent (送达记录) for a year; ``keep`` (400 days: a year
and a margin) is how long a finished message keeps its rendered text and its delivery
attempts. After that `safeduty outbox prune` (and the service, daily) clears them; the row
itself stays (key, recipient, status, times, subject), so no planner can plan the key again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class OutboxConfig:
    keep: dt.timedelta = dt.timedelta(days=400)
    # Messages per prune transaction: each holds SQLite's write lock while it runs (about 0.1 s
    # for 500 measured at load average 8 on two cores, docs/performance.md).
    prune_batch: int = 500

    def __post_init__(self) -> None:
        if self.keep < dt.timedelta(days=1):
            raise ValueError(f"keep must be at least 1d (got {self.keep})")
        if not 1 <= self.prune_batch <= 10_000:
            raise ValueError(f"prune_batch must be between 1 and 10000 (got {self.prune_batch})")
