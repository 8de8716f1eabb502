"""`safeduty roster …`: generate, publish, show, swap, override, leave, suggest, stats, check.

Each command that changes the roster runs in one transaction: when a rule or the input says
no, the command exits 2 naming the day and the reason, and nothing is changed. Changes are
recorded with who (``--by``, or $SAFEDUTY_USER), why (``--reason``) and when; the duty planner
then tells the people affected.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from rosters import changes
from rosters.book import RosterBook, RosterError, action_changes
from rosters.exports.ics import to_ics
from rosters.exports.page import to_html
from rosters.exports.sheets import to_csv, to_xlsx
from rosters.generate import Infeasible
from rosters.model import DUTY_ROLES, DayKind
from rosters.notices import roster_title
from rosters.stats import dual_spread, tally
from rosters.tables import RosterAction
from scheduler.cli.common import (
    BY,
    DATE,
    FORMAT_OPTION,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)
from scheduler.files import write_private
from scheduler.people.checks import audience_warnings
from scheduler.people.directory import Directory
from scheduler.vocab import Role

ROLE = click.Choice([r.value for r in DUTY_ROLES])
REASON = click.option("--reason", required=True, help="Why, in a few words (kept with the change).")


@click.group("roster")
def group() -> None:
    """The 24-hour duty roster: 带班领导 and 值班员 for every duty day."""


@contextmanager
def _book(ctx: Context, *, write: bool) -> Iterator[RosterBook]:
    app = ctx.synced_app
    opener = app.sessions.begin() if write else app.sessions()
    with opener as session:
        try:
            yield RosterBook(session, app.config.roster, app.calendar, app.config.service.zone)
        except (RosterError, Infeasible) as exc:
            raise Fatal(f"{exc}; nothing was changed" if write else str(exc)) from None


def _today(ctx: Context) -> dt.date:
    return ctx.app.clock.now().astimezone(ctx.app.config.service.zone).date()


def _month(ctx: Context, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The range asked for; by default the current month."""
    today = _today(ctx)
    start = start or today.replace(day=1)
    if end is None:
        following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        end = following - dt.timedelta(days=1)
    if end < start:
        raise Fatal(f"--to {end} is before --from {start}")
    return start, end


@group.command()
@click.option("--from", "start", type=DATE, required=True, help="First duty day.")
@click.option("--to", "end", type=DATE, required=True, help="Last duty day.")
@click.option("--publish", is_flag=True, help="Publish the range too (freezes it; supervisors are told).")
@click.option("--fresh", is_flag=True, help="Discard unpublished drafts in the range and plan them anew.")
@click.option("--past", is_flag=True,
              help="Also fill or re-plan days whose duty has ended (history; nobody is told).")
@click.option("--verbose", is_flag=True, help="List every seat that changed hands.")
@BY
@pass_context
def generate(ctx: Context, start: dt.date, end: dt.date, publish: bool, fresh: bool, past: bool, verbose: bool,
             actor: str) -> None:
    """Fill every empty seat from --from to --to, fairly; published and past days are never touched."""
    now = ctx.app.clock.now()
    with _book(ctx, write=True) as book:
        result = book.generate(start, end, now=now, actor=actor, fresh=fresh, past=past)
        first = result.first or start
        click.echo(f"{first}…{end}: {result.filled} seat(s) filled, {result.kept} kept, "
                   f"{result.frozen_days} published day(s) left as they were")
        if result.past_days:
            click.echo(f"{start}…{first - dt.timedelta(days=1)} ({result.past_days} day(s)) are over: left as they "
                       f"were (past days are never regenerated; --past includes them)")
        if result.moves:
            click.echo(f"{result.changed_days} draft day(s) changed, {result.people_affected} people affected "
                       f"(drafts: nobody is told)" + ("" if verbose else "; --verbose lists every seat"))
        if verbose:
            for slot, old, new in result.moves:
                click.echo(f"  moved {slot.date} {slot.role.label}: {_name(book, old) or '—'} → "
                           f"{_name(book, new) or '—'}")
        if publish:
            _publish(ctx, book, first, end, actor, now)


@group.command()
@click.option("--from", "start", type=DATE, required=True)
@click.option("--to", "end", type=DATE, required=True)
@BY
@pass_context
def publish(ctx: Context, start: dt.date, end: dt.date, actor: str) -> None:
    """Publish (freeze) a generated range; supervisors receive it and the office any gaps."""
    with _book(ctx, write=True) as book:
        _publish(ctx, book, start, end, actor, ctx.app.clock.now())


def _publish(ctx: Context, book: RosterBook, start: dt.date, end: dt.date, actor: str, now: dt.datetime) -> None:
    book.publish(start, end, now=now, actor=actor)
    click.echo(f"published {start}…{end}")
    findings = book.coverage(start, end, _reachable(ctx, book))
    for finding in findings:
        click.echo(f"  warning: {finding.date} {finding.text}", err=True)
    notices = ctx.app.config.roster.notices
    if book.day(end).end <= now:
        click.echo(f"  every day of {start}…{end} is over: published as a record; nobody is told")
        return
    if book.day(start).end <= now:
        click.echo(f"  days that are over are not announced; the roster sent starts on "
                   f"{book.first_open_day(now) if book.running_day(now) is None else book.running_day(now)}")
    _warn_empty(ctx, book, notices.published_to, "roster.notices.published_to")
    if findings:
        _warn_empty(ctx, book, notices.office, "roster.notices.office")


def _warn_empty(ctx: Context, book: RosterBook, groups: tuple[str, ...], key: str) -> None:
    """Say so when the audience a command's messages go to reaches nobody."""
    directory = Directory(ctx.app.config, [], list(book.staff().values()))
    if not groups:
        click.echo(f"  warning: {key} names no group, so nobody is told", err=True)
    for warning in audience_warnings(directory, groups, key):
        click.echo(f"  warning: {warning}", err=True)


def _warn_unreachable(ctx: Context, book: RosterBook, action: RosterAction) -> None:
    """Say so when someone a change is announced to cannot be reached."""
    reachable = _reachable(ctx, book)
    for code in sorted({c for change in action_changes(book, action) if change.published
                        for c in (change.old_code, change.new_code) if c}):
        if not reachable(code):
            click.echo(f"  warning: {_name(book, code)} has no address for their notices' channel, so is not "
                       f"told of the change", err=True)


@group.command()
@click.option("--from", "start", type=DATE, help="First day (default: the first of this month).")
@click.option("--to", "end", type=DATE, help="Last day (default: the end of --from's month).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html", "ics"]),
              default="table", show_default=True)
@click.option("--person", help="Only this person's duties (工号 or 姓名).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@pass_context
def show(ctx: Context, start: dt.date | None, end: dt.date | None, fmt: str, person: str | None,
         output: Path | None) -> None:
    """Show or export the roster (ICS: a calendar to subscribe to, per person or for the team)."""
    start, end = _month(ctx, start, end)
    config = ctx.app.config
    with _book(ctx, write=False) as book:
        rows = book.roster(start, end)
        code = _who(book, person) if person else None
        if code is not None:
            rows = [r for r in rows if any(h.code == code for h in r.leaders + r.officers)]
        who = f"（{book.staff()[code].name}）" if code else ""
        title = roster_title(config.service.bureau, start, end, who)
        if fmt == "table":
            print_table(("日期", "星期", "类型", "带班领导", "值班员", "状态"),
                        [(*r.cells()[:3], r.cells()[3], r.cells()[5], r.status) for r in rows])
            return
        if fmt == "json":
            print_json([r.as_dict() for r in rows])
            return
        data: bytes = {
            "csv": lambda: to_csv(rows),
            "xlsx": lambda: to_xlsx(rows, title),
            "html": lambda: to_html(rows, title, config.roster.handover, config.roster.duty_phone).encode(),
            "ics": lambda: to_ics(rows, book.stamps(start, end), name=title, zone=config.service.zone,
                                  alarm=config.roster.ics_alarm, phone=config.roster.duty_phone,
                                  person=code).encode(),
        }[fmt]()
    if output is not None:
        write_private(output, data)  # 0600: a roster lists everyone's mobile
        click.echo(f"wrote {output} ({len(rows)} day(s))", err=True)
    elif fmt == "xlsx":
        raise Fatal("an XLSX roster needs a file: add -o FILE.xlsx")
    else:
        click.echo(data, nl=False)  # bytes go to the binary stream as they are


@group.command()
@click.argument("date_a", type=DATE)
@click.argument("person_a")
@click.argument("date_b", type=DATE)
@click.argument("person_b")
@REASON
@BY
@pass_context
def swap(ctx: Context, date_a: dt.date, person_a: str, date_b: dt.date, person_b: str, reason: str,
         actor: str) -> None:
    """PERSON_A (on duty DATE_A) and PERSON_B (on duty DATE_B) exchange their duties."""
    with _book(ctx, write=True) as book:
        action = changes.swap(book, date_a, person_a, date_b, person_b, now=ctx.app.clock.now(), actor=actor,
                              reason=reason)
        click.echo(f"swapped: {person_a} now on duty {date_b}, {person_b} now on duty {date_a}")
        _warn_unreachable(ctx, book, action)


@group.command()
@click.argument("date", type=DATE)
@click.option("--to", "new", required=True, help="Who takes the seat (工号 or 姓名).")
@click.option("--replace", "replacing", help="Who gives the seat up (default: the role's empty seat).")
@click.option("--role", type=ROLE, help="The role of the empty seat to fill.")
@REASON
@BY
@pass_context
def override(ctx: Context, date: dt.date, new: str, replacing: str | None, role: str | None, reason: str,
             actor: str) -> None:
    """Put someone on duty on DATE, in place of --replace or into an empty seat."""
    with _book(ctx, write=True) as book:
        action = changes.override(book, date, new, now=ctx.app.clock.now(), actor=actor, reason=reason,
                                  role=Role(role) if role else None, replacing=replacing)
        click.echo(f"{date}: {new} is on duty" + (f" in place of {replacing}" if replacing else ""))
        _warn_unreachable(ctx, book, action)


@group.command()
@click.argument("person")
@click.option("--from", "start", type=DATE, required=True, help="First day away.")
@click.option("--to", "end", type=DATE, required=True, help="Last day away.")
@click.option("--kind", default="请假", show_default=True, help="请假, 出差, 培训, 病假…")
@REASON
@BY
@pass_context
def leave(ctx: Context, person: str, start: dt.date, end: dt.date, kind: str, reason: str, actor: str) -> None:
    """Record leave; PERSON's unpublished duties in it are handed to others."""
    with _book(ctx, write=True) as book:
        result = changes.add_leave(book, person, start, end, kind=kind, now=ctx.app.clock.now(), actor=actor,
                                   reason=reason)
        click.echo(f"{person}: {kind} {start}…{end} recorded")
        for slot, old, new in result.moves:
            click.echo(f"  {slot.date} {slot.role.label}: {_name(book, old) or '—'} → {_name(book, new)}")
        for slot in result.published:
            click.echo(f"  warning: {slot.date} is published and still lists {person}; "
                       f"see `safeduty roster suggest {slot.date} --replace {person}`", err=True)
        for shortfall in result.unresolved:
            click.echo(f"  warning: {shortfall}", err=True)


@group.command()
@click.argument("date", type=DATE)
@click.option("--role", type=ROLE, help="The role of the empty seat (default: the first empty one).")
@click.option("--replace", "replacing", help="Who would give the seat up.")
@FORMAT_OPTION
@pass_context
def suggest(ctx: Context, date: dt.date, role: str | None, replacing: str | None, fmt: str) -> None:
    """Who should cover DATE? Free, eligible people, most rest on both sides first."""
    with _book(ctx, write=False) as book:
        slot, options = changes.cover_options(book, date, Role(role) if role else None, replacing)
    if fmt == "json":
        print_json([{"code": s.person.code, "name": s.person.name, "since_last": s.since_last,
                     "until_next": s.until_next, "balance": round(s.balance, 2)} for s in options])
        return
    click.echo(f"{date} {slot.role.label}:")
    print_table(("工号", "姓名", "距上次值班(天)", "距下次值班(天)", "今年负荷"),
                [(s.person.code, s.person.name, _days(s.since_last), _days(s.until_next), f"{s.balance:g}")
                 for s in options])


@group.command()
@click.option("--year", type=int, help="Calendar year (default: this year).")
@FORMAT_OPTION
@pass_context
def stats(ctx: Context, year: int | None, fmt: str) -> None:
    """Per person: duties by kind of day and weighted load; per role: the spread (max − min)."""
    year = year or _today(ctx).year
    with _book(ctx, write=False) as book:
        seats = book.seats(dt.date(year, 1, 1), dt.date(year, 12, 31))
        names = {code: s.name for code, s in book.staff().items()}
        people, spreads = tally(((s.date, s.role, c) for s, c in seats.items()), book.people(), book.day, names)
    dual = dual_spread(people)
    if fmt == "json":
        print_json({"year": year, "people": [p.as_dict() for p in people], "roles": [s.as_dict() for s in spreads],
                    "both_roles": dual.as_dict() if dual else None})
        return
    kinds = [k.value for k in DayKind] + ["special"]
    print_table(("工号", "姓名", "角色", "工作日", "休息日", "节假日", "重点日", "合计", "负荷", "其中带班", "其中值班员"),
                [(p.code, p.name, "、".join(r.label for r in p.roles) or "（已离开）",
                  *(p.by_kind[k] for k in kinds), p.shifts, f"{p.load:g}",
                  *(f"{p.load_by_role[r.value]:g}" if p.dual else "" for r in DUTY_ROLES)) for p in people])
    for spread in spreads:
        click.echo(f"{spread.role.label}（只任{spread.role.label}）: {spread.people} people, "
                   f"load {spread.low:g}–{spread.high:g}, spread {spread.spread:g}")
    if dual is not None:
        parts = "; ".join(f"as {Role(r).label} {lo:g}–{hi:g}" for r, (lo, hi) in dual.by_role.items())
        click.echo(f"带班领导和值班员（两者皆可）: {dual.people} people, load {dual.low:g}–{dual.high:g}, "
                   f"spread {dual.spread:g} ({parts})")


@group.command("check")
@click.option("--from", "start", type=DATE, help="First day (default: today).")
@click.option("--to", "end", type=DATE, help="Last day (default: roster.notices.check_days ahead).")
@pass_context
def check_coverage(ctx: Context, start: dt.date | None, end: dt.date | None) -> None:
    """The coverage check: empty seats, people on leave or unreachable, broken rules."""
    start = start or _today(ctx)
    end = end or start + dt.timedelta(days=max(ctx.app.config.roster.notices.check_days, 1) - 1)
    with _book(ctx, write=False) as book:
        findings = book.coverage(start, end, _reachable(ctx, book))
    if findings:
        empty = [f.date for f in findings if f.kind == "ungenerated"]
        hint = (f"\n  days not generated yet: safeduty roster generate --from {min(empty)} --to {max(empty)}"
                if empty else "")
        if len(empty) < len(findings):
            hint += "\n  a seat to cover: safeduty roster suggest DATE, then safeduty roster override DATE --to NAME"
        raise Fatal(f"{len(findings)} problem(s) from {start} to {end}:\n"
                    + "\n".join(f"  {f.date} {f.text}" for f in findings) + hint)
    click.echo(f"{start}…{end}: every duty day is covered")


def _reachable(ctx: Context, book: RosterBook) -> Callable[[str], bool]:
    directory = Directory(ctx.app.config, [], list(book.staff().values()))
    channel = ctx.app.config.roster.notices.personal or None
    active = {s.code: s for s in directory.staff}
    return lambda code: code in active and directory.person(active[code], channel) is not None


def _who(book: RosterBook, who: str) -> str:
    """A 工号 from a 工号 or a 姓名 (anyone ever on the staff list: old rosters name people who left)."""
    staff = book.staff()
    if who in staff:
        return who
    matches = [code for code, s in staff.items() if s.name == who]
    if not matches:
        raise Fatal(f'"{who}" is not on the staff list (give a 工号 or 姓名 from `safeduty staff list`)')
    if len(matches) > 1:
        raise Fatal(changes.ambiguous(who, [(c, staff[c].name, staff[c].mobile) for c in matches]))
    return matches[0]


def _name(book: RosterBook, code: str) -> str:
    staff = book.staff().get(code)
    return staff.name if staff else code


def _days(value: int | None) -> str:
    return "—" if value is None else str(value)
