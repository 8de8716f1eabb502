"""A supervisor's review of a hazard progress report.

Accepting a "已整改待验收" report records the supervisor's judgement and moves the hazard to
rectified (awaiting acceptance, 待验收), which stops its escalation ladder; it never closes the
hazard: 销号 stays a separate act (`safeduty hazard status CODE closed`). Rejecting sends the
report back: the enterprise may report again through the same link.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from scheduler.hazards.queries import by_code
from scheduler.hazards.register import HazardError, set_status
from scheduler.hazards.vocab import HazardStatus
from scheduler.receipts.models import Receipt, Review
from scheduler.receipts.store import ReceiptError
from scheduler.receipts.store import review as record_review


def hazard_code(receipt: Receipt) -> str:
    return receipt.topic.split(":", 1)[1] if receipt.topic.startswith("hazard:") else ""


def review(session: Session, receipt_id: int, accept: bool, *, by: str, note: str, now: dt.datetime) -> str:
    """Record the verdict; returns what happened, in a sentence."""
    receipt = session.get(Receipt, receipt_id)
    if receipt is None or not receipt.kind.startswith("hazard/"):
        raise ReceiptError(f"没有编号为{receipt_id}的隐患整改报告")
    record_review(session, receipt, Review.ACCEPTED if accept else Review.REJECTED, by=by, note=note, now=now)
    if not accept:
        return f"报告{receipt_id}已退回，企业可重新报告"
    hazard = by_code(session, hazard_code(receipt))
    if receipt.payload.get("status") != "rectified" or hazard is None:
        return f"报告{receipt_id}已审核通过"
    if hazard.status != HazardStatus.RECTIFYING.value and hazard.status != HazardStatus.REGISTERED.value:
        return f"报告{receipt_id}已审核通过；隐患{hazard.code}当前为「{hazard.status_enum.label}」，状态未变"
    try:
        with session.begin_nested():
            set_status(session, hazard, HazardStatus.RECTIFIED, actor=by, now=now,
                       reason=f"企业报告已整改（回执{receipt_id}），监管人员审核通过{('：' + note) if note else ''}")
    except HazardError as exc:
        return f"报告{receipt_id}已审核通过；隐患状态未变：{exc}"
    return f"报告{receipt_id}已审核通过；隐患{hazard.code}改为「已整改」（待验收），销号仍需验收后办理"
