"""Fairness of the duty roster for a realistic team: 18 duty staff with leave, over four years.

    python -m bench.bench_fairness [--json FILE]

The team: 4 带班领导, 2 people who may lead or serve as officer, 12 值班员; leave recorded before
generating (a week in 春节, a trip over 国庆, a month's sick leave, a training week). Two
scenarios, both through ``RosterBook`` on a SQLite file, as the clerk runs them:

- **four years** (2026–2029, one `generate` a year): how the heaviest days (除夕, 春节初一, 国庆节首日)
  are shared — in each year and role, the most any one person holds, and the "double-ups": years
  and roles in which someone holds two while an eligible person holds none; over the four years,
  the fewest and most heaviest days per person. And the weighted-load spread per role in 2026;
- **leave after generating**: 2026 generated with no leave, then a week's leave over 春节 recorded
  for whoever leads on 春节初一; how many of the 9 春节 days the busiest person then holds (six
  people may lead, five are left: two each is possible), and the spreads afterwards.

Nothing is timed: these are the figures the fairness rules are judged by, the same on every machine.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import Report, parser
from rosters import stats as roster_stats
from rosters.book import RosterBook
from rosters.changes import add_leave
from rosters.model import Person
from rosters.tables import RosterLeave
from scheduler.app import App
from scheduler.config import load_config
from scheduler.people.imports import import_staff
from scheduler.vocab import Role

ZONE = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2025, 12, 1, 9, 0, tzinfo=ZONE)  # the clerk plans ahead: nothing has begun
YEARS = (2026, 2027, 2028, 2029)
SPRING_2026 = (dt.date(2026, 2, 15), dt.date(2026, 2, 23))
CHUYI_2026 = dt.date(2026, 2, 17)
NAMES = ["王志刚", "李丽萍", "张建华", "刘晓燕", "陈宇", "杨佳", "黄磊", "赵婷", "吴超", "周雪", "徐阳", "孙亮",
         "马海燕", "朱文博", "胡秀英", "郭国强", "何春梅", "高俊杰"]
LEAVE = [("T07", dt.date(2026, 2, 12), dt.date(2026, 2, 20), "请假"),
         ("T02", dt.date(2026, 9, 28), dt.date(2026, 10, 9), "出差"),
         ("T11", dt.date(2026, 7, 1), dt.date(2026, 7, 31), "病假"),
         ("T14", dt.date(2026, 4, 1), dt.date(2026, 4, 7), "培训")]


def team() -> list[tuple[str, str, str]]:
    """(工号, 姓名, 角色) of the 18."""
    rows = []
    for i, name in enumerate(NAMES):
        role = "带班领导" if i < 4 else "带班领导、值班员" if i < 6 else "值班员"
        rows.append((f"T{i + 1:02d}", name, role))
    return rows


@contextmanager
def project() -> Iterator[App]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with (root / "staff.csv").open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["工号", "姓名", "角色", "班组", "手机"])
            for code, name, role in team():
                writer.writerow([code, name, role, "值班组", f"139000000{code[1:]}"])
        (root / "config.toml").write_text(
            '[service]\ndatabase = "sqlite:///fair.db"\n[channels.console]\ntype = "console"\npath = "c.jsonl"\n'
            '[groups.admins]\nroles = ["admin"]\n[groups.section_heads]\nroles = ["section_head"]\n'
            '[groups.bureau_leaders]\nroles = ["bureau_leader"]\n[roster]\n'
            'key_periods = [{ name = "主汛期", start = "07-15", end = "08-15", officer = 2 }]\n', encoding="utf-8")
        app = App(load_config(root / "config.toml", environ={}))
        try:
            with app.sessions.begin() as session:
                import_staff(session, root / "staff.csv")
            yield app
        finally:
            app.close()


def book(app: App, session) -> RosterBook:  # type: ignore[no-untyped-def]
    return RosterBook(session, app.config.roster, app.calendar, ZONE)


def generate(app: App, first: dt.date, last: dt.date) -> None:
    with app.sessions.begin() as session:
        book(app, session).generate(first, last, now=NOW, actor="bench")


def seats(app: App, first: dt.date, last: dt.date) -> tuple[dict, list[Person], RosterBook]:  # type: ignore[type-arg]
    session = app.sessions()
    roster = book(app, session)
    return roster.seats(first, last), roster.people(), roster


def specials(app: App, year: int) -> dict[Role, Counter[str]]:
    held, people, roster = seats(app, dt.date(year, 1, 1), dt.date(year, 12, 31))
    found: dict[Role, Counter[str]] = {role: Counter({p.code: 0 for p in people if role in p.roles})
                                       for role in (Role.LEADER, Role.OFFICER)}
    for slot, code in held.items():
        if roster.day(slot.date).special:
            found[slot.role][code] += 1
    roster.session.close()
    return found


def double_ups(found: dict[Role, Counter[str]]) -> int:
    """Roles in which someone holds two or more heaviest days while an eligible person holds none."""
    return sum(1 for counts in found.values() if max(counts.values()) >= 2 and min(counts.values()) == 0)


def spreads(app: App, year: int) -> dict[str, float]:
    held, people, roster = seats(app, dt.date(year, 1, 1), dt.date(year, 12, 31))
    result = roster_stats.tally(((s.date, s.role, c) for s, c in held.items()), people, roster.day)
    roster.session.close()
    return {s.role.value: s.spread for s in result[1]}


def spring(app: App) -> Counter[str]:
    held, _, roster = seats(app, *SPRING_2026)
    roster.session.close()
    return Counter(held.values())


def four_years(report: Report) -> None:
    with project() as app:
        with app.sessions.begin() as session:
            for code, first, last, kind in LEAVE:
                session.add(RosterLeave(staff_code=code, first_day=first, last_day=last, kind=kind, reason="",
                                        recorded_by="bench", recorded_at=NOW))
        total: dict[Role, Counter[str]] = {Role.LEADER: Counter(), Role.OFFICER: Counter()}
        ups = most = 0
        for year in YEARS:
            generate(app, dt.date(year, 1, 1), dt.date(year, 12, 31))
            found = specials(app, year)
            ups += double_ups(found)
            most = max(most, *(max(c.values()) for c in found.values()))
            for role, counts in found.items():
                total[role].update(counts)
        report.notes["four years: double-ups"] = (f"{ups} of {len(YEARS) * 2} year-roles have someone with two "
                                                  f"heaviest days while an eligible person has none")
        report.notes["four years: most heaviest days one person holds in a year"] = str(most)
        both = total[Role.LEADER] + total[Role.OFFICER]
        groups = {"leaders only": [c for c, _, r in team() if r == "带班领导"],
                  "leaders and officers": [c for c, _, r in team() if "、" in r],
                  "officers only": [c for c, _, r in team() if r == "值班员"]}
        for label, codes in groups.items():
            counts = [both[c] for c in codes]
            report.notes[f"four years: heaviest days per person, {label}"] = (
                f"{min(counts)}–{max(counts)} over {len(counts)} people")
        for role, spread in spreads(app, 2026).items():
            report.notes[f"2026 {role} spread (weighted load)"] = f"{spread:g}"


def leave_after(report: Report) -> None:
    with project() as app:
        generate(app, dt.date(2026, 1, 1), dt.date(2026, 12, 31))
        before = spring(app)
        held, _, roster = seats(app, CHUYI_2026, CHUYI_2026)
        leader = next(c for s, c in held.items() if s.role is Role.LEADER)
        roster.session.close()
        with app.sessions.begin() as session:
            add_leave(book(app, session), leader, dt.date(2026, 2, 14), dt.date(2026, 2, 20), kind="请假", now=NOW,
                      actor="bench", reason="探亲")
        after = spring(app)
        report.notes["leave: 春节 days of the busiest person (of 9)"] = (f"before the leave {max(before.values())}, "
                                                                       f"after {max(after.values())}")
        chuyi = seats(app, CHUYI_2026, CHUYI_2026)
        holders = sorted(set(chuyi[0].values()))
        chuyi[2].session.close()
        report.notes["leave: 春节 days held by 初一's holders"] = ", ".join(f"{c} {after[c]}" for c in holders)
        for role, spread in spreads(app, 2026).items():
            report.notes[f"leave: 2026 {role} spread after"] = f"{spread:g}"


def main(argv: Sequence[str] | None = None) -> int:
    args = parser(__doc__).parse_args(argv)
    report = Report("duty roster fairness: 18 people with leave", "heaviest days = 除夕, 春节初一, 国庆节首日")
    four_years(report)
    leave_after(report)
    report.show(args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
