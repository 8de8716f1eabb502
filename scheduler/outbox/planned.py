"""What planners produce: a message, its key, its recipient and when it is due."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Mention:
    """Someone a bot message should @mention (DingTalk/WeCom by mobile, Feishu by open_id)."""

    name: str
    mobile: str = ""
    open_id: str = ""


@dataclass(frozen=True)
class Recipient:
    """Who receives a message and through which channel.

    ``key`` is stable across imports and goes into message keys (e.g. ``staff:S001``,
    ``enterprise:91140100MA0XXXXX:principal``, ``group:duty_team``); ``address`` is the e-mail
    address for e-mail channels; bot messages carry ``mentions`` instead.
    """

    key: str
    name: str
    channel: str
    address: str = ""
    mentions: tuple[Mention, ...] = ()


URGENT = 10  # a weather or emergency warning: claimed before everything else, never merged
NORMAL = 0


@dataclass(frozen=True)
class PlannedMessage:
    key: str
    kind: str  # also the template name, e.g. "preholiday/enterprise"
    recipient: Recipient
    due_at: dt.datetime  # aware; includes the key's jitter
    expires_at: dt.datetime
    context: Mapping[str, Any] = field(default_factory=dict)  # JSON-serialisable
    topic: str = ""  # what the message is about, e.g. "hazard:HZ-17", so it can be cancelled
    priority: int = NORMAL  # higher goes first (URGENT: warnings)

    @classmethod
    def at(
        cls,
        key: str,
        kind: str,
        recipient: Recipient,
        moment: dt.datetime,
        expires_at: dt.datetime,
        context: Mapping[str, Any],
        topic: str = "",
        priority: int = NORMAL,
    ) -> PlannedMessage:
        """A message set for ``moment``: it falls due then plus its key's jitter."""
        return cls(key, kind, recipient, moment + jitter(key), expires_at, context, topic, priority)


@dataclass(frozen=True)
class Window:
    """Planning asks: which messages fall due in (start, end]?"""

    start: dt.datetime
    end: dt.datetime

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.start < moment <= self.end


MIN_JITTER_S = 5
MAX_JITTER_S = 95


def jitter(key: str) -> dt.timedelta:
    """A deterministic delay of 5–95 s derived from the key.

    Feishu asks senders to avoid the :00 and :30 peaks, and a bureau's reminders would otherwise
    all leave at 09:00:00; deriving it from the key keeps `simulate` and the service in agreement.
    """
    digest = hashlib.sha256(key.encode()).digest()
    return _JITTERS[int.from_bytes(digest[:4], "big") % len(_JITTERS)]


_JITTERS = tuple(dt.timedelta(seconds=s) for s in range(MIN_JITTER_S, MAX_JITTER_S + 1))


def short_ref(key: str) -> str:
    """A short delivery reference shown in chat messages, so people can spot a duplicate."""
    return hashlib.sha256(key.encode()).hexdigest()[:6].upper()
