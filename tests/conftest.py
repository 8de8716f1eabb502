from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from tests.support.clock import ManualClock, local
from tests.support.project import make_app, make_project


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
def pg_url() -> Iterator[str]:
    """The URL of a fresh PostgreSQL database (the test is skipped, with the reason, without a server)."""
    from tests.support.postgres import fresh_database

    with fresh_database() as url:
        yield url
