"""Local HTTP stand-ins for delivery targets, on 127.0.0.1, each running in a thread.

- ``HttpStub``: an HTTP/1.1 keep-alive server whose answers can be scripted request by request
  (``stub.script(Answer(500), RESET, Hang(), Answer.json({...}, 429, {"Retry-After": "5"}))``),
  then falls back to its normal handler. It records every request. ``stop()``/``start()`` on the
  same port makes "connection refused" and recovery.
- ``WebhookReceiver``: verifies every delivery with the ``standardwebhooks`` library and counts
  each ``webhook-id`` (``counts``, ``duplicates``), for exactly-once checks.

The chat bots are in ``tests.support.bots``, the SMTP server in ``tests.support.smtp``. Use them
as context managers: ``with WebhookReceiver(secret) as hook: ...``.
"""

from __future__ import annotations

import collections
import json
import socket
import struct
import threading
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]  # decoded once, as any web framework does
    raw_query: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    client: tuple[str, int] = ("", 0)  # the peer's address: one per connection

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def json(cls, value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Answer:
        body = json.dumps(value, ensure_ascii=False).encode()
        return cls(status, body, (("Content-Type", "application/json; charset=utf-8"), *(headers or {}).items()))


@dataclass(frozen=True)
class Hang:
    """Read the request, never answer (until ``seconds`` pass or the server stops), then close."""

    seconds: float = 10.0


RESET = "reset"  # read the request, then reset the connection (RST) without answering


class HttpStub:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.requests: list[Request] = []
        self._script: collections.deque[Answer | Hang | str] = collections.deque()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Lifecycle

    def start(self) -> HttpStub:
        self._released.clear()
        self._server = ThreadingHTTPServer((HOST, self.port), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        name=f"stub-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Any:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    # Scripting

    def script(self, *actions: Answer | Hang | str) -> None:
        """The next requests get these answers, in order; later ones the normal handler."""
        with self._lock:
            self._script.extend(actions)

    def handle(self, request: Request) -> Answer:
        return Answer(200, b"ok")

    def _next(self, request: Request) -> Answer | Hang | str:
        with self._lock:
            self.requests.append(request)
            if self._script:
                return self._script.popleft()
        return self.handle(request)


def _handler(stub: HttpStub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the real vendors
        # Headers and body are two writes: with Nagle's algorithm the body waited for the
        # client's delayed ACK, 40 ms per request (a 1,000-request test spent 40 s waiting).
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            path, _, raw_query = self.path.partition("?")
            query = {k: v[0] for k, v in urllib.parse.parse_qs(raw_query, keep_blank_values=True).items()}
            request = Request("POST", path, query, raw_query, {k.lower(): v for k, v in self.headers.items()}, body,
                              self.client_address)
            action = stub._next(request)
            if isinstance(action, Hang):
                stub._released.wait(action.seconds)
                self.close_connection = True
                return
            if action == RESET:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                return
            assert isinstance(action, Answer)
            self.send_response(action.status)
            for name, value in action.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(action.body)))
            self.end_headers()
            self.wfile.write(action.body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


# Standard Webhooks receiver


class WebhookReceiver(HttpStub):
    def __init__(self, secret: str, port: int = 0) -> None:
        from standardwebhooks.webhooks import Webhook

        super().__init__(port)
        self.verifier = Webhook(secret)
        self.counts: collections.Counter[str] = collections.Counter()  # webhook-id -> deliveries
        self.payloads: list[Any] = []
        self.rejected: list[str] = []

    def handle(self, request: Request) -> Answer:
        from standardwebhooks.webhooks import WebhookVerificationError

        try:
            payload = self.verifier.verify(request.body, request.headers)
        except WebhookVerificationError as exc:
            self.rejected.append(str(exc))
            return Answer.json({"error": str(exc)}, 401)
        with self._lock:
            self.counts[request.headers["webhook-id"]] += 1
            self.payloads.append(payload)
        return Answer(204)

    @property
    def duplicates(self) -> dict[str, int]:
        return {key: n for key, n in self.counts.items() if n > 1}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def unused_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    return _free_port()
