"""warnings: one row per received warning version, with the original CAP document

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warning_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("thread", sa.String(128), nullable=False),
        sa.Column("identifier", sa.String(128), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("sent", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("msg_type", sa.String(16), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("level", sa.String(4), nullable=False),
        sa.Column("onset", sa.DateTime(), nullable=True),
        sa.Column("expires", sa.DateTime(), nullable=True),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("instruction", sa.Text(), nullable=False),
        sa.Column("area_desc", sa.Text(), nullable=False),
        sa.Column("geocodes", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.UniqueConstraint("sender", "identifier", name="uq_warning_version_identifier"),
    )
    op.create_index("ix_warning_version_thread", "warning_version", ["thread", "version"])
    op.create_index("ix_warning_version_received", "warning_version", ["received_at"])


def downgrade() -> None:
    op.drop_index("ix_warning_version_received", table_name="warning_version")
    op.drop_index("ix_warning_version_thread", table_name="warning_version")
    op.drop_table("warning_version")
