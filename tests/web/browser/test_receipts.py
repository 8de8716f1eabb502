"""Receipts area, in a real Chromium on a phone-sized screen: an enterprise confirms through its
link (no account), and two duty officers hand over and take over. Uses this folder's fixtures
(one Chromium per session), over the web project with [receipts] added."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from rosters.book import RosterBook
from scheduler.accounts import roles, users
from scheduler.app import App
from scheduler.receipts.models import Handover, Receipt
from tests.receipts.helpers import BASE_URL, receipts_section, rows
from tests.support.clock import local
from tests.support.reminders import shipped_project
from tests.web.helpers import FAST_HASH, PASSWORD, WEB_TOML


@pytest.fixture
def web_project(tmp_path: Path) -> Path:
    """tests/web's project, with config.toml's pre-holiday and receipts sections."""
    return shipped_project(tmp_path / "project", receipts_section() + WEB_TOML)


@pytest.fixture
def phone(browser, live):  # type: ignore[no-untyped-def]
    made = []

    def new():  # type: ignore[no-untyped-def]
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
        made.append(context)
        tab = context.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield new
    for context in made:
        context.close()


def test_an_enterprise_confirms_its_self_inspection_through_the_link(web_app: App, live: str, phone) -> None:  # type: ignore[no-untyped-def]
    web_app.clock.set(local(2026, 3, 20, 9, 5))  # type: ignore[attr-defined]  # 清明 T-14
    web_app.service.plan_due()
    web_app.dispatcher.dispatch_due()
    message = next(m for m in rows(web_app, "preholiday/self_inspection") if m.recipient_key.endswith("0001A:principal"))
    path = re.search(re.escape(BASE_URL) + r"(/r/\S+)", message.body_text)[1]  # type: ignore[index]
    page = phone()
    page.goto(live + path)
    assert page.inner_text("h1") == "回执填报"
    assert "晋祠山水文化旅游区（示例）" in page.inner_text(".facts-list")
    page.check("input[name=done]")
    page.fill("#f-found", "2")
    page.fill("#f-rectified", "3")
    page.fill("#f-name", "王建国")
    page.fill("#f-mobile", "13900000101")
    page.click("button:has-text('提交自查回执')")
    assert "已整改数不能多于发现隐患数" in page.inner_text("#e-rectified")
    page.fill("#f-rectified", "2")
    page.click("button:has-text('提交自查回执')")
    assert page.inner_text(".answered h2") == "已确认，谢谢。"
    assert "王建国 于 2026-03-20 09:05 确认" in page.inner_text(".answered")
    with web_app.sessions() as session:
        receipt = session.scalar(select(Receipt))
        assert receipt is not None and receipt.payload == {"done": True, "found": 2, "rectified": 2}


def test_the_outgoing_officer_hands_over_and_the_incoming_confirms(web_app: App, live: str, phone) -> None:  # type: ignore[no-untyped-def]
    with web_app.sessions.begin() as session:
        book = RosterBook(session, web_app.config.roster, web_app.calendar, web_app.config.service.zone)
        outgoing = book.roster(dt.date(2026, 3, 9), dt.date(2026, 3, 9))[0].officers[0]
        incoming = book.roster(dt.date(2026, 3, 10), dt.date(2026, 3, 10))[0].officers[0]
        for holder in (outgoing, incoming):
            users.set_password(session, holder.code, PASSWORD, now=web_app.clock.now(), method=FAST_HASH)
            users.set_roles(session, holder.code, roles.parse_roles("duty"), now=web_app.clock.now())

    def signed_in(code: str):  # type: ignore[no-untyped-def]
        tab = phone()
        tab.goto(f"{live}/login")
        tab.fill("#code", code)
        tab.fill("#password", PASSWORD)
        tab.click("button[type=submit]")
        tab.wait_for_url(f"{live}/")
        tab.click("nav >> text=交接班")
        return tab

    writer = signed_in(outgoing.code)
    assert outgoing.name in writer.inner_text("main")
    writer.fill("#f-events", "夜间巡查两次，未发现异常")
    writer.fill("#f-pending", "晋祠景区栈道整改验收材料待转安全科")
    writer.click("button:has-text('保存交接班记录')")
    assert "等待接班人确认" in writer.inner_text("main")
    taker = signed_in(incoming.code)
    assert "夜间巡查两次，未发现异常" in taker.inner_text(".last-handover")
    taker.click("button:has-text('确认接班')")
    assert f"{incoming.name} 已于" in taker.inner_text("main")
    with web_app.sessions() as session:
        record = session.scalar(select(Handover))
        assert record is not None and record.confirmed_at is not None and record.incoming_code == incoming.code
