"""What the duty notices say: message kinds, keys and JSON-able contexts, built from roster rows.

The duty planner (``scheduler/planners/duty.py``) decides when each goes out and to whom; the
templates under ``templates/duty/`` turn a context into words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from rosters.coverage import Finding
from rosters.exports.rows import Holder, RosterRow
from rosters.rules import cn_date
from rosters.tables import RosterAction, RosterChange
from scheduler.vocab import Role

SHIFT_EVE = "duty/shift_eve"  # the day before, 16:00
SHIFT_SOON = "duty/shift_soon"  # before handover
TODAY = "duty/today"  # 今日值班, at handover
CHANGED = "duty/changed"  # your duty changed
PUBLISHED = "duty/published"  # the roster, to supervisors
HOLIDAY_REPORT = "duty/holiday_report"  # 节假日值班表报送
HOLIDAY_PENDING = "duty/holiday_pending"  # to the office: the holiday roster cannot be reported yet
COVERAGE = "duty/coverage"  # to the office

ACTION_LABELS = {"generate": "重新排班", "publish": "发布值班表", "swap": "换班", "override": "代班调整",
                 "leave": "请假调整"}


def roster_title(bureau: str, first: dt.date, last: dt.date, who: str = "") -> str:
    """「山西省文化和旅游厅值班表（2026年3月1日至3月31日）」."""
    span = cn_date(first) if first == last else f"{cn_date(first)}至{cn_date(last, first)}"
    return f"{bureau}值班表{who}（{span}）"


def stamp(moment: dt.datetime) -> str:
    """A compact UTC stamp for keys: a seat that changes hands gets fresh notice keys."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S")


def shift_context(row: RosterRow, role: Role, holder: Holder, phone: str) -> dict[str, object]:
    others = [h.name for r in (Role.LEADER, Role.OFFICER) for h in row.holders(r) if h.code != holder.code]
    return {**row.as_dict(), "role": role.label, "holder": holder.as_dict(), "partners": others, "phone": phone}


# What one chat-bot message may hold, in UTF-8 bytes (scheduler/channels/: WeCom's text 2048 — its
# bots @mention people, so text, not markdown; DingTalk's and Feishu's bodies about 20 KB), and
# what a roster's lines cost there: a day's line is at most about 160 bytes (a label, a leader, two
# officers with four-character names), the heading, the part line and the sign-off about 400.
# Measured on the example team: 9 days took 1,150 bytes.
CHAT_BYTES = {"wecom": 2048, "dingtalk": 20000, "feishu": 20000}
DAY_BYTES, HEAD_BYTES = 160, 400


def roster_parts(rows: Sequence[RosterRow], channel_type: str) -> list[list[RosterRow]]:
    """``rows`` as the messages a channel can take: one for e-mail and webhooks; for a chat bot,
    parts of at most a month each, and no more days than fit its limit."""
    if channel_type not in CHAT_BYTES:
        return [list(rows)]
    fits = max(1, (CHAT_BYTES[channel_type] - HEAD_BYTES) // DAY_BYTES)
    parts: list[list[RosterRow]] = []
    for row in rows:
        last = parts[-1][-1].day.date if parts else None
        same_month = last is not None and (last.year, last.month) == (row.day.date.year, row.day.date.month)
        if not parts or not same_month or len(parts[-1]) >= fits:
            parts.append([])
        parts[-1].append(row)
    if len(parts) > 1 and sum(map(len, parts)) <= fits:
        return [list(rows)]  # a short range across a month's end still fits one message
    return parts


def day_context(row: RosterRow, phone: str) -> dict[str, object]:
    return {**row.as_dict(), "phone": phone}


def roster_context(rows: Sequence[RosterRow], first: dt.date, last: dt.date, title: str,
                   phone: str) -> dict[str, object]:
    return {"title": title, "first": first.isoformat(), "last": last.isoformat(), "phone": phone,
            "days": [r.as_dict() for r in rows], "complete": all(r.complete for r in rows)}


def pending_context(rows: Sequence[RosterRow], first: dt.date, last: dt.date, holiday: str, report_to: str,
                    due: dt.datetime) -> dict[str, object]:
    """The days of a holiday not yet published when its roster is due upward."""
    return {"holiday": holiday, "first": first.isoformat(), "last": last.isoformat(), "report_to": report_to,
            "report_due": due.isoformat(),
            "pending": [{"date": r.day.date.isoformat(), "label": r.day.label, "status": r.status}
                        for r in rows if not r.published]}


def coverage_context(findings: Sequence[Finding], first: dt.date, last: dt.date,
                     reason: str) -> dict[str, object]:
    """The findings, and for days not generated yet the range `roster generate` should cover."""
    empty = [f.date for f in findings if f.kind == "ungenerated"]
    return {"first": first.isoformat(), "last": last.isoformat(), "reason": reason,
            "findings": [f.as_dict() for f in findings],
            "generate_from": min(empty).isoformat() if empty else "",
            "generate_to": max(empty).isoformat() if empty else "",
            "other": sum(1 for f in findings if f.kind != "ungenerated")}


def change_contexts(
    action: RosterAction,
    changes: Iterable[RosterChange],
    names: Mapping[str, str],
    label_of: Mapping[dt.date, str],
    removals: Iterable[RosterChange] = (),
) -> dict[str, dict[str, object]]:
    """One context per person touched by ``action``: the days they came off and the days they took.

    ``removals`` are changes told only to the person who came off the day (a draft they had
    already been reminded of)."""
    touched: dict[str, dict[str, list[dict[str, str]]]] = {}
    both = [(c, True) for c in changes] + [(c, False) for c in removals]
    for change, to_both in sorted(both, key=lambda item: (item[0].day, item[0].role, item[0].seat)):
        role = Role(change.role).label
        base = {"date": change.day.isoformat(), "role": role, "label": label_of.get(change.day, "")}
        if change.old_code:
            entry = touched.setdefault(change.old_code, {"removed": [], "added": []})
            entry["removed"].append({**base, "other": names.get(change.new_code, change.new_code)})
        if change.new_code and to_both:
            entry = touched.setdefault(change.new_code, {"removed": [], "added": []})
            entry["added"].append({**base, "other": names.get(change.old_code, change.old_code)})
    for days in touched.values():  # off and back on the same day in the same role: no change
        same = {(d["date"], d["role"]) for d in days["removed"]} & {(d["date"], d["role"]) for d in days["added"]}
        days["removed"] = [d for d in days["removed"] if (d["date"], d["role"]) not in same]
        days["added"] = [d for d in days["added"] if (d["date"], d["role"]) not in same]
    return {
        code: {
            "action": ACTION_LABELS.get(action.kind, action.kind),
            "actor": action.actor,
            "reason": action.reason,
            "at": action.at.isoformat(),
            **days,
        }
        for code, days in sorted(touched.items())
        if days["removed"] or days["added"]
    }
