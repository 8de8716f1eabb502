"""Send a round: each target's messages in order, the targets side by side on worker threads;
every outcome recorded as soon as its send returns."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from scheduler.channels.base import Channel, DeliveryError, Outcome, Rendered
from scheduler.clock import Clock
from scheduler.config.schema import DeliveryConfig
from scheduler.outbox.models import OutboxMessage
from scheduler.redaction import summary

log = logging.getLogger("safeduty.dispatch")


@dataclass(frozen=True)
class Result:
    message: OutboxMessage
    started: dt.datetime | None = None  # None: released without an attempt
    outcome: Outcome = Outcome.SENT
    detail: str = ""
    retry_after: dt.timedelta | None = None
    target_wide: bool = True
    late: bool = False


Record = Callable[[list[Result]], int]  # commits outcomes, returns how many of them were sent


class Sender:
    def __init__(self, channels: Mapping[str, Channel], delivery: DeliveryConfig, clock: Clock,
                 render: Callable[[OutboxMessage, bool], Rendered]) -> None:
        self.channels = channels
        self.delivery = delivery
        self.clock = clock
        self.render = render  # (message, late) -> what to send

    def send(self, pool: ThreadPoolExecutor, batch: list[OutboxMessage], errors: dict[str, int],
             record: Record) -> int:
        """Send a round, each target's messages on a worker of their own; returns how many were sent."""
        groups: dict[str, list[OutboxMessage]] = {}
        for message in batch:
            groups.setdefault(message.channel, []).append(message)
        if len(groups) == 1:
            ((name, messages),) = groups.items()
            return self._send_group(name, messages, errors.get(name, 0), record)
        futures = [pool.submit(self._send_group, name, messages, errors.get(name, 0), record)
                   for name, messages in groups.items()]
        return sum(future.result() for future in futures)

    def _send_group(self, name: str, messages: list[OutboxMessage], config_errors: int, record: Record) -> int:
        """One target's messages, in order, each outcome recorded before the next is sent. Stop
        at a throttle, a target-wide failure, too many configuration errors, or half the lease
        (so a slow target never outlives its claims); the rest are released unattempted."""
        channel = self.channels.get(name)
        deadline = self.clock.now() + self.delivery.lease / 2
        sent = 0
        for i, message in enumerate(messages):
            if self.clock.now() > deadline:
                return sent + record([Result(m) for m in messages[i:]])
            result = self._attempt(channel, message)
            sent += record([result])
            if result.outcome == Outcome.CONFIG:
                config_errors += 1
                stop = config_errors >= self.delivery.unhealthy_after
            else:
                stop = result.outcome == Outcome.THROTTLED or (result.outcome == Outcome.TRANSIENT
                                                               and result.target_wide)
            if stop:
                rest = messages[i + 1:]
                return sent + (record([Result(m) for m in rest]) if rest else 0)
        return sent

    def _attempt(self, channel: Channel | None, message: OutboxMessage) -> Result:
        started = self.clock.now()
        late = started - message.due_at > self.delivery.late_after
        try:
            rendered = self.render(message, late)
            if channel is None:
                raise DeliveryError(Outcome.CONFIG, f'channel "{message.channel}" is not defined in config')
            receipt = channel.send(rendered)
        except DeliveryError as error:
            return Result(message, started, error.outcome, error.reason, error.retry_after, error.target_wide, late)
        except Exception as exc:  # a bug must not crash-loop the queue: record it, give the message up
            log.exception("sending %s raised", message.key)
            return Result(message, started, Outcome.PERMANENT, f"internal error: {summary(exc)}")
        return Result(message, started, Outcome.SENT, receipt, late=late)
