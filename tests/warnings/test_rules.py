from __future__ import annotations

import datetime as dt

import pytest

from scheduler.config.warning_relay import RelayConfig, RelayRule
from scheduler.warnings import rules
from tests.warnings.factory import warning


def test_red_rainstorm_reaches_scenic_areas_performances_and_leaders() -> None:
    found = rules.audiences(RelayConfig(), warning(event="暴雨", level="红"))
    assert {"scenic_area", "performance"} <= found.categories
    assert "漂流" in found.features and "玻璃栈道" in found.features
    assert found.officers and found.leaders


def test_orange_flash_flood_reaches_venues_but_not_the_leader_at_once() -> None:
    found = rules.audiences(RelayConfig(), warning(event="山洪", level="橙"))
    assert "scenic_area" in found.categories
    assert found.officers and not found.leaders


@pytest.mark.parametrize("level", ["黄", "蓝"])
def test_yellow_and_blue_go_to_the_duty_officer_only(level: str) -> None:
    found = rules.audiences(RelayConfig(), warning(event="暴雨", level=level))
    assert not found.enterprises and found.officers and not found.leaders


def test_heat_red_reaches_travel_agencies_but_orange_heat_does_not() -> None:
    assert "travel_agency" in rules.audiences(RelayConfig(), warning(event="高温", level="红")).categories
    assert not rules.audiences(RelayConfig(), warning(event="高温", level="橙")).enterprises


def test_a_configured_yellow_rule_is_honoured() -> None:
    config = RelayConfig(rules=(RelayRule(("暴雨",), ("黄",), ("scenic_area",), reason="试点"),))
    assert rules.audiences(config, warning(level="黄")).categories == {"scenic_area"}


def test_test_alerts_are_not_relayed_exercises_are_unless_turned_off() -> None:
    assert not rules.relayed(RelayConfig(), warning(status="Test"))
    assert rules.relayed(RelayConfig(), warning(status="Exercise"))
    assert not rules.relayed(RelayConfig(), warning(status="Exercise"), exercise=False)


def test_zero_reports_for_red_and_orange_rain_and_flash_flood_only() -> None:
    config = RelayConfig()
    assert rules.zero_reports_due(config, warning(event="山洪", level="橙"))
    assert not rules.zero_reports_due(config, warning(event="高温", level="红"))
    assert not rules.zero_reports_due(config, warning(level="黄"))
    assert not rules.zero_reports_due(config, warning(msg_type="Cancel"))


def test_bad_rules_name_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="unknown level '紫'"):
        RelayRule(("暴雨",), ("紫",))
    with pytest.raises(ValueError, match="unknown venue feature '蹦极'"):
        RelayRule(("暴雨",), ("红",), features=("蹦极",))
    with pytest.raises(ValueError, match="unknown category 'zoo'"):
        RelayRule(("暴雨",), ("红",), categories=("zoo",))
    with pytest.raises(ValueError, match="resend_after"):
        RelayConfig(resend_after={"绿": dt.timedelta(minutes=5)})


def test_config_toml_rules_load_and_a_bad_one_names_its_key() -> None:
    from scheduler.config.typed import Converter
    from scheduler.config.warning_relay import RelayConfig as Relay

    conv = Converter({})
    good = conv.convert(Relay, {"rules": [{"events": ["暴雨"], "levels": ["黄"], "categories": ["scenic_area"]}],
                                "resend_after": {"红": "15m"}}, "warnings.relay")
    assert good.rules[0].levels == ("黄",) and good.resend_delay("红") == dt.timedelta(minutes=15)
    assert good.resend_delay("橙") == dt.timedelta(minutes=30)
    conv.convert(Relay, {"rules": [{"events": ["暴雨"], "levels": ["紫"]}]}, "warnings.relay")
    assert any("warnings.relay.rules[0]" in str(p) and "紫" in str(p) for p in conv.problems)


def test_config_toml_ships_the_defaults_it_explains() -> None:
    from pathlib import Path

    from scheduler.config import load_config

    root = Path(__file__).resolve().parents[2]
    loaded = load_config(root / "config.toml", {"SAFEDUTY_RECEIPT_KEY": "k" * 40})
    relay = loaded.config.warnings.relay
    assert relay.rules == RelayConfig().rules
    assert relay.leader_levels == ("红",) and relay.status_every == dt.timedelta(hours=2)
