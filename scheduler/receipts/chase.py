"""What the chasing planners share: which asked messages are still unanswered, and who
supervises the enterprises that have not answered.

A chaser regenerates the messages that asked (by calling the planner that made them over the
window they fell due in: pure, so ``simulate`` sees the same), keeps those that ask for a
receipt, and drops the tasks that have a receipt standing and the messages that never reached
their recipient: those the outbox records as dead, expired or cancelled, and those missing
from it although their planner has planned past their time (the service was not running yet,
or the enterprise was imported later) — chasing those would ask about a message nobody got.
A message missing from the outbox whose time its planner has not reached yet counts as asked:
that is ``simulate`` planning ahead.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from scheduler.outbox.models import OutboxMessage, Status
from scheduler.outbox.planned import MAX_JITTER_S, PlannedMessage, Recipient, Window
from scheduler.people.models import Enterprise
from scheduler.receipts.policy import Ask, ask_of
from scheduler.receipts.store import settled_tasks
from scheduler.state import last_tick

if TYPE_CHECKING:  # the planners package imports the chasers, which import this
    from scheduler.planners.base import PlanContext, Planner

UNDELIVERED = (Status.DEAD, Status.EXPIRED, Status.CANCELLED)
_CHUNK = 500


@dataclass(frozen=True)
class Asked:
    message: PlannedMessage
    ask: Ask


def originals(ctx: PlanContext, planner: Planner, moment: dt.datetime, prefix: str) -> list[PlannedMessage]:
    """The messages ``planner`` set for ``moment`` (whatever their jitter) whose key starts with ``prefix``."""
    window = Window(moment - dt.timedelta(seconds=1), moment + dt.timedelta(seconds=MAX_JITTER_S + 1))
    return [m for m in planner(ctx, window) if m.key.startswith(prefix)]


def asked(ctx: PlanContext, messages: Iterable[PlannedMessage]) -> list[Asked]:
    found = []
    for m in messages:
        ask = ask_of(ctx.config, m.key, m.kind, m.recipient.key, m.topic, m.context, m.due_at)
        if ask is not None and ask.mode != "zero":
            found.append(Asked(m, ask))
    return found


def unanswered(ctx: PlanContext, items: Sequence[Asked], planner: str) -> list[Asked]:
    """The asked messages (made by ``planner``) whose task has no receipt and that reached, or
    will reach, their recipient."""
    if not items:
        return []
    settled: set[str] = set()
    for topic in {a.ask.topic for a in items}:
        settled |= settled_tasks(ctx.session, topic)
    open_items = [a for a in items if a.ask.task not in settled]
    statuses = outbox_statuses(ctx, [a.message.key for a in open_items])
    planned_until = last_tick(ctx.session, planner)
    return [a for a in open_items if _reached(a.message, statuses.get(a.message.key), planned_until)]


def _reached(message: PlannedMessage, status: str | None, planned_until: dt.datetime | None) -> bool:
    if status is not None:
        return status not in UNDELIVERED
    return planned_until is None or message.due_at > planned_until  # not planned yet: simulate's future


def outbox_statuses(ctx: PlanContext, keys: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start:start + _CHUNK]
        rows = ctx.session.execute(select(OutboxMessage.key, OutboxMessage.status).where(OutboxMessage.key.in_(chunk)))
        found.update((key, status) for key, status in rows)
    return found


def by_party(items: Iterable[Asked]) -> dict[str, list[Asked]]:
    found: dict[str, list[Asked]] = defaultdict(list)
    for item in items:
        found[item.ask.party].append(item)
    return dict(found)


def enterprise_row(enterprise: Enterprise) -> dict[str, str]:
    category = enterprise.category_enum
    return {"code": enterprise.code, "name": enterprise.name, "category": category.value,
            "category_label": category.label, "region": enterprise.region,
            "principal_name": enterprise.principal_name, "principal_mobile": enterprise.principal_mobile}


def supervisor_lists(ctx: PlanContext, codes: Iterable[str],
                     unassigned_to: Sequence[str]) -> Iterator[tuple[Recipient, list[dict[str, str]]]]:
    """Each supervisor (and each member of ``unassigned_to``, for enterprises nobody supervises),
    with their enterprises among ``codes``, by category then region."""
    lists: dict[str, tuple[Recipient, list[Enterprise]]] = {}
    for code in sorted(set(codes)):
        enterprise = ctx.directory.enterprise(code)
        if enterprise is None:
            continue  # deactivated since it was asked
        reach = [r for s in ctx.directory.supervisors_of(enterprise) if (r := ctx.directory.person(s)) is not None]
        if not reach:
            reach = [r for group in unassigned_to for r in ctx.directory.group(group)]
        for recipient in reach:
            lists.setdefault(recipient.key, (recipient, []))[1].append(enterprise)
    for recipient, enterprises in lists.values():
        ordered = sorted(enterprises, key=lambda e: (e.category_enum.label, e.region, e.code))
        yield recipient, [enterprise_row(e) for e in ordered]


def grouped(rows: Sequence[dict[str, str]]) -> list[dict[str, object]]:
    """Rows grouped by category (they come sorted), for a list a supervisor can work through."""
    groups: list[dict[str, object]] = []
    for row in rows:
        if not groups or groups[-1]["category"] != row["category_label"]:
            groups.append({"category": row["category_label"], "enterprises": []})
        groups[-1]["enterprises"].append(row)  # type: ignore[attr-defined]
    return groups
