"""Take a CAP document in: check it, de-duplicate, attach it to its thread, store it.

``take`` is what the inbox, the feeds, ``safeduty warning import`` and the web form call.  It
returns the new ``Warning`` versions (none for a document already taken).  After committing,
callers call ``after_taken(app, session, warnings)``: with any deliverable version among them it
calls the functions in ``AFTER_TAKEN`` and then ``relay_now(app.service)`` (plan and dispatch
at once).

Status handling (``[warnings] exercise`` / ``test``): Actual is delivered; Exercise is delivered
marked 演练 (``Warning.drill``), or stored only, or refused; Test is stored and never delivered,
or refused; System and Draft are refused.  Update and Cancel join the thread of the first alert
named in ``references`` that we hold; one naming nothing we hold starts its own thread, and
the original, when it comes later, joins that thread as its earliest version (kept, not relayed).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from scheduler.config.warnings import WarningsConfig
from scheduler.warnings import cap, store
from scheduler.warnings.model import Alert, Info, Warning

AfterTaken = Callable[[Any, Session, list[Warning]], None]
AFTER_TAKEN: list[AfterTaken] = []


def deliverable(w: Warning, config: WarningsConfig) -> bool:
    """Whether the relay sends ``w`` (Actual; Exercise when ``exercise = "deliver"``)."""
    return w.status == "Actual" or (w.status == "Exercise" and config.exercise == "deliver")


def after_taken(app: Any, session: Session, warnings: list[Warning]) -> None:
    """Hand newly taken versions to the relay (each function in ``AFTER_TAKEN``).

    Only deliverable versions are passed; the list may be empty, then nothing is called.
    """
    config: WarningsConfig = app.config.warnings
    chosen = [w for w in warnings if deliverable(w, config)]
    if not chosen:
        return
    for fn in AFTER_TAKEN:
        fn(app, session, chosen)
    from scheduler.warnings.relay_now import relay_now  # noqa: PLC0415 (it imports the planners)

    service = getattr(app, "service", None)
    if service is not None:
        relay_now(service)


def take(session: Session, data: bytes | str, *, file: str, source: str, config: WarningsConfig,
         now: dt.datetime) -> list[Warning]:
    """Parse ``data`` (named ``file`` in errors) and store it; ``CapError`` if refused.

    The caller commits.  A document whose (sender, identifier) is already stored returns [].
    """
    alert = cap.parse(data, file=file, max_bytes=config.max_bytes)
    original = data if isinstance(data, str) else data.decode("utf-8", errors="replace")
    return take_alert(session, alert, file=file, source=source, config=config, now=now, original=original)


def take_alert(session: Session, alert: Alert, *, file: str, source: str, config: WarningsConfig,
               now: dt.datetime, original: str = "") -> list[Warning]:
    """Store a parsed (or hand-made) alert; see ``take``."""
    if alert.status in ("System", "Draft"):
        raise cap.CapError(file, "alert/status", f"{alert.status} documents are not taken")
    if alert.status == "Exercise" and config.exercise == "refuse":
        raise cap.CapError(file, "alert/status", "Exercise documents are refused ([warnings] exercise)")
    if alert.status == "Test" and config.test == "refuse":
        raise cap.CapError(file, "alert/status", "Test documents are refused ([warnings] test)")
    if alert.msg_type in ("Ack", "Error"):
        raise cap.CapError(file, "alert/msgType", f"{alert.msg_type} messages carry no warning")
    if store.find(session, alert.sender, alert.identifier) is not None:
        return []
    thread = alert.identifier
    previous = None
    if alert.msg_type == "Alert" and (update := store.referencing(session, alert.identifier)) is not None:
        # It arrived after its own update: history of that thread, not a new warning.
        return [store.add_version(session, alert, thread=update.thread, received_at=now, source=source,
                                  original=original, earliest=True)]
    for ref in alert.references:
        row = store.find(session, ref.sender, ref.identifier) or store.find_identifier(session, ref.identifier)
        if row is not None:
            thread, previous = row.thread, row
            break
    if not alert.infos:
        # A Cancel may carry no info block: it cancels what the thread said.
        if previous is None:
            raise cap.CapError(file, "alert/references", "a Cancel without info must name an alert we hold")
        alert = replace(alert, infos=(Info(
            event=previous.event, level=previous.level,  # type: ignore[arg-type]
            severity=cap.LEVEL_SEVERITY.get(previous.level, "Unknown"), urgency="Unknown", certainty="Unknown",
            onset=previous.onset, expires=previous.expires, sender_name=previous.sender_name,
            headline=previous.headline, description=previous.description, instruction=previous.instruction,
            areas=()),))
        w = store.add_version(session, alert, thread=thread, received_at=now, source=source, original=original)
        row = store.get(session, w.id)
        assert row is not None
        row.area_desc, row.geocodes = previous.area_desc, list(previous.geocodes)
        session.flush()
        return [store.to_warning(row)]
    return [store.add_version(session, alert, thread=thread, received_at=now, source=source, original=original)]
