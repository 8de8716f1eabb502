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


def test_every_write_to_a_pages_tables_bumps_its_areas_version(web_app: App) -> None:
    """Migration 0015: triggers keep a change counter per area, whoever writes."""
    from sqlalchemy import text

    from scheduler.web.cache import versions

    def now() -> dict[str, int]:
        with web_app.sessions() as session:
            return versions(session)

    start = now()
    assert set(start) == {"roster", "hazards"}
    writes = {
        "UPDATE roster_assignment SET staff_code = staff_code WHERE id = (SELECT min(id) FROM roster_assignment)":
            {"roster"},
        "UPDATE hazard SET status = status WHERE id = (SELECT min(id) FROM hazard)": {"hazards"},
        "UPDATE enterprise SET name = name WHERE id = (SELECT min(id) FROM enterprise)": {"hazards"},
        "UPDATE staff SET name = name WHERE id = (SELECT min(id) FROM staff)": {"roster", "hazards"},
        "DELETE FROM roster_assignment WHERE id = (SELECT max(id) FROM roster_assignment)": {"roster"},
    }
    for statement, areas in writes.items():
        before = now()
        with web_app.engine.begin() as connection:
            connection.execute(text(statement))
        after = now()
        assert {a for a in after if after[a] != before[a]} == areas, statement
