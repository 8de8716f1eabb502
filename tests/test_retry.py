from __future__ import annotations

import datetime as dt

from scheduler.channels.base import Outcome
from scheduler.retry import RetryPolicy

NOW = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
POLICY = RetryPolicy(base=dt.timedelta(seconds=10), cap=dt.timedelta(minutes=15), max_age=dt.timedelta(hours=24))


def test_the_wait_is_full_jitter_under_an_exponential_ceiling() -> None:
    assert POLICY.next_attempt(Outcome.TRANSIENT, 1, NOW, NOW, rand=lambda: 1.0) == NOW + dt.timedelta(seconds=10)
    assert POLICY.next_attempt(Outcome.TRANSIENT, 4, NOW, NOW, rand=lambda: 1.0) == NOW + dt.timedelta(seconds=80)
    assert POLICY.next_attempt(Outcome.TRANSIENT, 4, NOW, NOW, rand=lambda: 0.25) == NOW + dt.timedelta(seconds=20)


def test_the_ceiling_stops_at_the_cap() -> None:
    assert POLICY.next_attempt(Outcome.TRANSIENT, 40, NOW, NOW, rand=lambda: 1.0) == NOW + dt.timedelta(minutes=15)


def test_retry_after_is_a_floor_never_shortened() -> None:
    when = POLICY.next_attempt(Outcome.THROTTLED, 1, NOW, NOW, dt.timedelta(minutes=10), rand=lambda: 0.5)
    assert when == NOW + dt.timedelta(minutes=10)


def test_permanent_and_configuration_errors_are_never_retried() -> None:
    assert POLICY.next_attempt(Outcome.PERMANENT, 1, NOW, NOW, rand=lambda: 0.5) is None
    assert POLICY.next_attempt(Outcome.CONFIG, 1, NOW, NOW, rand=lambda: 0.5) is None


def test_past_the_maximum_age_it_gives_up() -> None:
    since = NOW - dt.timedelta(hours=23, minutes=59)
    assert POLICY.next_attempt(Outcome.TRANSIENT, 20, since, NOW, rand=lambda: 1.0) is None
    assert POLICY.next_attempt(Outcome.TRANSIENT, 20, since, NOW, rand=lambda: 0.0) is not None
