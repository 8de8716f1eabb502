"""Warnings: a province-wide red 暴雨 warning matched to 10,000 enterprises.

Each run, on a fresh SQLite database with N enterprises all in Shanxi (scenic areas and
performance venues: every one is matched):
  relay     — "intake" to every row planned: the version is handed to the store the planner
              reads, then relay_now's planning step (the ``warnings`` planner into the outbox,
              one transaction, committed) — the whole path but the dispatch;
  ordinary  — the baseline, same run, same count: as many ordinary reminders (pre-holiday and
              key-period messages with their planned contexts) enqueued into a fresh outbox.
  first     — intake to the first message handed to a channel (the warning's, through relay_now's
              dispatch pass) while --backlog ordinary messages are already due on the same channel;
  backlog   — the baseline, same run, a copy of that database: a dispatch pass's first message
              handed over when only the ordinary backlog waits.
The console channel may take the warning plus a few hundred a minute, so each pass stops after
them instead of writing the whole backlog.

    python -m bench.bench_warnings [--enterprises 10000] [--backlog 100000] [--runs 3] [--json FILE]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bench.common import FixedClock, Report, parser, progress, timed
from bench.project import due_messages, make_app
from scheduler.app import App
from scheduler.outbox import store as outbox
from scheduler.people.models import Enterprise
from scheduler.planners import warnings as relay
from scheduler.warnings import relay_now
from scheduler.warnings.model import Warning

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 7, 20, 14, 0, tzinfo=SHANGHAI)


class ListStore:
    def __init__(self) -> None:
        self.versions: list[Warning] = []

    def versions_since(self, session, since):  # noqa: ANN001, ANN201
        return [w for w in self.versions if w.received_at > since]

    def thread(self, session, thread):  # noqa: ANN001, ANN201
        return [w for w in self.versions if w.thread == thread]

    def in_force(self, session, at):  # noqa: ANN001, ANN201
        return [w for w in self.versions if w.expires is None or w.expires > at]


class FirstSend:
    """A channel that notes when the first message is handed to it, then passes everything on."""

    def __init__(self, channel: Any) -> None:
        self.channel, self.at, self.kind = channel, 0.0, ""

    def send(self, message: Any) -> str:
        if not self.at:
            self.at, self.kind = time.perf_counter(), message.kind
        return self.channel.send(message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.channel, name)


RED = Warning(id=1, thread="14000041600000020260720140000001", identifier="14000041600000020260720140000001",
              version=1, status="Actual", msg_type="Alert", event="暴雨", level="红", onset=T0,
              expires=T0 + dt.timedelta(hours=12), sender_name="山西省气象台", headline="山西省气象台发布暴雨红色预警",
              description="预计未来3小时全省大部将出现100毫米以上降水。", instruction="停止户外活动。",
              area_desc="山西省", geocodes=("140000",), received_at=T0, source="bench")


def main(argv: list[str] | None = None) -> int:
    p = parser(__doc__)
    p.add_argument("--enterprises", type=int, default=10_000)
    p.add_argument("--backlog", type=int, default=100_000)
    args = p.parse_args(argv)
    report = Report("a province-wide red 暴雨 warning", f"{args.enterprises:,} enterprises; median of {args.runs} runs")
    found = ListStore()
    relay._store = lambda: found  # the bench stands in for intake's store
    with tempfile.TemporaryDirectory(prefix="safeduty-bench-") as folder:
        counter = itertools.count()
        for run in range(args.runs):
            progress(f"run {run + 1}/{args.runs}")
            app = make_app(f"sqlite:///{Path(folder)}/w{next(counter)}.db", FixedClock(T0 + dt.timedelta(seconds=1)),
                           enterprises=args.enterprises, staff=60)
            try:
                with app.sessions.begin() as session:
                    session.execute(update(Enterprise).values(category="scenic_area"))
                    session.execute(update(Enterprise).where(Enterprise.id % 2 == 0).values(category="performance"))
                found.versions = []

                def intake(app: App = app) -> int:
                    found.versions.append(RED)
                    return relay_now.relay_now(app.service, dispatch=False)[0]

                seconds, planned = timed(intake)
                report.add("warning: intake → all rows planned", "s", seconds)
                report.add("warning rows planned", "rows", planned)
                ordinary = [dataclasses.replace(m, key=f"{m.key}:{i}") for i, m in
                            enumerate(due_messages(app, planned, "console", T0))]
                baseline = make_app(f"sqlite:///{Path(folder)}/o{next(counter)}.db", FixedClock(T0))
                try:
                    def enqueue(baseline: App = baseline, ordinary: list = ordinary) -> int:
                        with baseline.sessions.begin() as session:
                            return outbox.enqueue(session, iter(ordinary), T0)
                    seconds, count = timed(enqueue)
                finally:
                    baseline.close()
                report.add("ordinary: the same number enqueued", "s", seconds)
            finally:
                app.close()
            warning, ordinary = first_send(Path(folder), f"r{run}", args.enterprises, args.backlog, found)
            report.add(f"warning: intake → first message handed over, {args.backlog:,} due", "s", warning)
            report.add(f"ordinary: pass → first message handed over, {args.backlog:,} due", "s", ordinary)
    report.ratio("warning / ordinary", report.median("warning: intake → all rows planned")
                 / report.median("ordinary: the same number enqueued"),
                 "matching, recipients and contexts cost this many times a plain enqueue (target: < 2 s absolute)")
    report.ratio("first warning / first ordinary", report.median(
        f"warning: intake → first message handed over, {args.backlog:,} due") / report.median(
        f"ordinary: pass → first message handed over, {args.backlog:,} due"),
        "the warning's own planning is most of it (target: < 1 s absolute)")
    report.show(args.json)
    return 0


def first_send(folder: Path, name: str, enterprises: int, backlog: int, found: ListStore) -> tuple[float, float]:
    """(intake → the warning's first message handed to the channel, a pass → the first ordinary
    message handed over on a copy of the same database), both with ``backlog`` ordinary due."""
    path = folder / f"{name}.db"
    rate = f"rate_per_minute = {enterprises + 300}"  # the warning's messages and a few ordinary ones
    app = make_app(f"sqlite:///{path}", FixedClock(T0 + dt.timedelta(seconds=1)), enterprises=enterprises,
                   staff=60, console=rate)
    try:
        with app.sessions.begin() as session:
            session.execute(update(Enterprise).values(category="scenic_area"))
        progress(f"  {backlog:,} ordinary messages due")
        picked = due_messages(app, min(backlog, 20_000), "console", T0)
        with app.sessions.begin() as session:
            outbox.enqueue(session, (dataclasses.replace(m, key=f"{m.key}:{i}") for i, m in
                                     enumerate(itertools.islice(itertools.cycle(picked), backlog))), T0)
    finally:
        app.close()
    shutil.copy(path, folder / f"{name}-copy.db")
    measured = []
    for db, warn in ((path, True), (folder / f"{name}-copy.db", False)):
        # make_app writes the generated enterprises afresh (the baseline's copy needs none)
        app = make_app(f"sqlite:///{db}", FixedClock(T0 + dt.timedelta(seconds=1)),
                       enterprises=enterprises if warn else 0, staff=60, console=rate)
        try:
            with app.sessions.begin() as session:
                session.execute(update(Enterprise).values(category="scenic_area"))
            recorder = app.channels["console"] = FirstSend(app.channels["console"])
            found.versions = []
            start = time.perf_counter()
            if warn:
                found.versions.append(RED)
                relay_now.relay_now(app.service)
            else:
                app.dispatcher.dispatch_due()
            if warn != recorder.kind.startswith("warnings/"):
                raise SystemExit(f"bench_warnings: the first message handed over was {recorder.kind!r}")
            measured.append(recorder.at - start)
        finally:
            app.close()
    return measured[0], measured[1]


if __name__ == "__main__":
    raise SystemExit(main())
