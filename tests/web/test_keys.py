"""scheduler.keys: a configured secret, or a generated key file (SQLite only)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scheduler import keys
from scheduler.config import load_config
from tests.support.project import make_project


def test_an_unset_secret_is_generated_once_into_a_private_file_and_reused(tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    loaded = load_config(make_project(tmp_path), environ={})
    first = keys.secret(loaded, "web.secret_key", "")
    path = tmp_path / "var" / "web-secret-key.key"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 40
    assert keys.secret(loaded, "web.secret_key", "") == first
    assert "web.secret_key is not set" in caplog.text and first not in caplog.text


def test_a_configured_secret_is_used_as_it_is_and_no_file_is_written(tmp_path: Path) -> None:
    loaded = load_config(make_project(tmp_path), environ={})
    assert keys.secret(loaded, "web.secret_key", "from-the-environment-123") == "from-the-environment-123"
    assert not (tmp_path / "var" / "web-secret-key.key").exists()


def test_a_key_file_readable_by_others_is_made_private(tmp_path: Path) -> None:
    loaded = load_config(make_project(tmp_path), environ={})
    keys.secret(loaded, "receipts.secret", "")
    path = keys.key_file(loaded, "receipts.secret")
    path.chmod(0o644)
    keys.secret(loaded, "receipts.secret", "")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_on_postgresql_an_unset_secret_is_refused_naming_the_key(tmp_path: Path) -> None:
    loaded = load_config(make_project(tmp_path, database="postgresql://u@127.0.0.1:5432/x"), environ={})
    with pytest.raises(keys.MissingSecret, match=r"^web.secret_key: must be set on PostgreSQL"):
        keys.secret(loaded, "web.secret_key", "")
    assert keys.secret(loaded, "web.secret_key", "shared-by-replicas-1234") == "shared-by-replicas-1234"
