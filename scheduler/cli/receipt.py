"""`safeduty receipt …`: receipts (回执) taken by phone or in person, what is outstanding, statistics.

A receipt entered here is recorded exactly like one through a link (and cancels the reminders
chasing it), marked as entered by hand with who entered it.
"""

from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

import click

from scheduler.cli.common import (
    BY,
    FORMAT_OPTION,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)

ENTERED_BY = click.option("--entered-by", "actor", envvar="SAFEDUTY_USER", default=getpass.getuser,
                          show_default="$SAFEDUTY_USER, or your login name",
                          help="Who takes the receipt down (kept with it).")


def _local(ctx: Context, moment: dt.datetime | None) -> str:
    return moment.astimezone(ctx.app.config.service.zone).strftime("%Y-%m-%d %H:%M") if moment else ""


@click.group("receipt")
def group() -> None:
    """Receipts (回执): enter one taken by phone, list what is outstanding, statistics."""


@group.command()
@click.argument("key")
@click.option("--by", "confirmed_by", required=True, help="Who confirmed (确认人), e.g. the enterprise's principal.")
@click.option("--mobile", default="", help="Their mobile number.")
@click.option("--note", default="", help="What they said (kept with the receipt).")
@click.option("--done/--not-done", default=None, help="节前自查 reports: the self-inspection is done.")
@click.option("--found", default=None, help="节前自查 reports: hazards found.")
@click.option("--rectified", default=None, help="节前自查 reports: hazards rectified.")
@click.option("--status", type=click.Choice(["progress", "rectified"]), default=None,
              help="Hazard reports: 整改进展 (progress) or 已整改待验收 (rectified).")
@ENTERED_BY
@pass_context
def confirm(ctx: Context, key: str, confirmed_by: str, mobile: str, note: str, done: bool | None,
            found: str | None, rectified: str | None, status: str | None, actor: str) -> None:
    """Record the receipt for the message KEY, taken by phone or in person (marked as entered by hand)."""
    from scheduler.receipts.models import Entry
    from scheduler.receipts.store import ReceiptError
    from scheduler.receipts.taking import open_key, take

    raw = {"name": confirmed_by, "mobile": mobile, "note": note, "done": "yes" if done else "",
           "found": found or "", "rectified": rectified or "", "status": status or ""}
    now = ctx.app.clock.now()
    with ctx.app.sessions.begin() as session:
        try:
            opened = open_key(session, ctx.app.config, key, now)
            if opened.ask.mode == "zero":
                raise Fatal(f"{key} asks for a 零报告: enter it on the web (零报告)")
            taken = take(session, ctx.app.config, opened, raw, entry=Entry.HAND, now=now, entered_by=actor)
        except ReceiptError as exc:
            raise Fatal(f"{key}: {exc}") from None
        if not taken.checked.ok:
            options = {"name": "--by", "mobile": "--mobile", "note": "--note", "done": "--done", "found": "--found",
                       "rectified": "--rectified", "status": "--status"}
            raise Fatal("nothing was recorded:\n" + "\n".join(
                f"  {options.get(f, f)}: {why}" for f, why in taken.checked.errors.items()))
        assert taken.recorded is not None
        receipt = taken.recorded.receipt
        when = _local(ctx, receipt.confirmed_at)
    if taken.new:
        click.echo(f"recorded: {receipt.task} confirmed by {receipt.confirmed_by} at {when}"
                   f"{' (late)' if receipt.late else ''}; entered by {actor}")
    else:
        click.echo(f"already confirmed by {receipt.confirmed_by} at {when} ({receipt.entry}); nothing changed")


@group.command("list")
@click.option("--topic", default=None, help="Only this notice, e.g. preholiday:2026-02-15.")
@click.option("--outstanding", is_flag=True, help="Only messages whose task has no receipt yet.")
@FORMAT_OPTION
@pass_context
def list_(ctx: Context, topic: str | None, outstanding: bool, fmt: str) -> None:
    """Messages that asked for a receipt, with their receipt (newest notice first)."""
    from scheduler.receipts import stats
    from scheduler.receipts.policy import party_of

    with ctx.app.sessions() as session:
        sent = sorted(stats.sent_asking(session, ctx.app.config, topic=topic), key=lambda m: (m.sent_at, m.key),
                      reverse=True)
        answers = stats.receipts_of(session, {m.task for m in sent})
        rows: list[dict[str, Any]] = []
        for m in sent:
            receipt = answers.get(m.task)
            if outstanding and receipt is not None:
                continue
            rows.append({"key": m.key, "kind": m.kind, "party": party_of(m.recipient_key),
                         "sent": _local(ctx, m.sent_at), "confirmed_by": receipt.confirmed_by if receipt else "",
                         "confirmed_at": _local(ctx, receipt.confirmed_at) if receipt else "",
                         "entry": receipt.entry if receipt else "", "late": bool(receipt and receipt.late)})
    if fmt == "json":
        print_json(rows)
        return
    print_table(("key", "sent", "confirmed by", "at", "entry"),
                [(r["key"], r["sent"], r["confirmed_by"] or "—", r["confirmed_at"] + (" (late)" if r["late"] else ""),
                  r["entry"]) for r in rows])


@group.command()
@click.option("--topic", default=None, help="Only this notice, e.g. preholiday:2026-02-15.")
@click.option("--party", default=None, help="One enterprise's or person's history: enterprise:CODE or staff:CODE.")
@FORMAT_OPTION
@pass_context
def stats(ctx: Context, topic: str | None, party: str | None, fmt: str) -> None:
    """Receipt rate per notice (asked, answered, late), or one party's history."""
    from scheduler.receipts import stats as numbers

    with ctx.app.sessions() as session:
        if party is not None:
            if not party.startswith(("enterprise:", "staff:", "group:")):
                raise Fatal(f"--party {party!r}: expected enterprise:CODE, staff:CODE or group:NAME")
            history = numbers.history(session, ctx.app.config, party)
            data = [{"topic": r.topic, "kind": r.kind, "task": r.task, "sent": _local(ctx, r.sent_at),
                     "confirmed_by": r.receipt.confirmed_by if r.receipt else "",
                     "confirmed_at": _local(ctx, r.receipt.confirmed_at) if r.receipt else "",
                     "late": bool(r.receipt and r.receipt.late)} for r in history]
            if fmt == "json":
                print_json(data)
            else:
                print_table(("notice", "kind", "sent", "confirmed by", "at"),
                            [(d["topic"], d["kind"], d["sent"], d["confirmed_by"] or "—",
                              f"{d['confirmed_at']}{' (late)' if d['late'] else ''}") for d in data])
            return
        notices = numbers.per_notice(session, ctx.app.config, topic)
        data = [{"topic": n.topic, "kind": n.kind, "first_sent": _local(ctx, n.first_sent), "asked": n.asked,
                 "answered": len(n.answered), "late": n.late, "rate": round(n.rate, 3), "missing": n.missing()}
                for n in notices]
    if fmt == "json":
        print_json(data)
        return
    print_table(("notice", "kind", "sent", "asked", "answered", "late", "rate"),
                [(d["topic"], d["kind"], d["first_sent"], d["asked"], d["answered"], d["late"], f"{d['rate']:.0%}")
                 for d in data])


@group.command()
@click.argument("receipt_id", type=int)
@click.option("--accept/--reject", "accept", required=True, help="Accept the report, or send it back.")
@click.option("--note", default="", help="Why (shown with the report).")
@BY
@pass_context
def review(ctx: Context, receipt_id: int, accept: bool, note: str, actor: str) -> None:
    """Accept or reject a hazard progress report (销号 stays `safeduty hazard status … closed`)."""
    from scheduler.receipts.hazard_reports import review as decide
    from scheduler.receipts.store import ReceiptError

    with ctx.app.sessions.begin() as session:
        try:
            outcome = decide(session, receipt_id, accept, by=actor, note=note, now=ctx.app.clock.now())
        except ReceiptError as exc:
            raise Fatal(str(exc)) from None
    click.echo(outcome)
