"""Local receivers for the delivery benchmarks, each in a process of its own (so its CPU is not
taken from the sender's interpreter), on 127.0.0.1, counting what they receive.

- ``HttpSink``: a minimal threaded HTTP/1.1 keep-alive server — a thread per connection, a
  request line, headers and a Content-Length body read straight from the socket, ``200 ok`` —
  about a tenth of the CPU per request of the standard library's ThreadingHTTPServer (which
  would cap a keep-alive client near 1,700 requests a second on this machine). It counts
  requests and distinct ``webhook-id`` headers; it may answer after a set latency, as a target
  over a network does.
- ``SmtpSink``: an aiosmtpd server whose DATA handler counts and discards each message.

Both sides of a comparison use the same receiver.
"""

from __future__ import annotations

import multiprocessing
import socket
import threading
import time
from multiprocessing.connection import Connection
from typing import Any, Self

HOST = "127.0.0.1"
_OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


def _serve_http(listener: socket.socket, control: Connection, latency: float) -> None:
    lock = threading.Lock()
    ids: set[bytes] = set()
    count = [0]

    def connection(sock: socket.socket) -> None:
        reader = sock.makefile("rb")
        try:
            while True:
                line = reader.readline(65537)
                if not line:
                    return
                length, webhook_id = 0, b""
                while (header := reader.readline(65537)) not in (b"\r\n", b"\n", b""):
                    name, _, value = header.partition(b":")
                    name = name.strip().lower()
                    if name == b"content-length":
                        length = int(value)
                    elif name == b"webhook-id":
                        webhook_id = value.strip()
                reader.read(length)
                if latency:
                    time.sleep(latency)  # a target over a network (a bot's API answers in 50-200 ms)
                sock.sendall(_OK)
                with lock:
                    count[0] += 1
                    ids.add(webhook_id)
        except OSError:
            return
        finally:
            reader.close()
            sock.close()

    def accept() -> None:
        while True:
            try:
                sock, _ = listener.accept()
            except OSError:
                return
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=connection, args=(sock,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    while True:
        command = control.recv()
        with lock:
            control.send((count[0], len(ids - {b""})))
            if command == "reset":
                count[0] = 0
                ids.clear()
        if command == "stop":
            return


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _serve_smtp(port_out: Connection, control: Connection) -> None:
    from aiosmtpd.controller import Controller

    count = [0]

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            count[0] += 1
            return "250 Message accepted for delivery"

    port = _unused_port()
    controller = Controller(Handler(), hostname=HOST, port=port, ready_timeout=10)
    controller.start()
    port_out.send(port)
    while True:
        command = control.recv()
        control.send(count[0])
        if command == "reset":
            count[0] = 0
        if command == "stop":
            controller.stop()
            return


class _Process:
    def __init__(self) -> None:
        self.port = 0
        self._process: multiprocessing.Process | None = None
        self._control: Connection | None = None

    def _ask(self, command: str) -> Any:
        assert self._control is not None, "not started"
        self._control.send(command)
        return self._control.recv()

    def reset(self) -> Any:
        """Zero the counters; returns what they were."""
        return self._ask("reset")

    def counts(self) -> Any:
        return self._ask("counts")

    def stop(self) -> None:
        if self._process is not None:
            self._ask("stop")
            self._process.join(10)
            self._process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> Self:
        raise NotImplementedError


class HttpSink(_Process):
    """``counts()`` → (requests, distinct webhook-ids) since the last ``reset()``; each answer
    ``latency`` seconds after its request was read (0: at once)."""

    def __init__(self, latency: float = 0.0) -> None:
        super().__init__()
        self.latency = latency

    def start(self) -> HttpSink:
        listener = socket.socket()
        listener.bind((HOST, 0))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        ours, theirs = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve_http, args=(listener, theirs, self.latency), daemon=True)
        self._process.start()
        listener.close()
        self._control = ours
        return self

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/hook"


class SmtpSink(_Process):
    """``counts()`` → messages accepted since the last ``reset()``."""

    def start(self) -> SmtpSink:
        ours, theirs = multiprocessing.Pipe()
        port_in, port_out = multiprocessing.Pipe(duplex=False)
        self._process = multiprocessing.Process(target=_serve_smtp, args=(port_out, theirs), daemon=True)
        self._process.start()
        if not port_in.poll(20):
            raise RuntimeError("the SMTP sink did not start")
        self.port = port_in.recv()
        self._control = ours
        return self
