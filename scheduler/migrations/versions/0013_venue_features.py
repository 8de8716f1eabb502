"""venue features: the enterprise file's 场所特征 (漂流, 玻璃栈道, 索道, 野外 …) for the warning relay

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.add_column(sa.Column("venue_features", sa.String(200), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("enterprise") as batch:
        batch.drop_column("venue_features")
