"""hazards: the register (隐患台账) and its history

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hazard",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("funds_yuan", sa.BigInteger(), nullable=True),
        sa.Column("funds_source", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("responsible_name", sa.String(length=64), nullable=False),
        sa.Column("responsible_mobile", sa.String(length=32), nullable=False),
        sa.Column("responsible_email", sa.String(length=200), nullable=False),
        sa.Column("contingency_plan", sa.Text(), nullable=False),
        sa.Column("reported_to_regulator_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("reported_to_congress_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("listed_by", sa.String(length=200), nullable=False),
        sa.Column("listing_notice", sa.String(length=100), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=True),
        sa.Column("delisted_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("registered_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("closed_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("updated_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprise.id"], name=op.f("fk_hazard_enterprise_id_enterprise")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard")),
        sa.UniqueConstraint("code", name=op.f("uq_hazard_code")),
    )
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_hazard_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index("ix_hazard_escalation", ["level", "status", "deadline"], unique=False)
        batch_op.create_index(
            "ix_hazard_registered", ["level", "status", "registered_on"], unique=False
        )

    op.create_table(
        "hazard_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=False),
        sa.Column("at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old", sa.String(length=200), nullable=False),
        sa.Column("new", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazard.id"],
            name=op.f("fk_hazard_event_hazard_id_hazard"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_event")),
    )
    with op.batch_alter_table("hazard_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_event_hazard_id"), ["hazard_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hazard_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_event_hazard_id"))

    op.drop_table("hazard_event")
    with op.batch_alter_table("hazard", schema=None) as batch_op:
        batch_op.drop_index("ix_hazard_registered")
        batch_op.drop_index("ix_hazard_escalation")
        batch_op.drop_index(batch_op.f("ix_hazard_enterprise_id"))

    op.drop_table("hazard")
