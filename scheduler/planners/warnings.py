"""Weather and emergency warnings → URGENT messages (issue 14, the relay).

Each stored version of a warning thread is planned at once (due when it was received, no
jitter, priority URGENT: never merged, never held for quiet hours):

- an original Alert → 「预警」 to the matched venues' 预警联系人 (else 安全管理人员, else 主要负责人),
  the duty officer, and at the leader levels (red) the duty leader and the section head;
- an Update → 「预警更新」 to the same recipients and the newly covered;
- a Cancel → 「预警解除」 to everyone the thread reached.
A version planned after its warning expired says so (``late``). ``relay_version`` is pure; the
planner reads versions from intake's ``scheduler.warnings.store`` (merged from branch intake).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scheduler.config.schema import Config
from scheduler.outbox.planned import URGENT, PlannedMessage, Recipient, Window
from scheduler.people.directory import Directory
from scheduler.people.models import Enterprise
from scheduler.planners.base import PlanContext
from scheduler.vocab import ContactDuty, Role
from scheduler.warnings import match, rules
from scheduler.warnings.model import Warning, over_on_arrival, superseded

ALERT = "warnings/alert"
UPDATE = "warnings/update"
CANCEL = "warnings/cancel"
FALLBACK = (ContactDuty.WARNING_CONTACT, ContactDuty.SAFETY_MANAGER, ContactDuty.PRINCIPAL)
_DUTIES = {d.value: d for d in ContactDuty}
UNBOUNDED = dt.timedelta(hours=24)  # a warning without an expiry is treated as in force this long


@dataclass(frozen=True)
class Officials:
    """The bureau's people on duty when the warning arrived."""

    officers: tuple[Recipient, ...] = ()
    leaders: tuple[Recipient, ...] = ()  # duty leader(s) and the section head


@dataclass(frozen=True)
class Relay:
    messages: list[PlannedMessage]
    unreachable: list[Enterprise]  # matched venues with no contact at all (reported to the admins)


def contacts(directory: Directory, enterprise: Enterprise) -> list[Recipient]:
    """The enterprise's 预警联系人, else its safety manager, else its principal (and its own bot)."""
    for duty in FALLBACK:
        found = directory.contacts(enterprise, [duty])
        if any(not r.key.endswith(":bot") for r in found):
            return found
    return directory.contacts(enterprise, [])  # its bot alone, when it has one


def officials(directory: Directory, officers: Sequence[Recipient], leaders: Sequence[Recipient]) -> Officials:
    heads = [r for s in directory.with_role(Role.SECTION_HEAD) if (r := directory.person(s)) is not None]
    merged: dict[str, Recipient] = {}  # the first of each key, in order
    for r in [*leaders, *heads]:
        merged.setdefault(r.key, r)
    return Officials(tuple(officers), tuple(merged.values()))


def warning_context(warning: Warning) -> dict[str, object]:
    found = dataclasses.asdict(warning)
    for name in ("onset", "expires", "received_at"):
        value = found[name]
        found[name] = value.isoformat() if value else None
    found["geocodes"] = list(warning.geocodes)
    found["drill"] = warning.drill
    return found


def expiry(warning: Warning) -> dt.datetime:
    return warning.expires or warning.received_at + UNBOUNDED


def relay_version(config: Config, directory: Directory, staff: Officials, warning: Warning, now: dt.datetime,
                  earlier: Sequence[Warning] = ()) -> Relay:
    """The messages one version of a thread asks for; ``earlier`` are the thread's previous versions."""
    relay = config.warnings.relay
    if not rules.relayed(relay, warning, exercise=getattr(config.warnings, "exercise", "deliver") == "deliver"):
        return Relay([], [])
    kind = {"Alert": ALERT, "Update": UPDATE, "Cancel": CANCEL}.get(warning.msg_type)
    if kind is None:
        return Relay([], [])
    venues = directory.enterprises()
    late = now > expiry(warning)
    covered_before: set[str] = set()
    for old in earlier:
        covered_before |= {m.enterprise.code for m in match.enterprises(old, rules.audiences(relay, old), venues)}
    audience = rules.audiences(relay, warning)
    earlier_audiences = [rules.audiences(relay, old) for old in earlier]
    if warning.msg_type == "Cancel":
        # 解除 reaches everyone the thread reached: the earlier versions decide who.
        matched = [m for old, aud in zip(earlier, earlier_audiences, strict=True)
                   for m in match.enterprises(old, aud, venues)] or match.enterprises(warning, audience, venues)
    else:
        matched = match.enterprises(warning, audience, venues)
        if warning.msg_type == "Update":  # the same recipients as before, and the newly covered
            matched += [m for old, aud in zip(earlier, earlier_audiences, strict=True)
                        for m in match.enterprises(old, aud, venues)]
    if warning.msg_type in ("Update", "Cancel") and earlier_audiences:
        audience = dataclasses.replace(audience, rules=audience.rules or earlier_audiences[-1].rules,
                                       officers=audience.officers or any(a.officers for a in earlier_audiences),
                                       leaders=audience.leaders or any(a.leaders for a in earlier_audiences))
    unique: dict[str, match.Match] = {}
    for m in matched:
        unique.setdefault(m.enterprise.code, m)
    matched = list(unique.values())
    base = {"warning": warning_context(warning), "late": late,
            "expired": warning.msg_type != "Cancel" and late,
            "previous": warning_context(earlier[-1]) if earlier else None,
            "reasons": [r.reason for r in audience.rules if r.reason]}
    expires = expiry(warning) if warning.msg_type != "Cancel" else warning.received_at + UNBOUNDED
    expires = max(expires, now + dt.timedelta(hours=1))  # a late one still goes out, saying so
    topic = f"warning:{warning.thread}"
    messages: list[PlannedMessage] = []
    unreachable: list[Enterprise] = []
    seen: set[str] = set()

    def add(recipient: Recipient, context: dict[str, object]) -> None:
        if recipient.key in seen:
            return
        seen.add(recipient.key)
        messages.append(PlannedMessage(f"warning:{warning.thread}:v{warning.version}:{recipient.key}", kind,
                                       recipient, warning.received_at, expires, context, topic, URGENT))

    for found in matched:
        recipients = contacts(directory, found.enterprise)
        if not recipients:
            if found.enterprise.code not in {e.code for e in unreachable}:
                unreachable.append(found.enterprise)
            continue
        context = {**base, "features": list(found.features), "enterprise": found.enterprise.code,
                   "newly": warning.msg_type == "Update" and found.enterprise.code not in covered_before}
        for recipient in recipients:
            duty = recipient.key.rsplit(":", 1)[1]
            mobile = found.enterprise.contact(_DUTIES[duty])[1] if duty in _DUTIES else ""
            add(recipient, {**context, "mobile": mobile} if mobile else context)
    if audience.officers:
        for recipient in staff.officers:
            add(recipient, {**base, "features": [], "newly": False, "matched": len(matched)})
    if audience.leaders:
        for recipient in staff.leaders:
            add(recipient, {**base, "features": [], "newly": False, "matched": len(matched)})
    return Relay(messages, unreachable)


# The planner: versions from intake's store (scheduler.warnings.store, branch intake).

LOOKBACK = dt.timedelta(minutes=10)  # a version committed after a tick planned past it is still caught
PLANNER = "warnings"


def _store():  # noqa: ANN202 (a module; the seam the relay tests and bench_warnings fill with a list)
    from scheduler.warnings import store  # noqa: PLC0415 (the store imports the ORM: not at import time)

    return store


def _staff(ctx: PlanContext, moment: dt.datetime) -> Officials:
    from scheduler.planners import receipts_zero  # noqa: PLC0415 (the roster helpers live there)

    book = receipts_zero._book(ctx)
    if book is None:
        return officials(ctx.directory, [], [])
    day = receipts_zero._duty_date(ctx, moment)
    return officials(ctx.directory, receipts_zero._on_duty(ctx, book, day, leaders=False),
                     receipts_zero._on_duty(ctx, book, day, leaders=True))


def plan(ctx: PlanContext, window: Window) -> Iterator[PlannedMessage]:
    relay = ctx.config.warnings.relay
    if not relay.enabled:
        return
    store = _store()
    horizon = max([relay.status_every, *relay.resend_after.values(), UNBOUNDED])
    versions = store.versions_since(ctx.session, window.start - horizon)
    held: dict[str, list[Warning]] = {}  # each thread's stored versions, read once
    threads: dict[str, list[Warning]] = {}
    staff_at: dict[dt.date, Officials] = {}
    for version in versions:
        whole = held.get(version.thread)
        if whole is None:
            whole = held[version.thread] = store.thread(ctx.session, version.thread)
            threads[version.thread] = [w for w in whole if w.version < version.version]
        if over_on_arrival(version) or superseded(version, whole):
            continue
        earlier = threads[version.thread]
        day = version.received_at.astimezone(ctx.config.service.zone).date()
        staff = staff_at.setdefault(day, _staff(ctx, version.received_at))
        prior = [w for w in earlier if w.version < version.version]
        relayed = relay_version(ctx.config, ctx.directory, staff, version, window.start, prior)
        if window.start - LOOKBACK < version.received_at <= window.end:
            yield from relayed.messages
            yield from _gaps(ctx, version, relayed)
        yield from _followups(ctx, window, version, relayed, staff)
        if version.msg_type != "Cancel" and version.expires and version.expires in window:
            latest = max((w.version for w in threads[version.thread] + [version]), default=version.version)
            if latest == version.version:
                yield from _expired(ctx, staff, version, prior, window)
        threads[version.thread].append(version)


def _gaps(ctx: PlanContext, version: Warning, relayed: Relay) -> Iterator[PlannedMessage]:
    """The admins' report of venues this version could not reach (feeds' ``reports.gaps``): matched
    with no contact, or of a kind the rules reach but with no usable 行政区划 (they may be inside)."""
    from scheduler.warnings import reports  # noqa: PLC0415

    if version.msg_type == "Cancel" or not (relayed.messages or relayed.unreachable):
        return
    audience = rules.audiences(ctx.config.warnings.relay, version)
    unplaced = [e for e in match.unplaced(ctx.directory.enterprises())
                if e.category in audience.categories or audience.features.intersection(e.features)]
    found = reports.gaps(version, relayed.unreachable, unplaced)
    if found:
        yield from reports.messages(found, ctx.directory.group(ctx.config.delivery.admins))


def _followups(ctx: PlanContext, window: Window, version: Warning, relayed: Relay,
               staff: Officials) -> Iterator[PlannedMessage]:
    from scheduler.receipts.chase import asked, unanswered  # noqa: PLC0415 (chase imports planners' base)
    from scheduler.warnings import followups  # noqa: PLC0415

    relay = ctx.config.warnings.relay
    resend_at = version.received_at + relay.resend_delay(version.level)
    times = [t for t in followups.status_times(ctx.config, version) if t in window]
    if resend_at not in window and not times:
        return
    items = asked(ctx, [m for m in relayed.messages if m.recipient.key.startswith("enterprise:")])
    open_tasks = {a.ask.task for a in unanswered(ctx, items, PLANNER)}
    settled = {a.ask.task for a in items} - open_tasks
    if resend_at in window:
        yield from followups.resends(ctx.config, version, relayed.messages, settled, staff.officers)
    leaders = [r for r in staff.leaders]
    names = [e.name for e in relayed.unreachable]
    for moment in times:
        yield from followups.status(ctx.config, version, relayed.messages, settled, names, leaders, moment)


def _expired(ctx: PlanContext, staff: Officials, version: Warning, prior: Sequence[Warning],
             window: Window) -> Iterator[PlannedMessage]:
    """A warning that simply runs out gets its 预警解除 too, saying it expired."""
    assert version.expires is not None
    ending = dataclasses.replace(version, msg_type="Cancel", received_at=version.expires)
    found = relay_version(ctx.config, ctx.directory, staff, ending, max(window.start, version.expires),
                          [*prior, version])
    for m in found.messages:
        yield dataclasses.replace(m, key=m.key.replace(f":v{version.version}:", ":expired:", 1),
                                  context={**m.context, "expired": True,
                                           "late": window.start > version.expires + LOOKBACK})

