"""`safeduty staff list` and `safeduty enterprise list`: who the office knows, as imported.

Both read the database after syncing the data files named in config (as `run` would), so what
they show is what the planners use. Columns and accepted values: docs/data.md.
"""

from __future__ import annotations

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

ALL = click.option("--all", "everyone", is_flag=True, help="Also those deactivated (missing from the last file).")


def _labels(vocabulary: Any, values: str) -> list[str]:
    found = []
    for value in (v for v in values.split(",") if v):
        try:
            found.append(vocabulary(value).label)
        except ValueError:
            found.append(value)
    return found


@click.group("staff")
def staff_group() -> None:
    """The bureau's staff as imported: roles, teams, contacts, what each supervises."""


@staff_group.command("list")
@click.option("--role", help="Only people with this role (e.g. leader, 带班领导, supervisor, 监管员).")
@ALL
@FORMAT_OPTION
@pass_context
def list_staff(ctx: Context, role: str | None, everyone: bool, fmt: str) -> None:
    """List the staff: 工号, 姓名, 角色, 班组, 手机, 邮箱, 监管类别, 监管区域."""
    from sqlalchemy import select

    from scheduler.people.models import Staff
    from scheduler.vocab import Category, Role

    wanted = None
    if role:
        try:
            wanted = Role.parse(role)
        except ValueError as exc:
            raise Fatal(f"--role: {exc}") from None
    with ctx.synced_app.sessions() as session:
        people = [s for s in session.scalars(select(Staff).order_by(Staff.code))
                  if (everyone or s.active) and (wanted is None or wanted in s.role_set)]
        records: list[dict[str, Any]] = [{
            "code": s.code, "name": s.name,
            "roles": [{"value": r.value, "label": r.label} for r in Role if r in s.role_set],
            "team": s.team, "mobile": s.mobile, "email": s.email, "feishu_open_id": s.feishu_open_id,
            "supervises_categories": _labels(Category, s.supervises_categories),
            "supervises_regions": [r for r in s.supervises_regions.split(",") if r],
            "active": s.active,
        } for s in people]
    if fmt == "json":
        print_json(records)
        return
    print_table(("工号", "姓名", "角色", "班组", "手机", "邮箱", "监管类别", "监管区域", "状态"),
                [(r["code"], r["name"], "、".join(x["label"] for x in r["roles"]), r["team"], r["mobile"], r["email"],
                  "、".join(r["supervises_categories"]) or ("全部" if any(x["value"] == "supervisor" for x in r["roles"])
                                                          else ""),
                  "、".join(r["supervises_regions"]), "在用" if r["active"] else "已停用") for r in records])
    click.echo(f"{len(records)} people", err=True)


@click.group("enterprise")
def enterprise_group() -> None:
    """The supervised enterprises as imported: category, grade, region, contacts, bot."""


@enterprise_group.command("list")
@click.option("--category", help="Only this category (e.g. scenic_area, A级旅游景区, 网吧).")
@ALL
@FORMAT_OPTION
@pass_context
def list_enterprises(ctx: Context, category: str | None, everyone: bool, fmt: str) -> None:
    """List the enterprises: 编码, 名称, 类别, 等级, 行政区划, contacts by duty, 机器人通道."""
    from sqlalchemy import select

    from scheduler.people.models import Enterprise
    from scheduler.vocab import Category, ContactDuty

    wanted = None
    if category:
        try:
            wanted = Category.parse(category)
        except ValueError as exc:
            raise Fatal(f"--category: {exc}") from None
    with ctx.synced_app.sessions() as session:
        found = [e for e in session.scalars(select(Enterprise).order_by(Enterprise.code))
                 if (everyone or e.active) and (wanted is None or e.category == wanted.value)]
        records: list[dict[str, Any]] = [{
            "code": e.code, "name": e.name,
            "category": {"value": e.category, "label": e.category_enum.label},
            "grade": e.grade, "region": e.region,
            "contacts": {d.value: dict(zip(("name", "mobile", "email"), e.contact(d), strict=True))
                         for d in ContactDuty},
            "bot_channel": e.bot_channel, "active": e.active,
        } for e in found]
    if fmt == "json":
        print_json(records)
        return

    def person(record: dict[str, Any], duty: ContactDuty) -> str:
        contact = record["contacts"][duty.value]
        return " ".join(part for part in (contact["name"], contact["mobile"] or contact["email"]) if part)

    print_table(("编码", "名称", "类别", "等级", "行政区划", *(d.label for d in ContactDuty), "机器人通道", "状态"),
                [(r["code"], r["name"], r["category"]["label"], r["grade"], r["region"],
                  *(person(r, d) for d in ContactDuty), r["bot_channel"], "在用" if r["active"] else "已停用")
                 for r in records])
    click.echo(f"{len(records)} enterprise(s)", err=True)
