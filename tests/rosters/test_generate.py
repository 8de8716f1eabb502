from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest

from rosters.generate import Infeasible, fill
from rosters.ledger import Ledger
from rosters.model import Leave, Person, Slot
from rosters.rules import LeaveBook, Rules, violations
from rosters.stats import tally
from scheduler.config.roster import RosterConfig
from scheduler.vocab import Role
from tests.rosters.conftest import classifier, example_people

YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def plan(days, people, *, leave=(), rules=None, taken=None, ledger=None):  # type: ignore[no-untyped-def]
    taken = dict(taken or {})
    ledger = ledger or Ledger(6.0)
    for slot, code in taken.items():
        ledger.add(classifier().day(slot.date), code)
    new = fill(days, people, taken, ledger, LeaveBook(leave), rules or Rules(1))
    return {**taken, **new}


def keyed(seats: dict[Slot, str]) -> dict[tuple[dt.date, Role, int], str]:
    return {(s.date, s.role, s.index): c for s, c in seats.items()}


def test_a_year_for_the_example_team_covers_every_day_and_breaks_no_rule() -> None:
    people, days = example_people(), classifier().days(*YEAR)
    seats = plan(days, people)
    for day in days:
        for role in (Role.LEADER, Role.OFFICER):
            held = [s for s in seats if s.date == day.date and s.role is role]
            assert len(held) == day.need[role], (day.date, role)
    assert violations(keyed(seats), people, LeaveBook([]), Rules(1)) == []
    assert len({s.date for s in seats}) == 365


def test_the_weighted_load_spread_per_role_is_at_most_one_holidays_weight() -> None:
    people, days = example_people(), classifier().days(*YEAR)
    seats = plan(days, people)
    _, spreads = tally(((s.date, s.role, c) for s, c in seats.items()), people, classifier().day)
    holiday = RosterConfig().weights.holiday
    assert {s.role: s.people for s in spreads} == {Role.LEADER: 4, Role.OFFICER: 7}
    for spread in spreads:
        assert spread.spread <= holiday, spread


def test_weekends_are_shared_too_not_only_the_weighted_load() -> None:
    people, days = example_people(), classifier().days(*YEAR)
    stats, _ = tally(((s.date, s.role, c) for s, c in plan(days, people).items()), people, classifier().day)
    leaders = [p.by_kind["weekend"] for p in stats if Role.LEADER in p.roles]
    assert max(leaders) - min(leaders) <= 3


def test_the_same_inputs_give_the_same_roster() -> None:
    people, days = example_people(), classifier().days(*YEAR)
    first, second = plan(days, people), plan(days, list(reversed(people)))
    assert keyed(first) == keyed(second)


def test_last_years_new_years_eve_leader_is_last_in_line() -> None:
    people, ledger, seats = example_people(), Ledger(6.0), {}
    holders = []
    for year in range(2026, 2030):
        days = classifier().days(dt.date(year, 1, 1), dt.date(year, 12, 31))
        seats.update(fill(days, people, seats, ledger, LeaveBook([]), Rules(1)))
        eve = classifier().special_dates(year)
        holders.append(next(c for s, c in seats.items() if s.role is Role.LEADER and eve.get(s.date) == "除夕"))
    assert len(set(holders)) == 4, holders  # four leaders, four years: each held 除夕 once


def test_someone_back_from_leave_is_not_skipped_for_good() -> None:
    people, days = example_people(), classifier().days(*YEAR)
    away = Leave("S006", dt.date(2026, 3, 2), dt.date(2026, 3, 15))
    seats = plan(days, people, leave=[away])
    served = sorted(s.date for s, c in seats.items() if c == "S006")
    assert not [d for d in served if away.covers(d)]
    assert [d for d in served if dt.date(2026, 3, 16) <= d <= dt.date(2026, 3, 22)]  # back in line at once
    _, spreads = tally(((s.date, s.role, c) for s, c in seats.items()), people, classifier().day)
    assert all(s.spread <= 3 for s in spreads)  # and the year still balances


def test_minimum_rest_is_configurable() -> None:
    people, days = example_people(), classifier().days(dt.date(2026, 3, 1), dt.date(2026, 4, 30))
    seats = plan(days, people, rules=Rules(2))
    by_person: dict[str, list[dt.date]] = {}
    for slot, code in sorted(seats.items(), key=lambda item: item[0].sort_key):
        by_person.setdefault(code, []).append(slot.date)
    gaps = [(b - a).days for dates in by_person.values() for a, b in itertools.pairwise(dates)]
    assert min(gaps) == 3  # two free days between duties


def test_a_monthly_limit_is_respected() -> None:
    config = RosterConfig(limits={"韩丽萍": 5})
    people, days = example_people(config), classifier().days(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    seats = plan(days, people)
    assert Counter(seats.values())["S002"] == 5


def test_an_impossible_day_is_named_with_each_persons_reason() -> None:
    people, days = example_people(), classifier().days(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    leave = [Leave(code, dt.date(2026, 3, 10), dt.date(2026, 3, 12)) for code in ("S002", "S003", "S004")]
    with pytest.raises(Infeasible) as caught:
        plan(days, people, leave=leave)
    text = str(caught.value)
    assert text.startswith("2026-03-11")  # 罗晓燕 can take 03-10 but not two days running
    assert "带班领导" in text and "罗晓燕: 2026年3月10日值班" in text and "韩丽萍: 请假" in text


def test_a_day_with_too_few_people_present_fails_at_once() -> None:
    people, days = example_people(), classifier().days(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    leave = [Leave(p.code, dt.date(2026, 3, 20), dt.date(2026, 3, 20)) for p in people if Role.LEADER in p.roles]
    with pytest.raises(Infeasible, match="^2026-03-20 .*needs 1 带班领导"):
        plan(days, people, leave=leave)


def test_the_search_steps_back_when_the_first_choice_leads_to_a_dead_end() -> None:
    # L1 ranks first on day 1, but then day 2 has nobody: L2 is away and L3 is on duty on day 3.
    people = [Person(c, c, frozenset({Role.LEADER})) for c in ("L1", "L2", "L3")]
    officers = [Person(f"O{i}", f"O{i}", frozenset({Role.OFFICER})) for i in range(4)]
    days = classifier().days(dt.date(2026, 3, 2), dt.date(2026, 3, 3))
    taken = {Slot(dt.date(2026, 3, 4), Role.LEADER): "L3"}
    seats = plan(days, people + officers, leave=[Leave("L2", dt.date(2026, 3, 3), dt.date(2026, 3, 3))],
                 taken=taken)
    assert seats[Slot(dt.date(2026, 3, 2), Role.LEADER)] == "L2"
    assert seats[Slot(dt.date(2026, 3, 3), Role.LEADER)] == "L1"


def test_nobody_holds_two_seats_on_one_day() -> None:
    both = Person("B1", "双岗", frozenset({Role.LEADER, Role.OFFICER}))
    people = [both, Person("L1", "L1", frozenset({Role.LEADER})), Person("O1", "O1", frozenset({Role.OFFICER})),
              Person("O2", "O2", frozenset({Role.OFFICER}))]
    days = classifier().days(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    seats = plan(days, people)
    assert violations(keyed(seats), people, LeaveBook([]), Rules(1)) == []
