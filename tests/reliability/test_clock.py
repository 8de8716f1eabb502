"""The system clock jumps under a running `safeduty run` (the shipped reminder rules, the
example data): forward a day, then back an hour.

Forward a day, over 30 September 2026: the 汛期 "period ends" notices (due 09:00, valid a
day) go out once, marked late; the 国庆 T-1 reminders (due 15:00, void at midnight) are
recorded expired and reported to the admins once. Back an hour: messages still go out (the
service does not wait for its clock to catch up), and when it has caught up, nothing already
planned is planned or sent again.
"""

from __future__ import annotations

import collections
import datetime as dt
import time
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.reliability.conftest import Figures
from tests.support.clock import ManualClock, local
from tests.support.clock_main import JumpingServiceProcess
from tests.support.delivery import enqueue, note
from tests.support.observe import OutboxProbe, wait_until
from tests.support.project import make_app
from tests.support.receivers import RecordingReceiver
from tests.support.reminders import planned, shipped_section
from tests.support.running import SECRET, service_project, webhook_toml

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(120)]

START = local(2026, 9, 30, 8, 50)
LOOKBACK = dt.timedelta(days=1)
DAY, HOUR, MINUTE = dt.timedelta(days=1), dt.timedelta(hours=1), dt.timedelta(minutes=1)
LATE = "key_period:flood_season:2026-06-01:end:"
VOID = "preholiday:2026-10-01:T-1:"


class ProcessClock:
    """What the process's clock reads, at most: START plus the time since it was started plus
    the jumps it was sent."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.jumped = dt.timedelta(0)

    def now(self) -> dt.datetime:
        return START + dt.timedelta(seconds=time.monotonic() - self.started) + self.jumped


def project(folder: Path, hook_url: str) -> Path:
    extra = "\n" + shipped_section() + webhook_toml("hook", hook_url) + '\n[delivery]\nperson_channel = "hook"\n'
    return service_project(folder, extra)


def test_a_clock_jumping_forward_a_day_then_back_an_hour_neither_resends_nor_skips(
    tmp_path: Path, figures: Figures
) -> None:
    with RecordingReceiver(SECRET, check_time=False) as hook:
        config = project(tmp_path / "p", f"{hook.base_url}/hook")
        loaded = load_config(config, environ={})
        clock = ProcessClock()
        with (OutboxProbe.of(loaded) as probe,
              JumpingServiceProcess(config, "run", at=START, control=tmp_path / "jump") as service):
            service.wait_for("running; planning every")

            def jump(delta: dt.timedelta) -> None:
                service.jump(delta)
                clock.jumped += delta

            def settle(what: str, *prefixes: str) -> None:
                """Wait until rows with each key prefix exist and nothing due is left unsent."""
                def done() -> bool:
                    rows = probe.rows()
                    return all(any(r.key.startswith(p) for r in rows) for p in prefixes) and not [
                        r for r in rows if r.status in ("pending", "failed", "sending")
                        and r.due_at <= clock.now() - 5 * MINUTE]
                wait_until(done, 30, what, explain=lambda: f"{probe.statuses()}\n" + "\n".join(service.lines[-20:]))

            def sentinel(name: str) -> None:
                """A message due now by the process's clock: it must go out within seconds."""
                app = make_app(config, ManualClock(clock.now()))
                try:
                    enqueue(app, [note(f"sentinel:{name}", "hook", clock.now() - 30 * dt.timedelta(seconds=1))])
                finally:
                    app.close()
                wait_until(lambda: hook.counts[f"sentinel:{name}"] > 0, 20, f"the {name} sentinel",
                           explain=lambda: "\n".join(service.lines[-20:]))

            # Forward a day; once that day is planned, two minutes more: the admins' digest of
            # what expired meanwhile (due with a jitter of up to 95 s) falls due too.
            jump(DAY)
            settle("the day skipped to be planned", LATE, VOID)
            jump(2 * MINUTE)
            settle("the day skipped to be sent, expired and reported", LATE, VOID, "admin:digest:")
            sentinel("after-a-day")

            # Back an hour, by way of half an hour forward (an unsteady clock): still sending.
            jump(30 * MINUTE)
            jump(-HOUR - 30 * MINUTE)
            sentinel("an-hour-back")
            # Past the hour already planned, again: nothing planned or sent twice.
            jump(HOUR + 5 * MINUTE)
            sentinel("caught-up")
            settle("the hour caught up")
            end = clock.now()
            assert service.stop() == 0
            rows = {r.key: r for r in probe.rows()}
            digests = probe.contexts("admin/digest")

    assert not [line for line in service.lines if "Traceback" in line], "\n".join(service.lines[-40:])
    assert not hook.duplicates, sorted(hook.duplicates)
    # Nothing skipped: all the planners give for the whole span is in the outbox, sent or expired.
    app = make_app(project(tmp_path / "expected", f"{hook.base_url}/hook"), ManualClock(START))
    try:
        inner = {m.key for m in planned(app, START - LOOKBACK + MINUTE, end - 2 * MINUTE)}
        outer = {m.key for m in planned(app, START - LOOKBACK - MINUTE, end + MINUTE)}
    finally:
        app.close()
    mine = {k for k in rows if not k.startswith(("admin:", "sentinel:"))}
    assert inner <= mine <= outer
    late = {k for k in rows if k.startswith(LATE)}
    void = {k for k in rows if k.startswith(VOID)}
    assert late and void
    assert all(rows[k].status == "sent" and rows[k].late and hook.counts[k] == 1 for k in late)
    assert all(rows[k].status == "expired" and rows[k].reported and hook.counts[k] == 0 for k in void)
    assert {rows[k].status for k in mine} <= {"sent", "expired"}
    # Reported once: each expired message in exactly one digest to each admin, each digest sent.
    expired_ids = collections.Counter[int]()
    admins = {recipient for _, recipient, _ in digests}
    for key, _, context in digests:
        assert rows[key].status == "sent" and hook.counts[key] == 1
        expired_ids.update(context["reports"])
    assert set(expired_ids.values()) == {len(admins)} and len(expired_ids) == sum(
        rows[k].status == "expired" for k in mine)
    figures.record(jumps="+1d, +2m, +30m, -1h30m, +1h5m", sent_late=len(late), expired_and_reported=len(void),
                   resent=0, skipped=0)
