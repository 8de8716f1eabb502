"""deploy/prometheus-rules.yml: valid for promtool, its alerts firing (and not firing) as
promtool's unit tests say, every metric it uses exposed by safeduty, and the exposition itself
clean by promtool's metric linter."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests

from scheduler import metrics
from scheduler.app import App
from scheduler.web import create_app
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note
from tests.support.observe import wait_until
from tests.support.process import ServiceProcess
from tests.support.project import ROOT
from tests.support.running import fill_outbox, service_project

RULES = ROOT / "deploy" / "prometheus-rules.yml"
RULE_TESTS = Path(__file__).with_name("prometheus-rules-test.yml")
SCRAPE = ROOT / "deploy" / "prometheus.yml"
TOKEN = "metrics-token-for-tests-0123456789"
FROM_PROMETHEUS = {"up"}  # series Prometheus makes itself for every scrape


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.skip("promtool is not installed (Debian: apt-get install prometheus): the rules are not checked")
    return found


def exposed(app: App) -> str:
    """What /metrics serves, through the web interface with the metrics token."""
    response = create_app(app).test_client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    return response.text


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> App:
    application = delivery_app(tmp_path / "p", clock, f'\n[web]\nmetrics_token = "{TOKEN}"\n')
    application.service.run_once()
    enqueue(application, [note("m:1", "console", clock.now()), note("m:2", "nowhere", clock.now())])
    application.dispatcher.dispatch_due()
    metrics.observe_send("console", "sent", 0.01)
    metrics.observe_tick("duty", 0.02)
    return application


def test_promtool_accepts_the_rules() -> None:
    result = subprocess.run([promtool(), "check", "rules", str(RULES)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 6 rules found" in result.stdout


def test_the_rules_fire_as_their_unit_tests_expect(tmp_path: Path) -> None:
    binary = promtool()
    shutil.copy(RULES, tmp_path / "rules.yml")
    (tmp_path / "test.yml").write_text(RULE_TESTS.read_text(encoding="utf-8").replace("RULES", "rules.yml"),
                                       encoding="utf-8")
    result = subprocess.run([binary, "test", "rules", "test.yml"], capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_metric_the_rules_use_is_exposed(app: App) -> None:
    used = set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*(?:\{|\)|\s*[<>=!])",
                          " ".join(re.findall(r"expr:\s*(.+)", RULES.read_text(encoding="utf-8")))))
    used = {name for name in used if name.startswith(("safeduty_", "process_")) or name in FROM_PROMETHEUS}
    assert {"safeduty_planner_last_tick_age_seconds", "safeduty_outbox_oldest_due_age_seconds",
            "safeduty_outbox_ended_since_yesterday", "safeduty_target_unhealthy", "up"} <= used
    names = set(re.findall(r"^([a-z_][a-z0-9_]*)(?:\{| )", exposed(app), re.MULTILINE))
    assert used - FROM_PROMETHEUS <= names, sorted(used - FROM_PROMETHEUS - names)


def test_the_exposition_passes_promtools_metric_linter(app: App) -> None:
    result = subprocess.run([promtool(), "check", "metrics"], input=exposed(app), capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def configure_prometheus(folder: Path, target: str) -> Path:
    """The shipped deploy/prometheus.yml with the rules, the token file and the target in ``folder``."""
    shutil.copy(RULES, folder / "safeduty-rules.yml")
    (folder / "token").write_text(TOKEN + "\n", encoding="utf-8")
    text = SCRAPE.read_text(encoding="utf-8")
    for old, new in (("/etc/prometheus/safeduty-rules.yml", str(folder / "safeduty-rules.yml")),
                     ("/etc/prometheus/safeduty-metrics-token", str(folder / "token")),
                     ("scrape_interval: 30s", "scrape_interval: 1s"), ("evaluation_interval: 30s", "evaluation_interval: 1s")):
        assert old in text, old
        text = text.replace(old, new)
    text = re.sub(r"- targets:\n(\s+- \S+\n)+", f"- targets:\n          - {target}\n", text)
    config = folder / "prometheus.yml"
    config.write_text(text, encoding="utf-8")
    return config


def test_promtool_accepts_the_scrape_config(tmp_path: Path) -> None:
    config = configure_prometheus(tmp_path, "10.0.0.11:8080")
    result = subprocess.run([promtool(), "check", "config", str(config)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 1 rule files found" in result.stdout


def test_a_real_prometheus_scrapes_a_running_service_and_raises_its_alert(tmp_path: Path) -> None:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.skip("prometheus is not installed (Debian: apt-get install prometheus): no end-to-end scrape")
    now = dt.datetime.now(dt.UTC)
    config = service_project(tmp_path / "p", f'\n[web]\nenabled = true\nlisten = "127.0.0.1:0"\n'
                                             f'metrics_token = "{TOKEN}"\n')
    fill_outbox(config, [note("dies", "no_such_channel", now)], now)  # dead at the first pass
    with ServiceProcess(config, "run") as service:
        url = re.search(r"web interface: (http://\S+)", service.wait_for(r"web interface: http://"))[1]  # type: ignore[index]
        service.wait_for("running; planning every")
        port = free_port()
        folder = tmp_path / "prometheus"
        folder.mkdir()
        scrape = configure_prometheus(folder, url.removeprefix("http://").rstrip("/"))
        prometheus = subprocess.Popen([binary, f"--config.file={scrape}", f"--storage.tsdb.path={folder / 'data'}",
                                       f"--web.listen-address=127.0.0.1:{port}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        api = f"http://127.0.0.1:{port}/api/v1"
        try:
            def query(expr: str) -> list[dict[str, Any]]:
                try:
                    return requests.get(f"{api}/query", params={"query": expr}, timeout=5).json()["data"]["result"]
                except (requests.ConnectionError, KeyError, ValueError):
                    assert prometheus.poll() is None, prometheus.stderr.read() if prometheus.stderr else ""
                    return []

            def firing() -> set[str]:
                return {a["metric"]["alertname"] for a in query("ALERTS") if a["metric"].get("alertstate") == "firing"}

            wait_until(lambda: [r for r in query('up{job="safeduty"}') if r["value"][1] == "1"], 60,
                       "Prometheus to scrape the service", explain=lambda: str(query("up")))
            wait_until(lambda: "SafedutyDeadMessages" in firing(), 60, "the dead-message alert",
                       explain=lambda: str(query("ALERTS")))
            dead = query('safeduty_outbox_ended_since_yesterday{status="dead"}')
            assert [r["value"][1] for r in dead] == ["1"]
            assert firing() == {"SafedutyDeadMessages"}
        finally:
            prometheus.terminate()
            prometheus.wait(timeout=30)
        assert service.stop() == 0
