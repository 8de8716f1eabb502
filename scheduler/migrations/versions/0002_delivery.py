"""delivery: target state, retry anchor, expiry index

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Per-target delivery state (rate budget, pause, health) shared by every replica; the retry
anchor `outbox retry` sets; indexes for per-channel claims and for expiring overdue rows.
"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_target',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('recent', sa.JSON(), nullable=False),
    sa.Column('paused_until', scheduler.db.UTCDateTime(), nullable=True),
    sa.Column('pause_reason', sa.Text(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('config_errors', sa.Integer(), nullable=False),
    sa.Column('unhealthy_since', scheduler.db.UTCDateTime(), nullable=True),
    sa.Column('fingerprint', sa.String(length=16), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_delivery_target'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_from', scheduler.db.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_outbox_expiry', ['status', 'expires_at'], unique=False)
        batch_op.create_index('ix_outbox_channel_due', ['channel', 'status', 'next_attempt_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_channel_due')
        batch_op.drop_index('ix_outbox_expiry')
        batch_op.drop_column('retry_from')

    op.drop_table('delivery_target')
