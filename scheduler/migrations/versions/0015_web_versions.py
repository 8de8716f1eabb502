"""web versions: a change counter per data area, bumped by triggers, for the web interface's caches

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-02

Every write to the tables a page is built from bumps its area's counter in the same transaction
(triggers, so writers outside the web process — the CLI, the scheduler, another replica — bump
it too). A cache keyed on the counters can therefore never serve a page built before a change.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

# area -> the tables whose rows it is built from
AREAS = {
    "roster": ("roster_assignment", "staff"),
    "hazards": ("hazard", "enterprise", "staff"),
}
TABLES = sorted({t for tables in AREAS.values() for t in tables})


def _areas(table: str) -> list[str]:
    return [area for area, tables in AREAS.items() if table in tables]


def upgrade() -> None:
    op.create_table("web_version", sa.Column("area", sa.String(32), primary_key=True),
                    sa.Column("counter", sa.BigInteger(), nullable=False, server_default="0"))
    op.bulk_insert(sa.table("web_version", sa.column("area", sa.String), sa.column("counter", sa.BigInteger)),
                   [{"area": area, "counter": 0} for area in AREAS])
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        areas = ", ".join(f"'{a}'" for a in _areas(table))
        bump = f"UPDATE web_version SET counter = counter + 1 WHERE area IN ({areas})"
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION web_version_{table}() RETURNS trigger AS $$ BEGIN {bump}; RETURN NULL; END; "
                       "$$ LANGUAGE plpgsql")
            op.execute(f"CREATE TRIGGER web_version_{table} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION web_version_{table}()")
        else:
            for action in ("INSERT", "UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER web_version_{table}_{action.lower()} AFTER {action} ON {table} "
                           f"BEGIN {bump}; END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table in TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS web_version_{table} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS web_version_{table}()")
        else:
            for action in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS web_version_{table}_{action}")
    op.drop_table("web_version")
