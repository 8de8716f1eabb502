from __future__ import annotations

import email.header
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.email import EmailChannel
from scheduler.channels.mime import message_id
from scheduler.config.channels import EmailChannelConfig
from scheduler.config.typed import Secret
from tests.support.certs import make_certificate
from tests.support.delivery import rendered
from tests.support.servers import unused_port
from tests.support.smtp import SmtpSink

SENDER = "safety@wlt.example.gov.cn"
LOGIN = (SENDER, "abcdefghijklmnop")  # a 16-character 授权码


OPENED: list[EmailChannel] = []


@pytest.fixture(autouse=True)
def close_channels() -> Iterator[None]:
    yield
    while OPENED:
        OPENED.pop().close()


def channel(sink: SmtpSink, *, security: str = "none", login: tuple[str, str] | None = None,
            ca_file: str = "", **options: object) -> EmailChannel:
    spec = EmailChannelConfig(
        type="email", host="127.0.0.1", port=sink.port, security=security, sender=SENDER,  # type: ignore[arg-type]
        username=login[0] if login else "", password=Secret(login[1] if login else ""), **options,  # type: ignore[arg-type]
    )
    OPENED.append(EmailChannel("mail", spec, ca_file))
    return OPENED[-1]


@pytest.fixture
def cert(tmp_path: Path) -> tuple[str, str]:
    return make_certificate(tmp_path / "tls")


def test_a_chinese_subject_and_display_names_arrive_decoded() -> None:
    with SmtpSink() as sink:
        sender = channel(sink)
        sender.send(rendered(subject="【节前提醒】关于做好春节前安全生产工作的通知", name="王建国",
                             address="wangjg@jinci.example.com"))
        sender.close()
    (mail,) = sink.received
    message = mail.message
    assert message["Subject"] == "【节前提醒】关于做好春节前安全生产工作的通知"
    assert message["From"].addresses[0].display_name == "安全生产值班提醒"
    assert message["From"].addresses[0].addr_spec == SENDER
    assert message["To"].addresses[0].display_name == "王建国"
    assert mail.mail_from == SENDER and mail.rcpt_tos == ["wangjg@jinci.example.com"]


def test_only_the_display_name_is_encoded_never_the_address() -> None:
    with SmtpSink() as sink:
        channel(sink).send(rendered(address="a@example.com"))
    raw_from = next(line for line in sink.received[0].data.split(b"\r\n") if line.startswith(b"From:"))
    assert raw_from.endswith(f"<{SENDER}>".encode()) and b"=?utf-8?" in raw_from


def test_a_long_display_name_decodes_whole_per_rfc_2047() -> None:
    name = "晋祠山水文化旅游区（示例） 主要负责人 王建国"
    with SmtpSink() as sink:
        channel(sink).send(rendered(name=name, address="a@example.com"))
    header = sink.received[0].data.decode().split("\r\nTo: ", 1)[1].split("\r\nSubject:", 1)[0]
    decoded = str(email.header.make_header(email.header.decode_header(header.rsplit(" <", 1)[0])))
    assert decoded == name


def test_text_and_html_go_as_multipart_alternative_in_that_order() -> None:
    with SmtpSink() as sink:
        channel(sink).send(rendered(text="今日值班：高峰。\n", html="<p>今日值班：<b>高峰</b>。</p>", address="a@example.com"))
    message = sink.received[0].message
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message.get_body(("plain",)).get_content() == "今日值班：高峰。\n"
    assert "<b>高峰</b>" in message.get_body(("html",)).get_content()


def test_the_message_id_derives_from_the_key_and_is_the_same_on_a_resend() -> None:
    key = "preholiday:2027-02-05:T-5:enterprise:91140100EX0000001A:principal"
    with SmtpSink() as sink:
        sender = channel(sink)
        sender.send(rendered(key=key, address="a@example.com"))
        sender.send(rendered(key=key, address="a@example.com"))
    ids = {mail.message["Message-ID"] for mail in sink.received}
    assert ids == {message_id(key, "wlt.example.gov.cn")}


def test_one_connection_carries_a_whole_batch() -> None:
    with SmtpSink() as sink:
        sender = channel(sink)
        for i in range(5):
            sender.send(rendered(key=f"k{i}", address=f"p{i}@example.com"))
        sender.end_batch()
    assert len(sink.received) == 5 and sink.connections == 1


def test_a_connection_is_renewed_after_batch_messages() -> None:
    with SmtpSink() as sink:
        sender = channel(sink, batch=2)
        for i in range(5):
            sender.send(rendered(key=f"k{i}", address=f"p{i}@example.com"))
        sender.end_batch()
    assert len(sink.received) == 5 and sink.connections == 3


def test_starttls_with_auth_verifies_the_certificate_it_is_told_to_trust(cert: tuple[str, str]) -> None:
    with SmtpSink(security="starttls", cert=cert, login=LOGIN) as sink:
        channel(sink, security="starttls", login=LOGIN, ca_file=cert[0]).send(rendered(address="a@example.com"))
    assert len(sink.received) == 1 and sink.logins == [SENDER]


def test_implicit_tls_with_auth(cert: tuple[str, str]) -> None:
    with SmtpSink(security="ssl", cert=cert, login=LOGIN) as sink:
        channel(sink, security="ssl", login=LOGIN, ca_file=cert[0]).send(rendered(address="a@example.com"))
    assert len(sink.received) == 1 and sink.logins == [SENDER]


def test_an_untrusted_certificate_is_a_configuration_error_not_a_silent_fallback(cert: tuple[str, str]) -> None:
    with SmtpSink(security="ssl", cert=cert, login=LOGIN) as sink, pytest.raises(DeliveryError) as failure:
        channel(sink, security="ssl", login=LOGIN).send(rendered(address="a@example.com"))
    assert failure.value.outcome == Outcome.CONFIG and "certificate" in failure.value.reason
    assert sink.received == []


def test_verification_can_be_turned_off_explicitly(cert: tuple[str, str]) -> None:
    with SmtpSink(security="starttls", cert=cert, login=LOGIN) as sink:
        channel(sink, security="starttls", login=LOGIN, verify_tls=False).send(rendered(address="a@example.com"))
    assert len(sink.received) == 1


def test_a_wrong_authorisation_code_is_a_configuration_error(cert: tuple[str, str]) -> None:
    with SmtpSink(security="starttls", cert=cert, login=LOGIN) as sink, pytest.raises(DeliveryError) as failure:
        channel(sink, security="starttls", login=(SENDER, "wrong"), ca_file=cert[0]).send(
            rendered(address="a@example.com"))
    assert failure.value.outcome == Outcome.CONFIG and "535" in failure.value.reason


def test_a_refused_mailbox_is_permanent_and_named() -> None:
    with SmtpSink(refuse={"gone@example.com": "550 5.1.1 Mailbox not found"}) as sink, pytest.raises(DeliveryError) as failure:
        channel(sink).send(rendered(address="gone@example.com"))
    assert failure.value.outcome == Outcome.PERMANENT
    assert "gone@example.com (550" in failure.value.reason and not failure.value.target_wide


def test_a_temporarily_refused_mailbox_is_transient_for_that_message_only() -> None:
    with SmtpSink(refuse={"full@example.com": "452 4.2.2 Mailbox full"}) as sink, pytest.raises(DeliveryError) as failure:
        channel(sink).send(rendered(address="full@example.com"))
    assert failure.value.outcome == Outcome.TRANSIENT and not failure.value.target_wide


def test_refused_recipients_are_recorded_one_by_one_when_others_accept() -> None:
    with SmtpSink(refuse={"gone@example.com": "550 5.1.1 Mailbox not found"}) as sink:
        sender = channel(sink)
        receipt = sender.send(rendered(address="a@example.com, gone@example.com"))
        sender.send(rendered(key="next", address="b@example.com"))  # the session is still usable
    assert "accepted for 1 of 2" in receipt and "gone@example.com (550" in receipt
    assert [m.rcpt_tos for m in sink.received] == [["a@example.com"], ["b@example.com"]]


def test_a_temporary_data_failure_is_transient() -> None:
    with SmtpSink() as sink:
        sink.script_data("451 4.3.0 Try again later")
        with pytest.raises(DeliveryError) as failure:
            channel(sink).send(rendered(address="a@example.com"))
    assert failure.value.outcome == Outcome.TRANSIENT


def test_a_rejected_message_is_permanent() -> None:
    with SmtpSink() as sink:
        sink.script_data("554 DT:SPM 发送的邮件内容包含了未被许可的信息")
        with pytest.raises(DeliveryError) as failure:
            channel(sink).send(rendered(address="a@example.com"))
    assert failure.value.outcome == Outcome.PERMANENT


def test_a_refused_connection_is_transient() -> None:
    sink = SmtpSink()
    sink.port = unused_port()
    with pytest.raises(DeliveryError) as failure:
        channel(sink).send(rendered(address="a@example.com"))
    assert failure.value.outcome == Outcome.TRANSIENT and failure.value.target_wide


def test_a_server_that_dropped_an_idle_connection_is_reconnected_once() -> None:
    with SmtpSink() as sink:
        sender = channel(sink)
        sender.send(rendered(key="a", address="a@example.com"))
        assert sender._smtp is not None
        sender._smtp.sock.shutdown(socket.SHUT_RDWR)  # as if the server had timed the idle session out
        sender.send(rendered(key="b", address="b@example.com"))
    assert len(sink.received) == 2 and sink.connections == 2


def test_a_message_without_an_address_is_permanent() -> None:
    with SmtpSink() as sink, pytest.raises(DeliveryError) as failure:
        channel(sink).send(rendered(address=""))
    assert failure.value.outcome == Outcome.PERMANENT
