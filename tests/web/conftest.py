from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from scheduler.app import App
from scheduler.web import create_app
from tests.support.clock import ManualClock, local
from tests.support.project import make_app, make_project
from tests.web.helpers import WEB_TOML, seed


@pytest.fixture
def clock() -> ManualClock:
    """A Tuesday in March 2026, 10:00: HZ-2026-0001 (deadline 03-06) is overdue."""
    return ManualClock(local(2026, 3, 10, 10, 0))


@pytest.fixture
def web_project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", WEB_TOML)


@pytest.fixture
def web_app(web_project: Path, clock: ManualClock) -> Iterator[App]:
    application = make_app(web_project, clock)
    seed(application)
    yield application
    application.close()


@pytest.fixture
def flask_app(web_app: App) -> Flask:
    flask = create_app(web_app)
    flask.config["TESTING"] = True
    return flask
