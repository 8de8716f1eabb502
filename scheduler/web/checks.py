"""What `safeduty check` verifies of [web]: a secret PostgreSQL needs, the listen address free."""

from __future__ import annotations

import socket

from scheduler import keys
from scheduler.config import LoadedConfig
from scheduler.dburl import sqlite_path


def check_web(loaded: LoadedConfig, report: object) -> None:
    web = loaded.config.web
    problems: list[str] = report.problems  # type: ignore[attr-defined]
    warnings: list[str] = report.warnings  # type: ignore[attr-defined]
    if not web.enabled:
        return
    why = keys.needs_setting(loaded, "web.secret_key", web.secret_key)
    if why is not None:
        problems.append(f"web.secret_key: {why}")
    if web.listen.port == 0:
        return
    problem = listen_problem(web.listen.host, web.listen.port)
    if problem is None:
        return
    if _service_running(loaded):
        warnings.append(f"web.listen: {web.listen} is in use, most likely by the running service")
    else:
        problems.append(f"web.listen: {problem}")


def listen_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on now (None: it can)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"{host!r} is not an address of this machine ({exc.strerror})"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            why = "already in use" if exc.errno == 98 else exc.strerror
            return f"cannot listen on {host}:{port}: {why}"
    return None


def _service_running(loaded: LoadedConfig) -> bool:
    """A `safeduty run` holds the SQLite database's lock file (PostgreSQL: cannot tell)."""
    import fcntl
    import os

    path = sqlite_path(loaded.database_url)
    if path is None:
        return False
    lock = path.with_name(path.name + ".lock")
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
