from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from tests.receipts.helpers import web_project
from tests.support.clock import ManualClock
from tests.support.project import make_app
from tests.warnings.feed_server import feed_server  # noqa: F401 (a fixture: the local CAP feed server)


@pytest.fixture
def shipped(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    """The example data with config.toml's shipped defaults (receipts with a key, [warnings.relay])."""
    application = make_app(web_project(tmp_path / "project"), clock)
    application.service.sync_data()
    yield application
    application.close()
