"""Prometheus metrics: what this process did (sends, their latency, planning ticks), and what
the database holds (outbox by status, the oldest due message, targets, planner ticks), computed
at scrape time.

Two plain functions feed this process's series:

    metrics.observe_send(target, outcome, seconds)   # every attempt, with its Outcome
    metrics.observe_tick(planner, seconds)           # every planner's completed tick

They are called from wrappers put around the channels and the planners where the app is wired
(``timed_channels``, ``timed_planners`` in ``scheduler.app``): neither the dispatcher nor the
service loop carries a line of metrics code, and a restructured dispatcher is counted the same.

Those counters live in this process (a module-level registry, as prometheus-client's own
default is: they count what this replica did). The database-derived gauges are the same on every
replica (one shared database), so alerting rules take ``max`` of them over instances.

Labels are bounded: ``target`` is a channel named in config (the outbox's channel column),
``outcome`` one of the delivery outcomes (anything else counts as "other"), ``planner`` one of the planners, ``status`` one of
the outbox statuses. No message key, recipient or enterprise name ever becomes a label.
"""

from __future__ import annotations

import datetime as dt
import logging
import platform
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata as package_metadata
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, Info, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from scheduler.channels.base import DeliveryError

Planner = Callable[[Any, Any], Iterable[Any]]

log = logging.getLogger("safeduty.metrics")

OUTCOMES = ("sent", "transient", "throttled", "permanent", "config")
# The classic text format (what generate_latest writes for these names), which every Prometheus
# 2.x reads; newer clients announce version=1.0.0, which Debian 12's Prometheus 2.42 predates.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
disable_created_metrics()  # no `_created` series beside every counter: nothing here reads them

_SENDS = Counter("safeduty_sends", "Delivery attempts by target (a configured channel) and outcome.",
                 ["target", "outcome"], registry=None)
_SEND_SECONDS = Histogram("safeduty_send_duration_seconds", "How long one delivery attempt took, by target.",
                          ["target"], registry=None,
                          buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30, 60))
_TICK_SECONDS = Histogram("safeduty_planning_tick_duration_seconds",
                          "How long one planner took to plan one tick's window, by planner.", ["planner"],
                          registry=None, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
_BUILD = Info("safeduty_build", "The running safeduty: its version and Python's.", registry=None)


def _version() -> str:
    try:
        return package_metadata.version("safeduty")
    except package_metadata.PackageNotFoundError:
        return "unknown"


_BUILD.info({"version": _version(), "python": platform.python_version()})


def observe_send(target: str, outcome: str, seconds: float) -> None:
    """One delivery attempt: its target, its outcome (an Outcome or its value), how long it took."""
    outcome = str(getattr(outcome, "value", outcome))
    _SENDS.labels(target, outcome if outcome in OUTCOMES else "other").inc()
    _SEND_SECONDS.labels(target).observe(max(0.0, seconds))


class TimedChannel:
    """A channel whose every send is counted by its outcome and timed (``observe_send``); the
    rest is the channel's own. Wired once in ``scheduler.app``, so the dispatcher, however it is
    arranged, carries no metrics code: what it sends goes through here. The labelled series are
    looked up once (about 2 µs a send in all, against some 400 µs for a webhook)."""

    def __init__(self, name: str, channel: Any) -> None:
        self.name = name
        self.channel = channel
        self._seconds = _SEND_SECONDS.labels(name)
        self._outcomes = {outcome: _SENDS.labels(name, outcome) for outcome in OUTCOMES}

    def send(self, message: Any) -> str:
        started = time.perf_counter()
        outcome = "permanent"  # an unexpected error: the dispatcher gives the message up so
        try:
            receipt: str = self.channel.send(message)
            outcome = "sent"
            return receipt
        except DeliveryError as error:
            outcome = str(error.outcome.value)
            raise
        finally:
            self._seconds.observe(time.perf_counter() - started)
            self._outcomes.get(outcome, self._outcomes["permanent"]).inc()

    def end_batch(self) -> None:
        self.channel.end_batch()

    def close(self) -> None:
        self.channel.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.channel, name)


def timed_channels(channels: Mapping[str, Any]) -> dict[str, Any]:
    return {name: TimedChannel(name, channel) for name, channel in channels.items()}


def observe_tick(planner: str, seconds: float) -> None:
    """One planner's completed tick and how long it took."""
    _TICK_SECONDS.labels(planner).observe(max(0.0, seconds))


def timed_planners(planners: Mapping[str, Planner], clock: Any) -> dict[str, Planner]:
    """The same planners, each timed from its first message to its last as the service consumes
    them (planning and storing a tick's window): wired once in ``scheduler.app``, so neither the
    planners nor the service loop carry any metrics code. Only ticks are observed, windows that
    end by now: a look ahead (the next messages shown at start) is not a tick."""

    def timed(name: str, planner: Planner) -> Planner:
        def plan(ctx: Any, window: Any) -> Iterator[Any]:
            started = time.perf_counter()
            yield from planner(ctx, window)
            if window.end <= clock.now():  # a failed tick is not observed either
                observe_tick(name, time.perf_counter() - started)

        return plan

    return {name: timed(name, planner) for name, planner in planners.items()}


# Scrape-time gauges from the database


@dataclass(frozen=True)
class GaugeSource:
    """A gauge read from the database at scrape time: ``read(session, now)`` gives a value per
    tuple of label values (an area adds one for what it owns, e.g. receipts outstanding)."""

    name: str
    help: str
    labels: tuple[str, ...]
    read: Callable[[Session, dt.datetime], dict[tuple[str, ...], float]]


class DatabaseCollector(Collector):
    """Computes the database-derived gauges at each scrape (with a short read-only session). A
    database that cannot be read gives ``safeduty_database_up 0`` instead of failing the scrape."""

    def __init__(self, sessions: sessionmaker[Session], config: Any, clock: Any,
                 sources: Sequence[GaugeSource] = ()) -> None:
        self.sessions = sessions
        self.config = config
        self.clock = clock
        self.sources = (*standard_sources(config), *sources)

    def describe(self) -> Iterable[Metric]:
        return [GaugeMetricFamily("safeduty_database_up", "1 when the database answered this scrape.")]

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("safeduty_database_up", "1 when the database answered this scrape.")
        families = []
        try:
            now = self.clock.now()
            with self.sessions() as session:
                for source in self.sources:
                    family = GaugeMetricFamily(source.name, source.help, labels=source.labels)
                    for labels, value in sorted(source.read(session, now).items()):
                        family.add_metric(list(labels), value)
                    families.append(family)
        except Exception:  # the database is down or busy: say so, keep the process metrics
            log.warning("metrics: the database could not be read for this scrape", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def standard_sources(config: Any) -> list[GaugeSource]:
    from scheduler import state
    from scheduler.outbox import health
    from scheduler.outbox.models import Status
    from scheduler.planners import PLANNERS

    def outbox(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        counts: dict[tuple[str, ...], float] = {
            (status, channel): float(n) for (status, channel), n in health.counts_by_status(session).items()}
        for channel in {c for _, c in counts} | set(config.channels):  # zeros too, for the rules
            for status in Status:
                counts.setdefault((status.value, channel), 0.0)
        return counts

    def oldest_due(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        return {(): health.backlog(session, now).oldest_age(now).total_seconds()}

    def due(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        return {(): float(health.backlog(session, now).due)}

    def ended(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        zone = config.service.zone
        since = dt.datetime.combine(now.astimezone(zone).date() - dt.timedelta(days=1), dt.time(), zone)
        return {(status,): float(n) for status, n in health.ended_since(session, since).items()}

    def ticks(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        stored = state.ticks(session)
        # A planner that never ticked is as old as can be: shown as the age since the epoch.
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return {(name,): (now - stored.get(name, epoch)).total_seconds() for name in PLANNERS}

    def receipts(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        return {(kind,): float(n) for kind, n in receipts_outstanding(session, config, now - RECEIPTS_WITHIN).items()}

    def warnings(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
        from scheduler.warnings import store as warning_store
        from scheduler.warnings.model import LEVELS

        found = dict.fromkeys(LEVELS, 0.0)
        for warning in warning_store.in_force(session, now):
            found[warning.level] += 1
        return {(level,): n for level, n in found.items()}

    def targets(kind: str) -> Callable[[Session, dt.datetime], dict[tuple[str, ...], float]]:
        def read(session: Session, now: dt.datetime) -> dict[tuple[str, ...], float]:
            troubled = {t.name: t for t in health.troubled_targets(session, now)}
            names = set(config.channels) | set(troubled)
            if kind == "paused":
                return {(n,): float(n in troubled and troubled[n].paused_until is not None) for n in names}
            return {(n,): float(n in troubled and troubled[n].unhealthy_since is not None) for n in names}

        return read

    return [
        GaugeSource("safeduty_outbox_messages", "Messages in the outbox, by status and channel.",
                    ("status", "channel"), outbox),
        GaugeSource("safeduty_outbox_due_messages", "Messages that may go now and have not gone.", (), due),
        GaugeSource("safeduty_outbox_oldest_due_age_seconds",
                    "How long the oldest message that may go now has waited (0 when none waits).", (), oldest_due),
        GaugeSource("safeduty_outbox_ended_since_yesterday",
                    "Messages that ended dead or expired since 00:00 yesterday (service zone).", ("status",), ended),
        GaugeSource("safeduty_planner_last_tick_age_seconds",
                    "Seconds since each planner's last completed tick.", ("planner",), ticks),
        GaugeSource("safeduty_receipts_outstanding",
                    "Tasks asked for a receipt in the last 7 days and not answered yet, by message kind.",
                    ("kind",), receipts),
        GaugeSource("safeduty_warnings_in_force",
                    "Weather/emergency warnings in force now (latest version not cancelled or expired), by level "
                    "(红 橙 黄 蓝).", ("level",), warnings),
        GaugeSource("safeduty_target_paused", "1 while a target is paused (throttled or failing as a whole).",
                    ("target",), targets("paused")),
        GaugeSource("safeduty_target_unhealthy",
                    "1 while a target is marked unhealthy (configuration errors: it sends nothing).",
                    ("target",), targets("unhealthy")),
    ]


RECEIPTS_WITHIN = dt.timedelta(days=7)  # a notice's chase (T-14 → T-5 → T-2) is over within days


def receipts_outstanding(session: Session, config: Any, since: dt.datetime) -> dict[str, int]:
    """Per message kind that asks for a receipt: the tasks asked by messages sent since ``since``
    that have no receipt standing (receipts' own rules: scheduler/receipts/policy.py, stats.py)."""
    from sqlalchemy import select

    from scheduler.outbox.models import OutboxMessage, Status
    from scheduler.receipts.policy import asks_whom, party_of, task_of
    from scheduler.receipts.stats import receipts_of

    asking = {kind: spec.who for kind, spec in config.receipts.kinds.items() if spec.receipt != "none"}
    if not asking:
        return {}
    rows = session.execute(select(OutboxMessage.kind, OutboxMessage.key, OutboxMessage.recipient_key).where(
        OutboxMessage.status == Status.SENT, OutboxMessage.kind.in_(sorted(asking)), OutboxMessage.sent_at >= since))
    tasks = {task_of(key, recipient): kind for kind, key, recipient in rows
             if asks_whom(asking[kind], party_of(recipient))}
    answered = receipts_of(session, set(tasks))
    found = dict.fromkeys(asking, 0)
    for task, kind in tasks.items():
        found[kind] += task not in answered
    return found


def registry(sessions: sessionmaker[Session], config: Any, clock: Any,
             sources: Sequence[GaugeSource] = ()) -> CollectorRegistry:
    """A registry for one /metrics endpoint: this process's counters, the standard process and
    Python collectors, and the database gauges."""
    found = CollectorRegistry(auto_describe=True)
    for metric in (_SENDS, _SEND_SECONDS, _TICK_SECONDS, _BUILD):
        found.register(metric)
    ProcessCollector(registry=found)
    PlatformCollector(registry=found)
    GCCollector(registry=found)
    found.register(DatabaseCollector(sessions, config, clock, sources))
    return found


def exposition(metrics: CollectorRegistry) -> bytes:
    """The text exposition format of ``metrics`` (serve it with CONTENT_TYPE)."""
    return generate_latest(metrics)
