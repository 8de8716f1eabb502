"""A fresh PostgreSQL database per test on the machine's server (127.0.0.1:5432, trust auth).

Every test that needs it carries ``@pytest.mark.postgres`` (the ``pg_url`` fixture refuses a
test without it, so ``-m "not postgres"`` and CI's check below see them all). When no server
answers, such a test is skipped saying why, except under ``CI=true``: there it fails, naming
the server, because CI must not go green having run none of them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get("SAFEDUTY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

_unreachable: dict[str, str] = {}  # admin URL -> why it did not answer (asked once per run)


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def reachable() -> str | None:
    """None when PostgreSQL answers; otherwise the reason it does not."""
    if ADMIN_URL in _unreachable:
        return _unreachable[ADMIN_URL]
    try:
        with _connect(ADMIN_URL):
            return None
    except Exception as exc:  # psycopg.OperationalError, or psycopg not installed
        _unreachable[ADMIN_URL] = str(exc).strip() or type(exc).__name__
        return _unreachable[ADMIN_URL]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require_server() -> None:
    """Skip the calling test (fail it under CI=true) when PostgreSQL does not answer."""
    reason = reachable()
    if reason is None:
        return
    if in_ci():
        pytest.fail(f"PostgreSQL at {ADMIN_URL} is unreachable and CI requires it (CI=true): {reason}",
                    pytrace=False)
    pytest.skip(f"PostgreSQL not reachable at {ADMIN_URL} (set SAFEDUTY_TEST_PG to use another): {reason}")


def require_marker(node: pytest.Item) -> None:
    if node.get_closest_marker("postgres") is None:
        pytest.fail(f"{node.nodeid} uses PostgreSQL but is not marked @pytest.mark.postgres "
                    "(mark the test, or its parameter: pytest.param(..., marks=pytest.mark.postgres))",
                    pytrace=False)


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, drop it afterwards."""
    require_server()
    name = f"safeduty_test_{uuid.uuid4().hex[:12]}"
    with _connect(ADMIN_URL) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}"
    finally:
        with _connect(ADMIN_URL) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
