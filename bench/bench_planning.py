"""Planning: a whole year of pre-holiday and key-period reminders for 10,000 enterprises.

Compared, on the same database in the same run, with
  (a) the raw ceiling: the same rows inserted with one SQLAlchemy Core executemany;
  (b) the design we rejected: one APScheduler DateTrigger job per message in a
      SQLAlchemyJobStore (a sample, extrapolated per message).
Re-planning the same year (every key already present) is timed too.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from sqlalchemy import MetaData, insert

from bench.common import Report, parser, progress, timed
from bench.project import make_app, reset_postgres
from scheduler.outbox import store
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import Window

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
YEAR = Window(dt.datetime(2026, 1, 1, tzinfo=SHANGHAI), dt.datetime(2027, 1, 1, tzinfo=SHANGHAI))
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/safeduty_bench"
REMINDER_PLANNERS = ("preholiday", "key_periods")


class FixedClock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment


def plan_year(app) -> int:  # type: ignore[no-untyped-def]
    """What the service's planning tick does, over a whole year, for the reminder planners."""
    with app.sessions.begin() as session:
        ctx = app.service.context(session)
        messages = (m for name in REMINDER_PLANNERS for m in app.service.planners[name](ctx, YEAR))
        return store.enqueue(session, messages, YEAR.start)


def raw_rows(app) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    with app.sessions() as session:
        ctx = app.service.context(session)
        messages = [m for name in REMINDER_PLANNERS for m in app.service.planners[name](ctx, YEAR)]
    return [store._row(m, YEAR.start) for m in messages]


def raw_insert(database: str, rows: list[dict[str, object]]) -> None:
    app = make_app(database, FixedClock(YEAR.start))
    try:
        with app.sessions.begin() as session:
            session.execute(insert(OutboxMessage), rows)
    finally:
        app.close()


def apscheduler_jobs(database: str, count: int) -> float:
    """Seconds to add ``count`` DateTrigger jobs to a SQLAlchemyJobStore on ``database``."""
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=database)}, timezone=dt.UTC)
    scheduler.start(paused=True)
    try:
        when = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
        seconds, _ = timed(lambda: [
            scheduler.add_job(print, "date", run_date=when + dt.timedelta(seconds=i), args=[i], id=f"job{i}")
            for i in range(count)
        ])
    finally:
        scheduler.shutdown(wait=False)
    return seconds


def bench(report: Report, label: str, fresh_database, enterprises: int, sample: int, runs: int) -> None:  # type: ignore[no-untyped-def]
    for run in range(runs):
        progress(f"{label}: run {run + 1}/{runs}")
        app = make_app(fresh_database(), FixedClock(YEAR.start), enterprises=enterprises, staff=60)
        try:
            seconds, rows = timed(lambda: plan_year(app))
            report.add(f"{label} plan a year", "s", seconds)
            report.add(f"{label} plan rate", "msg/s", rows / seconds)
            again, added = timed(lambda: plan_year(app))
            assert added == 0, "re-planning inserted rows"
            report.add(f"{label} re-plan a year", "s", again)
            planned = raw_rows(app)
        finally:
            app.close()
        seconds, _ = timed(lambda: raw_insert(fresh_database(), planned))
        report.add(f"{label} raw executemany", "msg/s", len(planned) / seconds)
        seconds = apscheduler_jobs(fresh_database(), sample)
        report.add(f"{label} APScheduler job store", "msg/s", sample / seconds)
        report.notes[f"{label} messages per year"] = len(planned)
    plan = report.median(f"{label} plan rate")
    report.ratio(f"{label} planning / raw insert", plan / report.median(f"{label} raw executemany"),
                 "share of the raw insert ceiling (target ≥ 0.5)")
    report.ratio(f"{label} planning / APScheduler jobs", plan / report.median(f"{label} APScheduler job store"),
                 "times faster than one job per message (target ≥ 100)")
    report.ratio(f"{label} plan / re-plan", report.median(f"{label} plan a year") / report.median(f"{label} re-plan a year"),
                 "re-planning an already planned year is this many times faster (target ≥ 5)")


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    args.enterprises = getattr(args, "enterprises", 10_000)
    report = Report("planning a year of reminders")
    folder = Path(tempfile.mkdtemp(prefix="safeduty-bench-"))
    counter = iter(range(1_000_000))
    bench(report, "sqlite", lambda: f"sqlite:///{folder}/plan{next(counter)}.db", 10_000, 5_000, args.runs)
    if reset_postgres(PG_URL):
        bench(report, "postgres", lambda: reset_postgres(PG_URL), 10_000, 5_000, args.runs)
    else:
        report.notes["postgres"] = "skipped: no PostgreSQL server at 127.0.0.1:5432"
    report.show(args.json)


if __name__ == "__main__":
    main()
