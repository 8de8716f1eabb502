from __future__ import annotations

import pytest

from scheduler.config.warning_relay import RelayConfig
from scheduler.warnings import match, rules
from tests.warnings.factory import enterprise, warning


@pytest.mark.parametrize(("code", "cut"), [("140000", "14"), ("140100", "1401"), ("140105", "140105"),
                                           ("140105000000", "140105"), ("140105001000", "140105001"),
                                           ("140105001002", "140105001002")])
def test_codes_are_cut_to_the_level_they_name(code: str, cut: str) -> None:
    assert match.prefix(code) == cut


def test_a_bad_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not a 6- or 12-digit"):
        match.prefix("1401")


def _matched(w, candidates) -> list[str]:
    return [m.enterprise.code for m in match.enterprises(w, rules.audiences(RelayConfig(), w), candidates)]


def test_city_warning_reaches_its_counties_only() -> None:
    venues = [enterprise("A", region="140106"), enterprise("B", region="140213"), enterprise("C", region="140100")]
    assert _matched(warning(geocodes=("140100",)), venues) == ["A", "C"]


def test_province_warning_reaches_every_city() -> None:
    venues = [enterprise("A", region="140106"), enterprise("B", region="141122"), enterprise("X", region="130102")]
    assert _matched(warning(geocodes=("140000",)), venues) == ["A", "B"]


def test_a_township_warning_includes_county_level_venues_of_that_county() -> None:
    venues = [enterprise("A", region="140105"), enterprise("B", region="140106"),
              enterprise("C", region="140105002001")]
    assert _matched(warning(geocodes=("140105001000",)), venues) == ["A"]


def test_area_desc_is_used_when_no_codes_and_names_resolve() -> None:
    venues = [enterprise("A", region="太原市"), enterprise("B", region="140702"), enterprise("C", region="140213")]
    assert _matched(warning(geocodes=(), area_desc="太原市、晋中市"), venues) == ["A", "B"]


def test_category_and_venue_feature_decide_who_in_the_area() -> None:
    venues = [enterprise("KTV", category="entertainment"),
              enterprise("RAFT", category="other", features="漂流"),
              enterprise("SHOW", category="performance"),
              enterprise("MUSEUM", category="public_culture")]
    found = match.enterprises(warning(), rules.audiences(RelayConfig(), warning()), venues)
    assert [(m.enterprise.code, m.features) for m in found] == [("RAFT", ("漂流",)), ("SHOW", ())]


def test_yellow_reaches_no_enterprise() -> None:
    assert _matched(warning(level="黄"), [enterprise("A")]) == []


def test_enterprises_without_a_usable_region_are_reported() -> None:
    venues = [enterprise("A", region=""), enterprise("B", region="某地"), enterprise("C")]
    assert [e.code for e in match.unplaced(venues)] == ["A", "B"]
