"""A real browser: Debian's headless Chromium driven by Playwright, against the app served by
waitress on a free loopback port. Skipped, with the reason printed, when Chromium is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.config.web import Listen
from scheduler.web import create_app
from scheduler.web.serving import WebServer

CHROMIUM = os.environ.get("SAFEDUTY_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
_outcomes: dict[str, int] = {"passed": 0, "skipped": 0, "failed": 0}
_reasons: set[str] = set()


def missing() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei; .ci/run does)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    reason = missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live(web_app: App) -> Iterator[str]:
    """The seeded application served on 127.0.0.1:<free port>; its root URL."""
    server = WebServer(create_app(web_app), Listen("127.0.0.1", 0))
    server.start()
    yield server.url.rstrip("/")
    server.stop()


@pytest.fixture
def page(browser, live):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/web/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/web/browser" not in report.nodeid:
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.outcome] = _outcomes.get(report.outcome, 0) + 1
        if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            _reasons.add(str(report.longrepr[2]).removeprefix("Skipped: "))


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if not any(_outcomes.values()):
        return
    if _outcomes["skipped"] and not _outcomes["passed"]:
        terminalreporter.write_line(f"browser tests SKIPPED ({_outcomes['skipped']}): " + "; ".join(sorted(_reasons)),
                                    yellow=True, bold=True)
    else:
        terminalreporter.write_line(f"browser tests: {_outcomes['passed']} passed in headless Chromium "
                                    f"({CHROMIUM}), {_outcomes['failed']} failed, {_outcomes['skipped']} skipped")
