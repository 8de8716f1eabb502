"""The register as the web interface browses it: filters, overdue majors first, one page at a
time; and how late a hazard is, in calendar and working days."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from scheduler.calendar import WorkCalendar
from scheduler.config.hazards import EscalationPolicy, HazardsConfig
from scheduler.hazards.models import Hazard
from scheduler.hazards.policy import ScheduledStep, reached
from scheduler.hazards.vocab import OPEN_VALUES, HazardLevel
from scheduler.people.models import Enterprise, Staff
from scheduler.vocab import Role

PAGE_SIZE = 50


@dataclass(frozen=True)
class Browse:
    today: dt.date
    level: HazardLevel | None = None
    status: str = ""
    enterprise: str = ""  # code, or part of the name
    region: str = ""  # 行政区划 code prefix, or part of the region's name
    supervisor: str = ""  # a supervisor's 工号: the enterprises they oversee
    overdue: bool = False  # only open hazards past their deadline
    page: int = 1


def _conditions(session: Session, browse: Browse) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if browse.overdue:
        where += [Hazard.status.in_(OPEN_VALUES), Hazard.deadline < browse.today]
    if browse.level is not None:
        where.append(Hazard.level == browse.level.value)
    if browse.status:
        where.append(Hazard.status == browse.status)
    if browse.enterprise:
        text = browse.enterprise.strip()
        where.append(or_(Enterprise.code == text, Enterprise.name.contains(text, autoescape=True)))
    if browse.region:
        text = browse.region.strip()
        where.append(or_(Enterprise.region.startswith(text, autoescape=True),
                         Enterprise.region.contains(text, autoescape=True)))
    if browse.supervisor:
        staff = session.scalar(select(Staff).where(Staff.code == browse.supervisor))
        if staff is None:
            where.append(Hazard.id.is_(None))  # an unknown supervisor oversees nothing
        else:
            categories = [c for c in staff.supervises_categories.split(",") if c]
            regions = [r for r in staff.supervises_regions.split(",") if r]
            if categories:
                where.append(Enterprise.category.in_(categories))
            if regions:
                where.append(or_(*(Enterprise.region.startswith(r, autoescape=True) for r in regions)))
    return where


def browse(session: Session, browse: Browse) -> tuple[list[Hazard], int]:
    """One page of hazards and how many match in all: overdue major hazards first (longest
    overdue first), then by deadline."""
    where = _conditions(session, browse)
    overdue_major = and_(Hazard.level == HazardLevel.MAJOR.value, Hazard.status.in_(OPEN_VALUES),
                         Hazard.deadline < browse.today)
    total = session.scalar(select(func.count()).select_from(Hazard).join(Hazard.enterprise).where(*where)) or 0
    # Two steps: the page's ids from a narrow sort (10,000 wide rows sorted whole cost 10× more
    # on SQLite), then those rows, their enterprise from the same join.
    ids = list(session.scalars(
        select(Hazard.id).join(Hazard.enterprise).where(*where)
        .order_by(case((overdue_major, 0), else_=1), Hazard.deadline.is_(None), Hazard.deadline, Hazard.code)
        .limit(PAGE_SIZE).offset(max(0, browse.page - 1) * PAGE_SIZE)))
    if not ids:
        return [], total
    rows = {h.id: h for h in session.scalars(
        select(Hazard).join(Hazard.enterprise).options(contains_eager(Hazard.enterprise))
        .where(Hazard.id.in_(ids)))}
    return [rows[i] for i in ids], total


def regions(session: Session) -> list[str]:
    """Every region named by an active enterprise (for the filter's choices)."""
    return [r for r in session.scalars(select(Enterprise.region).where(Enterprise.active, Enterprise.region != "")
                                       .distinct().order_by(Enterprise.region))]


@dataclass(frozen=True)
class Lateness:
    """How a hazard stands against its deadline, on ``today``."""

    days: int  # calendar days past the deadline (negative: days left)
    working_days: int  # working days past it (调休 counted), or left
    step: ScheduledStep | None  # the escalation step reached
    open: bool

    @property
    def overdue(self) -> bool:
        return self.open and self.days > 0

    @property
    def wording(self) -> str:
        """逾期5天（3个工作日）, 今日到期, 剩余12天（8个工作日）."""
        if not self.open:
            return ""
        if self.days == 0:
            return "今日到期"
        if self.days > 0:
            return f"逾期{self.days}天（{self.working_days}个工作日）"
        return f"剩余{-self.days}天（{self.working_days}个工作日）"


def working_days_between(calendar: WorkCalendar, low: dt.date, high: dt.date) -> int:
    """Working days in (low, high], 调休 counted: from per-year running counts, not day by day."""
    return _running(calendar, high) - _running(calendar, low)


def _running(calendar: WorkCalendar, day: dt.date) -> int:
    """Working days from 1 January 2000 (or earlier years: negative) to ``day`` inclusive."""
    base = sum(_year_counts(calendar, y)[-1] for y in range(2000, day.year)) if day.year >= 2000 else -sum(
        _year_counts(calendar, y)[-1] for y in range(day.year, 2000))
    return base + _year_counts(calendar, day.year)[day.timetuple().tm_yday - 1]


@lru_cache(maxsize=256)
def _year_counts(calendar: WorkCalendar, year: int) -> tuple[int, ...]:
    """Running count of working days in ``year``, by day of the year."""
    counts, total, day = [], 0, dt.date(year, 1, 1)
    while day.year == year:
        total += calendar.is_working_day(day)
        counts.append(total)
        day += dt.timedelta(days=1)
    return tuple(counts)


@lru_cache(maxsize=4096)
def _reached(policy: EscalationPolicy, deadline: dt.date, calendar: WorkCalendar, today: dt.date) -> ScheduledStep | None:
    """Hazards share deadlines: a page of them computes each chain once."""
    return reached(policy, deadline, calendar, today)


def supervisors(session: Session) -> list[Staff]:
    """Active staff holding the supervisor role (the register's filter), in 工号 order."""
    rows = session.scalars(select(Staff).where(Staff.active, Staff.roles.contains("supervisor"))
                           .order_by(Staff.code))
    return [s for s in rows if Role.SUPERVISOR in s.role_set]


def lateness(hazard: Hazard, today: dt.date, calendar: WorkCalendar, config: HazardsConfig) -> Lateness | None:
    if hazard.deadline is None:
        return None
    is_open = hazard.status in OPEN_VALUES
    days = (today - hazard.deadline).days
    low, high = sorted((hazard.deadline, today))
    working = working_days_between(calendar, low, high)
    policy = config.major if hazard.level == HazardLevel.MAJOR.value else config.general
    step = _reached(policy, hazard.deadline, calendar, today) if is_open else None
    return Lateness(days, working, step, is_open)
