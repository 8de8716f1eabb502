"""Serve the Flask application with waitress in a thread of this process (never a reloader:
the scheduler beside it must run once). ``WebServer.stop()`` finishes requests in flight."""

from __future__ import annotations

import logging
import threading
from typing import Any

from waitress import wasyncore
from waitress.server import create_server

from scheduler.config.web import Listen

log = logging.getLogger("safeduty.web")

LOOP_TIMEOUT_S = 0.5


class ListenError(Exception):
    """The [web] listen address cannot be served (in use, not an address of this machine)."""


class WebServer:
    def __init__(self, wsgi_app: Any, listen: Listen, *, threads: int = 4, max_body: int = 1_048_576) -> None:
        try:
            self.server = create_server(
                wsgi_app, host=listen.host, port=listen.port, threads=threads, ident="safeduty",
                # Flask refuses larger bodies itself, with a Chinese 413 page; this is the backstop.
                max_request_body_size=max_body * 2, clear_untrusted_proxy_headers=True,
                channel_timeout=60,
            )
        except OSError as exc:
            why = "already in use" if exc.errno == 98 else exc.strerror or str(exc)
            raise ListenError(f"web.listen: cannot serve on {listen}: {why} (is safeduty already "
                              "running? choose another port in config.toml)") from None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port = getattr(self.server, "effective_port", None)
        if port is None:  # several sockets (a host name with IPv4 and IPv6 addresses)
            port = self.server.effective_listen[0][1]
        return int(port)

    @property
    def host(self) -> str:
        host = getattr(self.server, "effective_host", None)
        return str(host if host is not None else self.server.effective_listen[0][0])

    @property
    def url(self) -> str:
        host = self.host
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
        return f"http://{shown}:{self.port}/"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="safeduty-web", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        socket_map = getattr(self.server, "_map", None)
        if socket_map is None:
            socket_map = self.server.map
        try:
            while not self._stopping.is_set() and socket_map:
                wasyncore.loop(timeout=LOOP_TIMEOUT_S, map=socket_map, count=1)
        finally:
            self.server.task_dispatcher.shutdown(timeout=10)  # lets requests in flight finish
            wasyncore.close_all(socket_map)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        else:
            self.server.task_dispatcher.shutdown(timeout=0)
            wasyncore.close_all(getattr(self.server, "_map", None) or self.server.map)

    def serve_forever(self, stopping: threading.Event) -> None:
        """Serve in the calling thread's company until ``stopping`` is set (SIGTERM, Ctrl-C)."""
        self.start()
        stopping.wait()
        self.stop()


def build(app: Any) -> WebServer:
    """The server for the wired ``App``: its Flask application on [web] listen."""
    from scheduler.web import create_app

    web = app.config.web
    return WebServer(create_app(app), web.listen, threads=web.threads, max_body=web.max_body)
