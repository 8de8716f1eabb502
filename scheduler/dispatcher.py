"""Claim due outbox rows, render them, send them through their channel, record the outcome."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import TemplateError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels.base import RETRYABLE, Channel, DeliveryError, Outcome, Rendered
from scheduler.clock import Clock
from scheduler.config.schema import Config
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import Mention, short_ref
from scheduler.rendering import Renderer
from scheduler.retry import RetryPolicy

log = logging.getLogger("safeduty.dispatch")


class Dispatcher:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        channels: Mapping[str, Channel],
        renderer: Renderer,
        config: Config,
        clock: Clock,
        worker: str,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.renderer = renderer
        self.config = config
        self.clock = clock
        self.worker = worker
        self.rand = rand
        retry = config.delivery.retry
        self.retry = RetryPolicy(retry.base, retry.cap, retry.max_age)

    def dispatch_due(self) -> int:
        """Send everything due now; returns how many messages were sent."""
        delivery = self.config.delivery
        with self.sessions.begin() as session:
            now = self.clock.now()
            store.release_stale_claims(session, now)
            store.expire_overdue(session, now)
        sent = 0
        while True:
            with self.sessions.begin() as session:
                batch = store.claim(session, self.clock.now(), self.worker, delivery.lease, delivery.batch)
                session.expunge_all()
            if not batch:
                break
            results = [self._attempt(message) for message in batch]
            with self.sessions.begin() as session:
                for message, result in zip(batch, results):
                    if store.settle(session, message, worker=self.worker, **result):
                        sent += result["status"] == Status.SENT
                    else:
                        log.warning("lost the claim on %s (lease expired); its outcome was not recorded", message.key)
            for channel in self.channels.values():
                channel.close()
            if len(batch) < delivery.batch:
                break
        return sent

    def _attempt(self, message: OutboxMessage) -> dict[str, Any]:
        started = self.clock.now()
        late = started - message.due_at > self.config.delivery.late_after
        try:
            rendered = self.render(message, late=late)
            channel = self.channels.get(message.channel)
            if channel is None:
                raise DeliveryError(Outcome.CONFIG, f'channel "{message.channel}" is not defined in config')
            receipt = channel.send(rendered)
        except DeliveryError as error:
            return self._failed(message, started, error)
        now = self.clock.now()
        log.info("sent %s to %s via %s%s", message.key, message.recipient_name, message.channel, " (late)" if late else "")
        return {"started_at": started, "now": now, "status": Status.SENT, "outcome": Outcome.SENT,
                "detail": receipt, "late": late}

    def _failed(self, message: OutboxMessage, started: dt.datetime, error: DeliveryError) -> dict[str, Any]:
        now = self.clock.now()
        retry_at = None
        if error.outcome in RETRYABLE:
            retry_at = self.retry.next_attempt(message.attempts, message.due_at, now, error.retry_after, self.rand)
            retry_at = retry_at if retry_at is not None and retry_at < message.expires_at else None
        if retry_at is None:
            log.error("gave up on %s after %d attempt(s): %s", message.key, message.attempts, error.reason)
            return {"started_at": started, "now": now, "status": Status.DEAD, "outcome": error.outcome,
                    "detail": error.reason}
        log.warning("attempt %d of %s failed (%s), retrying at %s", message.attempts, message.key,
                    error.reason, retry_at.isoformat(timespec="seconds"))
        return {"started_at": started, "now": now, "status": Status.FAILED, "outcome": error.outcome,
                "detail": error.reason, "next_attempt_at": retry_at}

    def render(self, message: OutboxMessage, *, late: bool) -> Rendered:
        """Render ``message`` and keep what was rendered on it (stored when the attempt settles)."""
        context = {
            **message.context,
            "bureau": self.config.service.bureau,
            "office": self.config.service.office,
            "recipient_name": message.recipient_name,
            "ref": short_ref(message.key),
            "due_at": message.due_at.isoformat(),
            "late": late,
        }
        try:
            parts = self.renderer.render(message.kind, context)
        except TemplateError as exc:
            raise DeliveryError(Outcome.PERMANENT, f"template {message.kind}: {exc}") from None
        message.subject, message.body_text = parts.subject, parts.text
        message.body_html, message.body_markdown = parts.html, parts.markdown
        return Rendered(
            key=message.key,
            ref=context["ref"],
            kind=message.kind,
            recipient_name=message.recipient_name,
            address=message.address,
            mentions=tuple(Mention(**m) for m in message.mentions),
            subject=parts.subject,
            text=parts.text,
            html=parts.html,
            markdown=parts.markdown,
        )
