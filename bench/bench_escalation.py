"""Escalation: find every escalation message due at one moment in a register of 100,000 hazards.

Compared in the same run, on the same rows (shipped config.toml, 2,000 enterprises, 60 staff;
5% major hazards; deadlines spread from a year before to half a year after the moment):
  scan      — the escalation planner (`scheduler.planners.hazards.plan`) for the 09:00 send
              slot: the policy is turned into deadline ranges and the database returns only the
              hazards with a step due; their messages are built;
  selection — the planner's database part alone (the ranges and the query, no messages);
  full read — the baseline: a plain read of every row of the hazard table (no ORM, no logic),
              the least any "load everything and decide in Python" design pays;
  naive     — that design in full (every open hazard loaded, its chain computed in Python),
              run once to check it finds exactly the planner's messages.
SQLite, and PostgreSQL when reachable.

    python -m bench.bench_escalation [--hazards 100000] [--runs 5] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench import datagen
from bench.common import FixedClock, Report, parser, postgres_option, progress, timed
from bench.project import make_app, postgres_database
from scheduler.app import App
from scheduler.hazards import queries
from scheduler.hazards.audience import Audiences
from scheduler.hazards.models import Hazard
from scheduler.hazards.policy import deadlines_due, ranges, schedule
from scheduler.hazards.vocab import OPEN_VALUES, HazardLevel
from scheduler.outbox.planned import Window
from scheduler.people.models import Enterprise
from scheduler.planners import hazards as escalation
from scheduler.planners.base import PlanContext

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MOMENT = dt.date(2026, 3, 4)  # a Wednesday just after the Spring Festival: working days matter
ENTERPRISES = 2000
# The 09:00 send slot of MOMENT: every escalation message of the day is due in it (09:00 + jitter).
SLOT = Window(dt.datetime.combine(MOMENT, dt.time(9, 0), tzinfo=SHANGHAI),
              dt.datetime.combine(MOMENT, dt.time(9, 2), tzinfo=SHANGHAI))


def populate(app: App, hazards: int) -> None:
    with app.engine.begin() as conn:
        ids = list(conn.scalars(select(Enterprise.id)))
        rows = datagen.hazards(hazards, ids, MOMENT)
        while batch := list(itertools.islice(rows, 5000)):
            conn.execute(insert(Hazard), batch)


def scan(ctx: PlanContext) -> set[str]:
    return {m.key for m in escalation.plan(ctx, SLOT)}


def selection(ctx: PlanContext) -> int:
    settings, found = ctx.config.hazards, 0
    for level, policy in ((HazardLevel.MAJOR, settings.major), (HazardLevel.GENERAL, settings.general)):
        earliest = queries.earliest_open_deadline(ctx.session, level)
        if earliest is not None:
            spans = ranges(deadlines_due(policy, ctx.calendar, [MOMENT], earliest))
            found += len(queries.with_deadline_in(ctx.session, level, spans))
    return found


def full_read(ctx: PlanContext) -> int:
    return len(ctx.session.execute(select(Hazard.__table__)).all())


def naive(ctx: PlanContext) -> set[str]:
    """Load every open hazard and compute its chain in Python (the design the planner avoids)."""
    settings, keys, audiences = ctx.config.hazards, set(), Audiences(ctx.directory)
    for hazard in ctx.session.scalars(select(Hazard).where(Hazard.status.in_(OPEN_VALUES))):
        policy = settings.major if hazard.level == "major" else settings.general
        assert hazard.deadline is not None  # every open hazard has one
        if any(item.day == MOMENT for item in schedule(policy, hazard.deadline, ctx.calendar, MOMENT, since=MOMENT)):
            keys |= {m.key for m in escalation._chain(ctx, SLOT, {MOMENT}, policy, hazard, audiences)}
    return keys


def measure(app: App, runs: int, job: Callable[[PlanContext], Any]) -> tuple[list[float], Any]:
    times, result = [], None
    directory = None
    for _ in range(runs):
        with app.sessions() as session:  # a fresh session each run: nothing cached from the last
            if directory is None:
                directory = app.service.context(session).directory  # loaded once, as a tick does
            ctx = PlanContext(app.config, app.calendar, directory, session)
            seconds, result = timed(job, ctx)
            times.append(seconds)
    return times, result


def bench(report: Report, label: str, database: str, hazards: int, runs: int) -> None:
    progress(f"escalation on {label}: generating {hazards:,} hazards")
    app = make_app(database, FixedClock(SLOT.start), enterprises=ENTERPRISES, staff=60)
    try:
        started = time.perf_counter()
        populate(app, hazards)
        report.notes[f"{label} data"] = f"{hazards:,} hazards generated in {time.perf_counter() - started:.1f} s"
        measure(app, 1, scan)  # warm up: calendar caches, compiled statements
        progress(f"escalation on {label}: timing")
        jobs: dict[str, tuple[Callable[[PlanContext], Any], int]] = {
            "escalation scan": (scan, runs), "selection only": (selection, runs),
            "full-table read": (full_read, runs), "naive (all open hazards in Python)": (naive, 1)}
        results = {}
        for name, (job, count) in jobs.items():
            times, results[name] = measure(app, count, job)
            for seconds in times:
                report.add(f"{label} {name}", "ms", seconds * 1000)
    finally:
        app.close()
    keys, naive_keys = results["escalation scan"], results["naive (all open hazards in Python)"]
    if keys != naive_keys:
        raise SystemExit(f"{label}: the planner and the naive computation disagree on "
                         f"{len(keys ^ naive_keys)} message keys")
    report.notes[f"{label} hazards"] = results["full-table read"]
    report.notes[f"{label} hazards with a step due"] = results["selection only"]
    report.notes[f"{label} messages due (the naive design finds the same)"] = len(keys)
    scan_ms = report.median(f"{label} escalation scan")
    report.ratio(f"{label} scan / full-table read", scan_ms / report.median(f"{label} full-table read"),
                 "the scan's time as a share of reading the table once (target < 1, and the scan < 1 s)")
    report.ratio(f"{label} naive / scan", report.median(f"{label} naive (all open hazards in Python)") / scan_ms,
                 "times faster than loading every open hazard and deciding in Python")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.set_defaults(runs=5)
    p.add_argument("--hazards", type=int, default=100_000)
    postgres_option(p)
    args = p.parse_args(argv)
    report = Report("escalation: every step due at one moment",
                    f"{args.hazards:,} hazards, {MOMENT} 09:00; median of {args.runs} runs (naive: 1)")
    with tempfile.TemporaryDirectory(prefix="safeduty-bench-") as folder:
        bench(report, "sqlite", f"sqlite:///{Path(folder)}/hazards.db", args.hazards, args.runs)
    with postgres_database(args.postgres, report) as fresh_pg:
        if fresh_pg is not None:
            bench(report, "postgresql", fresh_pg(), args.hazards, args.runs)
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
