"""``[warnings.relay]``: who receives which warning (event × level → audiences), when an
unconfirmed warning is re-sent, how often the duty leader hears the receipt status.

Owned by the relay half of issue 14; filled in there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RelayConfig:
    pass
