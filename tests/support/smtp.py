"""An SMTP server for tests (aiosmtpd, in a thread): plain, STARTTLS or implicit TLS, optional AUTH,
recipients refused by address, DATA replies scripted."""

from __future__ import annotations

import collections
import email
import email.policy
import ssl
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any, Self

from tests.support.servers import HOST, unused_port


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
                Handler(), hostname=HOST, port=unused_port(), ready_timeout=5,
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


