"""receipts (回执), daily zero reports (零报告) and the handover log (交接班)

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = "0008"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=255), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=160), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("recipient_key", sa.String(length=160), nullable=False),
        sa.Column("confirmed_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=False),
        sa.Column("mobile", sa.String(length=32), nullable=False),
        sa.Column("entry", sa.String(length=8), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("review", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
        sa.UniqueConstraint("task", "revision", name=op.f("uq_receipt_task")),
    )
    op.create_index("ix_receipt_confirmed", "receipt", ["confirmed_at"], unique=False)
    op.create_index("ix_receipt_party", "receipt", ["party"], unique=False)
    op.create_index("ix_receipt_topic", "receipt", ["topic", "kind"], unique=False)

    op.create_table(
        "zero_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("party", sa.String(length=160), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("mobile", sa.String(length=32), nullable=False),
        sa.Column("entry", sa.String(length=8), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("incident_kind", sa.String(length=16), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("incident_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("reported_up_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("reported_up_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_zero_report")),
        sa.UniqueConstraint("day", "party", name=op.f("uq_zero_report_day")),
    )
    op.create_index("ix_zero_report_incident", "zero_report", ["incident_at"], unique=False)

    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("outgoing_code", sa.String(length=64), nullable=False),
        sa.Column("outgoing_name", sa.String(length=64), nullable=False),
        sa.Column("written_at", scheduler.db.UTCDateTime(), nullable=False),
        sa.Column("events", sa.Text(), nullable=False),
        sa.Column("calls", sa.Text(), nullable=False),
        sa.Column("pending", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("incoming_code", sa.String(length=64), nullable=False),
        sa.Column("incoming_name", sa.String(length=64), nullable=False),
        sa.Column("confirmed_at", scheduler.db.UTCDateTime(), nullable=True),
        sa.Column("confirm_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handover")),
        sa.UniqueConstraint("day", name=op.f("uq_handover_day")),
    )


def downgrade() -> None:
    op.drop_table("handover")
    op.drop_index("ix_zero_report_incident", table_name="zero_report")
    op.drop_table("zero_report")
    op.drop_index("ix_receipt_topic", table_name="receipt")
    op.drop_index("ix_receipt_party", table_name="receipt")
    op.drop_index("ix_receipt_confirmed", table_name="receipt")
    op.drop_table("receipt")
