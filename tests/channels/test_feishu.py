from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.feishu import FeishuChannel, sign
from scheduler.config.channels import FeishuChannelConfig
from scheduler.config.typed import Secret
from scheduler.outbox.planned import Mention
from tests.support.bots import FEISHU_BAD_REQUEST, FEISHU_THROTTLED, FeishuBot
from tests.support.delivery import rendered
from tests.support.servers import Answer

SECRET = "qJQa1VIKqZ9Qq7Gtw7Wc8b"


@pytest.fixture
def bot() -> Iterator[FeishuBot]:
    with FeishuBot(hook="0d4c-hook", secret=SECRET) as server:
        yield server


def channel(url: str, secret: str = SECRET, wall=time.time) -> FeishuChannel:  # type: ignore[no-untyped-def]
    return FeishuChannel("duty_feishu", FeishuChannelConfig(url=Secret(url), secret=Secret(secret)), wall)


def test_signature_keys_the_hmac_with_timestamp_and_secret_over_an_empty_message() -> None:
    key = f"1700000000\n{SECRET}".encode()
    assert sign(SECRET, "1700000000") == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_a_signed_post_is_accepted_with_timestamp_and_sign_in_the_body(bot: FeishuBot) -> None:
    message = rendered(subject="【值班提醒】1月5日值班安排")
    assert channel(bot.url).send(message) == "code 0"
    (sent,) = bot.messages
    assert sent["msg_type"] == "post" and {"timestamp", "sign"} <= sent.keys()
    post = sent["content"]["post"]["zh_cn"]
    assert post["title"] == "【值班提醒】1月5日值班安排"
    texts = [part["text"] for line in post["content"] for part in line if part["tag"] == "text"]
    assert texts[0].startswith("今日值班") and any(message.ref in t for t in texts)


def test_mentions_use_open_ids(bot: FeishuBot) -> None:
    channel(bot.url).send(rendered(mentions=[Mention("高峰", "13800000004", "ou_7d8a6e6df7621556ce0d21922b676706ccs")]))
    lines = bot.messages[0]["content"]["post"]["zh_cn"]["content"]
    assert {"tag": "at", "user_id": "ou_7d8a6e6df7621556ce0d21922b676706ccs"} in lines[-1]


def test_a_wrong_secret_is_a_configuration_error(bot: FeishuBot) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url, secret="other").send(rendered())
    assert failure.value.outcome == Outcome.CONFIG and "19021" in failure.value.reason


def test_http_429_waits_as_long_as_x_ogw_ratelimit_reset_says(bot: FeishuBot) -> None:
    bot.script(Answer.json({"code": 99991400, "msg": "request trigger frequency limit"}, 429,
                           {"x-ogw-ratelimit-reset": "7"}))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.THROTTLED
    assert failure.value.retry_after == dt.timedelta(seconds=7)


def test_frequency_limited_code_is_throttled(bot: FeishuBot) -> None:
    bot.script(Answer.json(FEISHU_THROTTLED))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.THROTTLED


def test_bad_request_is_permanent(bot: FeishuBot) -> None:
    bot.script(Answer.json(FEISHU_BAD_REQUEST, 400))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.PERMANENT


def test_a_long_message_fits_in_20_kb(bot: FeishuBot) -> None:
    channel(bot.url).send(rendered(text="请各单位落实节前安全检查，做好值班值守。\n" * 2000))
    (request,) = bot.requests
    assert len(request.body) <= 20000
    texts = [p["text"] for line in json.loads(request.body)["content"]["post"]["zh_cn"]["content"] for p in line]
    assert any("已截断" in t for t in texts)
