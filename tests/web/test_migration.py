"""Migration 0006 creates exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from scheduler.app import App
from scheduler.models import metadata

WEB_TABLES = {"web_user", "web_login_failure", "feed_token"}


def test_the_web_tables_match_their_models(web_app: App) -> None:
    with web_app.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in differences if any(t in repr(d) for t in WEB_TABLES)]
    assert ours == []
