"""Serving: waitress in a thread of `safeduty run` (SIGTERM stops both), `safeduty web` alone,
and `run --once` serving nothing."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

from scheduler.app import App
from scheduler.web import create_app
from scheduler.web.serving import WebServer
from tests.support.process import ServiceProcess
from tests.support.project import make_project
from tests.web.helpers import WEB_TOML


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - the loopback only
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_server_serves_on_a_free_port_and_stops(web_app: App) -> None:
    from scheduler.config.web import Listen

    server = WebServer(create_app(web_app), Listen("127.0.0.1", 0))
    server.start()
    try:
        assert server.port > 0
        status, body = fetch(f"{server.url}healthz")
        assert (status, body.strip()) == (200, '{"status":"ok"}')
    finally:
        server.stop()
    try:
        fetch(f"{server.url}healthz")
        raise AssertionError("still answering after stop()")
    except OSError:
        pass


def test_run_serves_the_web_interface_beside_the_scheduler_and_sigterm_stops_both(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", WEB_TOML)
    with ServiceProcess(config, "run") as service:
        line = service.wait_for(r"web interface: http://127\.0\.0\.1:\d+/")
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)[0]  # type: ignore[index]
        service.wait_for("running; planning every")
        status, body = fetch(f"{url}readyz")
        assert status == 200, body
        status, body = fetch(f"{url}login")
        assert status == 200 and "工号" in body
        assert service.stop() == 0
        assert any("web interface stopped" in line for line in service.lines)
        assert any(line.endswith("safeduty.run: stopped") for line in service.lines)


def test_run_once_serves_nothing(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", WEB_TOML)
    with ServiceProcess(config, "run", "--once") as service:
        assert service.process.wait(timeout=60) == 0
        assert not any("web interface" in line for line in service.lines)


def test_web_serves_alone_and_stops_on_sigterm(tmp_path: Path) -> None:
    config = make_project(tmp_path / "p", WEB_TOML)
    with ServiceProcess(config, "web") as web:
        line = web.wait_for(r"web interface: http://")
        url = re.search(r"http://127\.0\.0\.1:\d+/", line)[0]  # type: ignore[index]
        status, body = fetch(f"{url}healthz")
        assert status == 200
        assert fetch(f"{url}readyz")[0] == 503  # nobody plans: not ready, and it says so
        assert web.stop() == 0
        assert not any("planning every" in line for line in web.lines)
