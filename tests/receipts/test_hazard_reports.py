"""A hazard progress report: to the supervisor, who accepts or rejects it; 销号 stays separate."""

from __future__ import annotations

import pytest

from scheduler.app import App
from scheduler.hazards.imports import import_hazards
from scheduler.hazards.queries import by_code
from scheduler.receipts.hazard_reports import review
from scheduler.receipts.models import Entry
from scheduler.receipts.store import ReceiptError
from scheduler.receipts.taking import open_key, take
from tests.receipts.helpers import mark_sent, plan_until, rows
from tests.support.clock import local
from tests.support.project import EXAMPLES

DUE = "hazard/due_today"
REPORT = {"name": "李安全", "mobile": "13900000102", "status": "rectified", "note": "6块面板已全部更换，检测合格"}


@pytest.fixture
def due(shipped: App) -> str:
    """HZ-2026-0001 (major, deadline 6 March 2026, rectifying): its deadline-day message to the principal."""
    shipped.clock.set(local(2026, 3, 2, 9, 0))
    with shipped.sessions.begin() as session:
        import_hazards(session, EXAMPLES / "hazards.csv", zone=shipped.config.service.zone, now=shipped.clock.now(),
                       actor="test", general_deadline_days=0)
    plan_until(shipped, local(2026, 3, 6, 9, 5))
    mark_sent(shipped)
    [message] = [m for m in rows(shipped, DUE, "hazard:HZ-2026-0001:") if m.recipient_key.endswith(":principal")]
    return message.key


def send_report(app: App, key: str, values: dict[str, str]) -> int:
    with app.sessions.begin() as session:
        opened = open_key(session, app.config, key, app.clock.now())
        taken = take(session, app.config, opened, values, entry=Entry.LINK, now=app.clock.now())
        assert taken.checked.ok, taken.checked.errors
        assert taken.recorded is not None
        return taken.recorded.receipt.id


def test_a_report_goes_to_the_enterprises_supervisor_and_changes_nothing_by_itself(shipped: App, due: str) -> None:
    shipped.clock.set(local(2026, 3, 6, 10, 20))
    receipt = send_report(shipped, due, REPORT)
    plan_until(shipped, local(2026, 3, 6, 10, 22))
    [told] = rows(shipped, "receipts/hazard_report")
    assert told.recipient_key == "staff:S010"  # 邓超 oversees scenic areas
    assert told.context["report"]["id"] == receipt and told.context["report"]["status_label"] == "已整改待验收"
    with shipped.sessions() as session:
        assert by_code(session, "HZ-2026-0001").status == "rectifying"  # type: ignore[union-attr]


def test_accepting_a_rectified_report_moves_the_hazard_to_rectified_and_never_closes_it(shipped: App, due: str) -> None:
    receipt = send_report(shipped, due, REPORT)
    with shipped.sessions.begin() as session:
        said = review(session, receipt, True, by="邓超", note="现场核实", now=shipped.clock.now())
    assert "待验收" in said
    with shipped.sessions() as session:
        hazard = by_code(session, "HZ-2026-0001")
        assert hazard is not None and hazard.status == "rectified" and hazard.closed_at is None
    with shipped.sessions.begin() as session, pytest.raises(ReceiptError, match="不能重复审核"):
        review(session, receipt, False, by="邓超", note="", now=shipped.clock.now())


def test_a_rejected_report_lets_the_enterprise_report_again(shipped: App, due: str) -> None:
    first = send_report(shipped, due, {**REPORT, "status": "progress", "note": "正在更换"})
    with shipped.sessions.begin() as session:
        assert "退回" in review(session, first, False, by="邓超", note="请附检测报告", now=shipped.clock.now())
    second = send_report(shipped, due, REPORT)
    assert second != first
    with shipped.sessions.begin() as session:
        review(session, second, True, by="邓超", note="", now=shipped.clock.now())
    with shipped.sessions() as session:
        assert by_code(session, "HZ-2026-0001").status == "rectified"  # type: ignore[union-attr]


def test_a_report_on_a_closed_hazard_is_refused_with_the_reason(shipped: App, due: str) -> None:
    from scheduler.hazards.register import set_status
    from scheduler.hazards.vocab import HazardStatus

    with shipped.sessions.begin() as session:
        hazard = by_code(session, "HZ-2026-0001")
        assert hazard is not None
        for status in (HazardStatus.RECTIFIED, HazardStatus.VERIFIED):
            set_status(session, hazard, status, actor="test", now=shipped.clock.now())
    with shipped.sessions() as session:
        opened = open_key(session, shipped.config, due, shipped.clock.now())
    assert opened.refusal == "该隐患当前状态为「已验收」，无需再报告整改进展。"


def test_a_progress_report_needs_a_note(shipped: App, due: str) -> None:
    with shipped.sessions.begin() as session:
        opened = open_key(session, shipped.config, due, shipped.clock.now())
        taken = take(session, shipped.config, opened, {**REPORT, "note": ""}, entry=Entry.LINK, now=shipped.clock.now())
    assert taken.checked.errors == {"note": "请说明整改进展（做了什么、还差什么）"}


def test_a_rejected_report_goes_back_to_the_enterprise_with_a_link_to_report_again(shipped: App, due: str) -> None:
    shipped.clock.set(local(2026, 3, 6, 10, 20))
    first = send_report(shipped, due, REPORT)
    shipped.clock.set(local(2026, 3, 7, 10, 0))
    with shipped.sessions.begin() as session:
        review(session, first, False, by="邓超", note="请附第三方检测报告", now=shipped.clock.now())
    plan_until(shipped, local(2026, 3, 7, 10, 5))
    [back] = rows(shipped, "receipts/hazard_rejected")
    assert back.recipient_key == "enterprise:91140100EX0000001A:principal"
    assert back.context["review"]["note"] == "请附第三方检测报告"
    assert back.topic == "receipt:" + back.context["receipt"]["task"]
    second = send_report(shipped, back.key, REPORT)  # through the returned message's link
    assert second != first
