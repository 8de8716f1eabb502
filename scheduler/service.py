"""The service's loop bodies: sync data files, plan a window, dispatch what is due.

APScheduler (see ``runner``) only calls these; tests call them directly with a controlled clock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import heapq
import logging
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler import state
from scheduler.calendar import WorkCalendar
from scheduler.clock import Clock
from scheduler.config import LoadedConfig
from scheduler.db import take_turns
from scheduler.dispatch import Dispatcher
from scheduler.outbox.models import FINAL, OutboxMessage
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.people.directory import Directory
from scheduler.people.imports import apply, parse_enterprises, parse_staff
from scheduler.people.upsert import Spool
from scheduler.planners import PlanContext, Planner
from scheduler.planning import plan_window
from scheduler.tabular import DataError

UPCOMING_LOOKBACK = dt.timedelta(days=1)  # far more than any planner looks back
log = logging.getLogger("safeduty.service")


class Service:
    def __init__(
        self,
        loaded: LoadedConfig,
        sessions: sessionmaker[Session],
        dispatcher: Dispatcher,
        calendar: WorkCalendar,
        planners: Mapping[str, Planner],
        clock: Clock,
    ) -> None:
        self.loaded = loaded
        self.config = loaded.config
        self.sessions = sessions
        self.dispatcher = dispatcher
        self.calendar = calendar
        self.planners = planners
        self.clock = clock

    # Data files named in config: imported on start and whenever their content changes.

    def sync_data(self) -> int:
        """Import every changed data file; returns how many were imported. Raises DataError.

        A changed file is read and checked before the write transaction (which on SQLite blocks
        every other writer), so that transaction only writes.
        """
        data = self.config.data
        imported = 0
        for name, relative in (("staff", data.staff), ("enterprises", data.enterprises)):
            if not relative:
                continue
            path = self.loaded.resolve(relative)
            digest = _digest(path, name)
            with self.sessions() as session:
                known = session.get(state.DataFile, str(path))
                if known is not None and known.sha256 == digest:
                    continue
            with self._parse(name, path) as parsed, self.sessions.begin() as session:
                # Replicas starting together would otherwise import the same file at once and
                # collide on its codes; the one that waited then finds the file already imported.
                take_turns(session, "safeduty:data-sync")
                known = session.get(state.DataFile, str(path))
                if known is not None and known.sha256 == digest:
                    continue
                result = apply(session, name, parsed, replace=True)
                now = self.clock.now()
                if known is None:
                    session.add(state.DataFile(path=str(path), sha256=digest, imported_at=now))
                else:
                    known.sha256, known.imported_at = digest, now
            log.info("imported %s from %s: %s", name, path, result)
            imported += 1
        return imported

    def _parse(self, name: str, path: Path) -> Spool:
        limits = self.config.security.imports
        if name == "staff":
            return parse_staff(path, limits)
        return parse_enterprises(path, self.config.channels, limits)

    # Planning

    def context(self, session: Session) -> PlanContext:
        return PlanContext(self.config, self.calendar, Directory.load(session, self.config), session)

    def plan_due(self) -> int:
        """Plan, for each planner, the window since its last completed tick; returns new messages.

        After downtime the window covers everything missed: what is still valid goes out (late),
        the rest is recorded as expired and reported.
        """
        now = self.clock.now()
        created = 0
        directory: Directory | None = None  # one snapshot per tick, shared by the planners
        for name, planner in self.planners.items():
            with self.sessions.begin() as session:
                start = state.last_tick(session, name) or now - self.config.service.first_run_lookback
                if start >= now:
                    continue  # the clock went back: this window is already planned
                if directory is None:
                    directory = Directory.load(session, self.config)
                ctx = PlanContext(self.config, self.calendar, directory, session)
                # A failure stays with its message or its planner: recorded for the admins,
                # never in the way of the other planners (scheduler/planning.py).
                planned = plan_window(session, name, planner, ctx, Window(start, now), now)
                created += planned.created
                if planned.complete:
                    state.record_tick(session, name, now)
        return created

    def upcoming(self, horizon: dt.timedelta, limit: int) -> list[PlannedMessage]:
        """The next messages the planners will produce (nothing is written)."""
        now = self.clock.now()
        window = Window(now, now + horizon)
        with self.sessions() as session:
            ctx = self.context(session)
            # Only what is still to go: planners look back a little (a change made minutes ago,
            # a report following a late publication), so some of what they yield is already out.
            gone = set(session.scalars(select(OutboxMessage.key).where(
                OutboxMessage.due_at > now - UPCOMING_LOOKBACK, OutboxMessage.status.in_(FINAL))))
            # Streamed: only ``limit`` messages are kept, not the whole horizon's (tens of MB
            # with a thousand enterprises, which the process would then hold on to).
            found = (m for planner in self.planners.values() for m in planner(ctx, window) if m.key not in gone)
            return heapq.nsmallest(limit, found, key=lambda m: (m.due_at, m.key))

    def run_once(self) -> tuple[int, int]:
        self.sync_data()
        planned = self.plan_due()
        return planned, self.dispatcher.dispatch_due()



def _digest(path: Path, name: str) -> str:
    """The file's SHA-256, read in chunks."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise DataError([f"{path}: cannot read the {name} file named in config ({exc.strerror})"]) from None
    return digest.hexdigest()
