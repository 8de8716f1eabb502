from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.dingtalk import DingtalkChannel, sign, signed_url
from scheduler.config.channels import DingtalkChannelConfig
from scheduler.config.typed import Secret
from scheduler.outbox.planned import Mention
from tests.support.bots import DINGTALK_THROTTLED, DingtalkBot
from tests.support.delivery import rendered
from tests.support.servers import Answer

SECRET = "SEC0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"


@pytest.fixture
def bot() -> Iterator[DingtalkBot]:
    with DingtalkBot(token="t0k", secret=SECRET) as server:
        yield server


def channel(url: str, secret: str = SECRET, wall=time.time) -> DingtalkChannel:  # type: ignore[no-untyped-def]
    return DingtalkChannel("duty_dingtalk", DingtalkChannelConfig(url=Secret(url), secret=Secret(secret)), wall)


def test_signature_is_hmac_of_timestamp_and_secret_keyed_by_the_secret() -> None:
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"1700000000000\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign(SECRET, "1700000000000") == expected


def test_signature_is_url_encoded_exactly_once_in_the_query() -> None:
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=abc", SECRET, "1700000000000")
    query = urllib.parse.parse_qs(url.split("?", 1)[1])
    assert query["timestamp"] == ["1700000000000"]
    assert query["sign"] == [sign(SECRET, "1700000000000")]  # one decoding gives back the base64
    assert "%25" not in url  # nothing was encoded twice


def test_a_signed_markdown_message_is_accepted(bot: DingtalkBot) -> None:
    receipt = channel(bot.url).send(rendered(subject="【值班提醒】1月5日值班安排"))
    assert receipt == "errcode 0"
    (message,) = bot.messages
    assert message["msgtype"] == "markdown"
    assert message["markdown"]["title"] == "【值班提醒】1月5日值班安排"
    assert "今日值班" in message["markdown"]["text"]


def test_the_delivery_reference_is_in_the_text(bot: DingtalkBot) -> None:
    message = rendered(key="duty:2026-01-05:daily:group:duty_team")
    channel(bot.url).send(message)
    assert f"编号：{message.ref}" in bot.messages[0]["markdown"]["text"]


def test_mentioned_mobiles_are_listed_and_also_written_into_the_text(bot: DingtalkBot) -> None:
    channel(bot.url).send(rendered(mentions=[Mention("高峰", "13800000004"), Mention("梁宇", "13800000006")]))
    sent = bot.messages[0]
    assert sent["at"] == {"atMobiles": ["13800000004", "13800000006"], "isAtAll": False}
    assert "@13800000004" in sent["markdown"]["text"] and "@13800000006" in sent["markdown"]["text"]


def test_the_signature_is_computed_afresh_for_every_attempt(bot: DingtalkBot) -> None:
    moments = iter([time.time() - 5, time.time()])
    sender = channel(bot.url, wall=lambda: next(moments))
    sender.send(rendered())
    sender.send(rendered())
    first, second = (r.query for r in bot.requests)
    assert first["timestamp"] != second["timestamp"] and first["sign"] != second["sign"]
    assert all(r.raw_query.count("timestamp=") == 1 for r in bot.requests)  # the URL is not reused


def test_a_wrong_secret_is_a_configuration_error_that_mentions_the_clock(bot: DingtalkBot) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url, secret="SECwrong").send(rendered())
    assert failure.value.outcome == Outcome.CONFIG
    assert "310000" in failure.value.reason and "clock" in failure.value.reason


def test_a_timestamp_an_hour_off_is_refused(bot: DingtalkBot) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url, wall=lambda: time.time() - 2 * 3600).send(rendered())
    assert failure.value.outcome == Outcome.CONFIG


def test_an_unknown_token_is_a_configuration_error(bot: DingtalkBot) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url.replace("t0k", "gone")).send(rendered())
    assert failure.value.outcome == Outcome.CONFIG and "300001" in failure.value.reason


def test_send_too_fast_throttles_the_robot_for_ten_minutes(bot: DingtalkBot) -> None:
    bot.script(Answer.json(DINGTALK_THROTTLED))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.THROTTLED
    assert failure.value.retry_after == dt.timedelta(minutes=10)


def test_system_busy_is_transient(bot: DingtalkBot) -> None:
    bot.script(Answer.json({"errcode": -1, "errmsg": "系统繁忙"}))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.TRANSIENT


def test_http_200_with_a_nonzero_errcode_is_a_failure(bot: DingtalkBot) -> None:
    bot.script(Answer.json({"errcode": 400102, "errmsg": "机器人已停用"}))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.PERMANENT


def test_a_long_message_is_cut_to_20000_bytes_with_a_note_and_keeps_its_reference(bot: DingtalkBot) -> None:
    long_text = "\n".join(f"第{i}条：请各单位落实节前安全检查，做好值班值守。" for i in range(1000))
    message = rendered(markdown=long_text)
    channel(bot.url).send(message)
    (request,) = bot.requests
    assert len(request.body) <= 20000
    text = json.loads(request.body)["markdown"]["text"]
    assert "已截断" in text and message.ref in text


def test_an_answer_that_is_not_json_is_transient(bot: DingtalkBot) -> None:
    bot.script(Answer(200, b"<html>gateway</html>"))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.TRANSIENT
