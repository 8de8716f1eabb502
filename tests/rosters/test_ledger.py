from __future__ import annotations

import datetime as dt

from rosters.generate import fill
from rosters.ledger import Ledger
from rosters.model import Person
from rosters.rules import LeaveBook, Rules
from scheduler.vocab import Role
from tests.rosters.conftest import classifier


def test_each_duty_adds_its_days_weight_to_that_years_balance() -> None:
    days, ledger = classifier(), Ledger(6.0)
    ledger.add(days.day(dt.date(2026, 3, 5)), "S006")  # workday
    ledger.add(days.day(dt.date(2026, 3, 7)), "S006")  # weekend
    ledger.add(days.day(dt.date(2026, 2, 16)), "S006")  # 除夕
    ledger.add(days.day(dt.date(2025, 12, 31)), "S006")  # last year: its own balance
    assert ledger.load(2026, "S006") == 7.5
    assert ledger.load(2025, "S006") == 1.0
    ledger.remove(days.day(dt.date(2026, 3, 7)), "S006")
    assert ledger.load(2026, "S006") == 6.0
    assert ledger.last_served_before("S006", dt.date(2026, 3, 6)) == dt.date(2026, 3, 5)
    assert ledger.last_special_year("除夕", "S006", 2027) == 2026


def test_someone_far_behind_is_credited_up_to_the_catch_up_limit_below_the_median() -> None:
    days, ledger = classifier(), Ledger(6.0)
    for code, duties in (("A", 20), ("B", 20), ("C", 21), ("NEW", 0)):
        for i in range(duties):
            ledger.add(days.day(dt.date(2026, 3, 2) + dt.timedelta(days=i)), code)  # workdays and weekends
    median = sorted(ledger.balance(2026, c) for c in "ABC")[1]
    credits = ledger.forgive(2026, ["A", "B", "C", "NEW"])
    assert [(code, year) for year, code, _ in credits] == [("NEW", 2026)]
    assert ledger.balance(2026, "NEW") == median - 6.0
    assert ledger.load(2026, "NEW") == 0  # the credit is not load: stats still show what was served
    ledger.undo(credits)
    assert ledger.balance(2026, "NEW") == 0


def _newcomer_duties_in_july(catch_up_limit: float) -> int:
    veterans = [Person(f"O{i}", f"O{i}", frozenset({Role.OFFICER})) for i in range(5)]
    leaders = [Person(f"L{i}", f"L{i}", frozenset({Role.LEADER})) for i in range(3)]
    ledger = Ledger(catch_up_limit)
    first_half = classifier().days(dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    seats = fill(first_half, veterans + leaders, {}, ledger, LeaveBook([]), Rules(1))
    newcomer = Person("NEW", "新同事", frozenset({Role.OFFICER}))
    july = classifier().days(dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    seats = fill(july, veterans + leaders + [newcomer], seats, ledger, LeaveBook([]), Rules(1))
    return sum(1 for code in seats.values() if code == "NEW")


def test_a_newcomer_repays_a_bounded_debt_instead_of_serving_every_other_day_for_months() -> None:
    unbounded = _newcomer_duties_in_july(10_000)
    bounded = _newcomer_duties_in_july(6.0)
    assert unbounded == 16  # every other day, as the rest rule allows: half a year's debt
    assert 8 <= bounded < unbounded  # a fair share of July's 48 officer seats (8) plus the bounded debt
