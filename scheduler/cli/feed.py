"""`safeduty feed issue|revoke|list`: calendar-feed (ICS subscription) tokens."""

from __future__ import annotations

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


@click.group("feed")
def group() -> None:
    """Calendar subscriptions (ICS feeds): issue, revoke and list their tokens."""


@group.command()
@click.argument("code", required=False, default="")
@click.option("--team", is_flag=True, help="The whole team's roster instead of one person's duties.")
@click.option("--label", default="", help="What the token is for, e.g. 值班室大屏 (shown in `feed list`).")
@BY
@pass_context
def issue(ctx: Context, code: str, team: bool, label: str, actor: str) -> None:
    """Issue a feed for CODE (工号) or, with --team, for the whole roster; prints its address once."""
    from scheduler.accounts import feeds

    if bool(code) == team:
        raise Fatal("give either a 工号 (one person's duties) or --team (the whole roster)")
    app = ctx.synced_app
    web = app.config.web
    if not web.feeds:
        raise Fatal("calendar feeds are off: set [web] feeds = true (and base_url) in config.toml")
    with app.sessions.begin() as session:
        try:
            issued = feeds.issue(session, staff_code=code, now=app.clock.now(), by=actor, label=label)
        except feeds.FeedError as exc:
            raise Fatal(f"{exc}; nothing was changed") from None
    click.echo(f"{web.root}/ics/{issued.token}.ics")
    click.echo(f"feed {issued.row.id} for {issued.row.label} (token starting {issued.row.prefix}): the address is "
               "shown only now; subscribe to it in a calendar app. Calendar apps refresh slowly (Google: up to a "
               "day): shift notices never rely on the feed.", err=True)


@group.command()
@click.argument("ident")
@pass_context
def revoke(ctx: Context, ident: str) -> None:
    """Revoke a feed by its id, its token's first characters, or every feed of a 工号."""
    from scheduler.accounts import feeds

    app = ctx.synced_app
    with app.sessions.begin() as session:
        try:
            rows = feeds.revoke(session, ident, now=app.clock.now())
        except feeds.FeedError as exc:
            raise Fatal(str(exc)) from None
        click.echo("revoked " + ", ".join(f"feed {r.id} ({r.label}, {r.prefix}…)" for r in rows))


@group.command("list")
@click.option("--all", "everything", is_flag=True, help="Include revoked feeds.")
@FORMAT_OPTION
@pass_context
def list_feeds(ctx: Context, everything: bool, fmt: str) -> None:
    """Every live feed (never the token itself: only its first characters)."""
    from scheduler.accounts import feeds

    app = ctx.synced_app
    zone = app.config.service.zone

    def local(moment: Any) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    with app.sessions() as session:
        rows = feeds.listing(session, revoked=everything)
    records = [{"id": r.id, "scope": r.scope, "code": r.staff_code, "label": r.label, "prefix": r.prefix,
                "created_at": local(r.created_at), "created_by": r.created_by, "last_access_at": local(r.last_access_at),
                "revoked_at": local(r.revoked_at)} for r in rows]
    if fmt == "json":
        print_json(records)
        return
    print_table(["id", "scope", "code", "label", "token", "created", "by", "last used", "revoked"],
                [[r["id"], r["scope"], r["code"], r["label"], f"{r['prefix']}…", r["created_at"], r["created_by"],
                  r["last_access_at"], r["revoked_at"]] for r in records])
