"""Claim one round: urgent messages first, a fair share per target, within every budget."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping

from sqlalchemy.orm import Session

from scheduler.channels.base import Rendered
from scheduler.config.channels import BOT_TYPES
from scheduler.config.schema import DeliveryConfig
from scheduler.outbox import store, targets
from scheduler.outbox.merge import merge_due
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.targets import DeliveryTarget, Limits

log = logging.getLogger("safeduty.dispatch")


class Claimer:
    def __init__(self, delivery: DeliveryConfig, worker: str, limits: Mapping[str, Limits],
                 types: Mapping[str, str], render: Callable[[OutboxMessage, bool], Rendered]) -> None:
        self.delivery = delivery
        self.worker = worker
        self.limits = limits
        self.types = types
        self.render = render  # (message, late) -> what it says, for the digests

    def round(self, session: Session, now: dt.datetime, backlog: dict[str, int], urgent: dict[str, int],
              held: set[str]) -> tuple[list[OutboxMessage], dict[str, int]]:
        """Claim one round: every target's urgent messages first (warnings: across all targets,
        before any ordinary message), then every target with messages due gets a fair share of
        the batch (so a long queue for one mail server does not hold up a webhook), then the room
        left; never more than a target's budget, nothing for a paused or unhealthy target.
        Returns the claimed messages and each target's count of configuration errors so far."""
        delivery = self.delivery
        states = targets.load(session, self.limits, lock=True)
        self._merge_backlogs(session, states, backlog, now)
        blocked = set(held) | {n for n, t in states.items() if t.unhealthy_since is not None or t.paused(now)}
        ready = [name for name, count in sorted(backlog.items()) if count > 0 and name not in blocked]
        claimed: list[OutboxMessage] = []
        for share, only_urgent in ((delivery.batch, True), (max(1, delivery.batch // max(1, len(ready))), False),
                                   (delivery.batch, False)):
            for name in ready:
                target = states.get(name)
                budget = self.limits[name].budget(target.recent, now) if target is not None else share
                due = urgent.get(name, 0) if only_urgent else backlog[name]
                wanted = min(share, due, budget, delivery.batch - len(claimed))
                if wanted <= 0:
                    continue
                # Messages for a channel missing from config are claimed too: they die saying so.
                rows = store.claim(session, now, self.worker, delivery.lease, wanted, channels=[name],
                                   urgent=only_urgent)
                if only_urgent:
                    urgent[name] = due - len(rows) if len(rows) == wanted else 0
                    backlog[name] -= len(rows)
                else:
                    backlog[name] = backlog[name] - len(rows) if len(rows) == wanted else 0
                if rows and target is not None:
                    targets.record_claims(target, len(rows), now)
                claimed += rows
        session.flush()  # the budgets spent, before the caller detaches the rows
        return claimed, {name: t.config_errors for name, t in states.items()}

    def _merge_backlogs(self, session: Session, states: dict[str, DeliveryTarget], backlog: dict[str, int],
                        now: dt.datetime) -> None:
        """Fold the backlog of every bot that could not send it within merge_horizon into digests."""
        for name, target in states.items():
            limits = self.limits[name]
            if self.types[name] not in BOT_TYPES or not limits.limited or target.unhealthy_since is not None:
                continue
            capacity = limits.capacity(target, now, self.delivery.merge_horizon)
            if backlog.get(name, 0) > capacity:
                render = self._render_for_merge(now)
                made = merge_due(session, name, self.types[name], now, capacity, render)
                log.warning("%s: %d message(s) due, about %d sendable within %s: merged into %d digest(s)",
                            name, backlog[name], capacity, self.delivery.merge_horizon, made)
                # What is due now (digests, what was left out, urgent rows): claimed within the
                # budget even when merging made nothing new, so a storm never stalls the bot.
                backlog[name] = store.due_counts(session, now, channel=name).get(name, 0)

    def _render_for_merge(self, now: dt.datetime) -> Callable[[OutboxMessage], Rendered]:
        return lambda m: self.render(m, now - m.due_at > self.delivery.late_after)
