"""deploy/prometheus-rules.yml: valid for promtool, its alerts firing (and not firing) as
promtool's unit tests say, every metric it uses exposed by safeduty, and the exposition itself
clean by promtool's metric linter."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from scheduler import metrics
from scheduler.app import App
from scheduler.web import create_app
from tests.support.clock import ManualClock
from tests.support.delivery import delivery_app, enqueue, note
from tests.support.project import ROOT

RULES = ROOT / "deploy" / "prometheus-rules.yml"
RULE_TESTS = Path(__file__).with_name("prometheus-rules-test.yml")
TOKEN = "metrics-token-for-tests-0123456789"
FROM_PROMETHEUS = {"up"}  # series Prometheus makes itself for every scrape


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
