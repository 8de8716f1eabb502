"""Downtime across send times: `safeduty run --once` started, as cron would, at moments a day
apart (time-machine moves each process's clock), with the shipped reminder rules.

Running at 08:50 on 30 September 2026, then not again until 08:50 the next day: the 汛期
"period ends" notices due at 09:00 that day (valid a day) go out once, marked late and saying
so; the 国庆 T-1 reminders due at 15:00 (void once the holiday begins) are recorded expired,
never sent, and the admins get one digest listing them. Later runs add and send nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from scheduler.config import load_config
from scheduler.outbox.planned import short_ref
from tests.reliability.conftest import Figures
from tests.support.clock import local
from tests.support.observe import OutboxProbe
from tests.support.process import ServiceProcess
from tests.support.receivers import RecordingReceiver
from tests.support.reminders import shipped_section
from tests.support.running import SECRET, service_project, webhook_toml

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(120)]

LATE = "key_period:flood_season:2026-06-01:end:"
VOID = "preholiday:2026-10-01:T-1:"
RUNS = (
    local(2026, 9, 30, 8, 50),  # before the day's send times; then stopped for a day
    local(2026, 10, 1, 8, 50),  # back: late notices go, void reminders expire
    local(2026, 10, 1, 8, 53),  # the admins' digest, planned with a jitter of up to 95 s, is due
    local(2026, 10, 1, 9, 30),  # nothing more
)


def run_once(config: Path, at: dt.datetime) -> list[str]:
    service = ServiceProcess(config, "run", "--once", at=at)
    try:
        code = service.process.wait(timeout=60)
    finally:
        service.kill()
    assert code == 0, "\n".join(service.lines[-30:])
    return service.lines


def test_after_a_day_stopped_what_is_still_valid_goes_once_marked_late_and_what_expired_is_reported(
    tmp_path: Path, figures: Figures
) -> None:
    with RecordingReceiver(SECRET, check_time=False) as hook:
        extra = "\n" + shipped_section() + webhook_toml("hook", f"{hook.base_url}/hook")
        config = service_project(tmp_path / "p", extra + '\n[delivery]\nperson_channel = "hook"\n')
        delivered_after = []
        with OutboxProbe.of(load_config(config, environ={})) as probe:
            for at in RUNS:
                run_once(config, at)
                delivered_after.append(sum(hook.counts.values()))
            rows = {r.key: r for r in probe.rows()}
            digests = probe.contexts("admin/digest")

    late = {k for k in rows if k.startswith(LATE)}
    void = {k for k in rows if k.startswith(VOID)}
    assert late and void
    assert delivered_after[0] == 0  # nothing was due yet
    for key in late:
        assert rows[key].status == "sent" and rows[key].late and hook.counts[key] == 1
    texts = {p["data"]["key"]: p["data"]["text"] for p in hook.payloads}
    assert all("延迟" in texts[k] for k in late), texts[next(iter(late))]  # the message says it is late
    for key in void:
        assert rows[key].status == "expired" and rows[key].reported and hook.counts[key] == 0

    # One digest to each admin, listing every void reminder by its reference, sent once.
    assert digests and len({recipient for _, recipient, _ in digests}) == len(digests)
    reported_keys = {item["key"] for _, _, context in digests for item in context["items"]}
    assert void <= reported_keys
    for key, _, context in digests:
        assert rows[key].status == "sent" and hook.counts[key] == 1
        assert context["expired"] == len(context["reports"]) and f"过期 {context['expired']} 条" in texts[key]
        assert {short_ref(k) for k in void} <= set(re.findall(r"编号 (\w+)", texts[key]))
    assert delivered_after[-1] == delivered_after[-2]  # the last run sent nothing again
    assert not hook.duplicates
    figures.record(down_for="1 day", sent_late=len(late), expired_and_reported=len(void),
                   admin_digests=len(digests), duplicates=0)
