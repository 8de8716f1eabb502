from __future__ import annotations

import datetime as dt
import email.utils
import json
import time
from collections.abc import Iterator

import pytest
from standardwebhooks.webhooks import Webhook

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.webhook import WebhookChannel, webhook_id
from scheduler.config.channels import WebhookChannelConfig
from scheduler.config.typed import Secret
from tests.support.delivery import rendered
from tests.support.servers import RESET, Answer, Hang, HttpStub, WebhookReceiver, unused_port

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NEXT_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as server:
        yield server


def channel(url: str, secret: str = SECRET, **options: object) -> WebhookChannel:
    spec = WebhookChannelConfig(url=Secret(url), secret=Secret(secret), **options)  # type: ignore[arg-type]
    return WebhookChannel("platform", spec)


def test_a_delivery_verifies_with_the_standardwebhooks_library(receiver: WebhookReceiver) -> None:
    message = rendered(subject="【节前提醒】春节前安全检查")
    assert channel(f"{receiver.base_url}/hooks").send(message) == "HTTP 204"
    assert receiver.rejected == []
    (payload,) = receiver.payloads
    assert payload["type"] == "safeduty.message"
    assert payload["data"]["key"] == message.key and payload["data"]["subject"] == "【节前提醒】春节前安全检查"


def test_the_webhook_id_is_the_outbox_key_and_stays_the_same_on_a_resend(receiver: WebhookReceiver) -> None:
    sender = channel(f"{receiver.base_url}/hooks")
    message = rendered(key="hazard:HZ-17:2026-03-01:step2:r0")
    sender.send(message)
    sender.send(message)
    assert receiver.counts == {"hazard:HZ-17:2026-03-01:step2:r0": 2}
    assert receiver.duplicates == {"hazard:HZ-17:2026-03-01:step2:r0": 2}


def test_a_key_with_a_dot_or_chinese_is_percent_encoded_into_the_id() -> None:
    assert webhook_id("plain:key-1") == "plain:key-1"
    assert "." not in webhook_id("v1.2:重大隐患")
    assert webhook_id("v1.2:重大隐患").isascii()


def test_during_rotation_both_secrets_sign_so_either_receiver_verifies() -> None:
    with WebhookReceiver(NEXT_SECRET) as new_side:
        channel(f"{new_side.base_url}/hooks", f"{SECRET} {NEXT_SECRET}").send(rendered())
        assert new_side.rejected == [] and sum(new_side.counts.values()) == 1
        signatures = new_side.requests[0].headers["webhook-signature"].split(" ")
        assert len(signatures) == 2 and all(s.startswith("v1,") for s in signatures)


def test_a_tampered_body_does_not_verify(receiver: WebhookReceiver) -> None:
    channel(f"{receiver.base_url}/hooks").send(rendered())
    request = receiver.requests[0]
    with pytest.raises(Exception, match="signature"):
        Webhook(SECRET).verify(request.body.replace(b"\xe5\x80\xbc", b"\xe7\x8f\xad"), request.headers)


def test_a_long_text_is_cut_below_20_kb_and_marked_truncated(receiver: WebhookReceiver) -> None:
    channel(f"{receiver.base_url}/hooks").send(rendered(text="值班值守，确保安全。" * 2000))
    assert len(receiver.requests[0].body) <= 20000
    assert receiver.payloads[0]["data"]["truncated"] is True


@pytest.mark.parametrize(("status", "outcome"), [
    (500, Outcome.TRANSIENT), (503, Outcome.TRANSIENT), (408, Outcome.TRANSIENT),
    (400, Outcome.PERMANENT), (422, Outcome.PERMANENT),
    (401, Outcome.CONFIG), (404, Outcome.CONFIG), (410, Outcome.CONFIG),
])
def test_http_status_is_classified(status: int, outcome: Outcome) -> None:
    with HttpStub() as stub:
        stub.script(Answer(status, b"nope"))
        with pytest.raises(DeliveryError) as failure:
            channel(stub.base_url).send(rendered())
    assert failure.value.outcome == outcome and str(status) in failure.value.reason


def test_429_carries_retry_after_in_seconds() -> None:
    with HttpStub() as stub:
        stub.script(Answer(429, b"slow down", (("Retry-After", "120"),)))
        with pytest.raises(DeliveryError) as failure:
            channel(stub.base_url).send(rendered())
    assert failure.value.outcome == Outcome.THROTTLED
    assert failure.value.retry_after == dt.timedelta(seconds=120)


def test_retry_after_as_a_date_is_measured_against_the_answers_own_date() -> None:
    now = time.time()
    headers = (("Retry-After", email.utils.formatdate(now + 90, usegmt=True)),)
    with HttpStub() as stub:  # it sends its own Date header
        stub.script(Answer(503, b"maintenance", headers))
        with pytest.raises(DeliveryError) as failure:
            channel(stub.base_url).send(rendered())
    assert failure.value.retry_after is not None
    assert abs(failure.value.retry_after.total_seconds() - 90) <= 1


def test_a_redirect_is_not_followed() -> None:
    with HttpStub() as stub:
        stub.script(Answer(302, b"", (("Location", "http://10.0.0.1/steal"),)))
        with pytest.raises(DeliveryError) as failure:
            channel(stub.base_url).send(rendered())
    assert failure.value.outcome == Outcome.CONFIG and len(stub.requests) == 1


def test_no_answer_within_the_timeout_is_transient() -> None:
    with HttpStub() as stub:
        stub.script(Hang())
        with pytest.raises(DeliveryError) as failure:
            channel(stub.base_url, timeout=dt.timedelta(seconds=0.3)).send(rendered())
    assert failure.value.outcome == Outcome.TRANSIENT and "may have arrived" in failure.value.reason


def test_a_connection_reset_is_transient() -> None:
    with HttpStub() as stub:
        stub.script(RESET)
        with pytest.raises(DeliveryError) as failure:
            channel(stub.base_url).send(rendered())
    assert failure.value.outcome == Outcome.TRANSIENT


def test_a_refused_connection_is_transient() -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(f"http://127.0.0.1:{unused_port()}/hooks").send(rendered())
    assert failure.value.outcome == Outcome.TRANSIENT and "refused" in failure.value.reason


def test_proxy_settings_in_the_environment_are_ignored(receiver: WebhookReceiver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{unused_port()}")
    monkeypatch.setenv("NO_PROXY", "")
    channel(f"{receiver.base_url}/hooks").send(rendered())
    assert sum(receiver.counts.values()) == 1


def test_an_explicit_proxy_is_used(receiver: WebhookReceiver) -> None:
    with HttpStub() as proxy:
        channel(f"{receiver.base_url}/hooks", proxy=proxy.base_url).send(rendered())
    assert proxy.requests[0].path == f"{receiver.base_url}/hooks"  # a proxy sees the absolute URL
    assert receiver.requests == []


def test_connections_are_kept_alive_across_messages(receiver: WebhookReceiver) -> None:
    sender = channel(f"{receiver.base_url}/hooks")
    for i in range(3):
        sender.send(rendered(key=f"k{i}"))
    assert len({r.client for r in receiver.requests}) == 1
    assert json.loads(receiver.requests[2].body)["data"]["key"] == "k2"
