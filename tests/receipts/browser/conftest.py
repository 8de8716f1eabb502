"""The web area's Playwright fixtures (tests/web/browser), over an app with receipts configured."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.config.web import Listen
from scheduler.web import create_app
from scheduler.web.serving import WebServer
from tests.receipts.helpers import receipts_section
from tests.support.clock import ManualClock, local
from tests.support.project import make_app
from tests.support.reminders import shipped_project
from tests.web.browser.conftest import browser  # noqa: F401  (the session's Chromium)
from tests.web.helpers import WEB_TOML, seed


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/receipts/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(2026, 3, 10, 10, 0))


@pytest.fixture
def app(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    application = make_app(shipped_project(tmp_path / "project", receipts_section() + WEB_TOML), clock)
    seed(application)
    yield application
    application.close()


@pytest.fixture
def live(app: App) -> Iterator[str]:
    server = WebServer(create_app(app), Listen("127.0.0.1", 0))
    server.start()
    yield server.url.rstrip("/")
    server.stop()


@pytest.fixture
def context(browser, live):  # type: ignore[no-untyped-def]  # noqa: F811
    made = []

    def new():  # type: ignore[no-untyped-def]
        ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
        made.append(ctx)
        tab = ctx.new_page()
        tab.set_default_timeout(15_000)
        return tab

    yield new
    for ctx in made:
        ctx.close()
