"""Secrets the service signs with (session cookies, receipt links, …): from config, or generated.

A secret set in config.toml (normally ``"${NAME}"``, from the environment) is used as it is.
When it is left empty, a random key is generated once into the state folder (``var/`` beside
config.toml, as ``var/<name>.key``, mode 0600) and read from there on every start, with a
warning: `make run` then works on a fresh machine with no variable set, and the key survives
restarts. On PostgreSQL that fallback is refused: replicas on other machines would each
generate their own key and reject each other's cookies and links, so the secret must be set
(`safeduty check` says which key).

    from scheduler import keys
    secret = keys.secret(loaded, "web.secret_key", loaded.config.web.secret_key)
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from pathlib import Path

from scheduler.config import LoadedConfig
from scheduler.dburl import is_sqlite
from scheduler.files import private_folder

log = logging.getLogger("safeduty.keys")

STATE_FOLDER = "var"
KEY_BYTES = 32  # 256 bits


class MissingSecret(Exception):
    """A secret that must be configured is not; the message names the config key."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"{key}: {message}")


def state_folder(loaded: LoadedConfig) -> Path:
    return loaded.root / STATE_FOLDER


def compiled_templates(loaded: LoadedConfig) -> Path:
    """Where the renderer keeps compiled templates (scheduler/rendering.py)."""
    return state_folder(loaded) / "templates-compiled"


def key_file(loaded: LoadedConfig, key: str) -> Path:
    """Where the generated secret of config key ``key`` lives: web.secret_key → var/web-secret-key.key."""
    return state_folder(loaded) / (re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") + ".key")


def needs_setting(loaded: LoadedConfig, key: str, configured: str) -> str | None:
    """Why ``key`` must be set in config (None when it is set, or when a key file will do)."""
    if configured or is_sqlite(loaded.database_url):
        return None
    return ("must be set on PostgreSQL (every replica needs the same key; a generated key file "
            'would differ per machine): e.g. secret_key = "${SAFEDUTY_WEB_SECRET}" and export a '
            "random value such as `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`")


def secret(loaded: LoadedConfig, key: str, configured: str, *, warn: bool = True) -> str:
    """The secret for config key ``key``: the configured value, else the state folder's key file
    (created on first use). Raises MissingSecret on PostgreSQL when it is not configured."""
    if configured:
        return configured
    why = needs_setting(loaded, key, configured)
    if why is not None:
        raise MissingSecret(key, why)
    path = key_file(loaded, key)
    value = _read_or_create(path)
    if warn:
        log.warning("%s is not set in config; using the generated key in %s (set it to keep the key "
                    "outside the state folder)", key, path)
    return value


def _read_or_create(path: Path) -> str:
    private_folder(path.parent)
    if not path.exists():
        # Written whole to a temporary file, then linked into place: a process starting at the
        # same moment either finds no file or the whole key, and only one key ever wins.
        value = secrets.token_urlsafe(KEY_BYTES)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value + "\n")
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s can be read by other users (mode %o); making it 0600", path, mode)
        path.chmod(0o600)
    value = path.read_text(encoding="ascii").strip()
    if len(value) < 16:
        raise MissingSecret(str(path), "the key file is empty or too short; delete it to generate a new one")
    return value
