"""duty rosters: seats, leave, actions and their changes

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import scheduler.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('roster_action',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', scheduler.db.UTCDateTime(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=True),
    sa.Column('last_day', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_action'))
    )
    with op.batch_alter_table('roster_action', schema=None) as batch_op:
        batch_op.create_index('ix_roster_action_at', ['at'], unique=False)

    op.create_table('roster_assignment',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=False),
    sa.Column('staff_code', sa.String(length=64), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('assigned_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_assignment')),
    sa.UniqueConstraint('day', 'role', 'seat', name='uq_roster_assignment_seat')
    )
    with op.batch_alter_table('roster_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_assignment_staff_code'), ['staff_code'], unique=False)

    op.create_table('roster_leave',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('staff_code', sa.String(length=64), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', scheduler.db.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_leave'))
    )
    with op.batch_alter_table('roster_leave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_leave_staff_code'), ['staff_code'], unique=False)

    op.create_table('roster_change',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=False),
    sa.Column('old_code', sa.String(length=64), nullable=False),
    sa.Column('new_code', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['roster_action.id'], name=op.f('fk_roster_change_action_id_roster_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_change'))
    )
    with op.batch_alter_table('roster_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_change_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('roster_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_change_action_id'))

    op.drop_table('roster_change')
    with op.batch_alter_table('roster_leave', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_leave_staff_code'))

    op.drop_table('roster_leave')
    with op.batch_alter_table('roster_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_assignment_staff_code'))

    op.drop_table('roster_assignment')
    with op.batch_alter_table('roster_action', schema=None) as batch_op:
        batch_op.drop_index('ix_roster_action_at')

    op.drop_table('roster_action')
