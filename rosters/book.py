"""The roster as stored: load people, seats and leave; generate and publish; record actions.

Every write goes through one session the caller commits (the CLI opens ``sessions.begin()``),
so a command that fails part-way changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from rosters.coverage import Finding, check
from rosters.days import DayClassifier
from rosters.exports.rows import RosterRow, roster_rows
from rosters.generate import fill
from rosters.ledger import Ledger
from rosters.model import DUTY_ROLES, DutyDay, Leave, Person, Slot
from rosters.rules import LeaveBook, Rules
from rosters.tables import RosterAction, RosterAssignment, RosterChange, RosterLeave
from scheduler.calendar import WorkCalendar
from scheduler.config.roster import RosterConfig
from scheduler.outbox.store import cancel_topic
from scheduler.people.models import Staff
from scheduler.vocab import Role

HISTORY_YEARS = 10  # how far back the year-over-year rotation of heaviest days looks
Move = tuple[Slot, str, str]  # (seat, old holder, new holder); "" = empty


def shift_topic(day: dt.date, code: str) -> str:
    """The outbox topic of one person's notices for one duty day (cancelled when they come off it)."""
    return f"duty:{day.isoformat()}:{code}"


class RosterError(Exception):
    """A change the rules or the data do not allow; the message says why. Nothing was changed."""


@dataclass
class Generated:
    days: int
    filled: int
    kept: int
    moves: list[Move] = field(default_factory=list)
    frozen_days: int = 0
    past_days: int = 0  # days of the range whose duty had ended: left as they were
    first: dt.date | None = None  # the first day generated (after the past ones)

    @property
    def changed_days(self) -> int:
        return len({slot.date for slot, _, _ in self.moves})

    @property
    def people_affected(self) -> int:
        return len({code for _, old, new in self.moves for code in (old, new) if code})


class RosterBook:
    def __init__(self, session: Session, config: RosterConfig, calendar: WorkCalendar, zone: ZoneInfo) -> None:
        self.session = session
        self.config = config
        self.zone = zone
        self.classifier = DayClassifier(calendar, config, zone)
        self.rules = Rules(config.min_rest_days)

    # Reading

    @cached_property
    def _staff(self) -> dict[str, Staff]:
        return {s.code: s for s in self.session.scalars(select(Staff).order_by(Staff.code))}

    def staff(self) -> dict[str, Staff]:
        """Everyone, active or not (old rosters name people who have left), by 工号."""
        return self._staff

    def people(self) -> list[Person]:
        """Active staff eligible for a duty role, in 工号 order."""
        found = []
        for staff in self.staff().values():
            roles = frozenset(r for r in staff.role_set if r in DUTY_ROLES)
            if staff.active and roles:
                found.append(Person(staff.code, staff.name, roles, staff.team, staff.mobile, staff.email,
                                    self.config.limit_for(staff.code, staff.name)))
        return found

    def rows(self, start: dt.date, end: dt.date) -> list[RosterAssignment]:
        rows = self.session.scalars(
            select(RosterAssignment).where(RosterAssignment.day >= start, RosterAssignment.day <= end))
        return sorted(rows, key=lambda r: slot_of(r).sort_key)

    def seats(self, start: dt.date, end: dt.date) -> dict[Slot, str]:
        return {slot_of(r): r.staff_code for r in self.rows(start, end)}

    def leave(self, start: dt.date, end: dt.date) -> LeaveBook:
        rows = self.session.scalars(
            select(RosterLeave).where(RosterLeave.last_day >= start, RosterLeave.first_day <= end))
        return LeaveBook(Leave(r.staff_code, r.first_day, r.last_day, r.kind) for r in rows)

    def span(self, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
        """The whole calendar years around [start, end], plus the rest margin on both sides."""
        margin = dt.timedelta(days=self.config.min_rest_days + 1)
        return dt.date(start.year, 1, 1) - margin, dt.date(end.year, 12, 31) + margin

    def ledger(self, seats: Mapping[Slot, str], people: Sequence[Person], first_year: int) -> Ledger:
        """Replay ``seats`` day by day (applying the catch-up rule as generation does) and load the
        heaviest-day history of the years before ``first_year``."""
        ledger = Ledger(self.config.catch_up_limit)
        pools = {role: [p.code for p in people if role in p.roles] for role in DUTY_ROLES}
        by_date: dict[dt.date, list[str]] = defaultdict(list)
        for slot, code in seats.items():
            by_date[slot.date].append(code)
        for date in sorted(by_date):
            day = self.classifier.day(date)
            for role in DUTY_ROLES:
                ledger.forgive(date.year, pools[role])
            for code in by_date[date]:
                ledger.add(day, code)
        history = {d: name for year in range(first_year - HISTORY_YEARS, first_year)
                   for d, name in self.classifier.special_dates(year).items()}
        if history:
            rows = self.session.execute(select(RosterAssignment.day, RosterAssignment.staff_code)
                                        .where(RosterAssignment.day.in_(sorted(history))))
            for date, code in sorted(rows):
                ledger.note_special(history[date], date.year, code)
        return ledger

    # Generating and publishing

    def running_day(self, now: dt.datetime) -> dt.date | None:
        """The duty day in progress at ``now`` (yesterday's until today's handover)."""
        today = now.astimezone(self.zone).date()
        for day in (today, today - dt.timedelta(days=1)):
            duty = self.classifier.day(day)
            if duty.start <= now < duty.end:
                return day
        return None

    def first_open_day(self, now: dt.datetime) -> dt.date:
        """The first duty day that has not begun at ``now`` (today's starts at the handover)."""
        today = now.astimezone(self.zone).date()
        return today if self.classifier.day(today).start > now else today + dt.timedelta(days=1)

    def generate(self, start: dt.date, end: dt.date, *, now: dt.datetime, actor: str, fresh: bool = False,
                 past: bool = False) -> Generated:
        """Fill every empty seat from ``start`` to ``end``; raises ``Infeasible`` naming the day.

        Published days stay as they are. Drafts stay too while they still obey the rules (so a
        leave change moves only the days that must move), unless ``fresh`` discards them. Days
        whose duty has ended are history, left as they were unless ``past`` is given; the duty in
        progress keeps the seats it has, and only its empty seats are filled.
        """
        result = self.replan(start, end, now=now, fresh=fresh, past=past)
        self.record("generate", actor, "", now, result.moves, result.first or start, end)
        return result

    def replan(self, start: dt.date, end: dt.date, *, now: dt.datetime, fresh: bool = False,
               past: bool = False, roles: Collection[Role] = DUTY_ROLES) -> Generated:
        """``generate`` without recording an action (the caller records its own); with ``fresh``,
        only the drafts of ``roles`` are discarded."""
        if end < start:
            raise RosterError(f"--to {end} is before --from {start}")
        asked = start
        running: dt.date | None = None
        if not past:
            running = self.running_day(now)
            start = max(start, running or self.first_open_day(now))
            if start > end:
                raise RosterError(f"every day from {asked} to {end} has ended, and past days are never "
                                  f"regenerated (add --past to fill or re-plan them anyway; nobody is told)")
        people = self.people()
        by_code = {p.code: p for p in people}
        lo, hi = self.span(start, end)
        rows = self.rows(lo, hi)
        leave = self.leave(lo, hi)
        # The duty in progress keeps every seat it has; only an empty one is filled.
        frozen = {r.day for r in rows if (r.published or r.day == running) and start <= r.day <= end}
        outside = {slot_of(r): r.staff_code for r in rows if not start <= r.day <= end or r.day in frozen}
        drafts = {slot_of(r): r for r in rows if start <= r.day <= end and r.day not in frozen}
        check = self.ledger(outside, people, start.year)
        kept: dict[Slot, str] = {}
        keep = [(slot, row) for slot, row in sorted(drafts.items(), key=lambda item: item[0].sort_key)
                if not fresh or slot.role not in roles]
        for slot, row in keep:
            person, day = by_code.get(row.staff_code), self.classifier.day(slot.date)
            if person is not None and slot.index < day.need[slot.role] and self.rules.blocker(
                    person, slot.role, slot.date, check, leave) is None:
                check.add(day, person.code)
                kept[slot] = person.code
        ledger = self.ledger({**outside, **kept}, people, start.year)
        days = [d for d in self.classifier.days(start, end) if d.date not in frozen]
        new = fill(days, people, {**outside, **kept}, ledger, leave, self.rules)
        # Who held each (day, role) before: someone who keeps their day in that role keeps its
        # stamp (so their reminders keep their keys) and is neither told nor counted as moved.
        held: dict[tuple[dt.date, Role], dict[str, RosterAssignment]] = defaultdict(dict)
        for slot, row in drafts.items():
            held[slot.date, slot.role][row.staff_code] = row
        for slot, row in drafts.items():
            if slot not in kept:
                self.session.delete(row)
        self.session.flush()
        for slot, code in sorted(new.items(), key=lambda item: item[0].sort_key):
            before = held[slot.date, slot.role].get(code)
            self.session.add(RosterAssignment(day=slot.date, role=slot.role.value, seat=slot.index,
                                              staff_code=code, published=False, source="generate",
                                              assigned_at=before.assigned_at if before else now))
        moves = net_moves({slot: row.staff_code for slot, row in drafts.items()}, {**kept, **new})
        for slot, old, _ in moves:
            if old:
                cancel_topic(self.session, shift_topic(slot.date, old), "no longer on duty (regenerated)")
        return Generated(len(days), len(new), len(kept), moves, len(frozen), (start - asked).days, start)

    def around(self, days: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
        """The span of ``days``, widened to the whole holiday periods they fall in."""
        first, last = min(days), max(days)
        for date in (first, last):
            period = self.classifier.day(date).period
            if period:
                span = self.classifier.calendar.period_of(date)
                assert span is not None
                first, last = min(first, span.start), max(last, span.end)
        return first, last

    def publish(self, start: dt.date, end: dt.date, *, now: dt.datetime, actor: str) -> RosterAction:
        """Freeze the days from ``start`` to ``end``; refuses while any of them has an empty seat."""
        seats = self.seats(start, end)
        missing = [f"{d.date.isoformat()} {role.label} {sum(1 for s in seats if s.date == d.date and s.role == role)}"
                   f"/{d.need[role]}"
                   for d in self.classifier.days(start, end) for role in DUTY_ROLES
                   if any(Slot(d.date, role, i) not in seats for i in range(d.need[role]))]
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise RosterError(f"cannot publish: {len(missing)} seat(s) empty ({shown}); "
                              f"run `safeduty roster generate --from {start} --to {end}` first")
        for row in self.rows(start, end):
            row.published = True
        return self.record("publish", actor, "", now, [], start, end)

    # Changes

    def apply(self, moves: Iterable[Move], *, now: dt.datetime, source: str) -> None:
        """Write seat changes, and cancel the unsent notices of everyone who came off a day."""
        for slot, old, new in moves:
            row = self.session.scalar(select(RosterAssignment).where(
                RosterAssignment.day == slot.date, RosterAssignment.role == slot.role.value,
                RosterAssignment.seat == slot.index))
            if old:
                cancel_topic(self.session, shift_topic(slot.date, old), f"no longer on duty ({source})")
            if row is None and new:
                published = self.session.scalar(select(RosterAssignment.published).where(
                    RosterAssignment.day == slot.date).limit(1))
                self.session.add(RosterAssignment(day=slot.date, role=slot.role.value, seat=slot.index,
                                                  staff_code=new, published=bool(published), source=source,
                                                  assigned_at=now))
            elif row is not None and new:
                row.staff_code, row.source, row.assigned_at = new, source, now
            elif row is not None:
                self.session.execute(delete(RosterAssignment).where(RosterAssignment.id == row.id))
        self.session.flush()

    def record(self, kind: str, actor: str, reason: str, now: dt.datetime, moves: Iterable[Move],
               first: dt.date | None = None, last: dt.date | None = None) -> RosterAction:
        action = RosterAction(at=now, kind=kind, actor=actor, reason=reason, first_day=first, last_day=last)
        self.session.add(action)
        self.session.flush()
        moves = list(moves)
        days = sorted({slot.date for slot, _, _ in moves})
        published = set(self.session.scalars(select(RosterAssignment.day).where(
            RosterAssignment.day.in_(days), RosterAssignment.published.is_(True)))) if days else set()
        for slot, old, new in moves:
            self.session.add(RosterChange(action_id=action.id, day=slot.date, role=slot.role.value,
                                          seat=slot.index, old_code=old, new_code=new,
                                          published=slot.date in published))
        self.session.flush()
        return action

    def day(self, date: dt.date) -> DutyDay:
        return self.classifier.day(date)

    # Views

    def roster(self, start: dt.date, end: dt.date) -> list[RosterRow]:
        """One row per day from ``start`` to ``end``, generated or not."""
        rows = self.rows(start, end)
        return roster_rows(self.classifier.days(start, end), {slot_of(r): r.staff_code for r in rows}, self.staff(),
                           {r.day for r in rows if r.published})

    def stamps(self, start: dt.date, end: dt.date) -> dict[dt.date, dt.datetime]:
        """When each day's seats last changed hands."""
        found: dict[dt.date, dt.datetime] = {}
        for row in self.rows(start, end):
            found[row.day] = max(found.get(row.day, row.assigned_at), row.assigned_at)
        return found

    def published_at(self, start: dt.date, end: dt.date) -> dict[dt.date, dt.datetime]:
        """When each published day from ``start`` to ``end`` was first published."""
        published = {r.day for r in self.rows(start, end) if r.published}
        actions = self.session.scalars(select(RosterAction).where(
            RosterAction.kind == "publish", RosterAction.first_day <= end, RosterAction.last_day >= start)
            .order_by(RosterAction.at, RosterAction.id))
        found: dict[dt.date, dt.datetime] = {}
        for action in actions:
            assert action.first_day is not None and action.last_day is not None
            for day in published:
                if action.first_day <= day <= action.last_day:
                    found.setdefault(day, action.at)
        return found

    def coverage(self, start: dt.date, end: dt.date, reachable: Callable[[str], bool]) -> list[Finding]:
        lo, hi = start - dt.timedelta(days=31), end + dt.timedelta(days=31)
        names = {code: s.name for code, s in self.staff().items()}
        return check(self.classifier.days(start, end), self.seats(lo, hi), self.people(), names,
                     self.leave(lo, hi), self.rules, reachable)


def net_moves(before: Mapping[Slot, str], after: Mapping[Slot, str]) -> list[Move]:
    """The seats that changed hands from ``before`` to ``after``, netted per day and role: a
    person who holds the day in the same role afterwards (in another seat) has not moved. Only
    (day, role)s held before count: filling a day for the first time moves nobody."""
    old: dict[tuple[dt.date, Role], list[tuple[Slot, str]]] = defaultdict(list)
    new: dict[tuple[dt.date, Role], list[tuple[Slot, str]]] = defaultdict(list)
    for slot, code in sorted(before.items(), key=lambda item: item[0].sort_key):
        old[slot.date, slot.role].append((slot, code))
    for slot, code in sorted(after.items(), key=lambda item: item[0].sort_key):
        new[slot.date, slot.role].append((slot, code))
    moves: list[Move] = []
    for key in sorted(old, key=lambda k: (k[0], DUTY_ROLES.index(k[1]))):
        staying = {c for _, c in old[key]} & {c for _, c in new[key]}
        gone = [(s, c) for s, c in old[key] if c not in staying]
        came = [(s, c) for s, c in new[key] if c not in staying]
        for i in range(max(len(gone), len(came))):
            out = gone[i] if i < len(gone) else None
            into = came[i] if i < len(came) else None
            slot = into[0] if into else out[0]  # type: ignore[index]
            moves.append((slot, out[1] if out else "", into[1] if into else ""))
    return moves


def action_changes(book: RosterBook, action: RosterAction) -> list[RosterChange]:
    return list(book.session.scalars(select(RosterChange).where(RosterChange.action_id == action.id)))


def slot_of(row: RosterAssignment) -> Slot:
    return Slot(row.day, Role(row.role), row.seat)
