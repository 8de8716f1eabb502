"""/r/<token>: GET shows, only POST records; forged, tampered and expired links get a clear page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from scheduler.app import App
from scheduler.outbox.models import OutboxMessage, Status
from scheduler.receipts.links import receipt_context
from scheduler.receipts.models import Receipt
from scheduler.web import create_app
from tests.receipts.helpers import BASE_URL, plan_until, rows, web_project
from tests.support.clock import ManualClock, local

SELF = {"done": "yes", "found": "3", "rectified": "2", "note": "消防通道已清理", "name": "王建国", "mobile": "13900000101"}
SCANNERS = ["Mozilla/5.0 (compatible; Microsoft Office Protocol Discovery)", "Proofpoint URL Defense",
            "Mimecast Security Scanner", "Mozilla/5.0 HeadlessChrome/120.0 (AS8075 Safe Links)"]


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    application = make(tmp_path, clock)
    plan_until(application, local(2026, 1, 30, 9, 5))
    application.dispatcher.dispatch_due()
    yield application
    application.close()


def make(tmp_path: Path, clock: ManualClock, extra: str = "") -> App:
    from tests.support.project import make_app

    return make_app(web_project(tmp_path / "project", extra), clock)


@pytest.fixture
def client(app: App) -> FlaskClient:
    flask: Flask = create_app(app)
    flask.config["TESTING"] = True
    return flask.test_client()


def link_of(message: OutboxMessage) -> str:
    found = re.search(re.escape(BASE_URL) + r"(/r/[^\s]+)", message.body_text)
    assert found, message.body_text
    return found[1]


def t14(app: App, contact: str = "principal", code: str = "91140100EX0000001A") -> OutboxMessage:
    return next(m for m in rows(app, "preholiday/self_inspection") if m.recipient_key == f"enterprise:{code}:{contact}")


def receipts(app: App) -> int:
    with app.sessions() as session:
        return session.scalar(select(func.count()).select_from(Receipt)) or 0


def nonce(page: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', page)
    assert found, page
    return found[1]


def test_opening_the_link_shows_what_is_asked_and_records_nothing(app: App, client: FlaskClient) -> None:
    page = client.get(link_of(t14(app)))
    assert page.status_code == 200
    text = page.text
    assert "【节前自查】春节假期（2月15日起）安全自查提醒" in text
    assert "晋祠山水文化旅游区（示例）" in text and "2026年2月12日前" in text
    assert "提交自查回执" in text and "打开本页不会作任何记录" in text
    assert page.headers["X-Robots-Tag"] == "noindex, nofollow"
    assert receipts(app) == 0


def test_a_link_scanner_a_head_and_a_prefetch_record_nothing(app: App, client: FlaskClient) -> None:
    path = link_of(t14(app))
    for agent in SCANNERS:
        assert client.get(path, headers={"User-Agent": agent}).status_code == 200
    assert client.head(path).status_code == 200
    for header in ({"Sec-Purpose": "prefetch"}, {"Purpose": "prefetch"}, {"X-Moz": "prefetch"}):
        assert client.get(path, headers=header).status_code == 200
    assert receipts(app) == 0


def test_posting_the_form_records_once_and_shows_who_and_when(app: App, client: FlaskClient) -> None:
    path = link_of(t14(app))
    other = link_of(t14(app, "safety_manager"))
    app.clock.set(local(2026, 2, 3, 10, 15))  # type: ignore[attr-defined]
    other_form = nonce(client.get(other).text)  # the safety manager has the page open too
    answer = client.post(path, data={**SELF, "nonce": nonce(client.get(path).text)})
    assert answer.status_code == 302
    shown = client.get(answer.headers["Location"]).text
    assert "已确认，谢谢。" in shown and "王建国 于 2026-02-03 10:15 确认" in shown
    assert receipts(app) == 1
    # The safety manager's link settles the same task: shown as confirmed, recorded once.
    page = client.get(other).text
    assert "此事项已经确认" in page and "王建国" in page
    late = client.post(other, data={**SELF, "name": "李安全", "nonce": other_form})
    assert late.status_code == 302 and "王建国 于 2026-02-03 10:15 确认" in client.get(late.headers["Location"]).text
    assert receipts(app) == 1
    with app.sessions() as session:
        receipt = session.scalar(select(Receipt))
        assert receipt is not None and receipt.entry == "link"
        assert receipt.payload == {"done": True, "found": 3, "rectified": 2}


def test_a_bad_field_is_shown_next_to_it_and_nothing_is_stored(app: App, client: FlaskClient) -> None:
    path = link_of(t14(app))
    page = client.post(path, data={**SELF, "mobile": "1390000", "found": "两个", "nonce": nonce(client.get(path).text)})
    assert page.status_code == 400
    assert "手机号码格式不正确" in page.text and "发现隐患数应为0到100000之间的整数" in page.text
    assert 'value="王建国"' in page.text  # what was typed comes back
    assert receipts(app) == 0


def test_a_post_without_the_forms_nonce_records_nothing(app: App, client: FlaskClient) -> None:
    path = link_of(t14(app))
    assert client.post(path, data=SELF).status_code == 400
    assert client.post(path, data={**SELF, "nonce": "1.AAAAAAAAAAAAAAAAAAAAAA"}).status_code == 400
    stale = nonce(client.get(path).text)
    app.clock.advance(__import__("datetime").timedelta(hours=13))  # type: ignore[attr-defined]
    assert client.post(path, data={**SELF, "nonce": stale}).status_code == 400
    assert receipts(app) == 0


def test_a_forged_or_tampered_link_gets_403_and_an_expired_one_410(app: App, client: FlaskClient) -> None:
    path = link_of(t14(app))
    tampered = path[:-1] + ("A" if path[-1] != "A" else "B")
    for bad in (tampered, "/r/garbage", "/r/1.2.AAAAAAAAAAAAAAAAAAAAAA", path.replace("/r/", "/r/9", 1)):
        page = client.get(bad)
        assert page.status_code == 403, bad
        assert "链接无效" in page.text
        assert client.post(bad, data=SELF).status_code == 403
    app.clock.set(local(2026, 2, 25, 0, 1))  # type: ignore[attr-defined]
    page = client.get(path)
    assert page.status_code == 410 and "链接已过期" in page.text
    assert receipts(app) == 0


def test_a_cancelled_task_is_refused_with_the_reason(app: App, client: FlaskClient) -> None:
    message = t14(app)
    path = link_of(message)
    form = nonce(client.get(path).text)
    with app.sessions.begin() as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == message.id).values(status=Status.CANCELLED))
    page = client.post(path, data={**SELF, "nonce": form})
    assert page.status_code == 410 and "该通知已撤销，无需回执。" in page.text
    assert "该通知已撤销" in client.get(path).text
    assert receipts(app) == 0


def test_a_group_bots_link_asks_for_the_person_confirming(tmp_path: Path, clock: ManualClock) -> None:
    bot = '\n[channels.section_bot]\ntype = "dingtalk"\nurl = "http://127.0.0.1:9/robot/send?access_token=x"\n'
    app = make(tmp_path, clock, bot)
    text = app.loaded.path.read_text(encoding="utf-8").replace(
        '[groups.safety_section]\nlabel = "安全科"\n', '[groups.safety_section]\nlabel = "安全科"\nbot = "section_bot"\n')
    app.loaded.path.write_text(text, encoding="utf-8")
    app.close()
    from tests.support.project import make_app

    app = make_app(app.loaded.path, clock)
    plan_until(app, local(2026, 2, 5, 9, 5))
    [group] = [m for m in rows(app, "preholiday/assessment_meeting") if m.recipient_key == "group:safety_section"]
    url = receipt_context(app.config, group)["receipt_url"]
    client = create_app(app).test_client()
    path = url[len(BASE_URL):]
    page = client.get(path).text
    assert "这是一条群消息，请填写实际确认人的姓名和手机号" in page
    refused = client.post(path, data={"nonce": nonce(page)})
    assert refused.status_code == 400 and "请填写姓名" in refused.text
    done = client.post(path, data={"nonce": nonce(page), "name": "杨建华", "mobile": "13800000003"})
    assert done.status_code == 302
    with app.sessions() as session:
        receipt = session.scalar(select(Receipt))
        assert receipt is not None and (receipt.party, receipt.confirmed_by, receipt.mobile) == (
            "group:safety_section", "杨建华", "13800000003")
    app.close()


def test_a_zero_report_through_its_link_then_an_incident_reported_later(tmp_path: Path, clock: ManualClock) -> None:
    app = make(tmp_path, clock)
    plan_until(app, local(2026, 2, 16, 9, 5))
    app.dispatcher.dispatch_due()
    request = next(m for m in rows(app, "zero_report/request", "zero:2026-02-16:request:enterprise:91140100EX0000001A"))
    assert "请点击链接报送今日情况，无情况也须报送" in request.body_text
    client = create_app(app).test_client()
    path = link_of(request)
    page = client.get(path).text
    assert "今日情况" in page and "提交零报告" in page
    person = {"name": "李安全", "mobile": "13900000102"}
    assert client.post(path, data={**person, "status": "zero", "nonce": nonce(page)}).status_code == 302
    page = client.get(path).text
    assert "今日已报送" in page and "无情况" in page and "补报事故或险情" in page
    app.clock.set(local(2026, 2, 16, 11, 0))  # type: ignore[attr-defined]
    page = client.get(path).text
    later = {**person, "status": "incident", "incident_kind": "accident", "what": "游客在栈道摔伤", "place": "栈道",
             "occurred_at": "2026-02-16T10:30", "deaths": "0", "injuries": "1", "missing": "0", "nonce": nonce(page)}
    assert client.post(path, data=later).status_code == 302
    shown = client.get(path).text
    assert "有情况" in shown and "1小时内" in shown
    from scheduler.receipts.models import ZeroReport

    with app.sessions() as session:
        [report] = session.scalars(select(ZeroReport)).all()
        assert (report.status, report.injuries, report.entry) == ("incident", 1, "link")
    app.close()


def test_an_oversized_answer_is_refused_and_nothing_is_stored(app: App, client: FlaskClient) -> None:
    path = link_of(t14(app))
    form = nonce(client.get(path).text)
    page = client.post(path, data={**SELF, "note": "长" * 600_000, "nonce": form})
    assert page.status_code == 413
    assert receipts(app) == 0
    too_long = client.post(path, data={**SELF, "note": "长" * 1001, "nonce": form})
    assert too_long.status_code == 400 and "备注不超过1000个字" in too_long.text
