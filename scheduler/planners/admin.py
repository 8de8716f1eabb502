"""Tell the admins (config ``delivery.admins``) what delivery could not do.

- One digest of the dead and expired messages not yet reported. Its context lists the outbox
  ids it reports (``reports``); the dispatcher marks them ``reported`` when the digest is sent,
  so a digest that cannot be sent leaves them to the next one. Its key derives from that set,
  so planning again adds nothing.
- A notice when a target is marked unhealthy, sent only through the admins' *other* channels.

Messages about delivery itself (kinds ``admin/…``) are never reported this way: a broken admin
channel must not feed on its own failures. Pure: it reads the database and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select

from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import PlannedMessage, Recipient, Window, jitter, short_ref
from scheduler.outbox.targets import DeliveryTarget
from scheduler.planners.base import PlanContext
from scheduler.planners.reasons import explain

ADMIN_KINDS = "admin/"
DIGEST_KIND = "admin/digest"
UNHEALTHY_KIND = "admin/unhealthy"
MAX_REPORTED = 500  # ids one digest covers; the rest go into the next
MAX_LISTED = 30  # lines one digest shows
LIFETIME = dt.timedelta(days=3)
OPEN = (Status.PENDING, Status.FAILED, Status.SENDING)


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    admins = ctx.directory.group(ctx.config.delivery.admins)
    if not admins:
        return
    yield from _digest(ctx, window, admins)
    yield from _unhealthy(ctx, window, admins)


def _digest(ctx: PlanContext, window: Window, admins: list[Recipient]) -> Iterable[PlannedMessage]:
    covered = {i for row in ctx.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == DIGEST_KIND, OutboxMessage.status.in_(OPEN))
    ) for i in row.context.get("reports", ())}
    rows = [r for r in ctx.session.execute(
        select(OutboxMessage.id, OutboxMessage.key, OutboxMessage.status, OutboxMessage.channel,
               OutboxMessage.recipient_name, OutboxMessage.subject, OutboxMessage.kind, OutboxMessage.last_error,
               OutboxMessage.due_at)
        .where(OutboxMessage.status.in_((Status.DEAD, Status.EXPIRED)), OutboxMessage.reported.is_(False),
               OutboxMessage.kind.not_like(f"{ADMIN_KINDS}%"))
        .order_by(OutboxMessage.id)
        .limit(MAX_REPORTED + len(covered))
    ) if r.id not in covered][:MAX_REPORTED]
    if not rows:
        return
    ids = [r.id for r in rows]
    digest = hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()[:12]
    context: dict[str, Any] = {
        "reports": ids,
        "dead": sum(r.status == Status.DEAD for r in rows),
        "expired": sum(r.status == Status.EXPIRED for r in rows),
        "items": [
            {"key": r.key, "ref": short_ref(r.key), "status": r.status, "channel": r.channel,
             "recipient": r.recipient_name, "what": r.subject or kind_label(r.kind), "error": r.last_error[:200],
             "reason": explain(r.last_error[:200]), "due_at": r.due_at.isoformat()}
            for r in rows[:MAX_LISTED]
        ],
        "more": max(0, len(rows) - MAX_LISTED),
    }
    for admin in admins:
        yield _message(f"admin:digest:{digest}:{admin.key}", DIGEST_KIND, admin, window, context)


# What a message is, when it was never rendered (so it has no subject to show).
KIND_LABELS = {"preholiday": "节前提醒", "key_period": "重点时段提醒", "duty": "值班通知", "hazard": "隐患提醒",
               "calendar": "节假日安排提醒", "delivery": "消息汇总", "admin": "系统通知"}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind.split("/", 1)[0], "消息")


def _unhealthy(ctx: PlanContext, window: Window, admins: list[Recipient]) -> Iterable[PlannedMessage]:
    broken = ctx.session.scalars(
        select(DeliveryTarget).where(DeliveryTarget.unhealthy_since.is_not(None)).order_by(DeliveryTarget.name)
    )
    for target in broken:
        since = target.unhealthy_since
        assert since is not None
        if since > window.end:
            continue
        spec = ctx.config.channels.get(target.name)
        context = {"channel": target.name, "type": spec.type if spec else "", "since": since.isoformat(),
                   "errors": target.config_errors, "error": target.last_error[:300],
                   "reason": explain(target.last_error[:300])}
        for admin in admins:
            if admin.channel == target.name:
                continue  # told through another channel, or not at all
            key = f"admin:unhealthy:{target.name}:{since:%Y%m%dT%H%M%S}:{admin.key}"
            yield _message(key, UNHEALTHY_KIND, admin, window, context)


def _message(key: str, kind: str, admin: Recipient, window: Window, context: dict[str, Any]) -> PlannedMessage:
    due = window.end + jitter(key)
    return PlannedMessage(key=key, kind=kind, recipient=admin, due_at=due, expires_at=due + LIFETIME,
                          context=context, topic="delivery")
