from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.config import ConfigError, load_config
from scheduler.outbox.planned import PlannedMessage
from tests.support.clock import SHANGHAI, ManualClock, local
from tests.support.project import make_app, make_project
from tests.support.reminders import planned, rendered

D = dt.date
YEAR_2026 = (local(2026, 1, 1, 0, 0), local(2027, 1, 1, 0, 0))


def notices(messages: list[PlannedMessage]) -> dict[tuple[str, str, str], set[dt.date]]:
    """(period id, occurrence start, notice) -> the local days it is sent on."""
    found: dict[tuple[str, str, str], set[dt.date]] = defaultdict(set)
    for m in messages:
        _, ident, start, notice, _ = m.key.split(":", 4)
        found[(ident, start, notice)].add(m.due_at.astimezone(SHANGHAI).date())
    return found


def reminders(found: dict[tuple[str, str, str], set[dt.date]], ident: str, start: str) -> list[dt.date]:
    return sorted(d for (i, s, n), days in found.items() if (i, s) == (ident, start) and n == "reminder" for d in days)


def with_periods(tmp_path: Path, clock: ManualClock, toml: str) -> App:
    return make_app(make_project(tmp_path, toml), clock)


def test_shipped_periods_start_and_end_on_their_2026_dates(shipped: App) -> None:
    found = notices(planned(shipped, *YEAR_2026, ["key_periods"]))
    starts = {(i, s): days for (i, s, n), days in found.items() if n == "start"}
    ends = {(i, s): days for (i, s, n), days in found.items() if n == "end"}
    assert starts == {
        ("safety_month", "2026-06-01"): {D(2026, 5, 27)},  # lead 5
        ("flood_season", "2026-06-01"): {D(2026, 5, 29)},  # lead 3
        ("summer", "2026-07-01"): {D(2026, 6, 26)},  # lead 3 is Sunday 28 June: the Friday before
        ("main_flood_season", "2026-07-15"): {D(2026, 7, 13)},
        ("year_end", "2026-12-01"): {D(2026, 12, 1)},
    }
    assert ends == {
        # 岁末年初 2025/26 ends with the Spring Festival holiday (Monday 23 Feb): told the day after.
        ("year_end", "2025-12-01"): {D(2026, 2, 24)},
        ("safety_month", "2026-06-01"): {D(2026, 6, 30)},
        ("main_flood_season", "2026-07-15"): {D(2026, 8, 17)},  # 15 August is a Saturday
        ("summer", "2026-07-01"): {D(2026, 8, 31)},
        ("flood_season", "2026-06-01"): {D(2026, 9, 30)},
    }


def test_weekly_reminders_go_out_on_mondays_inside_the_period(shipped: App) -> None:
    found = notices(planned(shipped, *YEAR_2026, ["key_periods"]))
    flood = reminders(found, "flood_season", "2026-06-01")
    assert flood[0] == D(2026, 6, 8) and flood[-1] == D(2026, 9, 28)
    assert all(d.weekday() == 0 for d in flood) and len(flood) == 17
    # 岁末年初: Monday 16 February is in the Spring Festival holiday; no reminder that week.
    year_end = reminders(found, "year_end", "2025-12-01")
    assert year_end[-2:] == [D(2026, 2, 2), D(2026, 2, 9)]
    assert reminders(found, "safety_month", "2026-06-01") == []  # repeat = "none"


def test_year_end_runs_to_the_end_of_the_next_spring_festival_holiday(shipped: App) -> None:
    messages = planned(shipped, local(2026, 11, 30, 0, 0), local(2026, 12, 2, 0, 0), ["key_periods"])
    start = [m for m in messages if m.key.startswith("key_period:year_end:2026-12-01:start:")]
    assert start
    period = start[0].context["period"]
    expected = shipped.calendar.periods_between(D(2027, 1, 1), D(2027, 3, 31))
    spring = next(p for p in expected if "春节" in p.name)
    assert (period["start"], period["end"]) == ("2026-12-01", spring.end.isoformat())
    assert period["estimated"] is not shipped.calendar.is_official(2027)


def test_audience_is_chosen_by_category_and_group(shipped: App) -> None:
    messages = [m for m in planned(shipped, *YEAR_2026, ["key_periods"])
                if m.key.startswith("key_period:flood_season:2026-06-01:start:")]
    enterprises = {m.context["enterprise"]["category"] for m in messages if m.context["enterprise"]}
    assert enterprises == {"scenic_area", "travel_agency", "performance"}
    assert {m.recipient.key for m in messages if not m.context["enterprise"]} >= {"staff:S003", "staff:S006"}


def test_keys_topics_and_expiry(shipped: App) -> None:
    messages = planned(shipped, *YEAR_2026, ["key_periods"])
    assert len({m.key for m in messages}) == len(messages)
    start = next(m for m in messages if m.key.startswith("key_period:flood_season:2026-06-01:start:staff:S003"))
    assert start.key == "key_period:flood_season:2026-06-01:start:staff:S003"
    assert start.expires_at == local(2026, 10, 1, 0, 0)  # a late start notice is useful while the period lasts
    assert start.topic == "key_period:flood_season:2026-06-01"
    reminder = next(m for m in messages if m.key.startswith("key_period:flood_season:2026-06-01:reminder:2026-06-08:"))
    assert reminder.expires_at == reminder.due_at + dt.timedelta(days=1)


def test_messages_name_the_period_its_dates_and_the_measures(shipped: App) -> None:
    messages = planned(shipped, *YEAR_2026, ["key_periods"])
    start = next(m for m in messages
                 if m.key == "key_period:flood_season:2026-06-01:start:enterprise:91140100EX0000001A:principal")
    parts = rendered(shipped, start)
    assert parts.subject == "【重点时段】汛期6月1日开始"
    assert "汛期：6月1日起，暂定至9月30日（星期三）。" in parts.text  # confirmed = false: 暂定
    assert "请晋祠山水文化旅游区（示例）做好以下工作" in parts.text
    assert "1. 关注山西省气象台暴雨预警" in parts.text
    end = next(m for m in messages if m.key.startswith("key_period:main_flood_season:2026-07-15:end:staff:S003"))
    assert rendered(shipped, end).subject == "【重点时段】主汛期（七下八上）已于8月15日结束"


def test_a_one_off_period_with_daily_reminders_on_working_days(tmp_path: Path, clock: ManualClock) -> None:
    app = with_periods(tmp_path, clock, """
[key_periods.periods.sensitive]
name = "特殊敏感时期"
start = 2026-03-03
end = 2026-03-12
lead = 1
repeat = "daily"
audience = { groups = ["duty_team"] }
""")
    found = notices(planned(app, *YEAR_2026, ["key_periods"]))
    assert found[("sensitive", "2026-03-03", "start")] == {D(2026, 3, 2)}
    assert found[("sensitive", "2026-03-03", "end")] == {D(2026, 3, 12)}
    assert reminders(found, "sensitive", "2026-03-03") == [D(2026, 3, d) for d in (4, 5, 6, 9, 10, 11)]
    assert {s for _, s, _ in found} == {"2026-03-03"}  # once, not every year


def test_a_weekly_reminder_on_a_holiday_moves_to_the_next_working_day(tmp_path: Path, clock: ManualClock) -> None:
    app = with_periods(tmp_path, clock, """
[key_periods.periods.autumn_festival]
name = "金秋旅游节"
start = 2026-09-28
end = 2026-10-20
audience = { categories = ["scenic_area"] }
""")
    found = notices(planned(app, *YEAR_2026, ["key_periods"]))
    # Monday 5 October is in the 国庆 holiday: that week's reminder goes on Thursday 8 October.
    assert reminders(found, "autumn_festival", "2026-09-28") == [D(2026, 10, 8), D(2026, 10, 12), D(2026, 10, 19)]


def test_an_end_tied_to_a_holiday_that_never_comes_plans_nothing(tmp_path: Path, clock: ManualClock) -> None:
    app = with_periods(tmp_path, clock, """
[key_periods.periods.odd]
name = "无此节日"
start = "12-01"
end = "end_of:无此节日"
audience = { groups = ["duty_team"] }
""")
    assert planned(app, *YEAR_2026, ["key_periods"]) == []


def test_a_disabled_period_plans_nothing(tmp_path: Path, clock: ManualClock) -> None:
    app = with_periods(tmp_path, clock, """
[key_periods.periods.summer]
name = "暑期"
start = "07-01"
end = "08-31"
enabled = false
audience = { enterprises = true }
""")
    assert planned(app, *YEAR_2026, ["key_periods"]) == []


@pytest.mark.parametrize(("toml", "message"), [
    ('start = 2026-03-03\nend = "03-12"\naudience = { enterprises = true }', "a one-off period"),
    ('start = "13-01"\nend = "03-12"\naudience = { enterprises = true }', 'expected "MM-DD"'),
    ('start = "end_of:春节"\nend = "03-12"\naudience = { enterprises = true }', "start cannot be end_of:春节"),
    ('start = "03-01"\nend = "03-12"\naudience = { }', "audience names nobody"),
    ('start = "03-01"\nend = "03-12"\naudience = { groups = ["nobody"] }',
     'key_periods.periods.x.audience.groups[0]: group "nobody" is not defined'),
    ('start = "03-01"\nend = "03-12"\nrepeat_on = "mon"\naudience = { enterprises = true }', "must be one of"),
])
def test_a_wrong_key_period_is_an_error_naming_the_key(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(make_project(tmp_path, f'[key_periods.periods.x]\nname = "x"\n{toml}\n'), environ={})
    assert message in str(error.value)
