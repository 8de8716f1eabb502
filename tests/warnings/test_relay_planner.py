"""The warnings planner over the example data, the roster and the outbox (intake's store stood
in by a list of versions with the same three calls)."""

from __future__ import annotations

import datetime as dt

import pytest

from scheduler.app import App
from scheduler.outbox.planned import URGENT
from scheduler.planners import warnings as relay
from scheduler.warnings.model import Warning
from tests.receipts.helpers import answer, mark_sent, plan_until, rows
from tests.rosters.conftest import generate
from tests.warnings.factory import T0, warning


class ListStore:
    def __init__(self) -> None:
        self.versions: list[Warning] = []

    def versions_since(self, session, since: dt.datetime) -> list[Warning]:  # noqa: ANN001
        return sorted((w for w in self.versions if w.received_at > since), key=lambda w: (w.received_at, w.id))

    def thread(self, session, thread: str) -> list[Warning]:  # noqa: ANN001
        return sorted((w for w in self.versions if w.thread == thread), key=lambda w: w.version)

    def in_force(self, session, at: dt.datetime) -> list[Warning]:  # noqa: ANN001
        return [w for w in self.versions if w.expires is None or w.expires > at]


@pytest.fixture
def store(shipped: App, monkeypatch: pytest.MonkeyPatch) -> ListStore:
    found = ListStore()
    monkeypatch.setattr(relay, "_store", lambda: found)
    shipped.service.planners = {**shipped.service.planners, "warnings": relay.plan}
    generate(shipped, dt.date(2026, 7, 1), dt.date(2026, 7, 31))
    plan_until(shipped, T0 - dt.timedelta(minutes=5))
    return found


def test_red_warning_reaches_the_city_venues_the_officer_and_leader_then_follow_ups(shipped: App,
                                                                                   store: ListStore) -> None:
    store.versions.append(warning(expires=T0 + dt.timedelta(hours=5)))
    plan_until(shipped, T0 + dt.timedelta(seconds=1))
    sent = rows(shipped, relay.ALERT)
    keys = {m.recipient_key for m in sent}
    assert "enterprise:91140100EX0000001A:warning_contact" in keys  # 晋祠 (its 预警联系人)
    assert any(k.startswith("enterprise:91140100EX0000006F:") for k in keys)  # 并州大剧院 (performance)
    assert not any("91140200" in k or "91140100EX0000003C" in k for k in keys)  # 大同; the KTV
    staff = {k for k in keys if k.startswith("staff:")}
    assert len(staff) >= 2  # the day's duty officer and leader (and the section head)
    assert all(m.priority == URGENT for m in sent)
    mark_sent(shipped)
    answer(shipped, next(m.key for m in sent if "91140100EX0000001A" in m.recipient_key))

    plan_until(shipped, T0 + dt.timedelta(minutes=31))
    resent = rows(shipped, "warnings/resend")
    assert resent and all("91140100EX0000006F" in m.recipient_key for m in resent)
    listing = rows(shipped, "warnings/unconfirmed")
    assert listing and all(m.recipient_key.startswith("staff:") for m in listing)
    assert [v["name"].split(" ")[0] for v in listing[0].context["venues"]] == ["并州大剧院（示例）"]
    mark_sent(shipped)

    plan_until(shipped, T0 + dt.timedelta(hours=2, minutes=1))
    reports = rows(shipped, "warnings/status")
    assert len({m.key.rsplit(":", 1)[0] for m in reports}) == 1  # one report time so far (T0 + 2 h)
    assert reports[0].context["confirmed"] == ["晋祠山水文化旅游区（示例）"]
    assert reports[0].context["waiting"] == ["并州大剧院（示例）"]

    plan_until(shipped, T0 + dt.timedelta(hours=5, minutes=1))
    ended = rows(shipped, relay.CANCEL)
    assert ended and all(m.context["expired"] and m.key.startswith(f"warning:{warning().thread}:expired:")
                         for m in ended)
    assert {m.recipient_key for m in ended} >= {m.recipient_key for m in sent}


def test_update_and_cancel_follow_to_the_same_people(shipped: App, store: ListStore) -> None:
    first = warning()
    store.versions.append(first)
    plan_until(shipped, T0 + dt.timedelta(seconds=1))
    update = warning(id=2, version=2, msg_type="Update", identifier="u2", level="橙",
                     received_at=T0 + dt.timedelta(minutes=10))
    store.versions.append(update)
    plan_until(shipped, T0 + dt.timedelta(minutes=10, seconds=1))
    cancel = warning(id=3, version=3, msg_type="Cancel", identifier="c3", received_at=T0 + dt.timedelta(minutes=40))
    store.versions.append(cancel)
    plan_until(shipped, T0 + dt.timedelta(minutes=40, seconds=1))
    alerts = {m.recipient_key for m in rows(shipped, relay.ALERT)}
    updates = {m.recipient_key for m in rows(shipped, relay.UPDATE)}
    cancels = {m.recipient_key for m in rows(shipped, relay.CANCEL)}
    enterprises = {k for k in alerts if k.startswith("enterprise:")}
    assert enterprises <= updates and enterprises <= cancels
    assert not any(m.context["expired"] for m in rows(shipped, relay.CANCEL))


def test_relay_now_plans_and_hands_the_warning_to_a_channel_without_waiting_for_a_tick(
        shipped: App, store: ListStore) -> None:
    from scheduler.warnings.relay_now import relay_now

    shipped.clock.set(T0 + dt.timedelta(seconds=1))  # type: ignore[attr-defined]
    store.versions.append(warning(received_at=T0))
    planned, sent = relay_now(shipped.service)
    assert planned >= 4 and sent >= planned
    out = shipped.loaded.resolve("var/console.jsonl").read_text(encoding="utf-8")
    lines = [line for line in out.splitlines() if "暴雨红色预警" in line]
    assert len(lines) >= 4 and all("/r/" in line for line in lines if "预警联系人" in line)
    assert relay_now(shipped.service)[0] == 0  # planned once only: the keys are already in the outbox
