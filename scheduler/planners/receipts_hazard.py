"""A hazard progress report from an enterprise goes to its supervisors, who accept or reject it.

The report changes nothing by itself: the escalation ladder goes on, and a "已整改待验收"
report never closes the hazard (销号 stays the supervisor's act, `safeduty hazard status`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select

from scheduler.hazards.context import hazard_context
from scheduler.hazards.queries import by_code
from scheduler.outbox.planned import PlannedMessage, Recipient, Window
from scheduler.planners.base import PlanContext
from scheduler.receipts.fields import HAZARD_PROGRESS
from scheduler.receipts.links import base_url
from scheduler.receipts.models import Receipt

REPORT = "receipts/hazard_report"
LOOKBACK = dt.timedelta(minutes=10)  # a receipt committed after the tick that covered its time


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    if not any(kind.startswith("hazard/") and spec.receipt == "report"
               for kind, spec in ctx.config.receipts.kinds.items()):
        return
    rows = ctx.session.scalars(select(Receipt).where(
        Receipt.confirmed_at > window.start - LOOKBACK, Receipt.confirmed_at <= window.end,
        Receipt.mode == "report", Receipt.kind.like("hazard/%")).order_by(Receipt.id))
    for receipt in rows:
        code = receipt.topic.split(":", 1)[1] if receipt.topic.startswith("hazard:") else ""
        hazard = by_code(ctx.session, code) if code else None
        if hazard is None:
            continue
        context = {
            "hazard": hazard_context(hazard),
            "report": {"id": receipt.id, "status": receipt.payload.get("status", ""),
                       "status_label": HAZARD_PROGRESS.get(receipt.payload.get("status", ""), "整改进展"),
                       "note": receipt.note, "by": receipt.confirmed_by, "mobile": receipt.mobile,
                       "at": receipt.confirmed_at.isoformat(), "late": receipt.late},
            "review_url": f"{base_url(ctx.config)}/receipts/{receipt.id}" if base_url(ctx.config) else "",
        }
        found: dict[str, Recipient] = {}
        for staff in ctx.directory.supervisors_of(hazard.enterprise):
            person = ctx.directory.person(staff)
            if person is not None:
                found.setdefault(person.key, person)
        for group in ctx.config.receipts.hazard.groups:
            for recipient in ctx.directory.group(group):
                found.setdefault(recipient.key, recipient)
        topic = f"receipt:review:{receipt.id}"
        for recipient in found.values():
            yield PlannedMessage.at(f"{topic}:{recipient.key}", REPORT, recipient, receipt.confirmed_at,
                                    receipt.confirmed_at + dt.timedelta(days=3), context, topic)
