"""The lean keep-alive transport (scheduler/channels/transport.py), against a raw socket server that
does what well-behaved servers do at the edges: close an idle keep-alive connection, answer
``Connection: close``, send a chunked body."""

from __future__ import annotations

import select
import socket
import threading
from collections.abc import Iterator

import pytest

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.http import HttpClient
from scheduler.config.channels import WebhookChannelConfig
from scheduler.config.typed import Secret

OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
CLOSE = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"
CHUNKED = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"


class RawServer:
    """Answers each request with the next of ``answers``; closes the connection after it when the
    answer is followed by None."""

    def __init__(self, answers: list[bytes | None]) -> None:
        self.answers = list(answers)
        self.connections = 0
        self.requests: list[bytes] = []
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        reader = sock.makefile("rb")
        with sock, reader:
            while self.answers:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                length = int(next(h.split(b":")[1] for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")))
                self.requests.append(head + reader.read(length))
                sock.sendall(self.answers.pop(0) or b"")
                if self.answers and self.answers[0] is None:
                    self.answers.pop(0)
                    return

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def client() -> Iterator[HttpClient]:
    http = HttpClient(WebhookChannelConfig(url=Secret("http://127.0.0.1:1/x"), secret=Secret("whsec_AAAA")))
    yield http
    http.close()


def test_one_connection_carries_many_requests_in_one_write_each(client: HttpClient) -> None:
    server = RawServer([OK, OK, OK])
    for _ in range(3):
        assert client.post(f"http://127.0.0.1:{server.port}/hooks?a=1", b'{"x":1}').status_code == 200
    server.close()
    assert server.connections == 1
    first = server.requests[0]
    assert first.startswith(b"POST /hooks?a=1 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n" % server.port)
    assert b"Content-Length: 7\r\n" in first and first.endswith(b'\r\n\r\n{"x":1}')


def test_an_idle_connection_the_server_closed_is_not_written_into(client: HttpClient) -> None:
    server = RawServer([OK, None, OK])  # closes after the first answer, without saying so
    url = f"http://127.0.0.1:{server.port}/hooks"
    assert client.post(url, b"{}").status_code == 200
    for _ in range(200):  # until the close has arrived (no sleep: wait on the socket itself)
        if client._connection is not None and client._connection.sock is not None:
            if select.select([client._connection.sock], [], [], 0.05)[0]:
                break
    assert client.post(url, b"{}").status_code == 200  # a fresh connection, not an error
    server.close()
    assert server.connections == 2 and len(server.requests) == 2


def test_connection_close_is_honoured(client: HttpClient) -> None:
    server = RawServer([CLOSE, OK])
    url = f"http://127.0.0.1:{server.port}/hooks"
    client.post(url, b"{}")
    assert client._connection is not None and client._connection.sock is None
    assert client.post(url, b"{}").content == b"ok"
    server.close()
    assert server.connections == 2


def test_a_chunked_answer_is_read_whole(client: HttpClient) -> None:
    server = RawServer([CHUNKED])
    answer = client.post(f"http://127.0.0.1:{server.port}/hooks", b"{}")
    server.close()
    assert answer.content == b"abcde" and answer.text == "abcde"


def test_a_header_that_would_split_the_request_is_refused_before_anything_is_sent(client: HttpClient) -> None:
    server = RawServer([OK])
    with pytest.raises(DeliveryError) as failure:
        client.post(f"http://127.0.0.1:{server.port}/hooks", b"{}", {"X-Evil": "a\r\nHost: other"})
    server.close()
    assert failure.value.outcome == Outcome.PERMANENT and server.requests == []


def test_a_server_that_closes_without_answering_is_transient(client: HttpClient) -> None:
    server = RawServer([b"", None])
    with pytest.raises(DeliveryError) as failure:
        client.post(f"http://127.0.0.1:{server.port}/hooks", b"{}")
    server.close()
    assert failure.value.outcome == Outcome.TRANSIENT and "remote end closed" in failure.value.reason
