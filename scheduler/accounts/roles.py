"""The roles of the web interface. Every signed-in account may read every page (viewer);
the other roles open what changes things, and admin opens everything."""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.people.models import Staff
from scheduler.vocab import Role, Vocabulary


class WebRole(Vocabulary):
    """web role"""

    VIEWER = "viewer", "查看"  # every page, read-only
    DUTY = "duty", "值班"  # duty officers and leaders: their own shifts, later their handovers
    SUPERVISOR = "supervisor", "监管"  # supervisors and the safety section
    ADMIN = "admin", "管理员"  # outbox retry, accounts, tokens — and everything else


def parse_roles(text: str | Iterable[str]) -> frozenset[WebRole]:
    """"duty,supervisor" (or Chinese labels) → roles; viewer is always included. Raises ValueError."""
    items = text.replace("，", ",").replace("、", ",").split(",") if isinstance(text, str) else text
    found = {WebRole.parse(item) for item in items if item.strip()}
    return frozenset(found | {WebRole.VIEWER})


def stored(roles: Iterable[WebRole]) -> str:
    return ",".join(r.value for r in WebRole if r in set(roles))


def loaded(text: str) -> frozenset[WebRole]:
    return frozenset(WebRole(r) for r in text.split(",") if r) | {WebRole.VIEWER}


def allows(held: Iterable[WebRole], needed: WebRole) -> bool:
    held = set(held)
    return needed in held or WebRole.ADMIN in held or needed is WebRole.VIEWER


def default_roles(staff: Staff) -> frozenset[WebRole]:
    """What an account starts with, from the staff file's roles (changed with `user roles`)."""
    found = {WebRole.VIEWER}
    roles = staff.role_set
    if roles & {Role.LEADER, Role.OFFICER}:
        found.add(WebRole.DUTY)
    if roles & {Role.SUPERVISOR, Role.SECTION_HEAD, Role.BUREAU_LEADER}:
        found.add(WebRole.SUPERVISOR)
    if Role.ADMIN in roles:
        found.add(WebRole.ADMIN)
    return frozenset(found)
