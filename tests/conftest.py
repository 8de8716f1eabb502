from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from tests.support.clock import ManualClock, local
from tests.support.project import make_app, make_project

pytest_plugins = ("pytester",)  # tests/test_postgres_gate.py runs small suites of its own


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(2026, 1, 5, 9, 0))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A config.toml with the example data, on a fresh SQLite database."""
    return make_project(tmp_path / "project")


@pytest.fixture
def app(project: Path, clock: ManualClock) -> Iterator[App]:
    application = make_app(project, clock)
    yield application
    application.close()


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a fresh PostgreSQL database, for a test marked ``postgres`` (refused otherwise).
    Without a server the test is skipped, with the reason; under CI=true it fails instead."""
    from tests.support.postgres import fresh_database, require_marker

    require_marker(request.node)
    with fresh_database() as url:
        yield url
