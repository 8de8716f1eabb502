from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.warnings import cap

SAMPLES = Path(__file__).parent / "samples"


def _parse(name: str, **kw: object) -> cap.Alert:
    path = SAMPLES / name
    return cap.parse(path.read_bytes(), file=path.name, **kw)  # type: ignore[arg-type]


def test_red_rainstorm_two_areas() -> None:
    a = _parse("red_rainstorm.xml")
    assert (a.identifier, a.status, a.msg_type, a.scope) == ("14000041600000_20260720080000_1", "Actual", "Alert", "Public")
    assert a.sent == dt.datetime(2026, 7, 20, 0, 0, tzinfo=dt.UTC)
    info = a.infos[0]
    assert (info.event, info.level, info.severity) == ("暴雨", "红", "Extreme")
    assert [(x.desc, x.geocodes) for x in info.areas] == [("太原市", ("140100000000",)), ("晋中市", ("140700000000",))]
    assert info.expires == dt.datetime(2026, 7, 20, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("name", "event", "level", "status", "msg_type"), [
    ("update_yellow.xml", "暴雨", "黄", "Actual", "Update"),
    ("cancel.xml", "暴雨", "黄", "Actual", "Cancel"),
    ("exercise_blue_flood.xml", "山洪", "蓝", "Exercise", "Alert"),
    ("test_orange_wind.xml", "大风", "橙", "Test", "Alert"),
    ("cma_form_orange_geo.xml", "地质灾害", "橙", "Actual", "Alert"),
])
def test_samples(name: str, event: str, level: str, status: str, msg_type: str) -> None:
    a = _parse(name)
    assert (a.infos[0].event, a.infos[0].level, a.status, a.msg_type) == (event, level, status, msg_type)


def test_references_parsed() -> None:
    a = _parse("update_yellow.xml")
    assert [(r.sender, r.identifier) for r in a.references] == [("山西省气象台", "14000041600000_20260720080000_1")]


def test_both_identifier_forms() -> None:
    assert len("14000041600000_20260720080000_1") == 31 and cap.check_identifier("14000041600000_20260720080000_1")
    assert len("14000041600000_20260807165704") == 29 and cap.check_identifier("14000041600000_20260807165704")
    assert not cap.check_identifier("14000041600000_20261345165704")  # month 13
    assert not cap.check_identifier("1400004160000_20260807165704")


@pytest.mark.parametrize(("name", "element", "words"), [
    ("malformed.xml", "", "not well-formed"),
    ("xxe.xml", "", "refused"),
    ("billion_laughs.xml", "", "refused"),
    ("missing_sender.xml", "alert/sender", "required"),
    ("missing_severity.xml", "alert/info[1]/severity", "required"),
    ("unknown_event.xml", "alert/info[1]/event", "火山喷发"),
    ("unknown_level.xml", "alert/info[1]/severity", "no level"),
    ("bad_identifier.xml", "alert/identifier", "GB/T 35965.1"),
])
def test_bad_documents_name_file_and_element(name: str, element: str, words: str) -> None:
    with pytest.raises(cap.CapError) as e:
        _parse("bad/" + name)
    assert e.value.file == name and e.value.element == element
    assert words in str(e.value) and str(e.value).startswith(name + ": ")


def test_size_limit() -> None:
    data = (SAMPLES / "red_rainstorm.xml").read_bytes()
    with pytest.raises(cap.CapError, match="over the limit of 100"):
        cap.parse(data, file="big.xml", max_bytes=100)
    assert cap.parse(data, file="ok.xml", max_bytes=len(data)).identifier


def test_level_rules() -> None:
    assert cap.colour_level("暴雨红色预警") == "红"
    assert cap.colour_level("", "Yuanshi County updates blue warning for flash flood") == "蓝"
    assert cap.colour_level("暴雨预警") is None
    assert cap.normalise_event("Flash flood events") == "山洪"
    assert cap.normalise_event("雷雨大风黄色预警") == "雷雨大风"
    text = (SAMPLES / "red_rainstorm.xml").read_text("utf-8")
    # colour word in <severity> (some feeds) and no colour in the headline
    odd = text.replace("<severity>Extreme<", "<severity>ORANGE<").replace("暴雨红色预警信号", "暴雨预警信号")
    info = cap.parse(odd, file="odd.xml").infos[0]
    assert (info.level, info.severity) == ("橙", "Severe")
    # headline colour wins over severity
    info = cap.parse(text.replace("<severity>Extreme<", "<severity>Minor<"), file="x.xml").infos[0]
    assert info.level == "红"


def test_chinese_block_first_and_expiry_default() -> None:
    text = (SAMPLES / "red_rainstorm.xml").read_text("utf-8")
    en = ("<info><language>en-US</language><category>Met</category><event>Rainstorm</event>"
          "<urgency>Immediate</urgency><severity>Extreme</severity><certainty>Likely</certainty></info>")
    text = text.replace("<info>", en + "<info>", 1).replace("<expires>2026-07-20T20:00:00+08:00</expires>", "")
    a = cap.parse(text, file="two.xml")
    assert len(a.infos) == 2 and a.infos[0].headline.startswith("山西省气象台")
    assert a.infos[0].expires == a.infos[0].onset + dt.timedelta(hours=24)  # type: ignore[operator]


def test_update_without_references_refused() -> None:
    text = (SAMPLES / "update_yellow.xml").read_text("utf-8")
    text = "\n".join(line for line in text.splitlines() if "<references>" not in line)
    with pytest.raises(cap.CapError, match="alert/references"):
        cap.parse(text, file="u.xml")
