"""Time a year's duty roster for 15 and 60 people, and compare its fairness with a round-robin.

    python -m bench.bench_roster [--runs 5] [--json FILE]

For each team size it generates 2026 (holidays, 调休, 主汛期 needing two officers) from scratch:

- ``ledger``: the real generator (``rosters.generate.fill``) on a fresh weighted ledger;
- ``round-robin``: the baseline — each role's people in a fixed order, each seat going to the
  next one in the cycle who is free under the same hard rules (rest, one seat a day);
- ``ledger + SQLite``: the whole ``RosterBook.generate`` path, writing the year to a SQLite file.

It prints the median/min/max time of each over ``--runs`` runs and, beside it, the weighted-load
spread (max − min) per role of both rosters. Nothing here asserts a time: the numbers are for
reading, and the ratio to the round-robin measured in the same run is what carries over between
machines.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Report, parser, progress, timed
from rosters.book import RosterBook
from rosters.days import DayClassifier
from rosters.generate import fill
from rosters.ledger import Ledger
from rosters.model import DUTY_ROLES, DutyDay, Person, Slot
from rosters.rules import LeaveBook, Rules
from rosters.stats import tally
from scheduler.app import App
from scheduler.calendar import WorkCalendar
from scheduler.config import load_config
from scheduler.config.roster import DateMark, KeyPeriod, RosterConfig
from scheduler.people.imports import import_staff
from scheduler.vocab import Role

YEAR = 2026
ZONE = ZoneInfo("Asia/Shanghai")
CONFIG = RosterConfig(key_periods=(KeyPeriod("主汛期", DateMark.parse("07-15"), DateMark.parse("08-15"), officer=2),))
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["志刚", "丽萍", "建华", "晓燕", "宇", "佳", "磊", "婷", "超", "雪", "阳", "亮", "海燕", "文博", "秀英",
         "国强", "春梅", "俊杰", "慧敏", "子涵", "浩然", "雨桐", "明辉", "玉兰", "鹏飞", "静怡", "宏伟", "晨曦"]


def team(size: int) -> list[Person]:
    """``size`` people, a quarter of them leaders, with distinct, realistic names."""
    leaders = max(4, size // 4)
    people = []
    for i in range(size):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]
        role = Role.LEADER if i < leaders else Role.OFFICER
        people.append(Person(f"B{i + 1:03d}", name, frozenset({role}), "值班组", f"139{i + 1:08d}"))
    return people


def round_robin(days: Sequence[DutyDay], people: Sequence[Person], rules: Rules) -> dict[Slot, str]:
    """The baseline: a strict cycle per role, skipping only whoever the hard rules forbid."""
    ledger, leave = Ledger(0.0), LeaveBook([])
    pools = {role: [p for p in people if role in p.roles] for role in DUTY_ROLES}
    turn = {role: 0 for role in DUTY_ROLES}
    seats: dict[Slot, str] = {}
    for day in days:
        for role in DUTY_ROLES:
            pool = pools[role]
            for index in range(day.need[role]):
                for step in range(len(pool)):
                    person = pool[(turn[role] + step) % len(pool)]
                    if rules.blocker(person, role, day.date, ledger, leave) is None:
                        seats[Slot(day.date, role, index)] = person.code
                        ledger.add(day, person.code)
                        turn[role] = (turn[role] + step + 1) % len(pool)
                        break
                else:
                    raise SystemExit(f"round-robin: nobody free on {day.date} for {role.label}")
    return seats


def ledger_roster(days: Sequence[DutyDay], people: Sequence[Person], rules: Rules) -> dict[Slot, str]:
    return fill(days, people, {}, Ledger(CONFIG.catch_up_limit), LeaveBook([]), rules)


def spreads(seats: dict[Slot, str], people: Sequence[Person], days: DayClassifier) -> dict[str, float]:
    _, found = tally(((s.date, s.role, c) for s, c in seats.items()), people, days.day)
    return {s.role.value: s.spread for s in found}


def stored(people: Sequence[Person]) -> Callable[[], float]:
    """The full path: import the team, then RosterBook.generate into a fresh SQLite file."""
    def job() -> float:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder)
            with (root / "staff.csv").open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["工号", "姓名", "角色", "班组", "手机"])
                for p in people:
                    writer.writerow([p.code, p.name, "、".join(r.label for r in p.roles), p.team, p.mobile])
            (root / "config.toml").write_text(
                '[service]\ndatabase = "sqlite:///bench.db"\n[channels.console]\ntype = "console"\n'
                '[groups.duty_team]\nroles = ["leader", "officer"]\n[groups.supervisors]\nroles = ["supervisor"]\n'
                '[groups.bureau_leaders]\nroles = ["bureau_leader"]\n[groups.safety_section]\nroles = ["section_head"]\n'
                '[groups.admins]\nroles = ["admin"]\n[groups.section_heads]\nroles = ["section_head"]\n[roster]\n'
                'key_periods = [{ name = "主汛期", start = "07-15", end = "08-15", officer = 2 }]\n', encoding="utf-8")
            app = App(load_config(root / "config.toml", environ={}))
            try:
                with app.sessions.begin() as session:
                    import_staff(session, root / "staff.csv")
                with app.sessions.begin() as session:
                    book = RosterBook(session, app.config.roster, app.calendar, ZONE)
                    start = time.perf_counter()
                    book.generate(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31), now=dt.datetime.now(dt.UTC),
                                  actor="bench")
                    return time.perf_counter() - start
            finally:
                app.close()

    return job


def main(argv: Sequence[str] | None = None) -> int:
    p = parser(__doc__)
    p.set_defaults(runs=5)
    args = p.parse_args(argv)
    classifier = DayClassifier(WorkCalendar(), CONFIG, ZONE)
    days = classifier.days(dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    rules = Rules(CONFIG.min_rest_days)
    report = Report("duty rosters: a year", f"{YEAR}, {len(days)} duty days, 主汛期 needing two officers; "
                    f"spread = max - min weighted load per role; median of {args.runs} runs")
    for size in (15, 60):
        progress(f"roster: {size} people")
        people = team(size)
        for _ in range(args.runs):
            seconds, seats = timed(partial(ledger_roster, days, people, rules))
            report.add(f"{size} people ledger (rosters.generate)", "ms", seconds * 1000)
            seconds, rr_seats = timed(partial(round_robin, days, people, rules))
            report.add(f"{size} people round-robin", "ms", seconds * 1000)
            report.add(f"{size} people ledger + SQLite (RosterBook)", "ms", stored(people)() * 1000)
        fair, rr_fair = spreads(seats, people, classifier), spreads(rr_seats, people, classifier)
        for role in ("leader", "officer"):
            report.notes[f"{size} people {role} spread"] = f"ledger {fair[role]:.1f}, round-robin {rr_fair[role]:.1f}"
            report.ratio(f"{size} people {role} spread / round-robin's", fair[role] / rr_fair[role] if rr_fair[role] else 0.0,
                         "fairness against a plain round-robin over the same people and days (target <= 0.5)")
        report.ratio(f"{size} people ledger time / round-robin time",
                     report.median(f"{size} people ledger (rosters.generate)")
                     / report.median(f"{size} people round-robin"),
                     "what the fairness costs (the year itself: target < 1 s for 60 people)")
    report.show(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
