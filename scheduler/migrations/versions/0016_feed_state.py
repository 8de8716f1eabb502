"""feed state: each CAP feed's poll state and the links it fetched, in tables of their own
(they were key/value rows in data_file)

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("next_poll", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("down_since", sa.DateTime(), nullable=True),
        sa.Column("down_kind", sa.String(64), nullable=False),
        sa.Column("etag", sa.String(500), nullable=False),
        sa.Column("modified", sa.String(100), nullable=False),
    )
    op.create_table(
        "feed_seen",
        sa.Column("feed", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("feed", "digest"),
    )


def downgrade() -> None:
    op.drop_table("feed_seen")
    op.drop_table("feed_state")
