"""What every planner is given, and the shape of a planner.

A planner answers "which messages fall due in this window?" from the data, the calendar and the
config. It never reads the clock, the network or the environment; the live service and
`safeduty simulate` call the same planners with different windows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from scheduler.calendar import WorkCalendar
from scheduler.config.schema import Config
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.people.directory import Directory


@dataclass(frozen=True)
class PlanContext:
    config: Config
    calendar: WorkCalendar
    directory: Directory
    session: Session  # read-only: for planners whose state lives in the database (hazards, rosters)


Planner = Callable[[PlanContext, Window], Iterable[PlannedMessage]]
