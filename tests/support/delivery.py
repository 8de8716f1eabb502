"""Build a project with channels pointed at local stand-ins, and put messages in its outbox."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import select

from scheduler.app import App
from scheduler.channels.base import Rendered
from scheduler.outbox import store
from scheduler.outbox.models import DeliveryAttempt, OutboxMessage
from scheduler.outbox.planned import Mention, PlannedMessage, Recipient, short_ref
from tests.support.project import BASE_CONFIG, make_app, make_project

NOTE = "test/note"  # a message kind whose parts are whatever the test puts in its context
_TEMPLATES = {
    f"{NOTE}.subject.j2": "{{ subject }}",
    f"{NOTE}.text.j2": "{{ text }}",
    f"{NOTE}.md.j2": "{{ markdown or text }}",
    f"{NOTE}.html.j2": "<p>{{ text }}</p>",
    f"{NOTE}.sample.json": '{"subject": "s", "text": "t", "markdown": ""}',
}


def delivery_project(folder: Path, extra: str = "", *, database: str | None = None) -> Path:
    """A project whose templates include ``test/note``; ``extra`` adds TOML (channels, …)."""
    base = BASE_CONFIG.replace('first_run_lookback = "1d"', 'first_run_lookback = "1d"\ntemplates = "tpl"')
    config = make_project(folder, extra, database=database, base=base)
    for name, text in _TEMPLATES.items():
        path = folder / "tpl" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return config


def delivery_app(folder: Path, clock: object, extra: str = "", **kwargs: object) -> App:
    return make_app(delivery_project(folder, extra, **kwargs), clock)  # type: ignore[arg-type]


def note(
    key: str,
    channel: str,
    due: dt.datetime,
    *,
    subject: str = "【值班提醒】测试消息",
    text: str = "今天的值班安排已发布，请查收。",
    markdown: str = "",
    address: str = "",
    name: str = "值班组",
    mentions: Iterable[Mention] = (),
    expires: dt.timedelta = dt.timedelta(hours=12),
    context: dict[str, object] | None = None,
) -> PlannedMessage:
    return PlannedMessage(
        key=key,
        kind=NOTE,
        recipient=Recipient(f"test:{key}", name, channel, address, tuple(mentions)),
        due_at=due,
        expires_at=due + expires,
        context={"subject": subject, "text": text, "markdown": markdown, **(context or {})},
    )


def enqueue(app: App, messages: Iterable[PlannedMessage]) -> int:
    with app.sessions.begin() as session:
        return store.enqueue(session, list(messages), app.clock.now())


def outbox(app: App) -> dict[str, OutboxMessage]:
    with app.sessions() as session:
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        session.expunge_all()
    return {row.key: row for row in rows}


def attempts(app: App, key: str) -> list[DeliveryAttempt]:
    with app.sessions() as session:
        found = session.scalars(
            select(DeliveryAttempt).join(OutboxMessage, OutboxMessage.id == DeliveryAttempt.message_id)
            .where(OutboxMessage.key == key).order_by(DeliveryAttempt.number)
        ).all()
        session.expunge_all()
    return list(found)


def rendered(
    key: str = "duty:2026-01-05:daily:group:duty_team",
    *,
    subject: str = "【值班提醒】1月5日值班安排",
    text: str = "今日值班：带班领导高峰，值班员梁宇。\n请按时到岗。\n",
    markdown: str = "",
    html: str = "",
    address: str = "",
    name: str = "值班组",
    mentions: Iterable[Mention] = (),
) -> Rendered:
    """A message as the dispatcher hands it to a channel."""
    return Rendered(
        key=key, ref=short_ref(key), kind=NOTE, recipient_name=name, address=address, mentions=tuple(mentions),
        subject=subject, text=text, html=html, markdown=markdown or text, due_at="2026-01-05T01:00:30+00:00",
    )
