"""Template filters and globals: dates as the bureau writes them, tel: links, the account."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, request, url_for

from scheduler.accounts.roles import WebRole
from scheduler.web.access import current_account

WEEKDAYS = "一二三四五六日"
STATUS_LABELS = {"pending": "待发", "sending": "发送中", "failed": "重试中", "sent": "已发送", "dead": "失败",
                 "expired": "已过期", "cancelled": "已取消", "merged": "已合并"}
NAV = (
    ("board.index", "今日值班"),
    ("roster.month", "值班表"),
    ("hazards.index", "隐患"),
    ("warnings.index", "预警"),
    ("outbox.upcoming", "待发消息"),
    ("outbox.delivery", "投递"),
    ("calendar.year", "日历"),
    ("people.staff", "人员"),
    ("people.enterprises", "企业"),
    ("receipts.index", "回执"),  # receipts area
    ("zero.day", "零报告"),
    ("handover.index", "交接班"),
    ("admin.accounts", "账号"),
)


def register(app: Flask, zone: ZoneInfo) -> None:
    def local(value: dt.datetime | None) -> dt.datetime | None:
        return value.astimezone(zone) if value is not None else None

    def cn_date(value: dt.date | dt.datetime | str | None) -> str:
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = dt.date.fromisoformat(value[:10])
        if isinstance(value, dt.datetime):
            value = value.astimezone(zone).date()
        return f"{value.year}年{value.month}月{value.day}日"

    def short_date(value: dt.date | dt.datetime) -> str:
        if isinstance(value, dt.datetime):
            value = value.astimezone(zone).date()
        return f"{value.month}月{value.day}日"

    def weekday(value: dt.date) -> str:
        return "周" + WEEKDAYS[value.weekday()]

    def when(value: dt.datetime | None) -> str:
        moment = local(value)
        return moment.strftime("%Y-%m-%d %H:%M") if moment else ""

    def hhmm(value: dt.datetime | dt.time | None) -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = value.astimezone(zone).time()
        return f"{value.hour:02d}:{value.minute:02d}"

    def tel(mobile: str) -> str:
        """A tel: URI of a phone number (digits and + only)."""
        return "tel:" + re.sub(r"[^0-9+]", "", mobile or "")

    def yuan(amount: int | None) -> str:
        if amount is None:
            return ""
        return f"{amount / 10000:g}万元" if amount >= 10000 else f"{amount}元"

    def status_label(status: str) -> str:
        return STATUS_LABELS.get(status, status)

    app.jinja_env.filters.update(status_label=status_label, cn_date=cn_date, short_date=short_date, weekday=weekday, when=when,
                                 hhmm=hhmm, tel=tel, yuan=yuan)

    @lru_cache(maxsize=8)
    def addresses(script_root: str) -> dict[str, str]:
        """The menu's addresses (its endpoints take no arguments): built once per mount point."""
        return {e: url_for(e) for e, _ in NAV if e in app.view_functions}

    def nav_items() -> list[tuple[str, str, bool]]:
        """(address, label, current): the page's own item, or its area's when it has one item."""
        here = request.endpoint or ""
        address = addresses(request.script_root)
        items = [(e, label) for e, label in NAV if e in app.view_functions]
        exact = any(e == here for e, _ in items)
        area = here.split(".")[0]
        account = current_account()
        items = [(e, label) for e, label in items
                 if e != "admin.accounts" or (account is not None and account.may(WebRole.ADMIN))]
        return [(address[e], label, e == here if exact else e.split(".")[0] == area and
                 sum(x.split(".")[0] == area for x, _ in items) == 1) for e, label in items]

    def link(endpoint: str, **values: Any) -> str:
        """The URL of ``endpoint``, or "" while that area is not part of the application."""
        return url_for(endpoint, **values) if endpoint in app.view_functions else ""

    app.jinja_env.globals.update(nav_items=nav_items, link=link)

    @app.context_processor
    def globals_() -> dict[str, Any]:
        web = app.extensions["safeduty"]
        return {"account": current_account(), "via_token": g.get("token"),
                "bureau": web.config.service.bureau, "office": web.config.service.office}
