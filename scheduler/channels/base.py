"""What every channel shares: the rendered message it is given and the error it raises."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Protocol

from scheduler.outbox.planned import Mention
from scheduler.redaction import redact


class Outcome(enum.StrEnum):
    SENT = "sent"
    TRANSIENT = "transient"  # try again after a backoff
    THROTTLED = "throttled"  # the target asked us to slow down: pause the whole target
    PERMANENT = "permanent"  # this message will never go through as it is
    CONFIG = "config"  # the target is misconfigured (bad token, bad signature, SMTP 535)


RETRYABLE = frozenset({Outcome.TRANSIENT, Outcome.THROTTLED})


class DeliveryError(Exception):
    """A failed send, saying whether a retry makes sense and, if the target said, when."""

    def __init__(
        self,
        outcome: Outcome,
        reason: str,
        retry_after: dt.timedelta | None = None,
        *,
        target_wide: bool = True,
    ) -> None:
        # Reasons are stored, shown and sent to the admins: a vendor's answer may quote our
        # token or URL back, so every reason is masked here, in one place.
        reason = redact(reason)
        super().__init__(reason)
        self.outcome = outcome
        self.reason = reason
        self.retry_after = retry_after
        # False when only this message is affected (one mailbox is full), not the whole target.
        self.target_wide = target_wide


@dataclass(frozen=True)
class Rendered:
    """A message ready to go: what a channel turns into one request."""

    key: str
    ref: str  # short reference shown to people
    kind: str
    recipient_name: str
    address: str
    mentions: tuple[Mention, ...]
    subject: str
    text: str
    html: str
    markdown: str
    due_at: str = ""  # ISO 8601: when the message was due (the event time receivers see)


class Channel(Protocol):
    def send(self, message: Rendered) -> str:
        """Deliver one message; return a short receipt, or raise DeliveryError."""
        ...

    def end_batch(self) -> None:
        """The dispatcher finished a batch: drop what should not idle until the next one
        (an SMTP connection); keep what should (an HTTP keep-alive pool)."""
        ...

    def close(self) -> None:
        """Release every connection (the service is stopping)."""
        ...
