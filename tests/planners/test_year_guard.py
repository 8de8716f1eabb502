from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

from scheduler.app import App
from scheduler.calendar import WorkCalendar
from scheduler.config.calendar import YearGuardConfig
from scheduler.planners.year_guard import missing_years
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import make_app, make_project
from tests.support.reminders import planned, rendered

D = dt.date
# The first year the installed holidays package has not published: the one the guard asks for.
NEXT = WorkCalendar._last_official_year() + 1
ADMIN = "staff:S013"


def guard_app(tmp_path: Path, clock: ManualClock, toml: str = "") -> App:
    return make_app(make_project(tmp_path, toml), clock)


def entered(year: int) -> str:
    return f"""
[calendar.years.{year}]
holidays = [{{ name = "元旦", start = {year}-01-01, end = {year}-01-01 }}]
"""


def test_nothing_is_missing_before_the_warning_day() -> None:
    calendar, guard = WorkCalendar(), YearGuardConfig()
    assert missing_years(calendar, D(NEXT - 1, 11, 30), guard) == []
    assert missing_years(calendar, D(NEXT - 1, 12, 1), guard) == [NEXT]
    assert missing_years(calendar, D(NEXT, 1, 15), guard) == [NEXT]  # the year began unannounced
    assert missing_years(calendar, D(NEXT - 1, 12, 1), YearGuardConfig(enabled=False)) == []


def test_admins_are_told_on_1_december_and_weekly_until_it_is_resolved(tmp_path: Path, clock: ManualClock) -> None:
    app = guard_app(tmp_path, clock)
    messages = planned(app, local(NEXT - 1, 11, 1, 0, 0), local(NEXT, 1, 20, 0, 0), ["year_guard"])
    assert {m.recipient.key for m in messages} == {ADMIN}
    days = [m.due_at.astimezone(SHANGHAI).date() for m in messages]
    assert days[0] == D(NEXT - 1, 12, 1)
    assert all((b - a).days == 7 for a, b in itertools.pairwise(days))
    assert days[-1] >= D(NEXT, 1, 12)
    first = messages[0]
    assert first.key == f"year_guard:{NEXT}:{NEXT - 1}-12-01:{ADMIN}"
    assert first.kind == "calendar/year_guard"
    assert dt.timedelta(seconds=5) <= first.due_at - local(NEXT - 1, 12, 1, 9, 30) <= dt.timedelta(seconds=95)
    assert first.expires_at == first.due_at + dt.timedelta(days=7)
    assert f"[calendar.years.{NEXT}]" in rendered(app, first).text


def test_entering_the_year_stops_the_notices(tmp_path: Path, clock: ManualClock) -> None:
    app = guard_app(tmp_path, clock, entered(NEXT))
    assert planned(app, local(NEXT - 1, 11, 1, 0, 0), local(NEXT, 1, 20, 0, 0), ["year_guard"]) == []


def test_the_group_and_the_rhythm_are_configurable(tmp_path: Path, clock: ManualClock) -> None:
    app = guard_app(tmp_path, clock, """
[calendar.guard]
warn_from = "11-20"
every = "1d"
group = "safety_section"
at = "08:00"
""")
    messages = planned(app, local(NEXT - 1, 11, 1, 0, 0), local(NEXT - 1, 11, 23, 0, 0), ["year_guard"])
    assert [m.due_at.astimezone(SHANGHAI).date().day for m in messages] == [20, 21, 22]
    assert {m.recipient.key for m in messages} == {"staff:S003"}
