"""Record each outcome as soon as its send returns, fenced on the claim; what a failure says about
its target."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels.base import Outcome
from scheduler.clock import Clock
from scheduler.config.schema import DeliveryConfig
from scheduler.db import driver_transaction
from scheduler.dispatch.send import Result
from scheduler.outbox import store, targets
from scheduler.outbox.models import Status
from scheduler.outbox.store import Settlement
from scheduler.outbox.targets import DeliveryTarget, Limits
from scheduler.retry import RetryPolicy

log = logging.getLogger("safeduty.dispatch")

MIN_RETRY = dt.timedelta(seconds=1)  # never due again within the same pass
# Outcomes are recorded on a fresh connection when one is lost: this many tries, with waits
# doubling from RECORD_WAIT_S up to 1 s between them (about 6 s in all: a failover, not an outage).
RECORD_TRIES = 10
RECORD_WAIT_S = 0.05
THROTTLE_DEFAULT = dt.timedelta(seconds=60)  # a throttle answer that did not say for how long


@dataclass(eq=False)
class _Entry:
    """One worker's outcomes, waiting for a commit."""

    results: list[Result]
    held: set[str]
    sent: int = 0
    done: bool = False
    error: BaseException | None = None


class Recorder:
    def __init__(self, sessions: sessionmaker[Session], worker: str, clock: Clock, delivery: DeliveryConfig,
                 limits: Mapping[str, Limits], fingerprints: Mapping[str, str], rand: Callable[[], float],
                 pause: Callable[[float], object]) -> None:
        self.sessions = sessions
        self.worker = worker
        self.clock = clock
        self.delivery = delivery
        self.retry = RetryPolicy.from_config(delivery.retry)
        self.limits = limits
        self.fingerprints = fingerprints
        self.rand = rand
        self.pause = pause
        self._writing = threading.Lock()  # the turn to commit
        self._waiting_lock = threading.Lock()
        self._waiting: list[_Entry] = []  # outcomes waiting for the next commit
        # Targets whose runs of failures this pass has cleared, and not counted any since: a send
        # to them writes nothing to their row (a failure another replica counts meanwhile is
        # cleared on the next pass). Only the committer reads and writes it.
        self._clear: set[str] = set()
        self.engine: Engine = sessions.kw["bind"]
        self._settle_one = store.SettleOne(self.engine.dialect)
        self._clear_failures = targets.ClearFailures(self.engine.dialect)
        self._connection: Connection | None = None  # held for a pass by whoever commits

    def start_pass(self) -> None:
        self._clear = set()

    def end_pass(self) -> None:
        self._release()

    def record(self, results: list[Result], held: set[str]) -> int:
        """Record ``results`` now, with whatever other targets' workers finished meanwhile (one
        writer at a time; whoever holds the turn commits everything waiting, so eight targets
        cost about one commit each round trip, not eight); returns how many were sent. Returns
        once they are committed: a worker sends its next message only then, so a crash repeats
        at most the message each worker has in flight."""
        entry = _Entry(results, held)
        with self._waiting_lock:
            self._waiting.append(entry)
        with self._writing:
            if not entry.done:
                with self._waiting_lock:
                    group, self._waiting = self._waiting, []
                self._commit(group)
        if entry.error is not None:
            raise entry.error
        return entry.sent

    def _commit(self, group: list[_Entry]) -> None:
        """The messages have gone out: a connection lost while recording (a killed backend, a
        failover) is retried on a fresh one, or they would be sent again once their lease ran
        out. (The fence makes a retry of a commit that did succeed record nothing.)"""
        try:
            for attempt in range(1, RECORD_TRIES + 1):
                try:
                    self._clear = self._write(group)  # once committed
                    return
                except (OperationalError, InterfaceError) as exc:
                    self._release()  # the next try on a fresh connection
                    if attempt == RECORD_TRIES:
                        raise  # the last try: its error ends the pass
                    log.warning("could not record %d outcome(s) (%s); trying again", sum(len(e.results) for e in group),
                                str(exc.orig).strip().partition("\n")[0] or type(exc.orig).__name__)
                    self.pause(min(1.0, RECORD_WAIT_S * 2 ** (attempt - 1)))
        except BaseException as exc:
            for entry in group:
                entry.error = exc
            raise
        finally:
            for entry in group:
                entry.done = True

    def _write(self, group: list[_Entry]) -> set[str]:
        """Write ``group``'s outcomes in one transaction; returns the targets whose runs of
        failures are cleared after it. Sends and releases, the common case, go straight to the
        driver on a connection held for the pass (a fenced UPDATE and an INSERT each, compiled
        once: db.DriverStatement); a failure, which changes its target's state, or a sent admin
        digest, which marks what it reported, go through the ORM."""
        now = self.clock.now()
        results = [r for entry in group for r in entry.results]
        if any(r.started is not None and (r.outcome != Outcome.SENT or r.message.context.get("reports"))
               for r in results):
            with self.sessions.begin() as session:
                return self._settle(session, group, now)
        if self._connection is None:
            self._connection = self.engine.connect()
        with driver_transaction(self._connection) as cursor:
            return self._settle_sends(cursor, group, now)

    def _settle_sends(self, cursor: Any, group: list[_Entry], now: dt.datetime) -> set[str]:
        sent_to = {r.message.channel for entry in group for r in entry.results if r.started is not None}
        sent_to &= self.limits.keys()
        self._clear_failures(cursor, sent_to - self._clear)
        lost = 0
        for entry in group:
            entry.sent = 0
            for r in entry.results:
                settlement = self._settlement(r, None, now, entry.held)
                if self._settle_one(cursor, self.worker, now, settlement):
                    entry.sent += settlement.status == Status.SENT
                else:
                    lost += 1
        self._warn_lost(lost)
        return self._clear | sent_to

    def _settle(self, session: Session, group: list[_Entry], now: dt.datetime) -> set[str]:
        results = [r for entry in group for r in entry.results]
        channels = {r.message.channel for r in results} & self.limits.keys()
        states = targets.load(session, channels, lock=True)  # a failure changes its target's state
        owner: dict[int, _Entry] = {}
        settlements = []
        for entry in group:
            for r in entry.results:
                settlement = self._settlement(r, states.get(r.message.channel), now, entry.held)
                owner[id(settlement)] = entry
                settlements.append(settlement)
        recorded = store.settle(session, self.worker, now, settlements)
        self._warn_lost(len(settlements) - len(recorded))
        sent = [s for s in recorded if s.status == Status.SENT]
        store.mark_reported(session, {i for s in sent for i in s.message.context.get("reports", ())})
        for entry in group:
            entry.sent = 0
        for s in sent:
            owner[id(s)].sent += 1
        failed = {r.message.channel for r in results if r.started is not None and r.outcome != Outcome.SENT}
        return self._clear - failed

    def _warn_lost(self, lost: int) -> None:
        if lost:
            log.warning("%d claim(s) were lost (lease expired, another worker took over); their outcome "
                        "was not recorded", lost)

    def _release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

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
