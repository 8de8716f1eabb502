"""Fairness a team notices (issue 15 §7): the heaviest days rotate within the year as well as
across years, and leave rebalances the period it touches. A team of 18 with two people who may
lead or serve as officer, planned as the clerk plans it (one `generate` a year)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from rosters.changes import add_leave
from rosters.tables import RosterLeave
from scheduler.app import App
from scheduler.vocab import Role
from tests.rosters.conftest import PLANNING_DAY, ROSTER_TOML, generate, open_book, seats
from tests.support.clock import ManualClock
from tests.support.project import make_app, make_project

NAMES = ["王志刚", "李丽萍", "张建华", "刘晓燕", "陈宇", "杨佳", "黄磊", "赵婷", "吴超", "周雪", "徐阳", "孙亮",
         "马海燕", "朱文博", "胡秀英", "郭国强", "何春梅", "高俊杰"]
SPRING = (dt.date(2026, 2, 15), dt.date(2026, 2, 23))
CHUYI = dt.date(2026, 2, 17)


def staff_file() -> str:
    lines = ["工号,姓名,角色,班组,手机"]
    for i, name in enumerate(NAMES):
        role = "带班领导" if i < 4 else "带班领导、值班员" if i < 6 else "值班员"
        lines.append(f"T{i + 1:02d},{name},{role},值班组,139000000{i + 1:02d}")
    lines.append("A01,彭亮,系统管理员,办公室,13800000013")
    return "\n".join(lines) + "\n"


@pytest.fixture
def team(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    clock.set(PLANNING_DAY)
    config = make_project(tmp_path / "team", ROSTER_TOML)
    (config.parent / "staff.csv").write_text(staff_file(), encoding="utf-8")
    app = make_app(config, clock)
    app.service.sync_data()
    yield app
    app.close()


def heaviest(app: App, year: int) -> dict[Role, Counter[str]]:
    with app.sessions() as session:
        book = open_book(app, session)
        found = {role: Counter({p.code: 0 for p in book.people() if role in p.roles})
                 for role in (Role.LEADER, Role.OFFICER)}
        for slot, code in book.seats(dt.date(year, 1, 1), dt.date(year, 12, 31)).items():
            if book.day(slot.date).special:
                found[slot.role][code] += 1
    return found


def test_nobody_holds_two_heaviest_days_while_someone_eligible_holds_none(team: App) -> None:
    with team.sessions.begin() as session:  # leave known before planning, as in the clerk's year
        for code, first, last in (("T07", dt.date(2026, 2, 12), dt.date(2026, 2, 20)),
                                  ("T02", dt.date(2026, 9, 28), dt.date(2026, 10, 9))):
            session.add(RosterLeave(staff_code=code, first_day=first, last_day=last, kind="请假", reason="",
                                    recorded_by="王文书", recorded_at=team.clock.now()))
    total: Counter[str] = Counter()
    for year in (2026, 2027, 2028, 2029):
        generate(team, dt.date(year, 1, 1), dt.date(year, 12, 31))
        for role, counts in heaviest(team, year).items():
            assert max(counts.values()) <= 1 or min(counts.values()) > 0, (year, role, counts)
            total.update(counts)
    # Across the years too: four years hold 4 × (1 leader + 2 officers) × 3 = 36 such seats, two each.
    assert max(total.values()) - min(total.values()) <= 1, total


def test_leave_over_a_holiday_rebalances_the_holiday_not_only_the_freed_days(team: App) -> None:
    generate(team, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    leader = next(c for s, c in seats(team, CHUYI, CHUYI).items() if s.role is Role.LEADER)
    with team.sessions.begin() as session:
        add_leave(open_book(team, session), leader, dt.date(2026, 2, 14), dt.date(2026, 2, 20), kind="请假",
                  now=team.clock.now(), actor="王文书", reason="探亲")
    spring = seats(team, *SPRING)
    leaders = Counter(c for s, c in spring.items() if s.role is Role.LEADER)
    assert leader not in {c for s, c in spring.items() if s.date <= dt.date(2026, 2, 20)}
    # Six may lead, five are left for nine days: nobody needs a third day of 春节.
    assert max(leaders.values()) <= 2, leaders
    new = next(c for s, c in spring.items() if s.role is Role.LEADER and s.date == CHUYI)
    assert heaviest(team, 2026)[Role.LEADER][new] == 1  # 初一 went to someone with no other heaviest day


def test_stats_report_each_role_apart_and_both_loads_of_people_who_hold_both(team: App) -> None:
    generate(team, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    from rosters.stats import dual_spread, tally

    with team.sessions() as session:
        book = open_book(team, session)
        held = book.seats(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        people, spreads = tally(((s.date, s.role, c) for s, c in held.items()), book.people(), book.day)
    by_role = {s.role: s for s in spreads}
    # Only the people who hold just that role: the dual-role people's leading is not "officer load".
    assert (by_role[Role.LEADER].people, by_role[Role.OFFICER].people) == (4, 12)
    assert by_role[Role.OFFICER].spread <= 3 and by_role[Role.LEADER].spread <= 3
    both = dual_spread(people)
    assert both is not None and both.people == 2
    for person in (p for p in people if p.dual):
        assert person.load == pytest.approx(sum(person.load_by_role.values()))
        assert person.load_by_role["leader"] > 0
