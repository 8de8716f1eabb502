from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.checks import run_checks
from scheduler.config import ConfigError, load_config
from tests.support.project import ROOT, make_project


def test_the_shipped_config_toml_has_a_working_roster_section() -> None:
    roster = load_config(ROOT / "config.toml", environ={}).config.roster
    assert roster.handover == dt.time(8, 30)
    assert roster.weights.special == 5 and roster.special_days == ("除夕", "春节初一", "10-01")
    assert [p.name for p in roster.key_periods] == ["主汛期"]
    assert roster.notices.daily_to == ("duty_team",)


def test_a_roster_section_is_read_into_typed_values(tmp_path: Path) -> None:
    config = make_project(tmp_path, """
[roster]
handover = "09:00"
min_rest_days = 2
limits = { "韩丽萍" = 4 }
key_periods = [{ name = "全国两会", start = 2027-03-04, end = 2027-03-11, leader = 2 }]
[roster.weights]
weekend = 2
[roster.notices]
before_handover = "90m"
holiday_report_to = ["bureau_leaders", "safety_section"]
""")
    roster = load_config(config, environ={}).config.roster
    assert (roster.handover, roster.min_rest_days, roster.weights.weekend) == (dt.time(9, 0), 2, 2.0)
    assert roster.notices.before_handover == dt.timedelta(minutes=90)
    assert roster.limit_for("S002", "韩丽萍") == 4 and roster.limit_for("S003", "杨建华") == 0
    assert roster.key_periods[0].covers(dt.date(2027, 3, 5))


def test_an_audience_naming_an_unknown_group_is_an_error_naming_the_key(tmp_path: Path) -> None:
    config = make_project(tmp_path, '\n[roster.notices]\nholiday_report_to = ["upper_office"]\n')
    with pytest.raises(ConfigError, match=r'roster\.notices\.holiday_report_to\[0\]: group "upper_office"'):
        load_config(config, environ={})


@pytest.mark.parametrize(("toml", "message"), [
    ('special_days = ["腊八"]', '"腊八" is neither'),
    ("min_rest_days = -1", "cannot be negative"),
    ('key_periods = [{ name = "x", start = "07-32", end = "08-15" }]', "no such day"),
    ('handover = "8:3"', "time of day"),
    ("weights = { holiday = 0 }", "must be positive"),
    ('notices = { personal = "none" }', "must be reachable"),
    ('notices = { personal = "mail" }', 'channel "mail" is not defined'),
])
def test_bad_roster_values_are_refused(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(make_project(tmp_path, f"\n[roster]\n{toml}\n"), environ={})


def test_check_reports_staffing_the_team_can_never_give(tmp_path: Path) -> None:
    config = make_project(tmp_path, '\n[roster]\nmin_rest_days = 3\nlimits = { "某某" = 3 }\n')
    problems = run_checks(load_config(config, environ={})).problems
    assert "roster: 4 people can be 带班领导, but days needing 1 with min_rest_days = 3 need at least 4" \
        not in problems  # 4 leaders are exactly enough
    assert any("值班员" in p and "need at least 8" in p for p in problems)  # holidays need 2 officers
    assert 'roster.limits: "某某" is not a leader or officer on the staff list' in problems


def test_check_passes_for_the_example_team(tmp_path: Path) -> None:
    assert run_checks(load_config(make_project(tmp_path), environ={})).problems == []
