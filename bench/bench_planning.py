"""Planning: a whole year of pre-holiday and key-period reminders for 10,000 enterprises.

Each run, on a fresh database (SQLite file; PostgreSQL when reachable):
  plan      — what the service's planning tick does, over the year 2026: the `preholiday` and
              `key_periods` planners into `store.enqueue`, one transaction;
  re-plan   — the same year again (every key already present: nothing is inserted);
  raw       — the baseline ceiling: the very rows the plan wrote (all of them; --raw-rows N
              takes the year's first N: a smaller table inserts faster, so a sample only raises
              the ceiling), built beforehand (untimed), inserted into a fresh outbox with one
              SQLAlchemy Core executemany per 10,000 rows, in one transaction — no planning, no
              key look-ups, no ON CONFLICT;
  APScheduler — the design we rejected: one DateTrigger job per message, carrying the message,
              added to a SQLAlchemyJobStore on the same kind of database (a sample of the
              year's first messages, as shipped: APScheduler's own engine; rate per message).
`generate` (the planners alone, nothing written) is timed too: it is what planning costs above
the insert. After the plan, the year's size on disk (SQLite: the pages in use; PostgreSQL: the
outbox's and notices' relations) and the bytes per message.

    python -m bench.bench_planning [--enterprises 10000] [--sample 5000] [--raw-rows 0]
                                   [--runs 3] [--postgres URL] [--json FILE]
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bench.common import FixedClock, Report, parser, postgres_option, progress, timed
from bench.project import make_app, postgres_database
from scheduler.app import App
from scheduler.outbox import rows, store
from scheduler.outbox.notices import Notices, shared_parts
from scheduler.outbox.planned import PlannedMessage, Window

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
YEAR = Window(dt.datetime(2026, 1, 1, tzinfo=SHANGHAI), dt.datetime(2027, 1, 1, tzinfo=SHANGHAI))
REMINDER_PLANNERS = ("preholiday", "key_periods")
RAW_CHUNK = 10_000


def messages(app: App, session: Any) -> Iterator[PlannedMessage]:
    ctx = app.service.context(session)
    return (m for name in REMINDER_PLANNERS for m in app.service.planners[name](ctx, YEAR))


def plan_year(app: App) -> int:
    """What the service's planning tick does, over a whole year, for the reminder planners."""
    with app.sessions.begin() as session:
        return store.enqueue(session, messages(app, session), YEAR.start)


def generate(app: App) -> int:
    with app.sessions() as session:
        return sum(1 for _ in messages(app, session))


def raw_insert(app: App, source: App, limit: int) -> tuple[float, int]:
    """Seconds spent inserting the year's first ``limit`` rows (0: all) into ``app``'s empty
    outbox, counting only the executemany calls and the commit (the rows are built between
    them, untimed)."""
    spent, count = 0.0, 0
    with source.sessions() as reader, app.engine.connect() as conn:
        make_row = rows.RowMaker(conn.dialect, YEAR.start)
        statement = insert(rows.TABLE)
        found = Notices(conn)  # the notices the rows point at are written untimed, with the rows' building
        year = messages(source, reader)
        for chunk in _chunks(itertools.islice(year, limit) if limit else year, RAW_CHUNK):
            wanted, parts = shared_parts([m.kind for m in chunk], [m.context for m in chunk])
            found.resolve(wanted)
            batch = [make_row(m, found.ids[d] if d else None, own) for m, (d, own) in zip(chunk, parts, strict=True)]
            seconds, _ = timed(conn.execute, statement, batch)
            spent, count = spent + seconds, count + len(batch)
        seconds, _ = timed(conn.commit)
    return spent + seconds, count


def stored_bytes(app: App) -> int:
    """What the planned year takes on disk: on SQLite the pages in use (tables and indexes,
    the WAL's pages included); on PostgreSQL the outbox's and notices' relations with
    their indexes and TOAST."""
    with app.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return int(conn.exec_driver_sql(
                "SELECT pg_total_relation_size('outbox') + "
                "coalesce(pg_total_relation_size(to_regclass('notice')), 0)").scalar_one())
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one() - conn.exec_driver_sql(
            "PRAGMA freelist_count").scalar_one()
        return int(pages * conn.exec_driver_sql("PRAGMA page_size").scalar_one())


def _chunks(items: Iterable[PlannedMessage], size: int) -> Iterator[list[PlannedMessage]]:
    items = iter(items)
    while chunk := list(itertools.islice(items, size)):
        yield chunk


def deliver(**message: Any) -> None:
    """The job function of the rejected design (never run here: the jobs are only added)."""


def apscheduler_rate(database: str, sample: list[PlannedMessage]) -> float:
    """Jobs per second added to a SQLAlchemyJobStore on ``database``: one DateTrigger job per
    message, with the message as its arguments, as that design would schedule it."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=database)}, timezone=dt.UTC)
    scheduler.start(paused=True)
    # Due a year from now, so nothing fires while the jobs are added.
    shift = dt.datetime.now(dt.UTC) - YEAR.start + dt.timedelta(days=366)
    try:
        seconds, _ = timed(lambda: [
            scheduler.add_job(deliver, "date", run_date=m.due_at + shift, id=m.key, misfire_grace_time=3600,
                              kwargs={"key": m.key, "kind": m.kind, "channel": m.recipient.channel,
                                      "recipient": m.recipient.name, "address": m.recipient.address,
                                      "expires_at": m.expires_at.isoformat(), "context": dict(m.context)})
            for m in sample
        ])
    finally:
        scheduler.shutdown(wait=False)
    return len(sample) / seconds


def bench(report: Report, label: str, fresh: Callable[[], str], enterprises: int, sample_size: int,
          raw_size: int, runs: int) -> None:
    for run in range(runs):
        progress(f"planning on {label}: run {run + 1}/{runs}")
        app = make_app(fresh(), FixedClock(YEAR.start), enterprises=enterprises, staff=60)
        try:
            seconds, count = timed(generate, app)
            report.add(f"{label} generate only", "msg/s", count / seconds)
            gc.collect()
            seconds, added = timed(plan_year, app)
            assert added == count, f"planned {added} of {count} messages"
            report.add(f"{label} plan a year", "s", seconds)
            report.add(f"{label} plan", "msg/s", added / seconds)
            size = stored_bytes(app)
            report.add(f"{label} outbox size for the year", "MB", size / 1e6)
            report.add(f"{label} bytes per message", "B", size / added)
            seconds, again = timed(plan_year, app)
            assert again == 0, "re-planning inserted rows"
            report.add(f"{label} re-plan the year", "s", seconds)
            target = make_app(fresh(), FixedClock(YEAR.start))
            try:
                seconds, inserted = raw_insert(target, app, raw_size)
            finally:
                target.close()
            report.add(f"{label} raw Core executemany", "msg/s", inserted / seconds)
            with app.sessions() as session:
                sample = list(itertools.islice(messages(app, session), sample_size))
        finally:
            app.close()
        report.add(f"{label} APScheduler job per message", "msg/s", apscheduler_rate(fresh(), sample))
        report.notes[f"{label} messages in the year"] = count
    plan = report.median(f"{label} plan")
    report.ratio(f"{label} plan / raw insert", plan / report.median(f"{label} raw Core executemany"),
                 "share of the raw insert ceiling (target >= 0.5)")
    report.ratio(f"{label} plan / APScheduler", plan / report.median(f"{label} APScheduler job per message"),
                 "times the rate of one APScheduler job per message (target >= 100)")
    report.ratio(f"{label} plan time / re-plan time",
                 report.median(f"{label} plan a year") / report.median(f"{label} re-plan the year"),
                 "re-planning a planned year is this many times faster (target >= 5)")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--enterprises", type=int, default=10_000)
    p.add_argument("--sample", type=int, default=5_000, help="APScheduler jobs added per run")
    p.add_argument("--raw-rows", type=int, default=0,
                   help="rows of the year inserted by the raw baseline (default 0: all of them; a sample "
                        "saves time, and only raises the ceiling: a smaller table inserts faster)")
    p.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only (with --postgres)")
    postgres_option(p)
    args = p.parse_args(argv)
    report = Report("planning a year of pre-holiday and key-period reminders",
                    f"{args.enterprises:,} enterprises, 60 staff, year 2026; median of {args.runs} runs")
    with tempfile.TemporaryDirectory(prefix="safeduty-bench-") as folder:
        counter = itertools.count()
        if not args.no_sqlite:
            bench(report, "sqlite", lambda: f"sqlite:///{Path(folder)}/plan{next(counter)}.db",
                  args.enterprises, args.sample, args.raw_rows, args.runs)
    with postgres_database(args.postgres, report) as fresh_pg:
        if fresh_pg is not None:
            bench(report, "postgresql", fresh_pg, args.enterprises, args.sample, args.raw_rows, args.runs)
    report.show(args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
