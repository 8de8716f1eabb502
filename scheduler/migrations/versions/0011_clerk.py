"""clerk fixes: hazard history keeps old → new values; roster changes remember published days

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hazard_event") as batch:
        # One entry per edited field: {"field", "old", "new"} as people read them.
        batch.add_column(sa.Column("changes", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("roster_change") as batch:
        # Whether the day was published when it changed: only those changes are announced.
        batch.add_column(sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("roster_change") as batch:
        batch.drop_column("published")
    with op.batch_alter_table("hazard_event") as batch:
        batch.drop_column("changes")
