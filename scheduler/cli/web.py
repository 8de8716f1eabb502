"""`safeduty web` (serve the web interface alone) and `safeduty user …` (accounts)."""

from __future__ import annotations

import signal
import sys
import threading
from types import FrameType
from typing import Any

import click

from scheduler.cli.common import (
    FORMAT_OPTION,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)


@click.command("web")
@pass_context
def web(ctx: Context) -> None:
    """Serve the web interface alone, without planning or sending.

    For replicas on PostgreSQL behind a reverse proxy; one `safeduty run` still does the
    scheduling. Stops on Ctrl-C / SIGTERM."""
    from scheduler.keys import MissingSecret
    from scheduler.web.serving import ListenError, build

    app = ctx.app
    stopping = threading.Event()

    def stop(signum: int, _: FrameType | None) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        app.sessions  # noqa: B018 - migrate before the first request, not during it
        server = build(app)
    except (ListenError, MissingSecret) as exc:
        raise Fatal(f"{exc}; not starting") from None
    click.echo(f"web interface: {server.url} (Ctrl-C to stop)", err=True)
    server.serve_forever(stopping)
    click.echo("web interface stopped", err=True)


@click.group("user")
def user() -> None:
    """Web accounts: the imported staff, signing in with their 工号 and a password."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(click.prompt("password", hide_input=True, confirmation_prompt="again"))


@user.command("set-password")
@click.argument("code")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin (scripts).")
@pass_context
def set_password(ctx: Context, code: str, password_stdin: bool) -> None:
    """Set CODE's password (工号), creating the account; ends the account's other sessions.

    A new account's roles follow the staff file: leader/officer → duty; supervisor, section_head,
    bureau_leader → supervisor; admin → admin. Change them with `safeduty user roles`."""
    from scheduler.accounts import roles, users

    app = ctx.synced_app
    password = _read_password(password_stdin)
    with app.sessions.begin() as session:
        try:
            account, created = users.set_password(session, code, password, now=app.clock.now())
        except users.AccountError as exc:
            raise Fatal(f"{exc}; nothing was changed") from None
        held = "、".join(r.label for r in sorted(roles.loaded(account.roles), key=lambda r: list(roles.WebRole).index(r)))
    click.echo(f"{code}: {'account created' if created else 'password changed'} (roles: {held})")


@user.command()
@click.argument("code")
@click.option("--enable", is_flag=True, help="Enable the account again instead.")
@pass_context
def disable(ctx: Context, code: str, enable: bool) -> None:
    """Disable CODE's account (signs it out everywhere at once), or --enable it again."""
    from scheduler.accounts import users

    app = ctx.synced_app
    with app.sessions.begin() as session:
        try:
            users.set_disabled(session, code, not enable, now=app.clock.now())
        except users.AccountError as exc:
            raise Fatal(f"{exc}; nothing was changed") from None
    click.echo(f"{code}: {'enabled' if enable else 'disabled; every session of it has ended'}")


@user.command()
@click.argument("code")
@click.argument("roles")
@pass_context
def roles(ctx: Context, code: str, roles: str) -> None:
    """Set CODE's web roles, e.g. "duty,supervisor": viewer (read every page; always held),
    duty, supervisor, admin (everything: outbox retry, accounts, tokens)."""
    from scheduler.accounts import users
    from scheduler.accounts.roles import WebRole, parse_roles

    try:
        wanted = parse_roles(roles)
    except ValueError as exc:
        raise Fatal(f"ROLES: {exc}") from None
    app = ctx.synced_app
    with app.sessions.begin() as session:
        try:
            users.set_roles(session, code, wanted, now=app.clock.now())
        except users.AccountError as exc:
            raise Fatal(f"{exc}; nothing was changed") from None
    click.echo(f"{code}: roles " + ", ".join(r.value for r in WebRole if r in wanted))


@user.command("list")
@FORMAT_OPTION
@pass_context
def list_users(ctx: Context, fmt: str) -> None:
    """Every account: 工号, name, roles, state, last sign-in."""
    from scheduler.accounts import roles, users

    app = ctx.synced_app
    zone = app.config.service.zone
    with app.sessions() as session:
        found = users.listing(session)
    records: list[dict[str, Any]] = [{"code": u.staff_code, "name": s.name if s else "", "roles": sorted(r.value for r in roles.loaded(u.roles)),
                "disabled": u.disabled, "active_staff": bool(s and s.active),
                "last_login_at": u.last_login_at.astimezone(zone).isoformat() if u.last_login_at else None}
               for u, s in found]
    if fmt == "json":
        print_json(records)
        return
    print_table(["code", "name", "roles", "state", "last sign-in"],
                [[r["code"], r["name"], ",".join(r["roles"]),
                  "disabled" if r["disabled"] else ("left the staff list" if not r["active_staff"] else "active"),
                  (r["last_login_at"] or "")[:16].replace("T", " ")] for r in records])
