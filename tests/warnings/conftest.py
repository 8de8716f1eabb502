from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.app import App
from scheduler.config import load_config
from scheduler.config.schema import Config
from tests.receipts.helpers import web_project
from tests.support.clock import ManualClock
from tests.support.project import make_app
from tests.warnings.feed_server import feed_server  # noqa: F401 (a fixture: the local CAP feed server)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def config() -> Config:
    """config.toml as shipped, with a receipt key."""
    return load_config(ROOT / "config.toml", {"SAFEDUTY_RECEIPT_KEY": "k" * 40}).config


@pytest.fixture
def shipped(tmp_path: Path, clock: ManualClock) -> Iterator[App]:
    """The example data with config.toml's shipped defaults (receipts with a key, [warnings.relay])."""
    application = make_app(web_project(tmp_path / "project"), clock)
    application.service.sync_data()
    yield application
    application.close()
