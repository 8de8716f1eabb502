"""`safeduty outbox list|show|retry|targets|prune` and `safeduty send-test CHANNEL`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from jinja2 import TemplateError
from sqlalchemy import select

from scheduler.channels.base import DeliveryError, Rendered
from scheduler.cli.common import (
    FORMAT_OPTION,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)
from scheduler.outbox import manual
from scheduler.outbox import targets as target_state
from scheduler.outbox.manual import RETRYABLE_BY_HAND
from scheduler.outbox.models import DeliveryAttempt, OutboxMessage, Status
from scheduler.outbox.planned import Mention, short_ref
from scheduler.outbox.targets import Limits
from scheduler.redaction import summary


@click.group("outbox")
def group() -> None:
    """What was sent, what is waiting, what failed; send again."""


@group.command("list")
@click.option("--status", type=click.Choice([s.value for s in Status]), help="Only messages in this state.")
@click.option("--channel", help="Only messages for this channel.")
@click.option("--limit", type=int, default=50, show_default=True, help="At most this many, latest due first.")
@FORMAT_OPTION
@pass_context
def list_messages(ctx: Context, status: str | None, channel: str | None, limit: int, fmt: str) -> None:
    """List messages, latest due first."""
    query = select(OutboxMessage).order_by(OutboxMessage.due_at.desc(), OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    if channel:
        query = query.where(OutboxMessage.channel == channel)
    with ctx.app.sessions() as session:
        rows = list(session.scalars(query))
    if fmt == "json":
        print_json([_summary(row) for row in rows])
        return
    local = _local(ctx)
    print_table(
        ["due", "status", "attempts", "channel", "recipient", "key", "last error"],
        [[local(r.due_at), r.status, r.attempts, r.channel, r.recipient_name, r.key, _short(r.last_error)]
         for r in rows],
    )


@group.command()
@click.argument("key")
@FORMAT_OPTION
@pass_context
def show(ctx: Context, key: str, fmt: str) -> None:
    """One message: its state, every attempt with its outcome, and what was sent."""
    with ctx.app.sessions() as session:
        row = _find(session, key)
        tries = list(session.scalars(
            select(DeliveryAttempt).where(DeliveryAttempt.message_id == row.id).order_by(DeliveryAttempt.number)
        ))
    attempts = [{"number": a.number, "worker": a.worker, "started_at": a.started_at, "finished_at": a.finished_at,
                 "outcome": a.outcome, "detail": a.detail} for a in tries]
    body = {"subject": row.subject, "text": row.body_text, "html": row.body_html, "markdown": row.body_markdown}
    if fmt == "json":
        print_json({**_summary(row), "context": row.context, "mentions": row.mentions, "attempts": attempts, **body})
        return
    local = _local(ctx)
    for label, value in [("key", row.key), ("ref", short_ref(row.key)), ("kind", row.kind), ("status", row.status),
                         ("channel", row.channel), ("recipient", f"{row.recipient_name} {row.address}".strip()),
                         ("due", local(row.due_at)), ("expires", local(row.expires_at)),
                         ("next attempt", local(row.next_attempt_at) if row.status in (Status.PENDING, Status.FAILED) else ""),
                         ("sent", local(row.sent_at) + (" (late)" if row.late else "")), ("last error", row.last_error)]:
        if value:
            click.echo(f"{label:>12}: {value}")
    click.echo(f"\nattempts ({len(attempts)}):")
    for a in tries:
        click.echo(f"  #{a.number} {local(a.started_at)} {a.outcome:<9} {a.worker}: {a.detail}")
    if row.subject:
        click.echo(f"\nsubject: {row.subject}\n\n{row.body_text.rstrip()}")


@group.command()
@click.argument("key", required=False)
@click.option("--dead", "all_dead", is_flag=True, help="Every dead message.")
@pass_context
def retry(ctx: Context, key: str | None, all_dead: bool) -> None:
    """Send KEY (dead, expired or failed) again now, or every dead message with --dead.

    The retry window starts afresh, and an expired message gets delivery.retry.max_age more.
    """
    if bool(key) == all_dead:
        raise Fatal("give either a KEY or --dead")
    now = ctx.app.clock.now()
    max_age = ctx.loaded.config.delivery.retry.max_age
    with ctx.app.sessions.begin() as session:
        if key:
            row = _find(session, key)
            if row.status not in RETRYABLE_BY_HAND:
                raise Fatal(f"{key} is {row.status}; only dead, expired or failed messages can be retried")
            ids = [row.id]
        else:
            ids = list(session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == Status.DEAD)))
        manual.retry(session, ids, now=now, max_age=max_age)
    click.echo(f"{len(ids)} message(s) queued to be sent again" + (f": {key}" if key else ""))


@group.command("targets")
@click.option("--reset", "reset_name", metavar="NAME", help="Clear a target's pause and unhealthy mark.")
@FORMAT_OPTION
@pass_context
def list_targets(ctx: Context, reset_name: str | None, fmt: str) -> None:
    """Each channel's delivery state: budget used, pause, health."""
    channels = ctx.loaded.config.channels
    if reset_name is not None and reset_name not in channels:
        raise Fatal(f'no channel "{reset_name}" in config ({", ".join(sorted(channels))})')
    now = ctx.app.clock.now()
    with ctx.app.sessions.begin() as session:
        states = target_state.load(session, channels)
        if reset_name is not None and reset_name in states:
            target_state.reset(states[reset_name], "by hand")
    if reset_name is not None:
        click.echo(f"{reset_name}: reset; its waiting messages go on the next dispatch")
        return
    records: list[dict[str, Any]] = []
    for name, spec in sorted(channels.items()):
        limits, state = Limits.of(spec), states.get(name)
        # The requests of the last minute, counted: not "limit minus budget", which the per-second
        # limit makes as small as 4 of 100 right after one request.
        used = sum(1 for t in state.recent if t > now.timestamp() - 60) if state and limits.per_minute else None
        records.append({
            "channel": name, "type": spec.type,
            "limit": "/".join(p for p in (limits.per_minute and f"{limits.per_minute}/min",
                                          limits.per_second and f"{limits.per_second}/s") if p) or "none",
            "used_last_minute": used,
            "paused_until": state.paused_until if state and state.paused(now) else None,
            "unhealthy_since": state.unhealthy_since if state else None,
            "config_errors": state.config_errors if state else 0,
            "last_error": (state.pause_reason or state.last_error) if state else "",
        })
    if fmt == "json":
        print_json(records)
        return
    local = _local(ctx)
    print_table(["channel", "type", "limit", "used/min", "paused until", "unhealthy since", "last error"],
                [[r["channel"], r["type"], r["limit"], "" if r["used_last_minute"] is None else r["used_last_minute"],
                  local(r["paused_until"]), local(r["unhealthy_since"]), _short(r["last_error"])] for r in records])


@group.command("prune")
@click.option("--dry-run", is_flag=True, help="Only count what would be cleared; change nothing.")
@pass_context
def prune(ctx: Context, dry_run: bool) -> None:
    """Clear bodies and attempts of finished messages older than [outbox] keep (keys stay)."""
    from scheduler.outbox import prune as retention

    settings = ctx.loaded.config.outbox
    now = ctx.app.clock.now()
    if dry_run:
        with ctx.app.sessions() as session:
            found = retention.prunable(session, now, settings.keep)
        click.echo(f"would prune {found.messages} message(s) and {found.attempts} delivery attempt(s) "
                   f"finished before {_local(ctx)(found.cutoff)} ([outbox] keep = {settings.keep.days} days); "
                   "nothing was changed")
        return
    done = retention.prune(ctx.app.sessions, now, settings.keep, settings.prune_batch)
    click.echo(f"pruned {done.messages} message(s) and {done.attempts} delivery attempt(s) finished before "
               f"{_local(ctx)(done.cutoff)} in {done.batches} batch(es); their keys, recipients, status and "
               "subjects are kept")


@click.command("send-test")
@click.argument("channel")
@click.option("--to", "recipient", default="",
              help="E-mail address (e-mail channels), mobile or open_id to @mention (bots).")
@pass_context
def send_test(ctx: Context, channel: str, recipient: str) -> None:
    """Send a test message through CHANNEL now (not recorded in the outbox)."""
    app = ctx.app
    specs = ctx.loaded.config.channels
    if channel not in specs:
        raise Fatal(f'no channel "{channel}" in config ({", ".join(sorted(specs)) or "none defined"})')
    if specs[channel].type == "email" and "@" not in recipient:
        raise Fatal("an e-mail channel needs --to ADDRESS")
    now = app.clock.now()
    key = f"test:{channel}:{now:%Y%m%dT%H%M%S}"
    config = ctx.loaded.config
    context = {"channel": channel, "sent_at": now.isoformat(), "bureau": config.service.bureau,
               "office": config.service.office, "recipient_name": "管理员", "ref": short_ref(key),
               "due_at": now.isoformat(), "late": False}
    try:
        parts = app.renderer.render("admin/test", context)
    except TemplateError as exc:
        raise Fatal(f"template admin/test: {summary(exc)}") from None
    mentions: tuple[Mention, ...] = ()
    if recipient and "@" not in recipient:
        mentions = (Mention("", open_id=recipient) if recipient.startswith("ou_") else Mention("", recipient),)
    message = Rendered(key=key, ref=short_ref(key), kind="admin/test", recipient_name="管理员",
                       address=recipient if "@" in recipient else "", mentions=mentions, subject=parts.subject,
                       text=parts.text, html=parts.html, markdown=parts.markdown, due_at=now.isoformat())
    try:
        receipt = app.channels[channel].send(message)
    except DeliveryError as error:
        raise Fatal(f"{channel}: {error.outcome}: {error.reason}") from None
    click.echo(f"{channel}: sent ({receipt}); reference {message.ref}")


def _find(session: Any, key: str) -> OutboxMessage:
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    if row is None:
        raise Fatal(f"no message with key {key!r} (see `safeduty outbox list`)")
    return row


def _summary(row: OutboxMessage) -> dict[str, Any]:
    return {"key": row.key, "ref": short_ref(row.key), "kind": row.kind, "status": row.status,
            "channel": row.channel, "recipient": row.recipient_name, "address": row.address,
            "due_at": row.due_at, "expires_at": row.expires_at, "next_attempt_at": row.next_attempt_at,
            "attempts": row.attempts, "sent_at": row.sent_at, "late": row.late, "last_error": row.last_error}


def _local(ctx: Context):  # type: ignore[no-untyped-def]
    zone = ctx.loaded.config.service.zone

    def local(moment: dt.datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if moment else ""

    return local


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


COMMANDS = (group, send_test)
