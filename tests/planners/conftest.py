from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from tests.support.clock import ManualClock
from tests.support.project import make_app
from tests.support.reminders import shipped_project


@pytest.fixture
def shipped(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    """An app with the example data and config.toml's shipped reminder defaults."""
    application = make_app(shipped_project(tmp_path / "project"), clock)
    yield application
    application.close()
