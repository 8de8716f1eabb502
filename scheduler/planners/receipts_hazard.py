"""A hazard progress report from an enterprise goes to its supervisors, who accept or reject it;
a rejected report goes back to the enterprise, with the reason and a link to report again.

The report changes nothing by itself: the escalation ladder goes on, and a "已整改待验收"
report never closes the hazard (销号 stays the supervisor's act, `safeduty hazard status`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import select

from scheduler.hazards.context import hazard_context
from scheduler.hazards.queries import by_code
from scheduler.outbox.models import OutboxMessage
from scheduler.outbox.planned import Mention, PlannedMessage, Recipient, Window
from scheduler.planners.base import PlanContext
from scheduler.receipts.fields import HAZARD_PROGRESS
from scheduler.receipts.links import base_url
from scheduler.receipts.models import Receipt, Review
from scheduler.receipts.policy import Ask, chase_topic

REPORT = "receipts/hazard_report"
REJECTED = "receipts/hazard_rejected"
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
    yield from _rejected(ctx, window)


def _rejected(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    """A rejected report back to the contact who made it: the reason, and a link to report again."""
    rows = ctx.session.scalars(select(Receipt).where(
        Receipt.reviewed_at > window.start - LOOKBACK, Receipt.reviewed_at <= window.end,
        Receipt.review == Review.REJECTED, Receipt.kind.like("hazard/%")).order_by(Receipt.id))
    for receipt in rows:
        assert receipt.reviewed_at is not None
        asked = ctx.session.scalar(select(OutboxMessage).where(OutboxMessage.key == receipt.message_key))
        hazard = by_code(ctx.session, receipt.topic.split(":", 1)[1]) if receipt.topic.startswith("hazard:") else None
        if asked is None or hazard is None:
            continue
        spec = ctx.config.receipts.kinds.get(receipt.kind)
        valid = spec.valid_for if spec is not None else dt.timedelta(days=14)
        ask = Ask(receipt.task, receipt.kind, receipt.topic, "report", receipt.party,
                  receipt.reviewed_at + valid + ctx.config.receipts.grace)
        recipient = Recipient(asked.recipient_key, asked.recipient_name, asked.channel, asked.address,
                              tuple(Mention(**m) for m in asked.mentions))
        context = {"hazard": hazard_context(hazard), "review": {"by": receipt.reviewed_by, "note": receipt.review_note,
                                                                "at": receipt.reviewed_at.isoformat()},
                   "report_at": receipt.confirmed_at.isoformat(), "receipt": ask.as_context()}
        yield PlannedMessage.at(f"receipt:rejected:{receipt.id}", REJECTED, recipient, receipt.reviewed_at,
                                receipt.reviewed_at + dt.timedelta(days=3), context, chase_topic(receipt.task))
