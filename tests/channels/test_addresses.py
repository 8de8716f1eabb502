"""security.refuse_private_urls: HTTP channels reach only public addresses, checked against the
address each connection is actually made to, unless a channel says allow_private = true."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.channels.addresses import refusal
from scheduler.channels.base import DeliveryError, Outcome
from scheduler.channels.webhook import WebhookChannel
from scheduler.checks import run_checks
from scheduler.config import load_config
from scheduler.config.channels import WebhookChannelConfig
from scheduler.config.typed import Secret
from tests.support.delivery import rendered
from tests.support.project import make_project
from tests.support.servers import HttpStub, WebhookReceiver

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                                     "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fd00:ec2::254", "fe80::1%eth0",
                                     "::ffff:10.0.0.1", "::ffff:127.0.0.1"])
def test_addresses_that_are_not_public_are_refused(address: str) -> None:
    assert refusal(address) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "220.181.38.148", "2001:4860:4860::8888"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal(address) is None


def channel(url: str, *, refuse: bool = True, **options: object) -> WebhookChannel:
    spec = WebhookChannelConfig(url=Secret(url), secret=Secret(SECRET), **options)  # type: ignore[arg-type]
    return WebhookChannel("platform", spec, refuse_private=refuse)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_loopback_target_is_refused_at_connect_and_never_reached(host: str) -> None:
    with HttpStub() as stub:
        with pytest.raises(DeliveryError) as failure:
            channel(f"http://{host}:{stub.port}/hooks?key=canary-7e1").send(rendered())
        assert stub.requests == []
    assert failure.value.outcome == Outcome.CONFIG
    assert "a loopback address: refused" in failure.value.reason and "allow_private" in failure.value.reason
    assert "canary" not in failure.value.reason


def test_a_channel_that_allows_private_addresses_is_sent() -> None:
    with WebhookReceiver(SECRET) as receiver:
        channel(f"{receiver.base_url}/hooks", allow_private=True).send(rendered())
        assert len(receiver.counts) == 1


def test_without_the_policy_nothing_is_refused() -> None:
    with WebhookReceiver(SECRET) as receiver:
        channel(f"{receiver.base_url}/hooks", refuse=False).send(rendered())
        assert len(receiver.counts) == 1


def test_a_url_with_a_user_name_is_refused() -> None:
    with HttpStub() as stub:
        with pytest.raises(DeliveryError) as failure:
            channel(f"http://user:pw@{stub.base_url.split('://')[1]}/h", allow_private=False).send(rendered())
        assert stub.requests == []
    assert "user name or password" in failure.value.reason and "pw" not in failure.value.reason


def test_through_a_proxy_the_target_host_is_checked_before_the_request() -> None:
    with HttpStub() as proxy:
        with pytest.raises(DeliveryError) as failure:
            channel("http://127.0.0.1:9/hooks", proxy=proxy.base_url).send(rendered())
        assert proxy.requests == []  # the proxy (on a private address itself) was never asked
    assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in failure.value.reason


def test_check_warns_about_urls_the_policy_would_refuse(tmp_path: Path) -> None:
    config = make_project(tmp_path, f"""
[security]
refuse_private_urls = true

[channels.intranet]
type = "webhook"
url = "http://127.0.0.1:9/hooks"
secret = "{SECRET}"

[channels.allowed]
type = "webhook"
url = "http://127.0.0.1:9/hooks"
secret = "{SECRET}"
allow_private = true
""")
    warnings = run_checks(load_config(config, environ={})).warnings
    assert [w for w in warnings if w.startswith("channels.")] == [
        "channels.intranet.url: 127.0.0.1 resolves to 127.0.0.1, a loopback address: messages would be "
        "refused (set allow_private = true on the channel to allow it)"]
