from __future__ import annotations

import datetime as dt

from scheduler.warnings import followups
from tests.warnings.factory import T0, warning
from tests.warnings.test_relay import LEADER, OFFICER, _plan, _render


def _originals(config, w):
    return _plan(config, w).messages


def _tasks(config, originals):
    return {a.task for _, a in followups._asks(config, originals)}


def test_unconfirmed_venues_get_it_once_more_after_30_minutes_and_the_officer_the_list(config) -> None:
    w = warning()
    originals = _originals(config, w)
    tasks = sorted(_tasks(config, originals))
    assert len(tasks) == 3  # RAFT, SHOW, PARK (staff are not chased)
    raft = next(t for t in tasks if "RAFT" in t)
    found = list(followups.resends(config, w, originals, {raft}, [OFFICER]))
    resent = [m for m in found if m.kind == followups.RESEND]
    assert {m.recipient.key for m in resent} == {"enterprise:SHOW:safety_manager", "enterprise:PARK:principal"}
    assert all(m.due_at == T0 + dt.timedelta(minutes=30) and m.topic.startswith("receipt:") for m in resent)
    listed = [m for m in found if m.kind == followups.UNCONFIRMED]
    assert [m.recipient.key for m in listed] == ["staff:S1"] and len(listed[0].context["venues"]) == 2
    text = _render(config, listed[0])
    assert "以下2家单位仍未确认" in text and "示例PARK" in text and "13900000301" in text
    again = _render(config, resent[0], receipt_url="http://127.0.0.1/r/X", receipt_form="confirm",
                    receipt_names_person=False)
    assert "尚未确认" in again and "http://127.0.0.1/r/X" in again


def test_all_confirmed_means_no_resend_and_no_list(config) -> None:
    w = warning()
    originals = _originals(config, w)
    assert list(followups.resends(config, w, originals, _tasks(config, originals), [OFFICER])) == []


def test_resend_delay_follows_the_level(config) -> None:
    import dataclasses

    relay = dataclasses.replace(config.warnings.relay, resend_after={"橙": dt.timedelta(minutes=10)})
    quick = dataclasses.replace(config, warnings=dataclasses.replace(config.warnings, relay=relay))
    w = warning(level="橙")
    found = list(followups.resends(quick, w, _originals(config, w), set(), [OFFICER]))
    assert found and all(m.due_at == T0 + dt.timedelta(minutes=10) for m in found)


def test_no_resend_after_the_warning_ended(config) -> None:
    w = warning(expires=T0 + dt.timedelta(minutes=20))
    assert list(followups.resends(config, w, _originals(config, w), set(), [OFFICER])) == []


def test_status_every_two_hours_while_red_or_orange_in_force(config) -> None:
    w = warning(expires=T0 + dt.timedelta(hours=7))
    times = followups.status_times(config, w)
    assert times == [T0 + dt.timedelta(hours=h) for h in (2, 4, 6)]
    assert followups.status_times(config, warning(level="黄")) == []
    originals = _originals(config, w)
    raft = next(t for t in _tasks(config, originals) if "RAFT" in t)
    [m] = followups.status(config, w, originals, {raft}, ["示例NONE"], [LEADER], times[0])
    assert m.recipient.key == "staff:S2" and m.context["confirmed"] == ["示例RAFT"]
    assert m.context["waiting"] == ["示例PARK", "示例SHOW"] and m.context["no_contact"] == ["示例NONE"]
    text = _render(config, m)
    assert "已确认 1 家；未确认 2 家；无联系人 1 家" in text
    print(text)
