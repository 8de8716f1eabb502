"""Files the service writes hold every contact's mobile and e-mail and every message sent:
the state folder is created 0700 and the files in it (the database, the console outbox, key
files, exports) 0600, whatever the umask. A file or folder that already exists keeps the mode
it has (the user chose it); `safeduty check` warns when the database is readable by others."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """``path`` as a folder, created 0700 (or narrower, by the umask) when it does not exist,
    and so is each folder above it that does not exist (``var/`` when ``var/x`` comes first)."""
    if not path.is_dir():
        private_folder(path.parent)
        path.mkdir(mode=FOLDER_MODE, exist_ok=True)
    return path


def create_private(path: Path) -> Path:
    """Create ``path`` empty with mode 0600 unless it exists (before SQLite opens it: SQLite
    gives its -wal and -shm files the database file's mode)."""
    private_folder(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    return path


def append_private(path: Path) -> IO[str]:
    """``path`` opened for appending text, created 0600."""
    private_folder(path.parent)
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE), "a", encoding="utf-8")


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, a new file created 0600 (an existing one keeps its mode)."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE), "wb") as fh:
        fh.write(data)
