"""Claim due outbox rows, render them, send them through their channel, record the outcome.

A pass expires what is overdue and frees claims whose worker vanished, then runs rounds of
claim → send → settle until nothing more may go now:

- a round claims within every target's budget and skips paused or unhealthy targets (waiting
  is done by scheduling, never by sleeping); a bot whose backlog exceeds what it may take
  within ``merge_horizon`` has it merged into digests first;
- each target's messages are sent in order on a worker thread of their own, so a slow target
  delays only itself; after a throttle or a target-wide failure the rest of its messages are
  released unattempted and the target is paused;
- the round's outcomes are recorded in one transaction, fenced on the claims.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from jinja2 import TemplateError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels.base import Channel, DeliveryError, Outcome, Rendered
from scheduler.clock import Clock
from scheduler.config.channels import BOT_TYPES, fingerprint
from scheduler.config.schema import Config
from scheduler.outbox import store, targets
from scheduler.outbox.merge import merge_due
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import Mention, short_ref
from scheduler.outbox.store import Settlement
from scheduler.outbox.targets import DeliveryTarget, Limits
from scheduler.receipts.links import receipt_context
from scheduler.redaction import summary
from scheduler.rendering import Renderer
from scheduler.retry import RetryPolicy

log = logging.getLogger("safeduty.dispatch")

MIN_RETRY = dt.timedelta(seconds=1)  # never due again within the same pass
# A round's outcomes are recorded on a fresh connection when one is lost: this many tries, with
# waits doubling from RECORD_WAIT_S up to 1 s between them (about 6 s in all: a failover, not an outage).
RECORD_TRIES = 10
RECORD_WAIT_S = 0.05
THROTTLE_DEFAULT = dt.timedelta(seconds=60)  # a throttle answer that did not say for how long


@dataclass(frozen=True)
class Result:
    message: OutboxMessage
    started: dt.datetime | None = None  # None: released without an attempt
    outcome: Outcome = Outcome.SENT
    detail: str = ""
    retry_after: dt.timedelta | None = None
    target_wide: bool = True
    late: bool = False


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
        pause: Callable[[float], object] = time.sleep,
        fingerprints: Mapping[str, str] | None = None,  # keyed digests (channels.fingerprints)
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.renderer = renderer
        self.config = config
        self.clock = clock
        self.worker = worker
        self.rand = rand
        self.pause = pause
        self.delivery = config.delivery
        self.retry = RetryPolicy.from_config(config.delivery.retry)
        specs = {name: spec for name, spec in config.channels.items() if name in channels}
        self.limits = {name: Limits.of(spec) for name, spec in specs.items()}
        self.fingerprints = {name: (fingerprints or {}).get(name) or fingerprint(spec) for name, spec in specs.items()}
        self.types = {name: spec.type for name, spec in specs.items()}
        self.limited = sorted(name for name, limits in self.limits.items() if limits.limited)

    def dispatch_due(self) -> int:
        """Send everything that may go now; returns how many messages were sent."""
        with self.sessions.begin() as session:
            now = self.clock.now()
            store.release_stale_claims(session, now)
            store.expire_overdue(session, now)
            targets.ensure(session, self.limits, self.fingerprints)
            backlog = store.due_counts(session, now)  # per channel, counted down as rounds claim
            urgent = store.due_counts(session, now, urgent=True)  # the part of it that goes first
        if any(backlog.values()):
            self.renderer.refresh()  # templates edited since the last pass
        held: set[str] = set()  # targets that throttled or failed during this pass
        sent = 0
        with ThreadPoolExecutor(self.delivery.workers, thread_name_prefix="safeduty-send") as pool:
            while True:
                with self.sessions.begin() as session:
                    batch, errors = self._claim(session, backlog, urgent, held)
                    session.expunge_all()
                if not batch:
                    break
                results = self._send(pool, batch, errors)
                sent += self._record(results, held)
                for name in {m.channel for m in batch}:
                    if name in self.channels:
                        self.channels[name].end_batch()
                if len(batch) < self.delivery.batch:
                    break
        return sent

    # Claiming

    def _claim(
        self, session: Session, backlog: dict[str, int], urgent: dict[str, int], held: set[str]
    ) -> tuple[list[OutboxMessage], dict[str, int]]:
        """Claim one round: every target's urgent messages first (warnings: across all targets,
        before any ordinary message), then every target with messages due gets a fair share of
        the batch (so a long queue for one mail server does not hold up a webhook), then the room
        left; never more than a target's budget, nothing for a paused or unhealthy target."""
        now = self.clock.now()
        delivery = self.delivery
        states = targets.load(session, self.limits, lock=True)
        self._merge_backlogs(session, states, backlog, urgent, now)
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
                        urgent: dict[str, int], now: dt.datetime) -> None:
        """Fold the backlog of every bot that could not send it within merge_horizon into digests."""
        for name, target in states.items():
            limits = self.limits[name]
            if self.types[name] not in BOT_TYPES or not limits.limited or target.unhealthy_since is not None:
                continue
            capacity = limits.capacity(target, now, self.delivery.merge_horizon)
            if backlog.get(name, 0) > capacity:
                made = merge_due(session, name, self.types[name], now, capacity, self._render_for_merge(now))
                log.warning("%s: %d message(s) due, about %d sendable within %s: merged into %d digest(s)",
                            name, backlog[name], capacity, self.delivery.merge_horizon, made)
                # What is due now (digests, what was left out, urgent rows): claimed within the
                # budget even when merging made nothing new, so a storm never stalls the bot.
                backlog[name] = store.due_counts(session, now, channel=name).get(name, 0)

    def _render_for_merge(self, now: dt.datetime) -> Callable[[OutboxMessage], Rendered]:
        return lambda m: self.render(m, late=now - m.due_at > self.delivery.late_after)

    # Sending

    def _send(self, pool: ThreadPoolExecutor, batch: list[OutboxMessage], errors: dict[str, int]) -> list[Result]:
        groups: dict[str, list[OutboxMessage]] = {}
        for message in batch:
            groups.setdefault(message.channel, []).append(message)
        if len(groups) == 1:
            ((name, messages),) = groups.items()
            return self._send_group(name, messages, errors.get(name, 0))
        futures = [pool.submit(self._send_group, name, messages, errors.get(name, 0)) for name, messages in groups.items()]
        return [result for future in futures for result in future.result()]

    def _send_group(self, name: str, messages: list[OutboxMessage], config_errors: int) -> list[Result]:
        """One target's messages, in order. Stop at a throttle, a target-wide failure, too many
        configuration errors, or half the lease (so a slow target never outlives its claims)."""
        channel = self.channels.get(name)
        deadline = self.clock.now() + self.delivery.lease / 2
        results: list[Result] = []
        stop = False
        for message in messages:
            if stop or self.clock.now() > deadline:
                results.append(Result(message))
                continue
            result = self._attempt(channel, message)
            results.append(result)
            if result.outcome == Outcome.THROTTLED or (result.outcome == Outcome.TRANSIENT and result.target_wide):
                stop = True
            elif result.outcome == Outcome.CONFIG:
                config_errors += 1
                stop = config_errors >= self.delivery.unhealthy_after
        return results

    def _attempt(self, channel: Channel | None, message: OutboxMessage) -> Result:
        started = self.clock.now()
        late = started - message.due_at > self.delivery.late_after
        try:
            rendered = self.render(message, late=late)
            if channel is None:
                raise DeliveryError(Outcome.CONFIG, f'channel "{message.channel}" is not defined in config')
            receipt = channel.send(rendered)
        except DeliveryError as error:
            return Result(message, started, error.outcome, error.reason, error.retry_after, error.target_wide, late)
        except Exception as exc:  # a bug must not crash-loop the queue: record it, give the message up
            log.exception("sending %s raised", message.key)
            return Result(message, started, Outcome.PERMANENT, f"internal error: {summary(exc)}")
        return Result(message, started, Outcome.SENT, receipt, late=late)

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
            **receipt_context(self.config, message),  # the receipt link (receipts: scheduler/receipts/links.py)
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
            due_at=context["due_at"],
        )

    # Recording

    def _record(self, results: list[Result], held: set[str]) -> int:
        """Record a round's outcomes. The messages have gone out: a connection lost while
        recording (a killed backend, a failover) is retried on a fresh one, or they would all be
        sent again once their lease ran out. (The fence makes a retry of a commit that did
        succeed record nothing.)"""
        for attempt in range(1, RECORD_TRIES):
            try:
                with self.sessions.begin() as session:
                    return self._settle(session, results, held)
            except (OperationalError, InterfaceError) as exc:
                log.warning("could not record %d outcome(s) (%s); trying again",
                            len(results), str(exc.orig).strip().partition("\n")[0] or type(exc.orig).__name__)
                self.pause(min(1.0, RECORD_WAIT_S * 2 ** (attempt - 1)))
        with self.sessions.begin() as session:  # the last try: its error ends the pass
            return self._settle(session, results, held)

    def _settle(self, session: Session, results: list[Result], held: set[str]) -> int:
        now = self.clock.now()
        states = targets.load(session, {r.message.channel for r in results} & self.limits.keys(), lock=True)
        settlements = [self._settlement(r, states.get(r.message.channel), now, held) for r in results]
        recorded = store.settle(session, self.worker, now, settlements)
        if len(recorded) < len(settlements):
            log.warning("%d claim(s) were lost (lease expired, another worker took over); their outcome "
                        "was not recorded", len(settlements) - len(recorded))
        sent = [s.message for s in recorded if s.status == Status.SENT]
        store.mark_reported(session, {i for m in sent for i in m.context.get("reports", ())})
        return len(sent)

    def _settlement(self, r: Result, target: DeliveryTarget | None, now: dt.datetime, held: set[str]) -> Settlement:
        m = r.message
        if r.started is None:
            return Settlement(m, Status.FAILED if m.attempts > 1 else Status.PENDING)
        if r.outcome == Outcome.SENT:
            if target is not None:
                target.failures = target.config_errors = 0
            log.info("sent %s to %s via %s%s", m.key, m.recipient_name, m.channel, " (late)" if r.late else "")
            return Settlement(m, Status.SENT, r.started, r.outcome, r.detail, late=r.late)
        if target is not None:
            self._blame(target, r, now, held)
        retry_at = self.retry.next_attempt(r.outcome, m.attempts, m.retry_from or m.due_at, now, r.retry_after, self.rand)
        detail = r.detail
        if retry_at is not None:
            paused = now + target.pause_left(now) if target is not None else now
            retry_at = max(retry_at, now + MIN_RETRY, paused)
            if retry_at >= m.expires_at:
                retry_at, detail = None, f"{detail}; not retried: it expires before the next attempt"
        if retry_at is None:
            log.error("gave up on %s after %d attempt(s) [%s]: %s", m.key, m.attempts, r.outcome, detail)
            return Settlement(m, Status.DEAD, r.started, r.outcome, detail)
        log.warning("attempt %d of %s failed [%s]: %s; next at %s", m.attempts, m.key, r.outcome, detail,
                    retry_at.isoformat(timespec="seconds"))
        return Settlement(m, Status.FAILED, r.started, r.outcome, detail, next_attempt_at=retry_at)

    def _blame(self, target: DeliveryTarget, r: Result, now: dt.datetime, held: set[str]) -> None:
        """What a failure says about the whole target: pause it, or count it towards unhealthy."""
        if r.outcome == Outcome.THROTTLED:
            target.pause(now + (r.retry_after or THROTTLE_DEFAULT), f"throttled: {r.detail}")
            held.add(target.name)
        elif r.outcome == Outcome.TRANSIENT and r.target_wide:
            target.failures += 1
            wait = max(MIN_RETRY, self.retry.backoff(target.failures, self.rand), r.retry_after or MIN_RETRY)
            target.pause(now + wait, f"failing: {r.detail}")
            held.add(target.name)
        elif r.outcome == Outcome.CONFIG:
            target.config_errors += 1
            target.last_error = r.detail
            if target.config_errors >= self.delivery.unhealthy_after and target.unhealthy_since is None:
                target.unhealthy_since = now
                target.fingerprint = self.fingerprints[target.name]
                held.add(target.name)
                log.error("%s marked unhealthy after %d configuration errors in a row (%s); its messages wait "
                          "until its config changes or `safeduty outbox targets --reset %s`",
                          target.name, target.config_errors, r.detail, target.name)
