"""Validating what people type, the same for the web forms and the CLI.

Each function takes the raw strings of a form and returns the clean values and, per field, what
is wrong (in Chinese, shown next to the field). Nothing is stored while any field is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

NAME_MAX = 32
NOTE_MAX = 1000
TEXT_MAX = 2000
PLACE_MAX = 200
COUNT_MAX = 100_000
# A mainland mobile number (11 digits from 13–19), or a landline such as 0351-1234567.
_MOBILE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

HAZARD_PROGRESS = {"progress": "整改进展", "rectified": "已整改待验收"}
INCIDENT_KINDS = {"accident": "事故", "danger": "险情"}


@dataclass
class Checked:
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text(raw: Mapping[str, str], name: str) -> str:
    return (raw.get(name) or "").strip()


def name(out: Checked, raw: Mapping[str, str], key: str = "name", *, required: bool = True) -> None:
    value = _text(raw, key)
    if not value:
        if required:
            out.errors[key] = "请填写姓名"
    elif len(value) > NAME_MAX:
        out.errors[key] = f"姓名不超过{NAME_MAX}个字"
    elif any(ch in value for ch in "<>\n\r\t"):
        out.errors[key] = "姓名含有不允许的字符"
    out.values[key] = value


def mobile(out: Checked, raw: Mapping[str, str], key: str = "mobile", *, required: bool = True) -> None:
    value = re.sub(r"\s+", "", _text(raw, key))
    if not value:
        if required:
            out.errors[key] = "请填写手机号码"
    elif not _MOBILE.match(value):
        out.errors[key] = "手机号码格式不正确（11位手机号，或区号-座机号）"
    out.values[key] = value


def text(out: Checked, raw: Mapping[str, str], key: str, *, label: str, limit: int = TEXT_MAX,
         required: bool = False) -> None:
    value = _text(raw, key).replace("\r\n", "\n")
    if required and not value:
        out.errors[key] = f"请填写{label}"
    elif len(value) > limit:
        out.errors[key] = f"{label}不超过{limit}个字（现有{len(value)}个字）"
    out.values[key] = value


def count(out: Checked, raw: Mapping[str, str], key: str, *, label: str, required: bool = True) -> None:
    value = _text(raw, key)
    if not value:
        if required:
            out.errors[key] = f"请填写{label}（没有填0）"
        out.values[key] = 0
        return
    if not value.isdigit() or len(value) > 6:
        out.errors[key] = f"{label}应为0到{COUNT_MAX}之间的整数"
        out.values[key] = 0
        return
    number = int(value)
    if number > COUNT_MAX:
        out.errors[key] = f"{label}应为0到{COUNT_MAX}之间的整数"
    out.values[key] = number


def choice(out: Checked, raw: Mapping[str, str], key: str, options: Mapping[str, str], *, label: str) -> None:
    value = _text(raw, key)
    if value not in options:
        out.errors[key] = f"请选择{label}"
    out.values[key] = value


def moment(out: Checked, raw: Mapping[str, str], key: str, *, label: str, zone: ZoneInfo,
           now: dt.datetime) -> None:
    """A local date and time ("2026-02-16 14:30" or the browser's "2026-02-16T14:30"), not in the future."""
    value = _text(raw, key).replace("T", " ")
    out.values[key] = None
    if not value:
        out.errors[key] = f"请填写{label}"
        return
    try:
        parsed = dt.datetime.strptime(value[:16], "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        out.errors[key] = f"{label}格式应为 2026-02-16 14:30"
        return
    if parsed > now + dt.timedelta(minutes=5):
        out.errors[key] = f"{label}不能晚于现在"
    elif parsed < now - dt.timedelta(days=31):
        out.errors[key] = f"{label}不能早于一个月前"
    out.values[key] = parsed


# The forms


def confirm(raw: Mapping[str, str], *, names_person: bool) -> Checked:
    """我已知晓: a note; from a group's bot link also 确认人 (name and mobile)."""
    out = Checked()
    name(out, raw, required=names_person)
    mobile(out, raw, required=names_person)
    text(out, raw, "note", label="备注", limit=NOTE_MAX)
    return out


def self_inspection(raw: Mapping[str, str], *, names_person: bool) -> Checked:
    """节前自查 report: done, hazards found and rectified, a note."""
    out = confirm(raw, names_person=True)  # a report always says who made it
    if _text(raw, "done") not in ("yes", "y", "1", "on", "true"):
        out.errors["done"] = "请确认已完成节前自查"
    out.values["done"] = "done" not in out.errors
    count(out, raw, "found", label="发现隐患数")
    count(out, raw, "rectified", label="已整改隐患数")
    if "found" not in out.errors and "rectified" not in out.errors and out.values["rectified"] > out.values["found"]:
        out.errors["rectified"] = "已整改数不能多于发现隐患数"
    return out


def hazard_progress(raw: Mapping[str, str], *, names_person: bool) -> Checked:
    """A hazard's progress: 整改进展 or 已整改待验收, with a note that says what was done."""
    out = confirm(raw, names_person=True)
    choice(out, raw, "status", HAZARD_PROGRESS, label="整改情况")
    if not out.values.get("note") and "note" not in out.errors:
        out.errors["note"] = "请说明整改进展（做了什么、还差什么）"
    return out


def report_form(kind: str) -> str:
    """Which report a kind asks for: the pre-holiday self-inspection, a hazard's progress, or a note."""
    family = kind.split("/", 1)[0]
    return {"preholiday": "self_inspection", "hazard": "hazard_progress"}.get(family, "confirm")


def answer(mode: str, kind: str, raw: Mapping[str, str], *, names_person: bool) -> Checked:
    if mode == "report":
        form = report_form(kind)
        if form == "self_inspection":
            return self_inspection(raw, names_person=names_person)
        if form == "hazard_progress":
            return hazard_progress(raw, names_person=names_person)
    return confirm(raw, names_person=names_person)


def zero_report(raw: Mapping[str, str], *, zone: ZoneInfo, now: dt.datetime) -> Checked:
    """零报告: 无情况, or an incident with what, where, when and casualties."""
    out = Checked()
    name(out, raw)
    mobile(out, raw)
    choice(out, raw, "status", {"zero": "无情况", "incident": "有情况"}, label="报告类型")
    text(out, raw, "note", label="备注", limit=NOTE_MAX)
    if out.values.get("status") == "incident":
        choice(out, raw, "incident_kind", INCIDENT_KINDS, label="事故或险情")
        text(out, raw, "what", label="简要经过", required=True)
        text(out, raw, "place", label="发生地点", limit=PLACE_MAX, required=True)
        moment(out, raw, "occurred_at", label="发生时间", zone=zone, now=now)
        count(out, raw, "deaths", label="死亡人数")
        count(out, raw, "injuries", label="重伤人数")
        count(out, raw, "missing", label="下落不明人数")
        text(out, raw, "measures", label="已采取措施")
    return out


def handover(raw: Mapping[str, str]) -> Checked:
    """交接班 by the outgoing officer: events, calls received, pending matters, a note."""
    out = Checked()
    text(out, raw, "events", label="值班期间事件", required=True)
    text(out, raw, "calls", label="来电来文")
    text(out, raw, "pending", label="待办事项")
    text(out, raw, "note", label="备注", limit=NOTE_MAX)
    return out
