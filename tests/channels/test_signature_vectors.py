"""Known-answer signature vectors (issue 17 §6): fixed inputs, outputs written as literals.

None of these recomputes the production expression: a test that mirrors ``hmac.new(...)`` passes
whatever the expression says (key and message swapped, the wrong encoding). The expected values
come from outside the code:

- Standard Webhooks: the vector of the reference libraries' test suites
  (standard-webhooks/standard-webhooks, ``libraries/*``: secret
  ``whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw``, id ``msg_p5jXN8AQM9LWM0D4loKWxJek``, timestamp
  ``1614265330``, body ``{"test": 2432232314}`` → ``v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=``).
- DingTalk and Feishu publish the algorithm but no worked output; the literals below were worked
  out once from the documented steps with ``openssl dgst -sha256 -mac HMAC`` (not Python), e.g.

      printf '1700000000000\\nSEC3d…6e' | openssl dgst -sha256 -mac HMAC -macopt key:SEC3d…6e -binary | base64
      printf '' | openssl dgst -sha256 -mac HMAC -macopt key:"$(printf '1700000000\\nqDbH…bY')" -binary | base64

- WeCom group robots are not signed: the key in the URL is the only credential, and nothing
  else may be added to the query.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from scheduler.channels.base import DeliveryError
from scheduler.channels.dingtalk import DingtalkChannel, signed_url
from scheduler.channels.dingtalk import sign as dingtalk_sign
from scheduler.channels.feishu import FeishuChannel
from scheduler.channels.feishu import sign as feishu_sign
from scheduler.channels.webhook import WebhookChannel, signature
from scheduler.channels.wecom import WecomChannel
from scheduler.config.channels import (
    DingtalkChannelConfig,
    FeishuChannelConfig,
    WebhookChannelConfig,
    WecomChannelConfig,
)
from scheduler.config.typed import Secret
from tests.support.bots import DingtalkBot, FeishuBot, WecomBot
from tests.support.delivery import rendered
from tests.support.receivers import RecordingReceiver

# Standard Webhooks reference vector
SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SW_ID, SW_TS, SW_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", b'{"test": 2432232314}'
SW_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
# the same content signed with a second (rotation) secret, worked out with openssl
SW_NEXT_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
SW_NEXT_SIGNATURE = "v1,78nXHjpFP0tVJQW5D0SBwmVyyW87BV/rL6MgfM/Bw44="

# DingTalk 加签: key = secret, message = ms timestamp + "\n" + secret
DT_SECRET = "SEC3d1b2c5e8f0a4b6c9d7e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"
DT_TS_MS = "1700000000000"
DT_SIGN = "bLyzRTdGJ1yEzUSzePhxGJOC9yOvftExTQEP0WUiiRQ="
DT_SIGN_QUERY = "bLyzRTdGJ1yEzUSzePhxGJOC9yOvftExTQEP0WUiiRQ%3D"  # URL-encoded exactly once

# Feishu: key = s timestamp + "\n" + secret, message empty
FS_SECRET = "qDbHcUAFD9H6RnTKHsZbY"
FS_TS_S = "1700000000"
FS_SIGN = "ZtzEYWIMX28gOVnWUyd4CBHHadyuP5Dgv94xI4ngkyk="


def test_standard_webhooks_reference_vector() -> None:
    assert signature(SW_SECRET, SW_ID, SW_TS, SW_BODY) == SW_SIGNATURE


def test_standard_webhooks_vector_with_the_rotation_secret() -> None:
    assert signature(SW_NEXT_SECRET, SW_ID, SW_TS, SW_BODY) == SW_NEXT_SIGNATURE


def test_a_changed_byte_of_the_body_changes_the_standard_webhooks_signature() -> None:
    assert signature(SW_SECRET, SW_ID, SW_TS, b'{"test": 2432232315}') != SW_SIGNATURE


def test_the_webhook_channel_sends_one_signature_per_secret_in_order_on_the_wire() -> None:
    # signature checked by the vendor's library; not the clock (2021's timestamp)
    with RecordingReceiver(SW_SECRET, check_time=False) as receiver:
        spec = WebhookChannelConfig(url=Secret(f"{receiver.base_url}/hooks"), secret=Secret(f"{SW_SECRET} {SW_NEXT_SECRET}"),
                                    allow_private=True)
        channel = WebhookChannel("platform", spec, lambda: 1614265330.9)
        channel.send(rendered())
        channel.close()
        (request,) = receiver.requests
    assert receiver.total == 1 and not receiver.rejected
    assert request.headers["webhook-timestamp"] == SW_TS  # seconds, truncated
    first, second = request.headers["webhook-signature"].split(" ")
    assert first == signature(SW_SECRET, request.headers["webhook-id"], SW_TS, request.body)
    assert second == signature(SW_NEXT_SECRET, request.headers["webhook-id"], SW_TS, request.body)


def test_dingtalk_vector() -> None:
    assert dingtalk_sign(DT_SECRET, DT_TS_MS) == DT_SIGN


def test_dingtalk_signed_url_carries_the_ms_timestamp_and_the_sign_encoded_once() -> None:
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", DT_SECRET, DT_TS_MS)
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp={DT_TS_MS}&sign={DT_SIGN_QUERY}"


@pytest.fixture
def dingtalk() -> Iterator[DingtalkBot]:
    with DingtalkBot(token="t0k", secret=DT_SECRET) as server:
        yield server


def test_dingtalk_channel_puts_the_vector_in_the_query_on_the_wire(dingtalk: DingtalkBot) -> None:
    spec = DingtalkChannelConfig(url=Secret(dingtalk.url), secret=Secret(DT_SECRET))
    channel = DingtalkChannel("duty_dingtalk", spec, lambda: 1700000000.0)
    with pytest.raises(DeliveryError, match="timestamp"):  # 2023's timestamp: the stand-in refuses it, as DingTalk would
        channel.send(rendered())
    channel.close()
    (request,) = dingtalk.requests
    assert request.raw_query == f"access_token=t0k&timestamp={DT_TS_MS}&sign={DT_SIGN_QUERY}"


def test_feishu_vector() -> None:
    assert feishu_sign(FS_SECRET, FS_TS_S) == FS_SIGN


def test_feishu_is_not_dingtalks_algorithm() -> None:
    """Key and message swapped (DingTalk's way) gives another value: the usual cause of 19021."""
    assert feishu_sign(FS_SECRET, FS_TS_S) != dingtalk_sign(FS_SECRET, FS_TS_S)


@pytest.fixture
def feishu() -> Iterator[FeishuBot]:
    with FeishuBot(hook="0d4c-hook", secret=FS_SECRET) as server:
        yield server


def test_feishu_channel_puts_the_vector_in_the_body_on_the_wire(feishu: FeishuBot) -> None:
    spec = FeishuChannelConfig(url=Secret(feishu.url), secret=Secret(FS_SECRET))
    channel = FeishuChannel("duty_feishu", spec, lambda: 1700000000.7)
    with pytest.raises(DeliveryError):  # stale timestamp: the stand-in answers 19021
        channel.send(rendered())
    channel.close()
    (request,) = feishu.requests
    sent = json.loads(request.body)
    assert (sent["timestamp"], sent["sign"]) == (FS_TS_S, FS_SIGN)


def test_wecom_sends_no_signature_only_the_key() -> None:
    with WecomBot(key="693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa") as bot:
        channel = WecomChannel("duty_wecom", WecomChannelConfig(url=Secret(bot.url)), lambda: 1700000000.0)
        channel.send(rendered())
        channel.close()
        (request,) = bot.requests
    assert request.raw_query == "key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    assert not {"timestamp", "sign"} & set(json.loads(request.body))
