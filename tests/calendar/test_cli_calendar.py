from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scheduler.calendar import WorkCalendar
from scheduler.cli import main
from tests.support.project import make_project

STATE_COUNCIL_2026 = {
    "year": 2026,
    "holiday_periods": [
        {"name": "元旦", "start": "2026-01-01", "end": "2026-01-03", "days": 3},
        {"name": "春节", "start": "2026-02-15", "end": "2026-02-23", "days": 9},
        {"name": "清明节", "start": "2026-04-04", "end": "2026-04-06", "days": 3},
        {"name": "劳动节", "start": "2026-05-01", "end": "2026-05-05", "days": 5},
        {"name": "端午节", "start": "2026-06-19", "end": "2026-06-21", "days": 3},
        {"name": "中秋节", "start": "2026-09-25", "end": "2026-09-27", "days": 3},
        {"name": "国庆节", "start": "2026-10-01", "end": "2026-10-07", "days": 7},
    ],
    "adjusted_workdays": ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
    "official": True,
}


def run(config: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--config", str(config), "calendar", *args])
    return result.exit_code, result.output


def test_calendar_json_for_2026_is_exactly_the_state_councils_arrangement(project: Path) -> None:
    code, output = run(project, "--year", "2026", "--format", "json")
    assert code == 0, output
    assert json.loads(output) == STATE_COUNCIL_2026


def test_calendar_table_shows_periods_with_weekdays_and_make_up_days(project: Path) -> None:
    code, output = run(project, "--year", "2026")
    assert code == 0, output
    assert "2026: published, from the holidays library" in output
    assert "春节     2026-02-15 周日  2026-02-23 周一  9" in output
    assert "调休上班): 2026-01-04 周日、2026-02-14 周六" in output


def test_an_estimated_year_says_so_and_an_entered_one_is_official(tmp_path: Path) -> None:
    year = WorkCalendar._last_official_year() + 1
    plain = make_project(tmp_path / "plain")
    code, output = run(plain, "--year", str(year), "--format", "json")
    assert code == 0 and json.loads(output)["official"] is False
    assert "ESTIMATED" in run(plain, "--year", str(year))[1]

    entered = make_project(tmp_path / "entered", f"""
[calendar.years.{year}]
holidays = [{{ name = "元旦", start = {year}-01-01, end = {year}-01-01 }}]
""")
    summary = json.loads(run(entered, "--year", str(year), "--format", "json")[1])
    assert summary["official"] is True
    assert [p["name"] for p in summary["holiday_periods"]] == ["元旦"]
    assert "entered in config" in run(entered, "--year", str(year))[1]
