"""While a red or orange 暴雨/山洪 warning is in force over a region, venues there submit the
daily 零报告 (issue 14, with issue 13's machinery): ``scope`` answers, for a day the calendar
alone does not put in scope, why and for which enterprises. Called by planners/receipts_zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from scheduler.planners.base import PlanContext
from scheduler.planners.schedule import local
from scheduler.warnings import match, rules

if TYPE_CHECKING:
    from scheduler.warnings.model import Warning

NOBODY: tuple[str, Callable[[str], bool] | None] = ("", None)


def scope(ctx: PlanContext, day: dt.date) -> tuple[str, Callable[[str], bool] | None]:
    """(reason, does this party report?) for ``day``; ("", None) when no warning asks for it."""
    from scheduler.planners.warnings import _store  # noqa: PLC0415 (planners imports receipts_zero)

    relay = ctx.config.warnings.relay
    store = _store()
    if store is None or not relay.zero_report_events:
        return NOBODY
    settings = ctx.config.receipts.zero_report
    zone = ctx.config.service.zone
    found: dict[str, Warning] = {}  # thread -> its version in force
    for at in (local(day, settings.request_at, zone), local(day, settings.cutoff, zone)):
        for w in store.in_force(ctx.session, at):
            if rules.zero_reports_due(relay, w):
                found.setdefault(w.thread, w)
    if not found:
        return NOBODY
    warnings = sorted(found.values(), key=lambda w: (w.received_at, w.thread))
    prefixes = {p for w in warnings for p in match.warning_prefixes(w)}
    reason = "、".join(dict.fromkeys(f"{w.event}{w.level}色预警（{w.area_desc}）" for w in warnings))

    def inside(party: str) -> bool:
        if not party.startswith("enterprise:"):
            return True  # the duty officer reports too
        enterprise = ctx.directory.enterprise(party.split(":", 1)[1])
        return enterprise is not None and match.inside(match.region_prefix(enterprise), prefixes)

    return reason, inside
