"""Receipt follow-ups of a warning: the re-send and the duty leader's status report.

- A venue that has not confirmed a 预警 / 预警更新 ``resend_after[level]`` (30 min) after it was
  received gets it once more (``warnings/resend``, a chasing message: its link confirms the
  original task, and a confirmation cancels it while unsent), and the duty officer gets the
  list of those venues (``warnings/unconfirmed``).
- Every ``status_every`` (2 h) while a warning at ``status_levels`` (red, orange) is in force,
  the duty leader gets the receipt status: confirmed / not yet / no contact (``warnings/status``).

Pure: the caller passes the originals (from ``relay_version``), which tasks are settled, and
the venues without contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from scheduler.config.schema import Config
from scheduler.outbox.planned import URGENT, PlannedMessage, Recipient
from scheduler.receipts.policy import Ask, ask_of, chase_topic
from scheduler.warnings.model import Warning

RESEND = "warnings/resend"
UNCONFIRMED = "warnings/unconfirmed"
STATUS = "warnings/status"


def _asks(config: Config, originals: Sequence[PlannedMessage]) -> list[tuple[PlannedMessage, Ask]]:
    found = []
    for m in originals:
        if not m.recipient.key.startswith("enterprise:"):
            continue
        ask = ask_of(config, m.key, m.kind, m.recipient.key, m.topic, m.context, m.due_at)
        if ask is not None:
            found.append((m, ask))
    return found


def resends(config: Config, warning: Warning, originals: Sequence[PlannedMessage], settled: set[str],
            officers: Sequence[Recipient]) -> Iterator[PlannedMessage]:
    """At received + delay: each unconfirmed venue's message once more, and the list to the officer."""
    if warning.msg_type == "Cancel":
        return
    moment = warning.received_at + config.warnings.relay.resend_delay(warning.level)
    expires = max(warning.expires or moment + dt.timedelta(hours=24), moment + dt.timedelta(hours=1))
    if warning.expires is not None and moment >= warning.expires:
        return  # the warning is over before a re-send could help
    silent: dict[str, dict[str, str]] = {}
    for m, ask in _asks(config, originals):
        if ask.task in settled:
            continue
        context = {**m.context, "receipt": ask.as_context(), "resend": True}
        yield PlannedMessage(f"{m.key}:resend", RESEND, m.recipient, moment, expires, context,
                             chase_topic(ask.task), URGENT)
        silent.setdefault(ask.party, {"enterprise": str(m.context.get("enterprise", "")),
                                      "name": m.recipient.name,
                                      "address": str(m.context.get("mobile") or m.recipient.address)})
    if not silent:
        return
    base = {"warning": originals[0].context["warning"], "venues": sorted(silent.values(), key=lambda v: v["name"])}
    for officer in officers:
        yield PlannedMessage(f"warning:{warning.thread}:v{warning.version}:unconfirmed:{officer.key}", UNCONFIRMED,
                             officer, moment, expires, base, f"warning:{warning.thread}", URGENT)


def status_times(config: Config, warning: Warning) -> list[dt.datetime]:
    relay = config.warnings.relay
    if warning.level not in relay.status_levels or warning.msg_type == "Cancel":
        return []
    end = warning.expires or warning.received_at + dt.timedelta(hours=24)
    times, at = [], warning.received_at + relay.status_every
    while at < end:
        times.append(at)
        at += relay.status_every
    return times


def status(config: Config, warning: Warning, originals: Sequence[PlannedMessage], settled: set[str],
           no_contact: Sequence[str], leaders: Sequence[Recipient], moment: dt.datetime) -> Iterator[PlannedMessage]:
    """The receipt status at ``moment`` (one of ``status_times``) to the duty leader(s)."""
    parties: dict[str, tuple[str, bool]] = {}
    for m, ask in _asks(config, originals):
        name = m.recipient.name.split(" ")[0]
        done = ask.task in settled
        previous = parties.get(ask.party)
        parties[ask.party] = (name, done or (previous[1] if previous else False))
    confirmed = sorted(n for n, ok in parties.values() if ok)
    waiting = sorted(n for n, ok in parties.values() if not ok)
    context = {"warning": originals[0].context["warning"] if originals else {}, "at": moment.isoformat(),
               "confirmed": confirmed, "waiting": waiting, "no_contact": sorted(no_contact)}
    expires = moment + config.warnings.relay.status_every
    for leader in leaders:
        yield PlannedMessage(f"warning:{warning.thread}:v{warning.version}:status:{moment.isoformat()}:{leader.key}",
                             STATUS, leader, moment, expires, context, f"warning:{warning.thread}", URGENT)
