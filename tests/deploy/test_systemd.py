"""deploy/safeduty.service: checked by systemd's own verifier, and the stop it promises kept by a
real `safeduty run` (SIGTERM in the middle of sending: it finishes the pass, records every
outcome and exits 0 well within TimeoutStopSec)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from scheduler.config import load_config
from tests.support.delivery import note
from tests.support.observe import OutboxProbe, wait_until
from tests.support.process import ServiceProcess
from tests.support.project import ROOT
from tests.support.receivers import RecordingReceiver
from tests.support.running import SECRET, fill_outbox, service_project, webhook_toml

UNIT = ROOT / "deploy" / "safeduty.service"
INSTALLED_COMMAND = "/opt/safeduty/venv/bin/safeduty"


def directives(unit: Path) -> dict[str, list[str]]:
    """Every ``Key=value`` of the unit (a key may repeat), comments and sections left out."""
    found: dict[str, list[str]] = {}
    for line in unit.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
        if match:
            found.setdefault(match[1], []).append(match[2])
    return found


def seconds(value: str) -> float:
    match = re.fullmatch(r"(\d+)(s|min)?", value)
    assert match, f"TimeoutStopSec={value} is not in seconds or minutes"
    return int(match[1]) * (60 if match[2] == "min" else 1)


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`systemd-analyze verify` on a copy whose ExecStart names this checkout's command (the
    verifier checks that the program exists; the unit names where the guide installs it)."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd): the unit file is not verified")
    copy = tmp_path / "safeduty.service"
    copy.write_text(unit.read_text(encoding="utf-8").replace(
        INSTALLED_COMMAND, str(Path(sys.executable).with_name("safeduty"))), encoding="utf-8")
    return subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path)


def test_the_unit_passes_systemd_analyze_verify_without_a_warning(tmp_path: Path) -> None:
    result = verify(UNIT, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "safeduty.service" not in result.stderr, result.stderr  # unknown keys are only warnings


def test_the_verifier_catches_a_misspelt_hardening_option(tmp_path: Path) -> None:
    broken = tmp_path / "broken" / "safeduty.service"
    broken.parent.mkdir()
    broken.write_text(UNIT.read_text(encoding="utf-8").replace("NoNewPrivileges=", "NoNewPrivilege="), encoding="utf-8")
    result = verify(broken, tmp_path / "broken")
    assert "Unknown key 'NoNewPrivilege'" in result.stderr


def test_the_unit_runs_as_its_own_user_with_the_hardening_the_guide_promises() -> None:
    unit = directives(UNIT)
    assert unit["User"] == ["safeduty"] and unit["Group"] == ["safeduty"]
    assert unit["ExecStart"] == [f"{INSTALLED_COMMAND} run"]
    assert unit["EnvironmentFile"] == ["/etc/safeduty/environment"]  # the secrets, not in the unit
    assert unit["Restart"] == ["on-failure"]
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                       ("ProtectHome", "yes"), ("ReadWritePaths", "/var/lib/safeduty"),
                       ("StateDirectory", "safeduty"), ("KillSignal", "SIGTERM")):
        assert unit[key] == [value], key
    assert seconds(unit["TimeoutStopSec"][0]) >= 60


def test_sigterm_mid_delivery_stops_the_service_cleanly_within_timeoutstopsec(tmp_path: Path) -> None:
    limit = seconds(directives(UNIT)["TimeoutStopSec"][0])
    with RecordingReceiver(SECRET) as hook:
        config = service_project(tmp_path / "p", webhook_toml("hook", f"{hook.base_url}/hook")
                                 + '\n[delivery]\nbatch = 50\n')
        keys = {f"stop:{i:04d}" for i in range(400)}
        reached = threading.Event()
        hook.on_delivery = lambda total: total >= 60 and reached.set()
        with ServiceProcess(config, "run") as service, OutboxProbe.of(load_config(config, environ={})) as probe:
            service.wait_for("running; planning every")  # past the start-up pass: APScheduler's passes
            now = dt.datetime.now(dt.UTC)
            fill_outbox(config, [note(k, "hook", now - dt.timedelta(minutes=1)) for k in sorted(keys)], now)
            assert reached.wait(60), "\n".join(service.lines[-20:])
            service.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            code = service.process.wait(timeout=limit)
            took = time.monotonic() - signalled
            wait_until(lambda: not service._reader.is_alive(), 10, "the end of the log")
            rows = probe.rows()
    assert code == 0, "\n".join(service.lines[-20:])
    assert took < limit
    assert any("received SIGTERM, stopping after the current pass" in line for line in service.lines)
    assert service.lines[-1].endswith("stopped")
    assert not [r.key for r in rows if r.status == "sending"], "claims left behind"
    sent = {r.key for r in rows if r.status == "sent"}
    assert set(hook.counts) == sent, "a delivery whose outcome was not recorded"
    assert 60 <= len(sent) and not hook.duplicates
    print(f"SIGTERM after {hook.total} deliveries: exited 0 after {took:.1f}s (TimeoutStopSec={limit:g}s), "
          f"{len(sent)} of {len(keys)} sent and recorded, no claim left")
