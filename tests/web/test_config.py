"""[web] in config.toml, and what `safeduty check` / `safeduty run` say about it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.config import ConfigError, load_config
from scheduler.config.web import Listen, WebConfig
from tests.support.project import ROOT, make_project


def test_the_shipped_config_serves_on_the_loopback_with_feeds_and_a_base_url() -> None:
    web = load_config(ROOT / "config.toml", environ={}).config.web
    assert web.enabled and web.feeds
    assert web.listen == Listen("127.0.0.1", 8080) and web.base_url == "http://127.0.0.1:8080"
    assert not web.secret_key  # falls back to var/web-secret-key.key on SQLite


def test_a_config_without_web_serves_nothing() -> None:
    assert WebConfig().enabled is False


@pytest.mark.parametrize("value", ["8080", "localhost", "1.2.3.4:99999", "[zz::1]:80", "a b:80", ""])
def test_a_bad_listen_address_is_an_error_naming_the_key(tmp_path: Path, value: str) -> None:
    config = make_project(tmp_path, f'\n[web]\nenabled = true\nlisten = "{value}"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(config, environ={})
    assert "web.listen:" in str(caught.value)


def test_listen_accepts_ipv4_ipv6_names_and_port_zero() -> None:
    assert Listen.parse("[::1]:8080") == Listen("::1", 8080) and str(Listen("::1", 8080)) == "[::1]:8080"
    assert Listen.parse("duty.local:80") == Listen("duty.local", 80)
    assert Listen.parse("127.0.0.1:0").port == 0


def test_feeds_without_a_base_url_is_an_error_naming_base_url(tmp_path: Path) -> None:
    config = make_project(tmp_path, '\n[web]\nenabled = true\nfeeds = true\n')
    with pytest.raises(ConfigError, match="base_url: needed while feeds = true"):
        load_config(config, environ={})


def test_check_exits_2_when_the_listen_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = make_project(tmp_path, f'\n[web]\nenabled = true\nlisten = "127.0.0.1:{port}"\n')
        result = CliRunner().invoke(main, ["--config", str(config), "check"])
        assert result.exit_code == 2, result.output
        assert f"web.listen: cannot listen on 127.0.0.1:{port}: already in use" in result.output
        result = CliRunner().invoke(main, ["--config", str(config), "run"])
        assert result.exit_code == 2, result.output
        assert "web.listen:" in result.output and "not starting" in result.output


def test_check_on_postgresql_requires_the_session_secret(tmp_path: Path) -> None:
    config = make_project(tmp_path, '\n[web]\nenabled = true\nlisten = "127.0.0.1:0"\n',
                          database="postgresql://u@127.0.0.1:1/x")
    result = CliRunner().invoke(main, ["--config", str(config), "check"])
    assert result.exit_code == 2
    assert "web.secret_key: must be set on PostgreSQL" in result.output
