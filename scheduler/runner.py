"""`safeduty run`: APScheduler wakes the service; nothing important lives in its memory."""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.exc import InterfaceError, OperationalError

from scheduler.app import App
from scheduler.db import sqlite_path
from scheduler.lock import InstanceLock
from scheduler.outbox import prune as retention
from scheduler.service import Service
from scheduler.tabular import DataError

log = logging.getLogger("safeduty.run")

CLOCK_CHECK_S = 1.0  # how often the passes' schedule is checked for a step back of the clock
CLOCK_SLACK = dt.timedelta(seconds=1)
UPCOMING_HORIZON = dt.timedelta(days=30)
UPCOMING_SHOWN = 8


def run(app: App, *, once: bool = False) -> None:
    """Plan and deliver until SIGTERM/SIGINT; with [web] enabled, serve the web interface beside
    (a thread of this process, started before the start-up pass, stopped after the scheduler).
    ``once``: one pass, nothing served."""
    # Handlers first: a SIGTERM during the start-up pass lets the pass finish, then stops.
    stopping = threading.Event()

    def stop(signum: int, _: FrameType | None) -> None:
        if not stopping.is_set():
            log.info("received %s, stopping after the current pass", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    lock = _lock_for(app)
    if lock is not None:
        lock.acquire()
    web = None
    try:
        if not once and app.config.web.enabled:
            web = _start_web(app)
        service = app.service
        try:
            planned, sent = service.run_once()
            log.info("start-up pass: %d new message(s) planned, %d sent", planned, sent)
            if not once and not stopping.is_set():
                _log_upcoming(app)
        except (OperationalError, InterfaceError):
            if once:
                raise
            # Like any later pass: a connection lost mid-pass (the database restarting, a killed
            # backend) is retried on the next tick, not a reason to stop the service.
            log.exception("start-up pass failed; will retry on the next tick")
        if once or stopping.is_set():
            return
        _serve(app, stopping)
    finally:
        if web is not None:
            web.stop()
            log.info("web interface stopped")
        app.close()
        if lock is not None:
            lock.release()


def _start_web(app: App):  # type: ignore[no-untyped-def]
    from scheduler.web import serving  # Flask is imported only when the web interface is served

    server = serving.build(app)  # binds now: a port in use stops the start (ListenError)
    server.start()
    log.info("web interface: %s (base_url %s); sign in as a member of staff once an admin has run "
             "`safeduty user set-password 工号`", server.url, app.config.web.base_url or "not set")
    return server


def _lock_for(app: App) -> InstanceLock | None:
    path = sqlite_path(app.loaded.database_url)
    return InstanceLock(path.with_name(path.name + ".lock")) if path is not None else None


def _log_upcoming(app: App) -> None:
    upcoming = app.service.upcoming(UPCOMING_HORIZON, UPCOMING_SHOWN)
    if not upcoming:
        log.info("nothing planned in the next %d days", UPCOMING_HORIZON.days)
        return
    zone = app.config.service.zone
    log.info("next %d message(s):", len(upcoming))
    for message in upcoming:
        when = message.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        log.info("  %s  %-28s -> %s (%s)", when, message.kind, message.recipient.name, message.recipient.channel)


def _serve(app: App, stopping: threading.Event) -> None:
    """APScheduler's threads run the passes; the main thread waits for a signal.

    (A BackgroundScheduler rather than a BlockingScheduler: a signal that arrives while a
    BlockingScheduler is still starting cannot shut it down.)
    """
    service = app.service
    config = app.config
    scheduler = BackgroundScheduler(timezone=dt.UTC)
    job_defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(_guarded(service.plan_due), "interval",
                      seconds=config.service.plan_every.total_seconds(), id="plan", **job_defaults)
    scheduler.add_job(_guarded(service.dispatcher.dispatch_due), "interval",
                      seconds=config.service.dispatch_every.total_seconds(), id="dispatch", **job_defaults)
    scheduler.add_job(_guarded(_sync(service)), "interval",
                      seconds=config.data.sync_every.total_seconds(), id="sync", **job_defaults)
    scheduler.add_job(_guarded(retention.daily(app.sessions, app.clock, config.outbox)), "interval",
                      seconds=retention.DAILY.total_seconds(), next_run_time=app.clock.now() + retention.FIRST_DAILY_PASS,
                      id="prune", **job_defaults)
    if config.warnings.inbox:  # the watched folder of CAP warnings ([warnings] inbox)
        from scheduler.warnings.inbox import scan_app

        scheduler.add_job(_guarded(lambda: scan_app(app)), "interval",
                          seconds=config.warnings.scan_every.total_seconds(), id="warnings-inbox", **job_defaults)
    poller = None
    if config.warnings.feeds:  # CAP feeds ([warnings.feeds.NAME]): each polled when its stored state says
        from scheduler.warnings.feeds import TICK, Poller

        poller = Poller(app)
        tick = min([TICK, *(min(f.interval, f.retry_first) for f in config.warnings.feeds.values())])
        scheduler.add_job(_guarded(poller.run), "interval", seconds=tick.total_seconds(), id="warnings-feeds",
                          **job_defaults)
    log.info("running; planning every %gs, dispatching every %gs (Ctrl-C to stop)",
             config.service.plan_every.total_seconds(), config.service.dispatch_every.total_seconds())
    scheduler.start()
    while not stopping.wait(CLOCK_CHECK_S):
        _undo_clock_step(scheduler, app.clock.now())
    scheduler.shutdown(wait=True)  # lets a pass in flight finish and settle its rows
    if poller is not None:
        poller.close()
    log.info("stopped")


def _undo_clock_step(scheduler: BackgroundScheduler, now: dt.datetime) -> None:
    """APScheduler sets each next run from the wall clock. When the clock steps back (an NTP
    correction, a restored VM snapshot), the next runs stay at the old times, further away than
    one interval: nothing would be planned or sent until the clock caught up. Run them now."""
    for job in scheduler.get_jobs():
        interval: dt.timedelta = job.trigger.interval  # type: ignore[attr-defined]
        if job.next_run_time is not None and job.next_run_time - now > interval + CLOCK_SLACK:
            log.warning("the system clock went back: the %s pass was due in %s (it runs every %s); running it now",
                        job.id, job.next_run_time - now, interval)
            job.modify(next_run_time=now)


def _sync(service: Service):  # type: ignore[no-untyped-def]
    """A data file edited into a bad state is refused; the service keeps the data it had."""

    def sync_data() -> None:
        try:
            service.sync_data()
        except DataError as exc:
            log.error("a data file was not imported; keeping the previous data. Fix it (see "
                      "`safeduty check`):\n  %s", "\n  ".join(exc.problems))

    return sync_data


def _guarded(step):  # type: ignore[no-untyped-def]
    """Log a failing pass and carry on: the next tick retries (the database may be restarting)."""

    def run_step() -> None:
        try:
            step()
        except Exception:
            log.exception("%s failed; will retry on the next tick", step.__name__)

    run_step.__name__ = step.__name__
    return run_step
