"""hardening: e-mail columns hold 254 characters (RFC 5321), as the importers allow

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0008"
branch_labels = None
depends_on = None

EMAIL_COLUMNS = {
    "enterprise": ("principal_email", "safety_manager_email", "warning_contact_email"),
    "staff": ("email",),
    "hazard": ("responsible_email",),
    "outbox": ("address",),  # an e-mail address or a mobile number
}


def _resize(length: int, before: int) -> None:
    # SQLite does not enforce VARCHAR lengths: rebuilding its tables (the outbox holds a year of
    # messages) would buy nothing.
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in EMAIL_COLUMNS.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, type_=sa.String(length), existing_type=sa.String(before),
                                   existing_nullable=False)


def upgrade() -> None:
    _resize(254, 200)


def downgrade() -> None:
    _resize(200, 254)
