from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.app import App
from scheduler.people.models import Enterprise, Staff
from tests.support.project import make_app, make_project


def test_first_pass_imports_the_example_data(app: App) -> None:
    app.service.run_once()
    with app.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Enterprise)) == 8
        assert session.scalar(select(func.count()).select_from(Staff)) == 13


@pytest.mark.postgres
def test_the_schema_migrates_on_postgresql(tmp_path, clock, pg_url) -> None:
    application = make_app(make_project(tmp_path, database=pg_url), clock)
    try:
        application.service.run_once()
        with application.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Staff)) == 13
    finally:
        application.close()
