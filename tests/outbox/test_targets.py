from __future__ import annotations

import datetime as dt

from scheduler.outbox.targets import DeliveryTarget, Limits, record_claims

NOW = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)


def target(**values: object) -> DeliveryTarget:
    return DeliveryTarget(name="bot", recent=[], failures=0, config_errors=0, **values)


def test_a_per_minute_budget_counts_claims_in_the_last_60_seconds() -> None:
    limits = Limits(per_minute=20)
    bot = target()
    record_claims(bot, 15, NOW - dt.timedelta(seconds=59))
    assert limits.budget(bot.recent, NOW) == 5
    assert limits.budget(bot.recent, NOW + dt.timedelta(seconds=1)) == 20


def test_the_window_never_admits_more_than_the_limit_in_any_minute() -> None:
    limits = Limits(per_minute=20)
    bot = target()
    sent = []
    for second in range(0, 300, 7):  # claim greedily every 7 s for 5 minutes
        moment = NOW + dt.timedelta(seconds=second)
        n = limits.budget(bot.recent, moment)
        record_claims(bot, n, moment)
        sent += [second] * n
    assert max(sum(1 for s in sent if start <= s < start + 60) for start in range(300)) == 20


def test_both_per_second_and_per_minute_limits_apply() -> None:
    limits = Limits(per_minute=100, per_second=5)
    bot = target()
    assert limits.budget(bot.recent, NOW) == 5
    record_claims(bot, 5, NOW)
    assert limits.budget(bot.recent, NOW) == 0
    assert limits.budget(bot.recent, NOW + dt.timedelta(seconds=1.5)) == 5


def test_an_unlimited_target_always_has_room() -> None:
    assert not Limits().limited
    assert Limits().budget([], NOW) > 10**6


def test_capacity_over_a_horizon_adds_the_refill_and_loses_the_pause() -> None:
    limits = Limits(per_minute=20)
    assert limits.capacity(target(), NOW, dt.timedelta(minutes=5)) == 20 + 100
    paused = target(paused_until=NOW + dt.timedelta(minutes=4))
    assert limits.capacity(paused, NOW, dt.timedelta(minutes=5)) == 20 + 20
    assert limits.capacity(target(paused_until=NOW + dt.timedelta(minutes=10)), NOW, dt.timedelta(minutes=5)) == 0


def test_a_pause_only_ever_grows() -> None:
    bot = target()
    bot.pause(NOW + dt.timedelta(minutes=10), "130101")
    bot.pause(NOW + dt.timedelta(minutes=1), "later, shorter")
    assert bot.paused_until == NOW + dt.timedelta(minutes=10) and bot.pause_reason == "130101"
    assert bot.paused(NOW) and not bot.paused(NOW + dt.timedelta(minutes=10))
