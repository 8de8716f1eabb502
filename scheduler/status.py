"""The service's health on one page: gathered read-only from the database, graded against
``[status]`` (ok, warning, critical), for `safeduty status` and anything else that asks.

What is graded, and why:

- **planning**: the age of the oldest planner's last completed tick. Planning runs every
  ``service.plan_every`` (a minute); a tick that is many minutes old means the service is down
  or stuck, and nothing new is being planned. A planner that has never ticked is critical.
- **oldest due**: how long the oldest message that may go now has waited. The dispatcher runs
  every few seconds, so minutes mean delivery is stuck (a paused or unhealthy target, a
  dispatcher that stopped).
- **backlog**: how many messages may go now and have not gone.
- **dead / expired** since yesterday 00:00 (service zone): a message that never reached its
  reader. The admins were told; the grade keeps it visible until the next day is out.
- **paused / unhealthy targets**: a paused target waits out a throttle or a failure; an
  unhealthy one (configuration errors) sends nothing until its config changes or it is reset.
- **calendar**: next year's holiday arrangement not yet entered (from ``calendar.guard.warn_from``,
  1 December): a warning; the current year running on the library's estimate: critical.
- **feeds** (only with ``[warnings.feeds.*]``): a weather-warning feed that fails: a warning,
  naming it, since when and why — its warnings are not coming in (the admins were told once).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from scheduler import state
from scheduler.calendar import WorkCalendar
from scheduler.config.schema import Config
from scheduler.outbox import health as outbox_health
from scheduler.outbox.health import Backlog, TargetHealth
from scheduler.outbox.planned import PlannedMessage, Window
from scheduler.people.directory import Directory
from scheduler.planners import PlanContext, Planner, first_planned
from scheduler.planners.year_guard import missing_years


class Level(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    summary: str


@dataclass(frozen=True)
class Health:
    now: dt.datetime
    since: dt.datetime  # "since yesterday": 00:00 yesterday in the service zone
    ticks: dict[str, dt.datetime | None]  # every planner's last completed tick (None: never)
    counts: dict[tuple[str, str], int]  # messages by (status, channel)
    backlog: Backlog
    ended: dict[str, int]  # dead / expired since ``since``
    targets: list[TargetHealth]
    missing_years: list[int]
    upcoming: list[PlannedMessage]
    feeds_down: dict[str, tuple[dt.datetime, str]] = field(default_factory=dict)  # name → (since, kind)
    findings: list[Finding] = field(default_factory=list)

    @property
    def level(self) -> Level:
        return max((f.level for f in self.findings), default=Level.OK)


def gather(session: Session, config: Config, calendar: WorkCalendar, planners: Mapping[str, Planner],
           now: dt.datetime) -> Health:
    """Everything `status` shows, read in one session; graded into ``findings``."""
    zone = config.service.zone
    today = now.astimezone(zone).date()
    since = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(), zone).astimezone(dt.UTC)
    stored = state.ticks(session)
    upcoming: list[PlannedMessage] = []
    if config.status.upcoming:
        ctx = PlanContext(config, calendar, Directory.load(session, config), session)
        upcoming = first_planned(planners, ctx, Window(now, now + config.status.upcoming_within),
                                 config.status.upcoming)
    health = Health(
        now=now, since=since, ticks={name: stored.get(name) for name in planners},
        counts=outbox_health.counts_by_status(session), backlog=outbox_health.backlog(session, now),
        ended=outbox_health.ended_since(session, since), targets=outbox_health.troubled_targets(session, now),
        missing_years=missing_years(calendar, today, config.calendar.guard), upcoming=upcoming,
        feeds_down=_feeds_down(session, config),
    )
    health.findings.extend(assess(health, config))
    return health


def _feeds_down(session: Session, config: Config) -> dict[str, tuple[dt.datetime, str]]:
    if not config.warnings.feeds:
        return {}
    from scheduler.warnings import feed_state  # noqa: PLC0415 (only with feeds configured)

    states = {name: feed_state.load(session, name) for name in sorted(config.warnings.feeds)}
    return {name: (st.down_since, st.down_kind) for name, st in states.items() if st.down_since is not None}


def assess(health: Health, config: Config) -> list[Finding]:
    limits = config.status
    now = health.now
    found: list[Finding] = []
    never = sorted(name for name, tick in health.ticks.items() if tick is None)
    if never:
        found.append(Finding("planning", Level.CRITICAL, f"never planned: {', '.join(never)} "
                             "(is `safeduty run` running?)"))
    elif health.ticks:
        name, tick = min(health.ticks.items(), key=lambda item: item[1] or now)
        age = now - (tick or now)
        found.append(Finding("planning", Level(limits.last_tick.level(age)),
                             f"oldest planner tick {ago(age)} ago ({name})"))
    age = health.backlog.oldest_age(now)
    found.append(Finding("oldest_due", Level(limits.oldest_due.level(age)),
                         f"oldest due message waiting {ago(age)}" if health.backlog.due else "nothing due waiting"))
    found.append(Finding("backlog", Level(limits.backlog.level(health.backlog.due)),
                         f"{health.backlog.due} message(s) due now, {health.backlog.sending} being sent"))
    for status, limit in (("dead", limits.dead), ("expired", limits.expired)):
        count = health.ended[status]
        found.append(Finding(status, Level(limit.level(count)), f"{count} message(s) {status} since yesterday"))
    paused = [t.name for t in health.targets if t.paused_until is not None and t.unhealthy_since is None]
    unhealthy = [t.name for t in health.targets if t.unhealthy_since is not None]
    found.append(Finding("paused_targets", Level(limits.paused_targets.level(len(paused))),
                         f"paused: {', '.join(paused)}" if paused else "no target paused"))
    found.append(Finding("unhealthy_targets", Level(limits.unhealthy_targets.level(len(unhealthy))),
                         f"unhealthy: {', '.join(unhealthy)}" if unhealthy else "no target unhealthy"))
    today = now.astimezone(config.service.zone).date()
    if health.missing_years:
        level = Level.CRITICAL if today.year in health.missing_years else Level.WARNING
        years = ", ".join(str(y) for y in health.missing_years)
        found.append(Finding("calendar", level, f"holiday arrangement of {years} not entered: reminders follow "
                             f"the library's estimate (enter [calendar.years.{health.missing_years[-1]}])"))
    else:
        found.append(Finding("calendar", Level.OK, "holiday arrangements known"))
    if config.warnings.feeds:
        down = [f"{name} since {since.astimezone(config.service.zone):%Y-%m-%d %H:%M} ({kind})"
                for name, (since, kind) in health.feeds_down.items()]
        found.append(Finding("feeds", Level.WARNING if down else Level.OK,
                             "warning feed(s) failing: " + "; ".join(down) if down
                             else f"{len(config.warnings.feeds)} warning feed(s) answering"))
    return found


def ago(age: dt.timedelta) -> str:
    """A short age: 42s, 7m, 3h 5m, 2d 4h."""
    seconds = max(0, int(age.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if minutes < 60:
        return f"{minutes}m"
    if hours < 24:
        return f"{hours}h {minutes % 60}m" if minutes % 60 else f"{hours}h"
    return f"{days}d {hours % 24}h" if hours % 24 else f"{days}d"
