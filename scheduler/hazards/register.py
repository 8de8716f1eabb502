"""Change the register: register, edit, extend, move through the lifecycle. Each change is
checked first (a refused change raises HazardError saying why and changes nothing) and written
to the hazard's history with who, when and why.

The lifecycle's moves are in ``lifecycle``. A major hazard may start rectifying only with its five
items in place (五到位). Once rectified, its escalation stops: pending, unsent messages are
cancelled.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.hazards.completeness import how_to_fill, missing_five_items, missing_items
from scheduler.hazards.export import value_text
from scheduler.hazards.fields import EDITABLE
from scheduler.hazards.lifecycle import DONE, TRANSITIONS, allowed, reachable
from scheduler.hazards.models import Hazard, HazardEvent
from scheduler.hazards.vocab import OPEN_STATUSES, HazardLevel, HazardStatus
from scheduler.outbox import store
from scheduler.people.models import Enterprise


class HazardError(Exception):
    """A change the register refuses; the message says why."""


def incomplete_topic(hazard: Hazard) -> str:
    """Completeness notices have their own topic: extending the deadline must not cancel them."""
    return f"{hazard.topic}:incomplete"


def problems(hazard: Hazard) -> list[str]:
    """What is inconsistent in a record (empty when it may be saved)."""
    found = []
    if hazard.level == HazardLevel.MAJOR.value and hazard.deadline is None:
        found.append("整改期限: a major hazard needs a deadline (五到位)")
    if hazard.found_on > hazard.registered_on:
        found.append(f"发现日期: {hazard.found_on} is in the future")
    if hazard.deadline is not None and hazard.deadline < hazard.found_on:
        found.append(
            f"整改期限: {hazard.deadline} is before the day it was found ({hazard.found_on})"
        )
    if hazard.delisted_on and hazard.listed_on and hazard.delisted_on < hazard.listed_on:
        found.append(f"摘牌日期: {hazard.delisted_on} is before 挂牌日期 {hazard.listed_on}")
    if (
        hazard.level == HazardLevel.MAJOR.value
        and hazard.status == HazardStatus.RECTIFYING.value
        and (missing := missing_five_items(hazard))
    ):
        found.append(
            f"状态: a major hazard starts rectifying only with its five items in place (五到位); "
            f"missing: {'、'.join(missing)} (set with `safeduty hazard update {hazard.code} "
            f"{how_to_fill(missing)}`)"
        )
    return found


def next_code(session: Session, year: int) -> str:
    prefix = f"HZ-{year}-"
    count = (
        session.scalar(
            select(func.count()).select_from(Hazard).where(Hazard.code.like(prefix + "%"))
        )
        or 0
    )
    while True:
        count += 1
        code = f"{prefix}{count:04d}"
        if session.scalar(select(Hazard.id).where(Hazard.code == code)) is None:
            return code


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Text stripped, vocabularies stored by value."""
    out = {}
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
        elif isinstance(value, enum.Enum):
            value = value.value
        out[name] = value
    return out


def _record(
    hazard: Hazard,
    kind: str,
    actor: str,
    now: dt.datetime,
    old: str = "",
    new: str = "",
    reason: str = "",
) -> None:
    hazard.events.append(
        HazardEvent(at=now, actor=actor, kind=kind, old=old, new=new, reason=reason)
    )
    hazard.updated_at = now


def build(
    values: Mapping[str, Any],
    enterprise: Enterprise,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    general_deadline_days: int,
) -> Hazard:
    """A new record (not yet added to a session), with the general hazard's default deadline."""
    fields = {k: v for k, v in _clean(values).items() if v is not None}
    fields.setdefault("source", "other")
    fields.setdefault("status", HazardStatus.REGISTERED.value)
    hazard = Hazard(
        enterprise=enterprise,
        registered_at=now,
        registered_on=now.astimezone(zone).date(),
        updated_at=now,
        **{
            "description": "",
            "location": "",
            "measures": "",
            "funds_source": "",
            "responsible_name": "",
            "responsible_mobile": "",
            "responsible_email": "",
            "contingency_plan": "",
            "listed_by": "",
            "listing_notice": "",
            **fields,
        },
    )
    if hazard.deadline is None and hazard.level == HazardLevel.GENERAL.value:
        hazard.deadline = hazard.found_on + dt.timedelta(days=general_deadline_days)
    if hazard.status == HazardStatus.CLOSED.value:
        hazard.closed_at = now
    return hazard


def register(
    session: Session,
    values: Mapping[str, Any],
    enterprise: Enterprise,
    *,
    actor: str,
    now: dt.datetime,
    zone: ZoneInfo,
    general_deadline_days: int,
    reason: str = "",
) -> Hazard:
    if "code" not in values or not values["code"]:
        values = {**values, "code": next_code(session, now.astimezone(zone).year)}
    elif session.scalar(select(Hazard.id).where(Hazard.code == values["code"])) is not None:
        raise HazardError(f"hazard {values['code']} already exists (use `hazard update`)")
    hazard = build(
        values, enterprise, now=now, zone=zone, general_deadline_days=general_deadline_days
    )
    if found := problems(hazard):
        raise HazardError(f"{hazard.code}: " + "; ".join(found))
    _record(hazard, "registered", actor, now, new=hazard.status, reason=reason)
    session.add(hazard)
    session.flush()
    return hazard


def update(
    session: Session,
    hazard: Hazard,
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: dt.datetime,
    labels: Mapping[str, str],
    reason: str = "",
    zone: ZoneInfo | None = None,
) -> list[str]:
    """Apply ``changes`` to editable fields; returns the names of the fields that changed. The
    history keeps each changed field with its value before and after, as people read them."""
    refused = sorted(set(changes) - set(EDITABLE))
    if refused:
        raise HazardError(
            f"{hazard.code}: {', '.join(refused)} cannot be edited here "
            "(the deadline changes with `hazard extend`, the status with `hazard status`)"
        )
    changed = [name for name, value in _clean(changes).items() if getattr(hazard, name) != value]
    if not changed:
        return []
    was_complete = not missing_items(hazard)
    shown: dt.tzinfo = zone or dt.UTC
    before = {name: value_text(name, getattr(hazard, name), shown) for name in changed}
    for name, value in _clean(changes).items():
        setattr(hazard, name, value)
    if found := problems(hazard):
        raise HazardError(f"{hazard.code}: " + "; ".join(found))
    _record(
        hazard,
        "updated",
        actor,
        now,
        new="、".join(labels.get(n, n) for n in changed),
        reason=reason,
    )
    hazard.events[-1].changes = [
        {"field": labels.get(n, n), "old": before[n],
         "new": value_text(n, getattr(hazard, n), shown)}
        for n in changed
    ]
    if not was_complete and not missing_items(hazard):
        store.cancel_topic(
            session, incomplete_topic(hazard), "the hazard's five items and reports are complete"
        )
    session.flush()
    return changed


def extend(
    session: Session,
    hazard: Hazard,
    deadline: dt.date,
    *,
    reason: str,
    actor: str,
    now: dt.datetime,
) -> None:
    """A new deadline (延期): the old chain's unsent messages are cancelled; the new deadline's
    chain starts, because escalation keys carry the deadline."""
    if not reason.strip():
        raise HazardError(f"{hazard.code}: an extension needs a reason (--reason)")
    if hazard.status_enum not in OPEN_STATUSES:
        raise HazardError(
            f"{hazard.code} is {hazard.status_enum.label}: only an open hazard's deadline can be extended"
        )
    if hazard.deadline is not None and deadline <= hazard.deadline:
        raise HazardError(
            f"{hazard.code}: the new deadline {deadline} is not after the current one {hazard.deadline}"
        )
    old = hazard.deadline
    hazard.deadline = deadline
    if found := problems(hazard):
        raise HazardError(f"{hazard.code}: " + "; ".join(found))
    _record(
        hazard,
        "deadline",
        actor,
        now,
        old=old.isoformat() if old else "",
        new=deadline.isoformat(),
        reason=reason.strip(),
    )
    store.cancel_topic(session, hazard.topic, f"deadline extended from {old} to {deadline}")
    session.flush()


def set_status(
    session: Session,
    hazard: Hazard,
    target: HazardStatus,
    *,
    actor: str,
    now: dt.datetime,
    reason: str = "",
    checked: bool = True,
) -> None:
    """Move the hazard to ``target``; ``checked=False`` (imports) accepts any reachable status."""
    current = hazard.status_enum
    if target is current:
        raise HazardError(f"{hazard.code} is already {current.label}")
    if not (allowed(hazard, target) if checked else reachable(hazard, target)):
        options = "、".join(
            f"{s.label} ({s.value})" for s in TRANSITIONS[current] if allowed(hazard, s)
        )
        raise HazardError(
            f"{hazard.code}: cannot go from {current.label} to {target.label}"
            f"{'; next: ' + options if options else ' (it is closed)'}"
        )
    hazard.status = target.value
    if found := problems(hazard):
        raise HazardError(f"{hazard.code}: " + "; ".join(found))
    hazard.closed_at = now if target is HazardStatus.CLOSED else None
    _record(hazard, "status", actor, now, old=current.value, new=target.value, reason=reason)
    if target in DONE:
        why = f"hazard {hazard.code} is {target.label}"
        store.cancel_topic(session, hazard.topic, why)
        store.cancel_topic(session, incomplete_topic(hazard), why)
    session.flush()
