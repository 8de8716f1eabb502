"""A dispatch pass: tidy the outbox, then rounds of claim → send → settle until nothing more may go."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels.base import Channel, Rendered
from scheduler.clock import Clock
from scheduler.config.channels import fingerprint
from scheduler.config.schema import Config
from scheduler.dispatch.claim import Claimer
from scheduler.dispatch.render import render
from scheduler.dispatch.send import Sender
from scheduler.dispatch.settle import Recorder
from scheduler.outbox import store, targets
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.targets import Limits
from scheduler.rendering import Renderer


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
        self.delivery = config.delivery
        specs = {name: spec for name, spec in config.channels.items() if name in channels}
        self.limits = {name: Limits.of(spec) for name, spec in specs.items()}
        self.fingerprints = {name: (fingerprints or {}).get(name) or fingerprint(spec) for name, spec in specs.items()}
        types = {name: spec.type for name, spec in specs.items()}
        self.claimer = Claimer(self.delivery, worker, self.limits, types, self._render)
        self.sender = Sender(channels, self.delivery, clock, self._render)
        self.recorder = Recorder(sessions, worker, clock, self.delivery, self.limits, self.fingerprints, rand, pause)

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
        self.recorder.start_pass()
        sent = 0
        with ThreadPoolExecutor(self.delivery.workers, thread_name_prefix="safeduty-send") as pool:
            while True:
                with self.sessions.begin() as session:
                    batch, errors = self.claimer.round(session, self.clock.now(), backlog, urgent, held)
                    session.expunge_all()
                if not batch:
                    break
                sent += self.sender.send(pool, batch, errors, partial(self.recorder.record, held=held))
                for name in {m.channel for m in batch}:
                    if name in self.channels:
                        self.channels[name].end_batch()
                if len(batch) < self.delivery.batch:
                    break
        return sent

    def render(self, message: OutboxMessage, *, late: bool) -> Rendered:
        """Render ``message`` and keep what was rendered on it (stored when the attempt settles)."""
        return render(self.renderer, self.config, message, late=late)

    def _render(self, message: OutboxMessage, late: bool) -> Rendered:
        return self.render(message, late=late)
