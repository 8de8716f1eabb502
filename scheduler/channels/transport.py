"""A lean keep-alive HTTP/1.1 transport on ``http.client`` for targets reached without a proxy.

Why not ``requests`` here: on loopback ``requests``' machinery (PreparedRequest, the adapter,
urllib3's pool and response wrappers) costs about three times the CPU of the exchange itself,
and the dispatcher sending to one target is bounded by that CPU (bench/bench_webhook.py). This
module keeps the guarantees the ``requests`` path gave, each tested in tests/channels and
tests/security:

- TLS verified against certifi's bundle (as ``requests`` does), host name checked, no
  plaintext fallback; ``verify_tls = false`` turns both off, as before;
- redirects never followed (``http.client`` does not follow them; a 3xx is classified);
- the environment's proxies ignored (nothing here reads them); a channel with ``proxy`` set
  keeps the ``requests`` path (it handles https and SOCKS proxies);
- the private-address policy applied as each connection is made: the host is resolved once,
  every address checked (channels.addresses.check_host), and the socket opened to the address
  that was checked, so DNS rebinding cannot slip in between;
- the connect timeout for connecting, the read timeout for the answer;
- a connection the server closed while idle is noticed before it is reused, so a message is
  not written into a dead socket (which would leave its fate unknown).

Errors are raised as OSError / ssl / http.client exceptions and classified by channels.http,
which never quotes a URL.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import ssl
from collections.abc import Mapping
from typing import Any

from scheduler.channels.addresses import check_host


class ConnectFailed(Exception):
    """Connecting failed (before anything was sent); ``__cause__`` holds the OSError."""


class Answer:
    """What ``requests.Response`` offered that the channels use: status_code, reason, headers
    (case-insensitive ``get``), content, text, json()."""

    __slots__ = ("status_code", "reason", "headers", "content")

    def __init__(self, status_code: int, reason: str, headers: Any, content: bytes) -> None:
        self.status_code = status_code
        self.reason = reason
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


def tls_context(verify: bool) -> ssl.SSLContext:
    if not verify:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    try:
        import certifi
        return ssl.create_default_context(cafile=certifi.where())
    except ImportError:  # pragma: no cover - certifi comes with requests
        return ssl.create_default_context()


class Connection:
    """One keep-alive connection to (scheme, host, port), reopened when needed.

    The request is written as one buffer (head and body in one ``sendall``: ``http.client``
    sends them apart, two system calls and two packets); the answer is read by
    ``http.client.HTTPResponse`` (status line, headers, Content-Length or chunked body,
    whether the server keeps the connection)."""

    def __init__(self, scheme: str, host: str, port: int, *, connect_timeout: float, read_timeout: float,
                 guard: bool, context: ssl.SSLContext | None) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.guard = guard
        self.context = context
        self.sock: socket.socket | None = None
        name = f"[{host}]" if ":" in host else host
        default = 443 if scheme == "https" else 80
        self.host_header = name if port == default else f"{name}:{port}"
        self._heads: dict[tuple[tuple[str, str], ...], bytes] = {}

    def _open(self) -> socket.socket:
        try:
            addresses = check_host(self.host, self.port) if self.guard else [self.host]
            sock = _connect(addresses, self.port, self.connect_timeout)
        except OSError as exc:
            raise ConnectFailed() from exc
        sock.settimeout(self.read_timeout)
        if self.scheme == "https":
            assert self.context is not None
            try:
                sock = self.context.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock
        return sock

    def _reusable(self) -> socket.socket | None:
        sock = self.sock
        if sock is None:
            return None
        try:  # readable while idle = the peer closed it (or sent what nobody asked for): do not reuse
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            readable = [sock]
        if readable:
            self.close()
            return None
        return sock

    def head(self, target: str, headers: Mapping[str, str], length: int) -> bytes:
        """The request line and headers; the fixed headers (the same for every message of a
        channel) are encoded and checked once."""
        fixed: list[tuple[str, str]] = []
        varying: list[tuple[str, str]] = []
        for name, value in headers.items():
            (varying if name.lower().startswith("webhook-") else fixed).append((name, value))
        key = tuple(fixed)
        common = self._heads.get(key)
        if common is None:
            common = _header_lines(fixed)
            if len(self._heads) < 16:
                self._heads[key] = common
        if any(c in target for c in _FORBIDDEN):
            raise ValueError("the request target holds a control character")
        return (f"POST {target} HTTP/1.1\r\nHost: {self.host_header}\r\n".encode("latin-1") + common
                + _header_lines(varying) + b"Content-Length: %d\r\n\r\n" % length)

    def post(self, target: str, body: bytes, headers: Mapping[str, str]) -> Answer:
        data = self.head(target, headers, len(body)) + body
        sock = self._reusable() or self._open()
        try:
            sock.sendall(data)
            response = http.client.HTTPResponse(sock, method="POST")
            response.begin()
            content = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return Answer(response.status, response.reason, response.msg, content)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            finally:
                self.sock = None


_FORBIDDEN = "\r\n\0 "


def _header_lines(headers: list[tuple[str, str]]) -> bytes:
    lines = []
    for name, value in headers:
        if not name or any(c in name for c in _FORBIDDEN + ":") or any(c in value for c in "\r\n\0"):
            raise ValueError(f"invalid header {name!r}")
        lines.append(f"{name}: {value}\r\n")
    return "".join(lines).encode("latin-1")


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    last: OSError | None = None
    for address in addresses:
        try:
            sock = socket.create_connection((address, port), timeout)
        except OSError as exc:
            last = exc
            continue
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    assert last is not None
    raise last
