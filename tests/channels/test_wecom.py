from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.wecom import WecomChannel
from scheduler.config.channels import WecomChannelConfig
from scheduler.config.typed import Secret
from scheduler.outbox.planned import Mention
from tests.support.bots import WECOM_THROTTLED, WecomBot
from tests.support.delivery import rendered
from tests.support.servers import Answer


@pytest.fixture
def bot() -> Iterator[WecomBot]:
    with WecomBot(key="693a91f6-7xxx") as server:
        yield server


def channel(url: str, msgtype: str = "auto") -> WecomChannel:
    return WecomChannel("duty_wecom", WecomChannelConfig(url=Secret(url), msgtype=msgtype))  # type: ignore[arg-type]


def test_a_message_without_mentions_goes_as_markdown_with_its_reference(bot: WecomBot) -> None:
    message = rendered(markdown="**今日值班**：高峰、梁宇")
    assert channel(bot.url).send(message) == "errcode 0"
    (sent,) = bot.messages
    assert sent["msgtype"] == "markdown"
    assert sent["markdown"]["content"].startswith("**今日值班**：高峰、梁宇")
    assert message.ref in sent["markdown"]["content"]


def test_mentions_by_mobile_go_as_text_since_markdown_cannot_carry_them(bot: WecomBot) -> None:
    channel(bot.url).send(rendered(mentions=[Mention("高峰", "13800000004")]))
    (sent,) = bot.messages
    assert sent["msgtype"] == "text"
    assert sent["text"]["mentioned_mobile_list"] == ["13800000004"]


def test_markdown_is_cut_to_4096_bytes(bot: WecomBot) -> None:
    channel(bot.url).send(rendered(markdown="安全生产无小事。" * 800))  # 19,200 bytes
    content = bot.messages[0]["markdown"]["content"]
    assert len(content.encode()) <= 4096 and "已截断" in content


def test_text_is_cut_to_2048_bytes(bot: WecomBot) -> None:
    channel(bot.url, "text").send(rendered(text="安全生产无小事。" * 800))
    content = bot.messages[0]["text"]["content"]
    assert len(content.encode()) <= 2048 and "已截断" in content


def test_an_invalid_key_is_a_configuration_error(bot: WecomBot) -> None:
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url.replace("693a91f6-7xxx", "deleted")).send(rendered())
    assert failure.value.outcome == Outcome.CONFIG and "93000" in failure.value.reason


def test_frequency_limit_throttles_for_a_minute(bot: WecomBot) -> None:
    bot.script(Answer.json(WECOM_THROTTLED))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.THROTTLED
    assert failure.value.retry_after == dt.timedelta(seconds=60)


def test_a_server_error_is_transient(bot: WecomBot) -> None:
    bot.script(Answer(502, b"Bad Gateway"))
    with pytest.raises(DeliveryError) as failure:
        channel(bot.url).send(rendered())
    assert failure.value.outcome == Outcome.TRANSIENT and "502" in failure.value.reason
