from __future__ import annotations

import pytest

from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.http import HttpClient
from scheduler.config.channels import WecomChannelConfig
from scheduler.config.typed import Secret


def test_a_url_that_cannot_be_requested_is_a_config_error_that_does_not_quote_it() -> None:
    # A URL built at send time (DingTalk appends its signature) never reaches the user raw.
    client = HttpClient(WecomChannelConfig(url=Secret("https://x")))
    with pytest.raises(DeliveryError) as failure:
        client.post("https://127.0.0.1:99999/cgi-bin/webhook/send?key=canary-5b7e", b"{}")
    assert failure.value.outcome == Outcome.CONFIG
    assert "canary" not in failure.value.reason and "not a valid URL" in failure.value.reason


def test_a_reason_that_quotes_a_token_back_is_masked() -> None:
    reason = DeliveryError(Outcome.CONFIG, "invalid webhook url /send?key=693a91f6-7f1b, hint: [1700]").reason
    assert reason == "invalid webhook url /send?key=***, hint: [1700]"
