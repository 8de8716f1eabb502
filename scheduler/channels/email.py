"""E-mail over SMTP: implicit TLS (465), STARTTLS (587) or none; one connection per batch.

Chinese mailboxes are strict about headers: only the display name is RFC 2047-encoded (QQ Mail
rejects a From header encoded whole), and From is the sender the account logs in as.
Certificates are verified unless the config says otherwise. The Message-ID derives from the
outbox key, so a receiver (and a person) can tell a resend from a new message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from collections.abc import Callable

from scheduler.channels.base import DeliveryError, Outcome, Rendered
from scheduler.channels.mime import build_message, split_addresses
from scheduler.config.channels import EmailChannelConfig


class EmailChannel:
    def __init__(self, name: str, spec: EmailChannelConfig, ca_file: str = "",
                 wall: Callable[[], float] = time.time) -> None:
        self.name = name
        self.spec = spec
        self.ca_file = ca_file
        self.wall = wall
        self.domain = spec.sender.rsplit("@", 1)[1]
        self._smtp: smtplib.SMTP | None = None
        self._sent_on_connection = 0

    def tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca_file or None)
        if not self.spec.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def send(self, message: Rendered) -> str:
        recipients = split_addresses(message.address)
        if not recipients:
            raise DeliveryError(Outcome.PERMANENT, f"{message.recipient_name}: no e-mail address")
        data = build_message(message, self.spec.sender, self.spec.sender_name, self.domain, self.wall())
        reused = self._smtp is not None
        try:
            refused = self._connection().sendmail(self.spec.sender, recipients, data)
        except smtplib.SMTPServerDisconnected:
            self._drop()
            if not reused:
                raise DeliveryError(Outcome.TRANSIENT, "the server closed the connection") from None
            # An idle pooled connection the server dropped: one fresh connection, same Message-ID.
            refused = self._guarded(lambda: self._connection().sendmail(self.spec.sender, recipients, data))
        except (smtplib.SMTPException, OSError) as exc:
            self._drop_unless_usable(exc)
            raise _classify(exc) from None
        self._sent_on_connection += 1
        if self._sent_on_connection >= self.spec.batch:
            self.end_batch()
        if refused:
            listed = "; ".join(f"{rcpt} ({code} {_text(text)})" for rcpt, (code, text) in refused.items())
            return f"accepted for {len(recipients) - len(refused)} of {len(recipients)}; refused: {listed}"
        return f"250 accepted for {', '.join(recipients)}"

    def _guarded(self, action: Callable[[], dict[str, tuple[int, bytes]]]) -> dict[str, tuple[int, bytes]]:
        try:
            return action()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop_unless_usable(exc)
            raise _classify(exc) from None

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        spec = self.spec
        timeout = spec.timeout.total_seconds()
        if spec.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(spec.host, spec.port, timeout=timeout, context=self.tls_context())
        else:
            smtp = smtplib.SMTP(spec.host, spec.port, timeout=timeout)
        try:
            if spec.security == "starttls":
                smtp.starttls(context=self.tls_context())
            if spec.username:
                smtp.login(spec.username, spec.password)
        except BaseException:
            _quietly_close(smtp)
            raise
        self._smtp = smtp
        self._sent_on_connection = 0
        return smtp

    def _drop_unless_usable(self, exc: BaseException) -> None:
        # A refused recipient or a rejected message leaves the session usable for the next one.
        if not isinstance(exc, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError | smtplib.SMTPSenderRefused):
            self._drop()

    def _drop(self) -> None:
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None

    def end_batch(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()

    def close(self) -> None:
        self.end_batch()


def _classify(exc: smtplib.SMTPException | OSError) -> DeliveryError:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return DeliveryError(Outcome.CONFIG, f"login refused: {exc.smtp_code} {_text(exc.smtp_error)}"
                             " (QQ/163 need the 授权码, not the mailbox password)")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        listed = "; ".join(f"{rcpt} ({code} {_text(text)})" for rcpt, (code, text) in exc.recipients.items())
        transient = all(400 <= code < 500 for code, _ in exc.recipients.values())
        return DeliveryError(Outcome.TRANSIENT if transient else Outcome.PERMANENT, f"refused: {listed}",
                             target_wide=False)
    if isinstance(exc, smtplib.SMTPSenderRefused):
        outcome = Outcome.TRANSIENT if exc.smtp_code < 500 else Outcome.CONFIG
        return DeliveryError(outcome, f"sender {exc.sender} refused: {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        outcome = Outcome.TRANSIENT if exc.smtp_code < 500 else Outcome.PERMANENT
        # 421 is the server going away; other replies concern this message only.
        return DeliveryError(outcome, f"{exc.smtp_code} {_text(exc.smtp_error)}", target_wide=exc.smtp_code == 421)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return DeliveryError(Outcome.CONFIG, f"the server does not support it: {exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return DeliveryError(Outcome.CONFIG, f"TLS certificate verification failed: {exc.verify_message}")
    if isinstance(exc, ssl.SSLError):
        return DeliveryError(Outcome.TRANSIENT, f"TLS failed: {exc.reason}")
    if isinstance(exc, socket.timeout | TimeoutError):
        return DeliveryError(Outcome.TRANSIENT, "timed out (the message may have been accepted)")
    return DeliveryError(Outcome.TRANSIENT, f"{type(exc).__name__}: {exc}")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _quietly_close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.close()
    except OSError:
        pass
