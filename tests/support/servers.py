"""Local stand-ins for every delivery target, on 127.0.0.1, each running in a thread.

- ``HttpStub``: an HTTP/1.1 keep-alive server whose answers can be scripted request by request
  (``stub.script(Answer(500), RESET, Hang(), Answer.json(429, ..., headers=...))``), then falls back
  to its normal handler. It records every request. ``stop()``/``start()`` on the same port makes
  "connection refused" and recovery.
- ``WebhookReceiver``: verifies every delivery with the ``standardwebhooks`` library and counts
  each ``webhook-id`` (``counts``), for exactly-once checks in later fault-injection tests.
- ``DingtalkBot``, ``WecomBot``, ``FeishuBot``: check the credential and signature exactly as each
  vendor documents, and answer with the vendor's real success and error bodies.
- ``SmtpSink`` (aiosmtpd): plain, STARTTLS or implicit TLS, optional AUTH, scripted refusals.

Use them as context managers: ``with WebhookReceiver(secret) as hook: ...``.
"""

from __future__ import annotations

import base64
import collections
import email
import email.policy
import hashlib
import hmac
import json
import socket
import ssl
import struct
import threading
import time
import urllib.parse
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

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


# The chat bots, as their documentation describes them

DINGTALK_OK = {"errcode": 0, "errmsg": "ok"}
DINGTALK_THROTTLED = {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
DINGTALK_BAD_SIGN = {"errcode": 310000, "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]"}
DINGTALK_BAD_TOKEN = {"errcode": 300001, "errmsg": "token is not exist"}
DINGTALK_TOO_LONG = {"errcode": 460101, "errmsg": "message too long, exceed 20000 bytes"}
WECOM_OK = {"errcode": 0, "errmsg": "ok"}
WECOM_THROTTLED = {"errcode": 45009, "errmsg": "api freq out of limit"}
WECOM_BAD_KEY = {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1700000000_1_abcdef], from ip: 127.0.0.1"}
FEISHU_OK = {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"}
FEISHU_THROTTLED = {"code": 11232, "data": {}, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]"}
FEISHU_BAD_SIGN = {"code": 19021, "data": {}, "msg": "sign match fail or timestamp is not within one hour from current time"}
FEISHU_BAD_HOOK = {"code": 19001, "data": {}, "msg": "param invalid: incoming webhook access token invalid"}
FEISHU_BAD_REQUEST = {"code": 9499, "data": {}, "msg": "Bad Request"}
SIGN_WINDOW_S = 3600


class DingtalkBot(HttpStub):
    """钉钉自定义机器人: ``POST /robot/send?access_token=T[&timestamp=ms&sign=S]``."""

    def __init__(self, token: str = "tok", secret: str = "", port: int = 0) -> None:
        super().__init__(port)
        self.token, self.secret = token, secret
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/robot/send?access_token={self.token}"

    def handle(self, request: Request) -> Answer:
        if request.path != "/robot/send" or request.query.get("access_token") != self.token:
            return Answer.json(DINGTALK_BAD_TOKEN)
        if self.secret:
            timestamp, sign = request.query.get("timestamp", ""), request.query.get("sign", "")
            if not timestamp.isdigit() or abs(int(timestamp) - time.time() * 1000) > SIGN_WINDOW_S * 1000:
                return Answer.json({"errcode": 310000, "errmsg": "invalid timestamp"})
            to_sign = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(self.secret.encode(), to_sign, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(expected, sign):
                return Answer.json(DINGTALK_BAD_SIGN)
        if len(request.body) > 20000:
            return Answer.json(DINGTALK_TOO_LONG)
        with self._lock:
            self.messages.append(request.json())
        return Answer.json(DINGTALK_OK)


class WecomBot(HttpStub):
    """企业微信群机器人: ``POST /cgi-bin/webhook/send?key=K``."""

    def __init__(self, key: str = "k-0001", port: int = 0) -> None:
        super().__init__(port)
        self.key = key
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/cgi-bin/webhook/send?key={self.key}"

    def handle(self, request: Request) -> Answer:
        if request.path != "/cgi-bin/webhook/send" or request.query.get("key") != self.key:
            return Answer.json(WECOM_BAD_KEY)
        payload = request.json()
        kind = payload.get("msgtype")
        limit = {"markdown": 4096, "text": 2048}.get(kind)
        if limit is None:
            return Answer.json({"errcode": 40008, "errmsg": "invalid message type"})
        if len(payload[kind]["content"].encode()) > limit:
            return Answer.json({"errcode": 40058, "errmsg": f"{kind}.content exceed max length {limit}"})
        with self._lock:
            self.messages.append(payload)
        return Answer.json(WECOM_OK)


class FeishuBot(HttpStub):
    """飞书自定义机器人: ``POST /open-apis/bot/v2/hook/H`` with ``timestamp`` and ``sign`` in the body."""

    def __init__(self, hook: str = "h-0001", secret: str = "", port: int = 0) -> None:
        super().__init__(port)
        self.hook, self.secret = hook, secret
        self.messages: list[dict[str, Any]] = []

    @property
    def url(self) -> str:
        return f"{self.base_url}/open-apis/bot/v2/hook/{self.hook}"

    def handle(self, request: Request) -> Answer:
        if request.path != f"/open-apis/bot/v2/hook/{self.hook}":
            return Answer.json(FEISHU_BAD_HOOK, 404)
        if len(request.body) > 20 * 1024:
            return Answer.json(FEISHU_BAD_REQUEST, 400)
        payload = request.json()
        if self.secret:
            timestamp, sign = str(payload.get("timestamp", "")), str(payload.get("sign", ""))
            key = f"{timestamp}\n{self.secret}".encode()
            expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
            fresh = timestamp.isdigit() and abs(int(timestamp) - time.time()) <= SIGN_WINDOW_S
            if not fresh or not hmac.compare_digest(expected, sign):
                return Answer.json(FEISHU_BAD_SIGN)
        with self._lock:
            self.messages.append(payload)
        return Answer.json(FEISHU_OK)


# SMTP


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: EmailMessage = field(init=False)

    def __post_init__(self) -> None:
        self.message = email.message_from_bytes(self.data, policy=email.policy.default)  # type: ignore[assignment]


class SmtpSink:
    """An aiosmtpd server. ``security``: "none", "starttls" (required before MAIL) or "ssl"
    (implicit TLS); ``login`` = (user, password) requires AUTH. ``refuse`` maps a recipient to the
    reply its RCPT gets; ``script_data(...)`` scripts the replies to the next DATA commands."""

    def __init__(self, *, security: str = "none", cert: tuple[str, str] | None = None,
                 login: tuple[str, str] | None = None, refuse: dict[str, str] | None = None) -> None:
        self.security = security
        self.cert = cert
        self.login = login
        self.refuse = dict(refuse or {})
        self.received: list[Received] = []
        self.logins: list[str] = []
        self.connections = 0
        self._data_replies: collections.deque[str] = collections.deque()
        self._controller: Any = None
        self.port = 0

    def script_data(self, *replies: str) -> None:
        self._data_replies.extend(replies)

    def _tls(self) -> ssl.SSLContext:
        assert self.cert is not None, "TLS needs a certificate (tests.support.certs.make_certificate)"
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(*self.cert)
        return context

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult, LoginPassword

        sink = self

        class Handler:
            async def handle_EHLO(self, server: Any, session: Any, envelope: Any, hostname: str,
                                  responses: list[str]) -> list[str]:
                session.host_name = hostname
                return responses

            async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                                  options: Iterable[str]) -> str:
                if address in sink.refuse:
                    return sink.refuse[address]
                envelope.rcpt_tos.append(address)
                return "250 OK"

            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                if sink._data_replies:
                    return sink._data_replies.popleft()
                sink.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
                return "250 Message accepted for delivery"

        def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = (isinstance(data, LoginPassword) and sink.login is not None
                  and (data.login.decode(), data.password.decode()) == sink.login)
            if ok:
                sink.logins.append(data.login.decode())
            return AuthResult(success=ok, handled=False)

        kwargs: dict[str, Any] = {}
        if self.security == "starttls":
            kwargs.update(tls_context=self._tls(), require_starttls=True)
        if self.login is not None:
            kwargs.update(authenticator=authenticate, auth_required=True)
            if self.security == "ssl":  # aiosmtpd only counts STARTTLS as TLS; implicit TLS is TLS too
                kwargs.update(auth_require_tls=False)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            controller = Controller(
                Handler(), hostname=HOST, port=_free_port(), ready_timeout=5,
                ssl_context=self._tls() if self.security == "ssl" else None,
                server_hostname=HOST, decode_data=False, **kwargs,
            )
        original_factory = controller.factory

        def counting_factory() -> Any:
            self.connections += 1
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
                return original_factory()

        controller.factory = counting_factory
        controller.start()
        self.connections = 0  # the controller's own readiness probe does not count
        self._controller = controller
        self.port = controller.port
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def unused_port() -> int:
    """A port nothing listens on (connections to it are refused)."""
    return _free_port()
