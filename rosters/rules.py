"""The duty rules: who may take a seat on a day, and — for a finished roster — what breaks them.

Each rule answers with the reason, in Chinese as the duty clerk and the office read it, never a
bare False.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rosters.ledger import Ledger
from rosters.model import Leave, Person
from scheduler.config.roster import RosterConfig
from scheduler.vocab import Role

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Rules:
    min_rest_days: int = 1  # free days between two duties

    def blocker(
        self,
        person: Person,
        role: Role,
        day: dt.date,
        ledger: Ledger,
        leave: LeaveBook,
        ignore: Iterable[dt.date] = (),
    ) -> str | None:
        """Why ``person`` cannot take a ``role`` seat on ``day`` (None: they can).

        ``ledger`` holds everyone's other duties; ``ignore`` lists duties of this person that a
        change is about to remove (a swap moves them off one day while putting them on another).
        """
        if role not in person.roles:
            return f"不是{role.label}"
        ignored = set(ignore)
        if day not in ignored and ledger.serves_on(person.code, day):
            return "当天已有值班"
        on_leave = leave.on(person.code, day)
        if on_leave is not None:
            return f"{on_leave.kind} {_span(on_leave.start, on_leave.end)}"
        if self.min_rest_days:
            near = self._nearest_duty(person.code, day, ledger, ignored)
            if near is not None:
                return f"{cn_date(near)}值班（两次值班间至少休息{self.min_rest_days}天）"
        if person.monthly_limit:
            count = ledger.month_count(person.code, day) - sum(
                1 for d in ignored if (d.year, d.month) == (day.year, day.month))
            if count >= person.monthly_limit:
                return f"{day.month}月已值班{count}次（每月上限{person.monthly_limit}次）"
        return None

    def _nearest_duty(self, code: str, day: dt.date, ledger: Ledger, ignored: set[dt.date]) -> dt.date | None:
        span = dt.timedelta(days=self.min_rest_days)
        before = ledger.last_served_before(code, day)
        while before is not None and before in ignored:
            before = ledger.last_served_before(code, before)
        after = ledger.first_served_after(code, day)
        while after is not None and after in ignored:
            after = ledger.first_served_after(code, after)
        if before is not None and day - before <= span:
            return before
        if after is not None and after - day <= span:
            return after
        return None


class LeaveBook:
    """Leave by person, for quick "is X away on day D?" questions."""

    def __init__(self, leave: Iterable[Leave]) -> None:
        self._by_code: dict[str, list[Leave]] = defaultdict(list)
        for item in sorted(leave, key=lambda entry: (entry.code, entry.start, entry.end)):
            self._by_code[item.code].append(item)

    def on(self, code: str, day: dt.date) -> Leave | None:
        for item in self._by_code.get(code, ()):
            if item.covers(day):
                return item
        return None

    def of(self, code: str) -> list[Leave]:
        return list(self._by_code.get(code, ()))


@dataclass(frozen=True)
class Violation:
    date: dt.date
    code: str
    kind: str  # inactive | role | double | away | rest | limit
    reason: str

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.code}: {self.reason}"


def violations(
    assignments: Mapping[tuple[dt.date, Role, int], str],
    people: Sequence[Person],
    leave: LeaveBook,
    rules: Rules,
) -> list[Violation]:
    """Every rule a finished roster breaks (eligibility, one seat a day, leave, rest, limits)."""
    by_code = {p.code: p for p in people}
    days_of: dict[str, list[dt.date]] = defaultdict(list)
    found: list[Violation] = []
    for (date, role, _), code in sorted(assignments.items(), key=lambda item: (item[0][0], item[1])):
        person = by_code.get(code)
        if person is None:
            found.append(Violation(date, code, "inactive", "已不在值班人员名单中"))
            continue
        if role not in person.roles:
            found.append(Violation(date, code, "role", f"不是{role.label}"))
        if date in days_of[code]:
            found.append(Violation(date, code, "double", "同一天担任两个值班席位"))
        away = leave.on(code, date)
        if away is not None:
            found.append(Violation(date, code, "away", f"值班日在{away.kind}期间（{_span(away.start, away.end)}）"))
        previous = days_of[code][-1] if days_of[code] else None
        if previous is not None and date != previous and (date - previous).days <= rules.min_rest_days:
            found.append(Violation(date, code, "rest", f"{cn_date(previous)}也值班（两次值班间至少休息"
                                                       f"{rules.min_rest_days}天）"))
        days_of[code].append(date)
    for person in people:
        if not person.monthly_limit:
            continue
        months: dict[tuple[int, int], int] = defaultdict(int)
        for date in days_of.get(person.code, ()):
            months[date.year, date.month] += 1
        for (year, month), count in sorted(months.items()):
            if count > person.monthly_limit:
                found.append(Violation(dt.date(year, month, 1), person.code, "limit",
                                       f"{month}月值班{count}次（每月上限{person.monthly_limit}次）"))
    return found


def _span(start: dt.date, end: dt.date) -> str:
    """As a notice writes it: 2026年3月2日至3月6日."""
    return cn_date(start) if start == end else f"{cn_date(start)}至{cn_date(end, start)}"


def cn_date(day: dt.date, since: dt.date | None = None) -> str:
    """2026年3月2日; within the year of ``since``, 3月6日."""
    year = "" if since is not None and since.year == day.year else f"{day.year}年"
    return f"{year}{day.month}月{day.day}日"


def capacity_problems(people: Sequence[Person], config: RosterConfig) -> list[str]:
    """Staffing the config asks for that the eligible people can never give, whatever the roster.

    With ``min_rest_days`` r a person serves at most one day in r + 1, so a role needing n a day
    needs n × (r + 1) eligible people; and no one holds two seats on one day.
    """
    if not people:
        return []  # the roster is not in use
    heads = [config.staffing.workday, config.staffing.weekend, config.staffing.holiday]
    most = {Role.LEADER: max(h.leader for h in heads), Role.OFFICER: max(h.officer for h in heads)}
    for period in config.key_periods:
        most[Role.LEADER] = max(most[Role.LEADER], period.leader)
        most[Role.OFFICER] = max(most[Role.OFFICER], period.officer)
    per_person = config.min_rest_days + 1
    problems = []
    for role, need in most.items():
        eligible = sum(1 for p in people if role in p.roles)
        if eligible < need * per_person:
            problems.append(f"roster: {eligible} people can be {role.label}, but days needing {need} with "
                            f"min_rest_days = {config.min_rest_days} need at least {need * per_person}")
    if len(people) < (most[Role.LEADER] + most[Role.OFFICER]) * per_person:
        problems.append(f"roster: {len(people)} leaders and officers cannot fill "
                        f"{most[Role.LEADER]} + {most[Role.OFFICER]} seats a day with that rest")
    known = {p.code for p in people} | {p.name for p in people}
    for who in sorted(set(config.limits) - known):
        problems.append(f'roster.limits: "{who}" is not a leader or officer on the staff list')
    return problems
