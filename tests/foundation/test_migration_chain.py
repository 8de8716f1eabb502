"""The migrations form one line: work merged from several branches in one evening (0014 and 0016
both began at 0013) must be re-pointed, or `db upgrade` would leave two schemas side by side."""

from __future__ import annotations

from scheduler.migrate import known_revisions


def test_the_migrations_have_exactly_one_head_and_reach_every_revision() -> None:
    from alembic.script import ScriptDirectory

    from scheduler.migrate import _alembic_config

    revisions, heads = known_revisions()
    assert len(heads) == 1, f"more than one migration head: {sorted(heads)} (set one's down_revision to the other)"
    scripts = ScriptDirectory.from_config(_alembic_config())
    line = {s.revision for s in scripts.iterate_revisions(next(iter(heads)), "base")}
    assert line == revisions
