from __future__ import annotations

import datetime as dt

from rosters.coverage import check
from rosters.model import Leave, Slot
from rosters.rules import LeaveBook, Rules
from scheduler.app import App
from scheduler.vocab import Role
from tests.rosters.conftest import classifier, example_people, generate, open_book, seats

DAY = dt.date(2026, 3, 10)
NAMES = {p.code: p.name for p in example_people()} | {"S099": "离职者"}


def findings(taken: dict[Slot, str], leave=(), reachable=lambda code: True):  # type: ignore[no-untyped-def]
    return check([classifier().day(DAY)], taken, example_people(), NAMES, LeaveBook(leave), Rules(1), reachable)


def test_a_full_day_with_reachable_people_has_no_findings() -> None:
    assert findings({Slot(DAY, Role.LEADER): "S002", Slot(DAY, Role.OFFICER): "S006"}) == []


def test_a_day_nobody_has_been_put_on_is_not_generated_yet() -> None:
    assert [(f.kind, f.text) for f in findings({})] == [("ungenerated", "尚未排班（需带班领导1人、值班员1人）")]


def test_an_empty_seat_is_reported() -> None:
    found = findings({Slot(DAY, Role.LEADER): "S002"})
    assert [(f.kind, f.text) for f in found] == [("missing", "值班员缺1人（需1人）")]


def test_an_assignee_on_leave_or_gone_or_unreachable_is_reported() -> None:
    found = findings({Slot(DAY, Role.LEADER): "S002", Slot(DAY, Role.OFFICER): "S099"},
                     leave=[Leave("S002", DAY, DAY, "出差")], reachable=lambda code: code != "S002")
    assert [(f.kind, f.text) for f in found] == [
        ("away", "值班员离职者已不在值班人员名单中"),
        ("away", "韩丽萍：值班日在出差期间（2026年3月10日）"),
        ("unreachable", "带班领导韩丽萍没有可用的联系方式"),
    ]


def test_a_broken_rest_rule_left_by_hand_is_reported() -> None:
    taken = {Slot(DAY, Role.LEADER): "S002", Slot(DAY, Role.OFFICER): "S006",
             Slot(DAY - dt.timedelta(days=1), Role.LEADER): "S002"}
    assert [f.kind for f in findings(taken)] == ["rule"]


def test_a_person_who_left_has_their_drafts_moved_on_regeneration(roster_app: App) -> None:
    generate(roster_app, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    with roster_app.sessions.begin() as session:
        book = open_book(roster_app, session)
        book.staff()["S006"].active = False
    before = seats(roster_app, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    generate(roster_app, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    after = seats(roster_app, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert "S006" in before.values() and "S006" not in after.values()
    assert {s for s in after if after[s] != before[s]} == {s for s, c in before.items() if c == "S006"}
