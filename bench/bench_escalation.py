"""Benchmark: find every escalation message due at one moment in a register of 100,000 hazards.

Compares, in the same run and on the same rows:

* planner   — the escalation planner (``scheduler.planners.hazards.plan``): the policy is turned
              into deadline ranges and the database returns only hazards with a step due;
* selection — the planner's database part alone: the deadline ranges and the query returning
              the hazards with a step due (no messages built);
* full read — a plain read of every row of the hazard table (no ORM, no computation): the
              least any "load everything and decide in Python" design has to pay;
* naive     — that design in full: every open hazard loaded and its chain computed in Python
              (also checks that it finds exactly the planner's messages).

Generates its own data (2,000 enterprises; 5% major hazards; deadlines spread from a year
before to half a year after the moment). Runs on SQLite, and on PostgreSQL when reachable
(``--postgres URL`` of a server where databases may be created; default
$SAFEDUTY_BENCH_PG or postgresql://postgres@127.0.0.1:5432/postgres; ``--postgres none`` skips).

    python bench/bench_escalation.py [--hazards 100000] [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from scheduler import migrate
from scheduler.calendar import WorkCalendar
from scheduler.config.channels import ConsoleChannelConfig
from scheduler.config.schema import Config, GroupConfig
from scheduler.db import make_engine, make_sessions
from scheduler.hazards import queries
from scheduler.hazards.audience import Audiences
from scheduler.hazards.models import Hazard
from scheduler.hazards.policy import deadlines_due, ranges, schedule
from scheduler.hazards.vocab import OPEN_VALUES, HazardLevel
from scheduler.outbox.planned import Window
from scheduler.people.directory import Directory
from scheduler.people.models import Enterprise, Staff
from scheduler.planners import hazards as escalation
from scheduler.planners.base import PlanContext
from scheduler.vocab import Category, Role

ZONE = ZoneInfo("Asia/Shanghai")
MOMENT = dt.date(2026, 3, 4)  # a Wednesday just after the Spring Festival: working days matter
ENTERPRISES = 2000
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def config() -> Config:
    return Config(
        channels={"console": ConsoleChannelConfig(type="console")},
        groups={
            "section_heads": GroupConfig(roles=(Role.SECTION_HEAD,)),
            "bureau_leaders": GroupConfig(roles=(Role.BUREAU_LEADER,)),
            "supervisors": GroupConfig(roles=(Role.SUPERVISOR,)),
        },
    )


def populate(engine: Engine, hazards: int, seed: int = 6) -> None:
    rng = random.Random(seed)
    categories = [c.value for c in Category]
    with engine.begin() as conn:
        conn.execute(
            insert(Enterprise),
            [
                {
                    "code": f"E{i:05d}",
                    "name": f"企业{i}",
                    "category": categories[i % len(categories)],
                    "region": f"14{i % 11:02d}00",
                    "principal_name": f"负责人{i}",
                    "principal_mobile": "",
                    "principal_email": f"p{i}@example.com",
                    "active": True,
                }
                for i in range(ENTERPRISES)
            ],
        )
        staff = [
            {
                "code": f"S{i}",
                "name": f"监管员{i}",
                "roles": "supervisor",
                "supervises_categories": c,
                "email": f"s{i}@example.gov.cn",
                "active": True,
            }
            for i, c in enumerate(categories)
        ]
        staff += [
            {
                "code": code,
                "name": name,
                "roles": role,
                "supervises_categories": "",
                "email": f"{code}@example.gov.cn",
                "active": True,
            }
            for code, name, role in (
                ("H1", "科长", "section_head"),
                ("L1", "厅领导甲", "bureau_leader"),
                ("L2", "厅领导乙", "bureau_leader"),
            )
        ]
        conn.execute(insert(Staff), staff)
        ids = list(conn.scalars(select(Enterprise.id)))
        now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        rows = []
        for n in range(hazards):
            major = rng.random() < 0.05
            deadline = MOMENT + dt.timedelta(days=rng.randint(-365, 180))
            found = deadline - dt.timedelta(
                days=rng.randint(30, 120) if major else rng.randint(0, 30)
            )
            # Most hazards whose deadline passed were dealt with; most still ahead are open.
            open_ = rng.random() < (0.08 if deadline < MOMENT else 0.75)
            status = (
                rng.choice(OPEN_VALUES)
                if open_
                else rng.choice(("rectified", "verified", "closed"))
            )
            rows.append(
                {
                    "code": f"HZ-{n:06d}",
                    "enterprise_id": rng.choice(ids),
                    "title": f"隐患{n}",
                    "description": "",
                    "location": "",
                    "category": "thing",
                    "level": "major" if major else "general",
                    "source": "inspection",
                    "found_on": found,
                    "measures": "措施",
                    "funds_yuan": 1000,
                    "funds_source": "自筹",
                    "deadline": deadline,
                    "responsible_name": f"责任人{n}",
                    "responsible_mobile": "",
                    "responsible_email": f"r{n}@example.com",
                    "contingency_plan": "预案",
                    "reported_to_regulator_at": now,
                    "reported_to_congress_at": now,
                    "listed_by": "",
                    "listing_notice": "",
                    "status": status,
                    "registered_at": now,
                    "registered_on": now.date(),
                    "updated_at": now,
                }
            )
            if len(rows) == 5000:
                conn.execute(insert(Hazard), rows)
                rows = []
        if rows:
            conn.execute(insert(Hazard), rows)


def window() -> Window:
    """The send slot of MOMENT: every message of the day is due at 09:00 plus a 5–95 s jitter."""
    start = dt.datetime.combine(MOMENT, dt.time(9, 0), tzinfo=ZONE)
    return Window(start, start + dt.timedelta(minutes=2))


def run_planner(ctx: PlanContext) -> set[str]:
    return {m.key for m in escalation.plan(ctx, window())}


def run_selection(ctx: PlanContext) -> int:
    settings, days, found = ctx.config.hazards, [MOMENT], 0
    for level, policy in (
        (HazardLevel.MAJOR, settings.major),
        (HazardLevel.GENERAL, settings.general),
    ):
        earliest = queries.earliest_open_deadline(ctx.session, level)
        if earliest is not None:
            spans = ranges(deadlines_due(policy, ctx.calendar, days, earliest))
            found += len(queries.with_deadline_in(ctx.session, level, spans))
    return found


def run_full_read(ctx: PlanContext) -> int:
    return len(ctx.session.execute(select(Hazard.__table__)).all())


def run_naive(ctx: PlanContext) -> set[str]:
    """Load every open hazard and compute its chain in Python (the design the planner avoids)."""
    settings, keys, audiences = ctx.config.hazards, set(), Audiences(ctx.directory)
    day = MOMENT
    for hazard in ctx.session.scalars(select(Hazard).where(Hazard.status.in_(OPEN_VALUES))):
        policy = settings.major if hazard.level == "major" else settings.general
        assert hazard.deadline is not None  # every open hazard has one
        for item in schedule(policy, hazard.deadline, ctx.calendar, day, since=day):
            if item.day == day:
                keys |= {
                    m.key
                    for m in escalation._chain(ctx, window(), {day}, policy, hazard, audiences)
                }
                break
    return keys


def measure(
    sessions: Any,
    directory: Directory,
    calendar: WorkCalendar,
    runs: int,
    job: Callable[[PlanContext], Any],
) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(runs):
        with sessions() as session:  # a fresh session: nothing cached from the previous run
            ctx = PlanContext(directory.config, calendar, directory, session)
            start = time.perf_counter()
            result = job(ctx)
            times.append(time.perf_counter() - start)
    return times, result


def summary(times: list[float]) -> dict[str, Any]:
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": len(times),
    }


def bench(name: str, url: str, hazards: int, runs: int, naive_runs: int) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        started = time.perf_counter()
        populate(engine, hazards)
        print(
            f"[{name}] generated {hazards:,} hazards in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        sessions = make_sessions(engine)
        calendar = WorkCalendar()
        with sessions() as session:
            directory = Directory.load(session, config())
        measure(
            sessions, directory, calendar, 1, run_planner
        )  # warm up caches (calendar, statements)
        planner_times, keys = measure(sessions, directory, calendar, runs, run_planner)
        selection_times, candidates = measure(sessions, directory, calendar, runs, run_selection)
        read_times, count = measure(sessions, directory, calendar, runs, run_full_read)
        naive_times, naive_keys = measure(sessions, directory, calendar, naive_runs, run_naive)
        if naive_keys != keys:
            raise SystemExit(
                f"[{name}] the planner and the naive computation disagree: "
                f"{len(keys ^ naive_keys)} message keys differ"
            )
        planner, selection, read = (
            summary(planner_times),
            summary(selection_times),
            summary(read_times),
        )
        return {
            "backend": name,
            "hazards": count,
            "candidates": candidates,
            "messages": len(keys),
            "planner_s": planner,
            "selection_s": selection,
            "full_read_s": read,
            "naive_s": summary(naive_times),
            "planner_vs_full_read": planner["median"] / read["median"],
            "selection_vs_full_read": selection["median"] / read["median"],
        }
    finally:
        engine.dispose()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str | None]:
    """A fresh database on the server (dropped afterwards), or None when it is not reachable."""
    try:
        import psycopg

        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=3)
    except Exception as exc:  # noqa: BLE001 - not installed, refused, bad login: say so, go on
        print(
            f"PostgreSQL skipped: not reachable at {admin_url} ({str(exc).strip()})",
            file=sys.stderr,
        )
        yield None
        return
    name = f"safeduty_bench_{uuid.uuid4().hex[:10]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument(
        "--runs", type=int, default=5, help="timed runs per measurement (at least 3)"
    )
    parser.add_argument(
        "--naive-runs", type=int, default=1, help="timed runs of the slow naive design"
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("SAFEDUTY_BENCH_PG", DEFAULT_PG),
        help='admin URL of a PostgreSQL server, or "none"',
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(
            bench(
                "sqlite", f"sqlite:///{folder}/bench.db", args.hazards, args.runs, args.naive_runs
            )
        )
    if args.postgres != "none":
        with postgres_database(args.postgres) as url:
            if url is not None:
                results.append(bench("postgresql", url, args.hazards, args.runs, args.naive_runs))
    report(results)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"moment": MOMENT.isoformat(), "results": results}, indent=2) + "\n"
        )
    return 0


def report(results: list[dict[str, Any]]) -> None:
    print(f"escalation messages due on {MOMENT} 09:00 (median of runs; min–max)")
    for r in results:

        def cell(key: str, r: dict[str, Any] = r) -> str:
            s = r[key]
            low, high = s["min"] * 1000, s["max"] * 1000
            return f"{s['median'] * 1000:8.1f} ms ({low:.1f}–{high:.1f}, n={s['runs']})"

        print(
            f"  {r['backend']:<10} {r['hazards']:,} hazards; {r['candidates']:,} selected; "
            f"{r['messages']:,} messages due"
        )
        print(f"    planner    {cell('planner_s')}")
        print(f"    selection  {cell('selection_s')}")
        print(f"    full read  {cell('full_read_s')}")
        print(f"    naive      {cell('naive_s')}")
        print(
            f"    planner / full read = {r['planner_vs_full_read']:.3f}; "
            f"selection / full read = {r['selection_vs_full_read']:.4f}"
        )


if __name__ == "__main__":
    sys.exit(main())
