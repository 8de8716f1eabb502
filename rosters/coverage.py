"""The coverage check, run at publication and every day: what would leave a duty day uncovered.

- a day not generated yet (fixed with `roster generate`, not with suggest/override);
- a seat without its leader or officer;
- an assignee on leave, no longer active, or not eligible for the role;
- an assignee nobody can reach (no contact details for the channel notices go through);
- any other broken rule (two days running, a monthly limit) left by a change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rosters.model import DUTY_ROLES, DutyDay, Person, Slot
from rosters.rules import LeaveBook, Rules, violations


@dataclass(frozen=True)
class Finding:
    date: dt.date
    kind: str  # ungenerated (no seat at all yet) | missing | away | unreachable | rule
    text: str  # in Chinese: it goes to the office as is

    def as_dict(self) -> dict[str, str]:
        return {"date": self.date.isoformat(), "kind": self.kind, "text": self.text}


def check(
    days: Sequence[DutyDay],
    seats: Mapping[Slot, str],
    people: Sequence[Person],
    names: Mapping[str, str],
    leave: LeaveBook,
    rules: Rules,
    reachable: Callable[[str], bool],
) -> list[Finding]:
    """Findings for ``days``; ``seats`` may reach beyond them (rest is checked across the edges),
    ``names`` maps every 工号 ever rostered to a name, ``reachable`` says whether a person's
    notices can be delivered."""
    wanted = {d.date for d in days}
    by_code = {p.code: p for p in people}
    found: list[Finding] = []
    for day in days:
        if not any(slot.date == day.date for slot in seats):
            need = "、".join(f"{role.label}{day.need[role]}人" for role in DUTY_ROLES if day.need[role])
            found.append(Finding(day.date, "ungenerated", f"尚未排班（需{need}）"))
            continue
        for role in DUTY_ROLES:
            held = [code for slot, code in seats.items() if slot.date == day.date and slot.role == role]
            if len(held) < day.need[role]:
                found.append(Finding(day.date, "missing",
                                     f"{role.label}缺{day.need[role] - len(held)}人（需{day.need[role]}人）"))
            for code in sorted(held):
                name = names.get(code, code)
                if code not in by_code:
                    found.append(Finding(day.date, "away", f"{role.label}{name}已不在值班人员名单中"))
                elif not reachable(code):
                    found.append(Finding(day.date, "unreachable", f"{role.label}{name}没有可用的联系方式"))
    keyed = {(s.date, s.role, s.index): c for s, c in seats.items()}
    for v in violations(keyed, people, leave, rules):
        if v.date in wanted and v.kind != "inactive":  # inactive holders are reported above
            found.append(Finding(v.date, "away" if v.kind == "away" else "rule",
                                 f"{names.get(v.code, v.code)}：{v.reason}"))
    return sorted(set(found), key=lambda f: (f.date, f.kind, f.text))
