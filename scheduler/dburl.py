"""What a database URL says, without importing SQLAlchemy (for `safeduty check`, which only
reads config, data files and templates, and must start quickly)."""

from __future__ import annotations

from pathlib import Path


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The database file of a sqlite:/// URL (None for in-memory databases)."""
    if not is_sqlite(url) or ":memory:" in url or url in ("sqlite://", "sqlite:///"):
        return None
    return Path(url.split(":///", 1)[1].split("?", 1)[0])
