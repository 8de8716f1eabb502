"""web interface: accounts, failed sign-ins, calendar-feed tokens

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_user",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_code", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("roles", sa.String(length=100), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("created_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("last_login_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_user")),
        sa.UniqueConstraint("staff_code", name=op.f("uq_web_user_staff_code")),
    )
    op.create_table(
        "web_login_failure",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_login_failure")),
    )
    op.create_index("ix_web_login_failure_account", "web_login_failure", ["account", "at"])
    op.create_index("ix_web_login_failure_address", "web_login_failure", ["address", "at"])
    op.create_table(
        "feed_token",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=8), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("staff_code", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("last_access_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_token")),
        sa.UniqueConstraint("digest", name=op.f("uq_feed_token_digest")),
    )
    op.create_index(op.f("ix_feed_token_staff_code"), "feed_token", ["staff_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_feed_token_staff_code"), table_name="feed_token")
    op.drop_table("feed_token")
    op.drop_index("ix_web_login_failure_address", table_name="web_login_failure")
    op.drop_index("ix_web_login_failure_account", table_name="web_login_failure")
    op.drop_table("web_login_failure")
    op.drop_table("web_user")
