"""The staff pages: 回执 statistics and entry by hand, a hazard report's review, 零报告, 交接班."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from sqlalchemy import select

from rosters.book import RosterBook
from scheduler.accounts import roles, users
from scheduler.app import App
from scheduler.hazards.queries import by_code
from scheduler.receipts.models import Entry, Handover, Receipt, ZeroReport
from scheduler.receipts.policy import Ask
from scheduler.receipts.store import Answer, record
from scheduler.web import create_app
from tests.receipts.helpers import receipts_section, rows
from tests.support.clock import ManualClock, local
from tests.support.project import make_app
from tests.support.reminders import shipped_project
from tests.web.helpers import FAST_HASH, PASSWORD, WEB_TOML, client_as, csrf_of, seed, sign_in

QINGMING = "preholiday:2026-04-04"  # 清明 2026: T-14 falls on Saturday 21 March, sent on Friday the 20th


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(2026, 3, 10, 10, 0))


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    application = make_app(shipped_project(tmp_path / "project", receipts_section() + WEB_TOML), clock)
    seed(application)
    yield application
    application.close()


@pytest.fixture
def flask_app(app: App) -> Flask:
    flask = create_app(app)
    flask.config["TESTING"] = True
    return flask


def holders(app: App, day: dt.date) -> list[str]:
    with app.sessions() as session:
        row = RosterBook(session, app.config.roster, app.calendar, app.config.service.zone).roster(day, day)[0]
    return [h.code for h in row.officers + row.leaders]


def account_for(app: App, code: str) -> None:
    with app.sessions.begin() as session:
        users.set_password(session, code, PASSWORD, now=app.clock.now(), method=FAST_HASH)
        users.set_roles(session, code, roles.parse_roles("duty"), now=app.clock.now())


def signed_in(flask_app: Flask, code: str) -> FlaskClient:
    client = flask_app.test_client()
    assert sign_in(client, code).status_code == 302
    return client


def test_a_supervisor_enters_a_receipt_taken_by_phone_and_the_notice_shows_it(app: App, flask_app: Flask) -> None:
    app.clock.set(local(2026, 3, 20, 9, 5))  # type: ignore[attr-defined]
    app.service.plan_due()
    app.dispatcher.dispatch_due()
    supervisor = client_as(flask_app, "supervisor")
    index = supervisor.get("/receipts")
    assert index.status_code == 200 and "【节前自查】清明节假期（4月4日起）安全自查提醒" in index.text
    notice = supervisor.get("/receipts/notice", query_string={"topic": QINGMING, "kind": "preholiday/self_inspection"})
    assert notice.status_code == 200 and notice.text.count('<td class="bad">未回执</td>') == 8 and "代为登记" in notice.text
    key = next(m.key for m in rows(app, "preholiday/self_inspection") if m.recipient_key.endswith("0001A:principal"))
    form = supervisor.get("/receipts/enter", query_string={"key": key})
    assert form.status_code == 200 and "晋祠山水文化旅游区（示例）" in form.text
    data = {"csrf_token": csrf_of(form.text), "key": key, "name": "王建国", "mobile": "13900000101", "done": "yes",
            "found": "1", "rectified": "1", "note": "电话报告：已完成自查"}
    bad = supervisor.post("/receipts/enter", data={**data, "mobile": "12"})
    assert bad.status_code == 400 and "手机号码格式不正确" in bad.text
    done = supervisor.post("/receipts/enter", data=data)
    assert done.status_code == 302
    shown = supervisor.get(done.headers["Location"]).text
    assert "已代为登记：晋祠山水文化旅游区（示例）" in shown and "代登记" in shown and shown.count('<td class="bad">未回执</td>') == 7
    with app.sessions() as session:
        receipt = session.scalar(select(Receipt))
        assert receipt is not None and (receipt.entry, receipt.entered_by) == (Entry.HAND, "唐磊")
    # The party's history page, and a viewer may look but not enter.
    assert "晋祠山水文化旅游区（示例）" in supervisor.get("/receipts/party/enterprise:91140100EX0000001A").text
    viewer = client_as(flask_app, "viewer")
    assert viewer.get("/receipts/enter", query_string={"key": key}).status_code == 403


def test_a_supervisor_accepts_a_rectified_report_and_the_hazard_awaits_acceptance(app: App, flask_app: Flask) -> None:
    ask = Ask("hazard:HZ-2026-0001:2026-03-06:step3:r0:enterprise:91140100EX0000001A", "hazard/due_today",
              "hazard:HZ-2026-0001", "report", "enterprise:91140100EX0000001A", local(2026, 3, 20, 0, 0))
    with app.sessions.begin() as session:
        receipt = record(session, ask, "k", "enterprise:91140100EX0000001A:principal",
                         Answer("李安全", Entry.LINK, "13900000102", "已全部更换", {"status": "rectified"}),
                         app.clock.now()).receipt.id
    supervisor = client_as(flask_app, "supervisor")
    page = supervisor.get(f"/receipts/{receipt}")
    assert page.status_code == 200 and "已整改待验收" in page.text and "提交审核" in page.text
    refused = supervisor.post(f"/receipts/{receipt}/review", data={"csrf_token": csrf_of(page.text), "verdict": "reject"})
    assert refused.status_code == 400 and "退回时请写明原因" in refused.text
    accepted = supervisor.post(f"/receipts/{receipt}/review",
                               data={"csrf_token": csrf_of(page.text), "verdict": "accept", "note": "现场核实"})
    assert accepted.status_code == 200 and "待验收" in accepted.text
    with app.sessions() as session:
        hazard = by_code(session, "HZ-2026-0001")
        assert hazard is not None and hazard.status == "rectified" and hazard.closed_at is None
    duty = client_as(flask_app, "duty")
    own = csrf_of(duty.get("/").text)
    assert duty.post(f"/receipts/{receipt}/review", data={"csrf_token": own, "verdict": "reject"}).status_code == 403


def test_the_duty_office_enters_zero_reports_by_phone_and_marks_an_incident_reported(app: App, flask_app: Flask) -> None:
    duty = client_as(flask_app, "duty")
    day = duty.get("/zero", query_string={"day": "2026-02-16"})
    assert day.status_code == 200 and "春节假期" in day.text and day.text.count("代为登记") == 8
    path = "/zero/enter?day=2026-02-16&party=enterprise:91140100EX0000001A"
    form = duty.get(path)
    zero = {"csrf_token": csrf_of(form.text), "party": "enterprise:91140100EX0000001A", "name": "李安全",
            "mobile": "13900000102", "status": "zero"}
    assert duty.post(path, data={**zero, "status": ""}).status_code == 400
    assert duty.post(path, data=zero).status_code == 302
    incident = {**zero, "status": "incident", "incident_kind": "danger", "what": "栈道面板破裂，已封闭",
                "place": "玻璃栈道", "occurred_at": "2026-02-16T10:40", "deaths": "0", "injuries": "0", "missing": "0"}
    assert duty.post(path, data=incident).status_code == 302
    page = duty.get("/zero", query_string={"day": "2026-02-16"}).text
    assert "有情况 1 起" in page and "已向上级报告" in page
    with app.sessions() as session:
        report = session.scalar(select(ZeroReport))
        assert report is not None and report.status == "incident" and report.entry == Entry.HAND
    marked = duty.post(f"/zero/incident/{report.id}/upward", data={"csrf_token": csrf_of(page)})
    assert marked.status_code == 302
    assert "向上级报告（梁宇）" in duty.get("/zero", query_string={"day": "2026-02-16"}).text
    sheet = duty.get("/zero/export", query_string={"day": "2026-02-16", "format": "xlsx"})
    assert sheet.status_code == 200 and sheet.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    viewer = client_as(flask_app, "viewer")
    assert viewer.post(path, data={**zero, "csrf_token": csrf_of(viewer.get("/").text)}).status_code == 403
    assert duty.get("/zero", query_string={"day": "16.2.2026"}).status_code == 400


def test_the_outgoing_officer_writes_the_handover_and_the_incoming_confirms_it(app: App, flask_app: Flask,
                                                                             tmp_path: Path) -> None:
    # Tuesday 10 March, 10:00: the handover from the 9th to the 10th happened 90 minutes ago.
    outgoing, incoming = holders(app, dt.date(2026, 3, 9))[0], holders(app, dt.date(2026, 3, 10))[0]
    for code in (outgoing, incoming):
        account_for(app, code)
    writer = signed_in(flask_app, outgoing)
    page = writer.get("/handover")
    assert page.status_code == 200 and "保存交接班记录" in page.text
    form = {"csrf_token": csrf_of(page.text), "day": "2026-03-09", "events": "", "calls": "省应急厅来电1次"}
    empty = writer.post("/handover/write", data=form)
    assert empty.status_code == 400 and "请填写值班期间事件" in empty.text
    assert writer.post("/handover/write", data={**form, "events": "=HYPERLINK(\"x\") 夜间巡查正常"}).status_code == 302
    assert writer.post("/handover/confirm", data={"csrf_token": form["csrf_token"], "day": "2026-03-09"}).status_code == 403
    taker = signed_in(flask_app, incoming)
    shown = taker.get("/handover").text
    assert "等待接班人确认" in shown and "确认接班" in shown
    assert taker.post("/handover/confirm", data={"csrf_token": csrf_of(shown), "day": "2026-03-09"}).status_code == 302
    assert "已于" in taker.get("/handover").text
    with app.sessions() as session:
        handover = session.scalar(select(Handover))
        assert handover is not None and handover.incoming_code == incoming and handover.confirmed_at is not None
    other = client_as(flask_app, "duty")
    if "S006" not in (outgoing, incoming):
        own = csrf_of(other.get("/handover").text)
        assert other.post("/handover/write", data={**form, "csrf_token": own, "events": "x"}).status_code == 403
    csv = taker.get("/handover/export", query_string={"month": "2026-03", "format": "csv"})
    assert csv.status_code == 200 and "'=HYPERLINK" in csv.data.decode("utf-8-sig")
    with flask_app.test_request_context("/"):
        fragment = render_template_string('{% include "web/handover/_last.html.j2" %}', account=None)
    assert "上一次交接班" in fragment and "夜间巡查正常" in fragment
    board = taker.get("/").text  # 今日值班 shows the last handover
    assert "上一次交接班" in board and "夜间巡查正常" in board
    xlsx = tmp_path / "log.xlsx"
    xlsx.write_bytes(taker.get("/handover/export", query_string={"month": "2026-03"}).data)
    assert openpyxl.load_workbook(xlsx).active["A2"].value == "交班日期"
