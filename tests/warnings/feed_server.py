"""A real HTTP feed server on 127.0.0.1 for the feed tests: routes set by the test, every request
recorded (path and headers), ETag / Last-Modified answered with 304, a route that can fail or
hold its answer until the test ends (a slow server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml"
    etag: str = ""
    modified: str = ""
    hold: bool = False  # answer only when the test ends (the client times out first)
    trickle: float = 0.0  # seconds between the body's bytes (each wait shorter than a read timeout)
    stall: bool = False  # send the headers and half the body, then nothing until the test ends


@dataclass
class FeedServer:
    base: str
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[dict[str, str]]:
        return [headers for p, headers in self.requests if p == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            server.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
            route = server.routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if route.hold:
                server.release.wait(10)
            if route.status != 200:
                self.send_error(route.status)
                return
            if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.modified and not route.etag and self.headers.get("If-Modified-Since") == route.modified):
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.modified:
                self.send_header("Last-Modified", route.modified)
            self.end_headers()
            if route.stall:
                self.wfile.write(route.body[: len(route.body) // 2])
                self.wfile.flush()
                server.release.wait(10)
                return
            if not route.trickle:
                self.wfile.write(route.body)
                return
            for i in range(len(route.body)):
                if server.release.wait(route.trickle):
                    return
                try:
                    self.wfile.write(route.body[i:i + 1])
                    self.wfile.flush()
                except OSError:
                    return

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server = FeedServer(f"http://127.0.0.1:{httpd.server_address[1]}")
    httpd.RequestHandlerClass = _handler(server)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    httpd.shutdown()
    httpd.server_close()
