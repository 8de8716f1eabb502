from __future__ import annotations

import re
from pathlib import Path

import pytest

from scheduler.channels import REGISTRY, build_channels
from scheduler.config import ConfigError, load_config
from scheduler.config.channels import ChannelConfig
from tests.support.project import ROOT, make_project

ENV = {
    "SAFEDUTY_SMTP_PASSWORD": "abcdefghijklmnop",
    "SAFEDUTY_DINGTALK_TOKEN": "t0k",
    "SAFEDUTY_DINGTALK_SECRET": "SECabc",
    "SAFEDUTY_WECOM_KEY": "k",
    "SAFEDUTY_FEISHU_HOOK": "h",
    "SAFEDUTY_FEISHU_SECRET": "s",
    "SAFEDUTY_WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}


def commented_channels(text: str) -> str:
    """The commented-out [channels.*] examples of config.toml, uncommented."""
    blocks = re.findall(r"^# \[channels\.[^\n]*\n(?:#[^\n]*\n)*", text, flags=re.MULTILINE)
    return "\n".join(re.sub(r"^# ?", "", block, flags=re.MULTILINE) for block in blocks)


def test_every_channel_type_has_a_factory() -> None:
    tags = {c.__dataclass_fields__["type"].type for c in ChannelConfig.__args__}  # type: ignore[attr-defined]
    assert len(tags) == len(REGISTRY) == 6


def test_the_commented_examples_in_config_toml_are_valid(tmp_path: Path) -> None:
    examples = commented_channels((ROOT / "config.toml").read_text(encoding="utf-8"))
    assert examples.count("[channels.") == 5
    shipped = (ROOT / "config.toml").read_text(encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(shipped + "\n" + examples, encoding="utf-8")
    loaded = load_config(config, environ=ENV)
    channels = build_channels(loaded)
    assert sorted(channels) == ["console", "duty_dingtalk", "duty_feishu", "duty_wecom", "mail", "platform"]
    for channel in channels.values():
        channel.close()


@pytest.mark.parametrize(("table", "complaint"), [
    ('type = "webhook"\nurl = "https://x"\nsecret = "plain"', "whsec_"),
    ('type = "webhook"\nurl = "https://x"', "secret is required"),
    ('type = "dingtalk"\nurl = "oapi.dingtalk.com/robot/send"', "https://"),
    ('type = "email"\nhost = "smtp.qq.com"\nsender = "a@qq.com"\nsecurity = "none"\nusername = "a@qq.com"',
     "clear text"),
    ('type = "email"\nhost = "smtp.qq.com"\nsender = "safety"', "not an e-mail address"),
    ('type = "wecom"\nurl = "https://x"\nmsgtype = "news"', "must be one of"),
])
def test_a_bad_channel_is_refused_naming_its_key(tmp_path: Path, table: str, complaint: str) -> None:
    config = make_project(tmp_path, f"\n[channels.bad]\n{table}\n")
    with pytest.raises(ConfigError) as failure:
        load_config(config, environ={})
    assert "channels.bad" in str(failure.value) and complaint in str(failure.value)


@pytest.mark.parametrize(("url", "complaint"), [
    ("https://", "has no host name"),
    ("https://oapi.ding talk.com/robot/send", "contains a space"),
    ("https://oapi.dingtalk.com:99999/robot/send", "port"),
    ("https://oapi.dingtalk.com:http/robot/send", "port"),
    ("https://[::1/robot/send", "invalid port or address"),
    ("https://bad..host/robot/send", "invalid host name"),
    (r"https://oapi.dingtalk.com/robot/send\r\nX-Injected: 1", "control character"),
    ("", "is empty"),
])
def test_a_url_no_request_could_be_made_to_is_refused_at_load_without_quoting_it(
        tmp_path: Path, url: str, complaint: str) -> None:
    token = "4f0c2b7e9d1ccanary"
    config = make_project(tmp_path, f'\n[channels.bad]\ntype = "dingtalk"\nurl = "{url}?access_token=${{T}}"\n'
                          if url else '\n[channels.bad]\ntype = "dingtalk"\nurl = "${T}"\n')
    with pytest.raises(ConfigError) as failure:
        load_config(config, environ={"T": "" if not url else token})
    message = str(failure.value)
    assert "channels.bad: url " in message and complaint in message
    assert token not in message


def test_a_malformed_proxy_is_refused_naming_it(tmp_path: Path) -> None:
    config = make_project(tmp_path, '\n[channels.bad]\ntype = "wecom"\nurl = "https://x"\nproxy = "proxy:3128"\n')
    with pytest.raises(ConfigError) as failure:
        load_config(config, environ={})
    assert "channels.bad: proxy must start with http://" in str(failure.value)
