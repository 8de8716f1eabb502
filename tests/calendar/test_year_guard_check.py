"""`safeduty check` and the year guard, and what entering next year's arrangement changes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import time_machine
from click.testing import CliRunner

from scheduler.calendar import WorkCalendar
from scheduler.checks import run_checks
from scheduler.cli import main
from scheduler.config import load_config
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import make_app, make_project
from tests.support.reminders import planned, shipped_project

D = dt.date
NEXT = WorkCalendar._last_official_year() + 1

# A 2027 arrangement made up for these tests (the State Council had not published 2027 when
# they were written). It differs from the library's estimate: 端午 begins on Saturday 5 June.
ARRANGEMENT_2027 = """
[calendar.years.2027]
source = "made up for the tests"
holidays = [
  { name = "元旦", start = 2027-01-01, end = 2027-01-03 },
  { name = "春节", start = 2027-02-05, end = 2027-02-13 },
  { name = "清明节", start = 2027-04-03, end = 2027-04-05 },
  { name = "劳动节", start = 2027-05-01, end = 2027-05-05 },
  { name = "端午节", start = 2027-06-07, end = 2027-06-09 },
  { name = "中秋节", start = 2027-09-15, end = 2027-09-17 },
  { name = "国庆节", start = 2027-10-01, end = 2027-10-07 },
]
workdays = [2027-02-20, 2027-05-08, 2027-09-26, 2027-10-09]
"""


def warnings_on(config: Path, today: dt.date) -> list[str]:
    return run_checks(load_config(config, environ={}), today).warnings


def test_check_warns_from_1_december_when_next_year_is_unknown(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    assert warnings_on(config, D(NEXT - 1, 11, 30)) == []
    [warning] = warnings_on(config, D(NEXT - 1, 12, 1))
    assert f"the {NEXT} holiday arrangement is neither in the holidays library nor in config" in warning
    assert f"[calendar.years.{NEXT}]" in warning


def test_entering_next_years_arrangement_silences_the_warning(tmp_path: Path) -> None:
    config = make_project(tmp_path, f"""
[calendar.years.{NEXT}]
holidays = [{{ name = "元旦", start = {NEXT}-01-01, end = {NEXT}-01-01 }}]
""")
    assert warnings_on(config, D(NEXT - 1, 12, 1)) == []


def test_the_check_command_reads_todays_date(tmp_path: Path) -> None:
    config = make_project(tmp_path)
    runner = CliRunner()
    with time_machine.travel(local(NEXT - 1, 12, 2, 10, 0), tick=False):
        december = runner.invoke(main, ["--config", str(config), "check"])
    with time_machine.travel(local(NEXT - 1, 6, 2, 10, 0), tick=False):
        june = runner.invoke(main, ["--config", str(config), "check"])
    assert december.exit_code == 0 and june.exit_code == 0
    assert f"warning: calendar: the {NEXT} holiday arrangement" in december.stderr
    assert "warning" not in june.stderr


def test_entering_2027_changes_its_periods_its_reminders_and_ends_the_warning(tmp_path: Path, clock: ManualClock) -> None:
    library = make_app(shipped_project(tmp_path / "library"), clock)
    entered = make_app(shipped_project(tmp_path / "entered", ARRANGEMENT_2027), clock)
    try:
        assert [(p.name, p.start, p.end) for p in entered.calendar.holiday_periods(2027)] == [
            ("元旦", D(2027, 1, 1), D(2027, 1, 3)),
            ("春节", D(2027, 2, 5), D(2027, 2, 14)),
            ("清明节", D(2027, 4, 3), D(2027, 4, 5)),
            ("劳动节", D(2027, 5, 1), D(2027, 5, 5)),
            ("端午节", D(2027, 6, 5), D(2027, 6, 9)),
            ("中秋节", D(2027, 9, 15), D(2027, 9, 19)),
            ("国庆节", D(2027, 10, 1), D(2027, 10, 7)),
        ]
        assert entered.calendar.adjusted_workdays(2027) == [D(2027, 2, 20), D(2027, 5, 8), D(2027, 9, 26), D(2027, 10, 9)]
        assert library.calendar.holiday_periods(2027) != entered.calendar.holiday_periods(2027)

        window = (local(2027, 5, 10, 0, 0), local(2027, 6, 5, 0, 0))
        t14 = [m for m in planned(entered, *window, ["preholiday"]) if ":T-14:" in m.key]
        estimated_t14 = [m for m in planned(library, *window, ["preholiday"]) if ":T-14:" in m.key]
        assert {m.key.split(":")[1] for m in t14} == {"2027-06-05"}
        assert {m.key for m in t14} != {m.key for m in estimated_t14}
        # 14 days before Saturday 5 June is Saturday 22 May: sent on Friday 21 May.
        assert {m.due_at.astimezone(SHANGHAI).date() for m in t14} == {D(2027, 5, 21)}
        assert all(m.context["period"]["estimated"] is False for m in t14)

        # 岁末年初 2026/27 now ends with the entered Spring Festival holiday.
        start = next(m for m in planned(entered, local(2026, 12, 1, 0, 0), local(2026, 12, 2, 0, 0), ["key_periods"])
                     if m.key.startswith("key_period:year_end:2026-12-01:start:"))
        assert start.context["period"]["end"] == "2027-02-14"

        assert warnings_on(entered.loaded.path, D(2026, 12, 1)) == []
        assert bool(warnings_on(library.loaded.path, D(2026, 12, 1))) == (not WorkCalendar().is_official(2027))
    finally:
        library.close()
        entered.close()
