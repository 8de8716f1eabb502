"""notices: what the recipients of one notice share is stored once (issue 17 §3)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02

Adds the ``notice`` table and ``outbox.notice_id``, then moves the existing rows: a thousand
outbox rows at a time (in id order, so the messages of one notice, planned together, meet),
the context keys every message of a kind shares go to a notice and each row keeps the rest —
the same split planning makes (scheduler/outbox/notices.py). Nothing is lost: a row's notice
part with its own on top is its old context (tests/outbox/test_notice_migration.py).
Downgrade writes each row's whole context back and drops the notice table.
"""

import json

import sqlalchemy as sa
from alembic import op

from scheduler.outbox.notices import digest, split

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BATCH = 1000
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode

outbox = sa.table("outbox", sa.column("id", BigId), sa.column("kind", sa.String), sa.column("context", sa.JSON),
                  sa.column("notice_id", BigId))
notice = sa.table("notice", sa.column("id", BigId), sa.column("digest", sa.String), sa.column("kind", sa.String),
                  sa.column("context", sa.JSON))


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
        sa.UniqueConstraint("digest", name=op.f("uq_notice_digest")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("notice_id", BigId, nullable=True))
        batch.create_foreign_key(op.f("fk_outbox_notice_id_notice"), "notice", ["notice_id"], ["id"])
    _move_rows()


def _move_rows() -> None:
    connection = op.get_bind()
    ids: dict[str, int] = {}
    last = 0
    while True:
        rows = connection.execute(
            sa.select(outbox.c.id, outbox.c.kind, outbox.c.context).where(outbox.c.id > last)
            .order_by(outbox.c.id).limit(BATCH)).all()
        if not rows:
            return
        last = rows[-1].id
        by_kind: dict[str, list[sa.Row]] = {}
        for row in rows:
            by_kind.setdefault(row.kind, []).append(row)
        changes = []
        for kind, members in by_kind.items():
            shared, owns = split([row.context or {} for row in members])
            if not shared:
                continue
            text = _dumps(shared)
            key = digest(kind, text)
            if key not in ids:
                found = connection.scalar(sa.select(notice.c.id).where(notice.c.digest == key))
                if found is None:
                    connection.execute(sa.insert(notice).values(digest=key, kind=kind, context=shared))
                    found = connection.scalar(sa.select(notice.c.id).where(notice.c.digest == key))
                assert found is not None  # inserted just above
                ids[key] = found
            changes += [{"_id": row.id, "_notice": ids[key], "_own": own} for row, own in zip(members, owns, strict=True)]
        if changes:
            connection.execute(
                sa.update(outbox).where(outbox.c.id == sa.bindparam("_id"))
                .values(notice_id=sa.bindparam("_notice"), context=sa.bindparam("_own", type_=sa.JSON)),
                changes)


def downgrade() -> None:
    connection = op.get_bind()
    shared = {row.id: row.context for row in connection.execute(sa.select(notice.c.id, notice.c.context))}
    last = 0
    while True:
        rows = connection.execute(
            sa.select(outbox.c.id, outbox.c.context, outbox.c.notice_id)
            .where(outbox.c.id > last, outbox.c.notice_id.is_not(None)).order_by(outbox.c.id).limit(BATCH)).all()
        if not rows:
            break
        last = rows[-1].id
        connection.execute(
            sa.update(outbox).where(outbox.c.id == sa.bindparam("_id"))
            .values(context=sa.bindparam("_whole", type_=sa.JSON)),
            [{"_id": r.id, "_whole": {**shared[r.notice_id], **(r.context or {})}} for r in rows])
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint(op.f("fk_outbox_notice_id_notice"), type_="foreignkey")
        batch.drop_column("notice_id")
    op.drop_table("notice")
