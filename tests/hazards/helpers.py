"""Hazard test helpers: register a hazard, drive the service day by day, read the outbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from scheduler.app import App
from scheduler.hazards import queries, register
from scheduler.hazards.models import Hazard
from scheduler.hazards.vocab import HazardStatus
from scheduler.outbox.models import OutboxMessage
from scheduler.people.models import Enterprise
from tests.support.clock import SHANGHAI, ManualClock, local

JINCI = "91140100EX0000001A"  # 晋祠 (A级旅游景区): supervised by 邓超 (S010); principal 王建国
KTV = "91140100EX0000003C"  # 龙城星光KTV (娱乐场所): supervised by 唐磊 (S008)

COMPLETE_MAJOR: dict[str, Any] = {
    "title": "玻璃栈道钢化玻璃裂纹",
    "category": "thing",
    "level": "major",
    "source": "inspection",
    "found_on": dt.date(2026, 1, 5),
    "measures": "封闭栈道，更换面板",
    "funds_yuan": 380000,
    "funds_source": "企业自筹",
    "deadline": dt.date(2026, 2, 12),
    "responsible_name": "李安全",
    "responsible_mobile": "13900000102",
    "responsible_email": "li.responsible@jinci.example.com",
    "contingency_plan": "玻璃栈道专项应急预案",
    "reported_to_regulator_at": local(2026, 1, 5, 8, 0),
    "reported_to_congress_at": local(2026, 1, 5, 8, 30),
}


def add_hazard(
    app: App,
    code: str,
    enterprise: str = JINCI,
    *,
    status: HazardStatus | None = None,
    **values: Any,
) -> None:
    """Register a hazard now (by the app's clock); a complete major hazard unless told otherwise."""
    with app.sessions.begin() as session:
        owner = session.scalar(select(Enterprise).where(Enterprise.code == enterprise))
        assert owner is not None
        hazard = register.register(
            session,
            {**COMPLETE_MAJOR, "code": code, **values},
            owner,
            actor="test",
            now=app.clock.now(),
            zone=SHANGHAI,
            general_deadline_days=0,
        )
        if status is not None:
            register.set_status(session, hazard, status, actor="test", now=app.clock.now())


def change(app: App, code: str, action: str, *args: Any, **kwargs: Any) -> None:
    """Call register.<action>(session, hazard, *args, **kwargs) in its own transaction."""
    with app.sessions.begin() as session:
        hazard = queries.by_code(session, code)
        assert hazard is not None
        getattr(register, action)(
            session, hazard, *args, actor="test", now=app.clock.now(), **kwargs
        )


def tick(app: App, clock: ManualClock, moment: dt.datetime, *, dispatch: bool = True) -> None:
    clock.set(moment)
    app.service.plan_due()
    if dispatch:
        app.dispatcher.dispatch_due()


def each_day(
    app: App, clock: ManualClock, first: dt.date, last: dt.date, hour: int = 9, minute: int = 5
) -> None:
    day = first
    while day <= last:
        tick(app, clock, local(day.year, day.month, day.day, hour, minute))
        day += dt.timedelta(days=1)


def rows(app: App, topic: str, status: str | None = None) -> list[OutboxMessage]:
    with app.sessions() as session:
        query = (
            select(OutboxMessage)
            .where(OutboxMessage.topic == topic)
            .order_by(OutboxMessage.due_at, OutboxMessage.key)
        )
        if status is not None:
            query = query.where(OutboxMessage.status == status)
        return list(session.scalars(query))


def escalations(
    app: App, code: str, status: str = "sent"
) -> list[tuple[dt.date, str, str, str, str]]:
    """(local day, deadline, step, repeat, recipient key) of each escalation message in ``status``."""
    found = []
    for row in rows(app, f"hazard:{code}", status):
        _, _, deadline, step, repeat, *recipient = row.key.split(":")
        moment = row.sent_at if status == "sent" else row.due_at
        assert moment is not None
        found.append(
            (moment.astimezone(SHANGHAI).date(), deadline, step, repeat, ":".join(recipient))
        )
    return sorted(found)


def hazard(app: App, code: str) -> Hazard:
    with app.sessions() as session:
        found = queries.by_code(session, code)
        assert found is not None
        assert found.events is not None  # load the history before the session closes
        return found


def planned(app: App, planner: Any, start: dt.datetime, end: dt.datetime) -> list[Any]:
    """What ``planner`` plans for (start, end], as `simulate` would see it (nothing is written)."""
    from scheduler.outbox.planned import Window

    with app.sessions() as session:
        return sorted(
            planner(app.service.context(session), Window(start, end)),
            key=lambda m: (m.due_at, m.key),
        )
