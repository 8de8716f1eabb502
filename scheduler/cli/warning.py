"""`safeduty warning …`: take CAP warning documents in, enter one by hand, list and show them.

``import`` takes every good file and refuses the bad ones (each named with the element at
fault); it exits 2 if any file was refused.  New deliverable warnings go to the relay at once
(``scheduler.warnings.intake.after_taken``).
"""

from __future__ import annotations

import datetime as dt
import getpass
import re
from pathlib import Path

import click

from scheduler.cli.common import (
    FORMAT_OPTION,
    Context,
    Fatal,
    pass_context,
    print_json,
    print_table,
)
from scheduler.warnings.model import LEVELS, Alert, Area, Info

BY = click.option("--by", "actor", envvar="SAFEDUTY_USER", default=getpass.getuser,
                  show_default="$SAFEDUTY_USER, or your login name", help="Who enters the warning.")


@click.group("warning")
def group() -> None:
    """Weather and emergency warnings (CAP 1.2): import, add by hand, list, show."""


@group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@pass_context
def import_(ctx: Context, files: tuple[Path, ...]) -> None:
    """Take CAP documents FILE…; good files are taken even when others are refused (exit 2)."""
    from scheduler.warnings import cap, intake

    app = ctx.app
    bad: list[str] = []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            bad.append(f"{path}: cannot read ({exc.strerror})")
            continue
        with app.sessions() as session:
            try:
                taken = intake.take(session, data, file=str(path), source=f"import:{path.name}",
                                    config=app.config.warnings, now=app.clock.now())
            except cap.CapError as exc:
                session.rollback()
                bad.append(str(exc))
                continue
            session.commit()
            for w in taken:
                click.echo(f"taken: {path} → #{w.id} {w.event}{w.level}色 {w.msg_type} (thread {w.thread}, v{w.version})"
                           f"{' 演练' if w.drill else ''}{' 测试, not sent' if w.status == 'Test' else ''}"
                           f"{' — the original of an update taken earlier: kept, not sent' if w.version < 1 else ''}")
            if not taken:
                click.echo(f"already taken: {path}")
            intake.after_taken(app, session, taken)
            session.commit()
    if bad:
        raise Fatal(f"{len(bad)} of {len(files)} file(s) refused:\n" + "\n".join(f"  {b}" for b in bad))


def _when(text: str, zone: dt.tzinfo, option: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError:
        raise Fatal(f"{option}: {text!r} is not a date and time (2026-07-20 16:00)") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


@group.command("add")
@click.option("--event", required=True, help="Warning type, e.g. 暴雨, 山洪, 地质灾害, 大风.")
@click.option("--level", required=True, help="红, 橙, 黄 or 蓝.")
@click.option("--area", required=True, help="行政区划 codes, comma-separated (6 or 12 digits), e.g. 140100,140700.")
@click.option("--area-desc", default="", help="Area names as written, e.g. 太原市、晋中市 (default: the codes).")
@click.option("--onset", required=True, help="Start, local time: 2026-07-20 16:00.")
@click.option("--expires", required=True, help="End, local time.")
@click.option("--text", required=True, help="The warning's text (description).")
@click.option("--instruction", default="", help="What to do (防御指南).")
@click.option("--sender-name", default="", help="发布单位 (default: the bureau).")
@click.option("--exercise", is_flag=True, help="A drill (演练): delivered marked as such.")
@BY
@pass_context
def add(ctx: Context, event: str, level: str, area: str, area_desc: str, onset: str, expires: str, text: str,
        instruction: str, sender_name: str, exercise: bool, actor: str) -> None:
    """Enter a warning received by phone or fax, as if it were a CAP Alert."""
    from scheduler.warnings import cap, intake

    app = ctx.app
    try:
        alert = hand_alert(app.config, event=event, level=level, area=area, area_desc=area_desc,
                           onset=_when(onset, app.config.service.zone, "--onset"),
                           expires=_when(expires, app.config.service.zone, "--expires"), text=text,
                           instruction=instruction, sender_name=sender_name, exercise=exercise, actor=actor,
                           now=app.clock.now())
    except ValueError as exc:
        raise Fatal(str(exc)) from None
    with app.sessions() as session:
        try:
            [w] = intake.take_alert(session, alert, file="--", source=f"hand:{actor}", config=app.config.warnings,
                                    now=app.clock.now())
        except cap.CapError as exc:
            raise Fatal(str(exc)) from None
        session.commit()
        intake.after_taken(app, session, [w])
        session.commit()
    click.echo(f"added: #{w.id} {w.event}{w.level}色预警 {w.area_desc} ({w.identifier})")


def hand_alert(config: object, *, event: str, level: str, area: str, area_desc: str, onset: dt.datetime,
               expires: dt.datetime, text: str, instruction: str, sender_name: str, exercise: bool, actor: str,
               now: dt.datetime) -> Alert:
    """A hand-entered warning as a CAP Alert; ``ValueError`` naming the option at fault."""
    from scheduler.warnings import cap

    name = cap.normalise_event(event)
    if name is None:
        raise ValueError(f"--event: “{event}”不是已知的预警类型（{'、'.join(cap.EVENTS)}）")
    if level not in LEVELS:
        level = cap.COLOUR_WORDS.get(level.upper(), level)  # type: ignore[assignment]
        if level not in LEVELS:
            raise ValueError(f"--level: “{level}”应为 红、橙、黄 或 蓝")
    codes = [c.strip() for c in area.replace("，", ",").split(",") if c.strip()]
    if not codes or any(not re.fullmatch(r"\d{6}|\d{12}", c) for c in codes):
        raise ValueError(f"--area: “{area}”应为 6 位或 12 位行政区划代码，多个用逗号分隔（如 140100,140700）")
    if expires <= onset:
        raise ValueError("--expires: 截止时间应晚于生效时间")
    if not text.strip():
        raise ValueError("--text: 请填写预警内容")
    beijing = now.astimezone(dt.timezone(dt.timedelta(hours=8)))
    identifier = f"{codes[0][:6]}00000000_{beijing:%Y%m%d%H%M%S}_{now.microsecond // 100000}"
    service = getattr(config, "service", None)
    sender = sender_name or getattr(service, "bureau", "") or "手工录入"
    descs = [d for d in re.split(r"[、,，]", area_desc) if d.strip()] if area_desc else []
    areas = tuple(Area(desc=descs[i] if i < len(descs) else c, geocodes=(c,)) for i, c in enumerate(codes))
    info = Info(event=name, level=level, severity=cap.LEVEL_SEVERITY[level], urgency="Immediate",  # type: ignore[arg-type]
                certainty="Likely", onset=onset, expires=expires, sender_name=sender,
                headline=f"{sender}发布{name}{level}色预警", description=text.strip(), instruction=instruction,
                areas=areas)
    return Alert(identifier=identifier, sender=f"hand:{actor}", sent=now, status="Exercise" if exercise else "Actual",
                 msg_type="Alert", scope="Public", references=(), infos=(info,), note=f"录入人 {actor}")


@group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Every thread, not only those in force.")
@FORMAT_OPTION
@pass_context
def list_(ctx: Context, show_all: bool, fmt: str) -> None:
    """Warnings in force (the latest version of each thread), most severe first."""
    from scheduler.warnings import store

    app = ctx.app
    zone = app.config.service.zone
    with app.sessions() as session:
        rows = store.in_force(session, app.clock.now()) if not show_all else [
            store.to_warning(r) for r in store.recent(session)]
    if fmt == "json":
        print_json([{"id": w.id, "thread": w.thread, "identifier": w.identifier, "version": w.version,
                     "status": w.status, "msg_type": w.msg_type, "event": w.event, "level": w.level,
                     "area": w.area_desc, "geocodes": list(w.geocodes), "expires": w.expires} for w in rows])
        return
    print_table(["id", "预警", "类型", "地区", "截止", "来源"], [
        (w.id, f"{w.event}{w.level}色{'(演练)' if w.drill else ''}{'(测试)' if w.status == 'Test' else ''}",
         w.msg_type, w.area_desc, w.expires.astimezone(zone).strftime("%m-%d %H:%M") if w.expires else "",
         w.source) for w in rows])


@group.command("show")
@click.argument("warning_id", type=int)
@click.option("--original", is_flag=True, help="Print the document as it arrived.")
@pass_context
def show(ctx: Context, warning_id: int, original: bool) -> None:
    """One stored version and its thread."""
    from scheduler.warnings import store

    app = ctx.app
    zone = app.config.service.zone
    with app.sessions() as session:
        found = store.detail(session, warning_id)
    if found is None:
        raise Fatal(f"no warning #{warning_id}")
    w, versions, doc = found
    fmt = "%Y-%m-%d %H:%M"
    click.echo(f"#{w.id} {w.headline or w.event + w.level + '色预警'}{' (演练)' if w.drill else ''}")
    click.echo(f"  类型 {w.msg_type}  状态 {w.status}  级别 {w.level}  事件 {w.event}")
    click.echo(f"  地区 {w.area_desc} ({', '.join(w.geocodes)})")
    click.echo(f"  生效 {w.onset.astimezone(zone).strftime(fmt) if w.onset else '-'}  "
               f"截止 {w.expires.astimezone(zone).strftime(fmt) if w.expires else '-'}")
    click.echo(f"  发布 {w.sender_name}  来源 {w.source}  标识 {w.identifier}")
    click.echo(f"  {w.description}")
    if w.instruction:
        click.echo(f"  防御指南: {w.instruction}")
    click.echo("  thread: " + " → ".join(f"#{v.id} v{v.version} {v.msg_type} {v.level}" for v in versions))
    if original and doc:
        click.echo(doc)
