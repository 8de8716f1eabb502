"""A throw-away project for benchmarks: the shipped config.toml on a given database, filled
with generated enterprises and staff (no data files, so nothing is synced over them)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from sqlalchemy import delete, insert

from bench import datagen
from scheduler.app import App
from scheduler.clock import Clock
from scheduler.config import load_config
from scheduler.people.models import Enterprise, Staff

ROOT = Path(__file__).resolve().parents[1]


def make_config(database: str, folder: Path | None = None, extra: str = "") -> Path:
    folder = folder or Path(tempfile.mkdtemp(prefix="safeduty-bench-"))
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r'(?m)^database = ".*"$', f'database = "{database}"', text, count=1)
    text = re.sub(r'(?m)^(enterprises|staff) = ".*"$', r'\1 = ""', text)
    text = text.replace('path = "var/console-outbox.jsonl"', f'path = "{folder}/console.jsonl"')
    config = folder / "config.toml"
    config.write_text(text + extra, encoding="utf-8")
    return config


def make_app(database: str, clock: Clock, *, enterprises: int = 0, staff: int = 0, extra: str = "") -> App:
    app = App(load_config(make_config(database, extra=extra), environ={}), clock=clock, worker="bench")
    with app.sessions.begin() as session:
        session.execute(delete(Enterprise))
        session.execute(delete(Staff))
        if enterprises:
            session.execute(insert(Enterprise), list(datagen.enterprises(enterprises)))
        if staff:
            session.execute(insert(Staff), list(datagen.staff(staff)))
    return app


def reset_postgres(url: str) -> str | None:
    """Drop and recreate the bench database on the PostgreSQL server; None when unreachable."""
    try:
        import psycopg
    except ImportError:
        return None
    admin = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(admin.replace("+psycopg", ""), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception:
        return None
    return url
