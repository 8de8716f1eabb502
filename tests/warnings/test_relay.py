from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from scheduler.config.schema import Config
from scheduler.outbox.planned import URGENT, Recipient
from scheduler.people.directory import Directory
from scheduler.planners import warnings as relay
from scheduler.rendering import Renderer
from tests.warnings.factory import T0, enterprise, warning

ROOT = Path(__file__).resolve().parents[2]
OFFICER = Recipient("staff:S1", "值班员甲", "email", "officer@bureau.example.com")
LEADER = Recipient("staff:S2", "带班领导乙", "email", "leader@bureau.example.com")


def _venues() -> list:
    return [
        enterprise("RAFT", region="140106", features="漂流,玻璃栈道", warning_contact_name="赵预警",
                   warning_contact_email="yj@raft.example.com", safety_manager_email="aq@raft.example.com"),
        enterprise("SHOW", category="performance", region="140105", safety_manager_name="李安全",
                   safety_manager_email="aq@show.example.com"),
        enterprise("PARK", region="140109", principal_name="王建国", principal_email="wang@park.example.com",
                   principal_mobile="13900000301"),
        enterprise("NONE", region="140110"),
        enterprise("DATONG", region="140213", warning_contact_email="yj@datong.example.com"),
        enterprise("KTV", category="entertainment", region="140105", warning_contact_email="yj@ktv.example.com"),
    ]


def _plan(config: Config, w, earlier=(), now=T0):
    directory = Directory(config, _venues(), [])
    return relay.relay_version(config, directory, relay.Officials((OFFICER,), (LEADER,)), w, now, earlier)


def _channel(config: Config) -> str:
    return config.enterprises.personal or config.delivery.person_channel


def test_red_rainstorm_reaches_venues_in_the_city_with_fallback_and_the_duty_office(config: Config) -> None:
    found = _plan(config, warning())
    by = {m.recipient.key: m for m in found.messages}
    assert set(by) == {"enterprise:RAFT:warning_contact", "enterprise:SHOW:safety_manager",
                       "enterprise:PARK:principal", "staff:S1", "staff:S2"}
    assert [e.code for e in found.unreachable] == ["NONE"]
    assert all(m.priority == URGENT and m.due_at == T0 and m.kind == relay.ALERT for m in found.messages)
    assert by["enterprise:RAFT:warning_contact"].context["features"] == ["漂流", "玻璃栈道"]


def test_orange_goes_to_venues_and_the_officer_but_not_the_leader(config: Config) -> None:
    keys = {m.recipient.key for m in _plan(config, warning(level="橙")).messages}
    assert "staff:S1" in keys and "staff:S2" not in keys and "enterprise:RAFT:warning_contact" in keys


def test_yellow_goes_to_the_duty_officer_only(config: Config) -> None:
    assert [m.recipient.key for m in _plan(config, warning(level="黄")).messages] == ["staff:S1"]


def test_test_alerts_plan_nothing(config: Config) -> None:
    assert _plan(config, warning(status="Test")).messages == []


def test_update_reaches_the_same_and_the_newly_covered(config: Config) -> None:
    first = warning()
    update = warning(id=2, version=2, msg_type="Update", identifier="u", level="橙",
                     geocodes=("140100", "140200"), area_desc="太原市、大同市", received_at=T0 + dt.timedelta(hours=1))
    found = _plan(config, update, [first], now=T0 + dt.timedelta(hours=1))
    by = {m.recipient.key: m for m in found.messages}
    assert by["enterprise:DATONG:warning_contact"].context["newly"] is True
    assert by["enterprise:RAFT:warning_contact"].context["newly"] is False
    assert all(m.kind == relay.UPDATE and m.key.startswith(f"warning:{first.thread}:v2:") for m in found.messages)
    assert by["staff:S1"].context["previous"]["level"] == "红"


def test_cancel_reaches_everyone_the_thread_reached(config: Config) -> None:
    first = warning()
    cancel = warning(id=3, version=2, msg_type="Cancel", identifier="c", geocodes=(), area_desc="",
                     received_at=T0 + dt.timedelta(hours=3))
    keys = {m.recipient.key for m in _plan(config, cancel, [first], now=T0 + dt.timedelta(hours=3)).messages}
    assert {"enterprise:RAFT:warning_contact", "enterprise:PARK:principal", "staff:S1", "staff:S2"} <= keys


def test_a_late_message_says_so(config: Config) -> None:
    w = warning(expires=T0 + dt.timedelta(hours=1))
    found = _plan(config, w, now=T0 + dt.timedelta(hours=2))
    assert all(m.context["late"] for m in found.messages)
    assert all(m.expires_at > T0 + dt.timedelta(hours=2) for m in found.messages)
    text = _render(config, found.messages[0])
    assert "已于" in text and "发出较晚" in text


def _render(config: Config, message, **extra) -> str:
    renderer = Renderer(config.service.zone)
    context = {**message.context, "recipient_name": message.recipient.name, "ref": "ABC123",
               "bureau": "山西省文化和旅游厅", "office": "安全监管处", **extra}
    parts = renderer.render(message.kind, context)
    return parts.subject + "\n" + parts.text


def test_every_kind_reads_well_and_carries_the_receipt_link(config: Config, capsys) -> None:
    first = warning()
    alert = next(m for m in _plan(config, first).messages if m.recipient.key == "enterprise:RAFT:warning_contact")
    text = _render(config, alert, receipt_url="http://127.0.0.1/r/TOKEN", receipt_form="confirm",
                   receipt_names_person=False)
    assert "【红色预警】暴雨红色预警 太原市" in text and "暂停漂流、玻璃栈道" in text
    assert "http://127.0.0.1/r/TOKEN" in text and "我已知晓" in text and "编号 ABC123" in text
    drill = next(m for m in _plan(config, dataclasses.replace(first, status="Exercise")).messages)
    assert _render(config, drill).count("演练") >= 2
    update = warning(id=2, version=2, msg_type="Update", level="橙", received_at=T0 + dt.timedelta(hours=1))
    cancel = warning(id=3, version=3, msg_type="Cancel", received_at=T0 + dt.timedelta(hours=2))
    for w in (update, cancel):
        m = _plan(config, w, [first], now=w.received_at).messages[0]
        print(_render(config, m))
        print("-" * 20)
    print(text)
    out = capsys.readouterr().out
    assert "【预警更新】" in out and "原为暴雨红色" in out and "【预警解除】" in out and "已解除" in out


def test_a_downgrade_to_yellow_still_reaches_everyone_the_red_one_reached(config: Config) -> None:
    first = warning()
    update = warning(id=2, version=2, msg_type="Update", identifier="u", level="黄",
                     received_at=T0 + dt.timedelta(hours=1))
    first_keys = {m.recipient.key for m in _plan(config, first).messages}
    update_keys = {m.recipient.key for m in _plan(config, update, [first], now=update.received_at).messages}
    assert first_keys <= update_keys  # venues, officer and the leader hear it is now yellow
