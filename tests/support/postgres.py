"""A fresh PostgreSQL database per test on the machine's server (127.0.0.1:5432, trust auth).

Tests that need it are skipped, saying why, when no server is reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

ADMIN_URL = os.environ.get("SAFEDUTY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=3)


def reachable() -> str | None:
    """None when PostgreSQL answers; otherwise the reason it does not."""
    try:
        with _connect(ADMIN_URL):
            return None
    except Exception as exc:  # psycopg.OperationalError, or psycopg not installed
        return f"PostgreSQL not reachable at {ADMIN_URL}: {exc}".strip()


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy URL, drop it afterwards."""
    reason = reachable()
    if reason:
        pytest.skip(reason)
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
