from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.checks import run_checks
from scheduler.config import ConfigError, load_config
from scheduler.config.hazards import HazardsConfig
from tests.support.project import ROOT, make_project


def test_the_shipped_config_writes_out_exactly_the_defaults() -> None:
    assert load_config(ROOT / "config.toml", environ={}).config.hazards == HazardsConfig()


def test_the_major_default_chain_follows_the_brief() -> None:
    major = HazardsConfig().major
    assert [(s.offset, s.unit, tuple(s.audience)) for s in major.steps] == [
        (-20, "working_days", ("responsible", "principal")),
        (-7, "days", ("responsible", "principal")),
        (-1, "days", ("responsible", "principal")),
        (0, "days", ("principal", "supervisor")),
        (3, "working_days", ("group:section_heads",)),
        (10, "working_days", ("group:bureau_leaders",)),
    ]
    assert major.repeat_every == dt.timedelta(days=7)


def test_a_policy_can_be_replaced_from_toml(tmp_path: Path) -> None:
    extra = """
[hazards.general]
repeat_every = "0d"
[[hazards.general.steps]]
offset = 1
unit = "working_days"
audience = ["safety_manager", "group:supervisors"]
template = "hazard/overdue"
non_working_day = "after"
"""
    general = load_config(make_project(tmp_path, extra), environ={}).config.hazards.general
    assert len(general.steps) == 1 and general.repeat_days == 0
    assert general.steps[0].audience[1].group == "supervisors"
    assert general.steps[0].title == "逾期满1个工作日"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            '[[hazards.major.steps]]\noffset = 1\naudience = ["boss"]\ntemplate = "hazard/overdue"\n',
            "hazards.major.steps[0].audience[0]: unknown audience 'boss'",
        ),
        (
            '[[hazards.major.steps]]\noffset = 1\naudience = ["group:nobody"]\ntemplate = "hazard/overdue"\n',
            'hazards.major.steps[0].audience[0]: group "nobody" is not defined',
        ),
        ('[hazards.major]\nrepeat_every = "36h"\n', "repeat_every must be a whole number of days"),
        ("[hazards.digest]\nweekday = 8\n", "weekday must be 1 (Monday)"),
        (
            '[hazards.statistics]\naudience = ["supervisor"]\n',
            "statistics reminders go to enterprise contacts only",
        ),
    ],
)
def test_a_bad_hazards_section_is_an_error_naming_the_key(
    tmp_path: Path, extra: str, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(make_project(tmp_path, extra), environ={})
    assert message in str(error.value)


def test_check_finds_a_step_template_that_does_not_exist(tmp_path: Path) -> None:
    extra = '[[hazards.major.steps]]\noffset = 1\naudience = ["principal"]\ntemplate = "hazard/nowhere"\n'
    report = run_checks(load_config(make_project(tmp_path, extra), environ={}))
    assert report.problems == [
        "hazards: template 'hazard/nowhere' does not exist (no templates/hazard/nowhere.subject.j2)"
    ]


def test_check_renders_every_hazard_template_with_its_sample(tmp_path: Path) -> None:
    assert run_checks(load_config(make_project(tmp_path), environ={})).problems == []
