from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scheduler.config import ConfigError, load_config
from scheduler.config.typed import Secret
from scheduler.vocab import Role
from tests.support.project import ROOT

# The groups the shipped hazard escalation chain names (a config must define them).
GROUPS = "[groups.section_heads]\n[groups.bureau_leaders]\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={} if environ is None else environ)
    return [str(p) for p in caught.value.problems]


def test_the_shipped_config_loads() -> None:
    loaded = load_config(ROOT / "config.toml", environ={})
    assert loaded.config.service.zone.key == "Asia/Shanghai"
    assert loaded.config.channels["console"].type == "console"
    assert loaded.database_url == f"sqlite:///{ROOT / 'var' / 'safeduty.db'}"


def test_a_misspelt_key_is_an_error_that_suggests_the_right_one(tmp_path: Path) -> None:
    path = write(tmp_path, '[service]\nbuerau = "x"\n')
    assert problems(path, {}) == ['service.buerau: unknown key (did you mean "bureau"?)']


def test_every_problem_is_listed_with_its_dotted_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
[service]
zone = "Asia/Beijing"
plan_every = 60

[delivery.retry]
base = "soon"

[groups.duty_team]
roles = ["leader", "captain"]
""",
    )
    found = problems(path)
    assert "service.zone: unknown time zone 'Asia/Beijing' (use an IANA name such as \"Asia/Shanghai\")" in found
    assert "service.plan_every: expected a duration such as \"10m\", got an integer" in found
    assert any(p.startswith("delivery.retry.base: expected a duration") for p in found)
    assert any(p.startswith("groups.duty_team.roles[1]: must be one of") for p in found)
    assert len(found) == 4


def test_an_unset_environment_variable_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels.hook]\ntype = "webhook"\nurl = "https://h.example/${HOOK_TOKEN}"\n'
                           'secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"\n')
    assert problems(path) == [
        "channels.hook.url: environment variable HOOK_TOKEN is not set (export it, or remove the key)"
    ]


def test_environment_values_fill_secrets_that_hide_in_repr(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GROUPS + '[channels.console]\ntype = "console"\n[groups.admins]\n'
        '[channels.hook]\ntype = "webhook"\nurl = "https://h.example/x"\nsecret = "${HOOK_SECRET}"\n',
    )
    loaded = load_config(path, environ={"HOOK_SECRET": "whsec_c2VjcmV0LXZhbHVlLTEyMzQ1Njc4"})
    secret = loaded.config.channels["hook"].secret
    assert isinstance(secret, Secret) and secret == "whsec_c2VjcmV0LXZhbHVlLTEyMzQ1Njc4"
    assert "c2VjcmV0" not in repr(loaded.config)


def test_a_channel_or_group_that_is_named_but_not_defined_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GROUPS + '[delivery]\nperson_channel = "mail"\n[channels.console]\ntype = "console"\n'
        '[groups.admins]\nbot = "console"\n',
    )
    assert problems(path) == [
        'delivery.person_channel: channel "mail" is not defined under [channels] (console)',
        'groups.admins.bot: channel "console" is a console channel, not a bot',
    ]


def test_an_unknown_channel_type_lists_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels.sms]\ntype = "sms"\n')
    (found,) = problems(path)
    assert found.startswith('channels.sms.type: must be one of "console", "email"')


def test_a_missing_required_key_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, '[channels.mail]\ntype = "email"\nsender = "a@b.cn"\n')
    assert "channels.mail.host: is required" in problems(path)


def test_a_file_that_is_not_toml_says_where(tmp_path: Path) -> None:
    path = write(tmp_path, "[service\n")
    (found,) = problems(path)
    assert found.startswith("not valid TOML: ")


def test_roles_accept_their_chinese_labels(tmp_path: Path) -> None:
    path = write(tmp_path, GROUPS + '[channels.console]\ntype = "console"\n[groups.admins]\n'
                           '[groups.duty]\nroles = ["带班领导", "officer"]\n')
    assert load_config(path, environ={}).config.groups["duty"].roles == (Role.LEADER, Role.OFFICER)


def test_durations_and_times_are_typed(tmp_path: Path) -> None:
    path = write(tmp_path, GROUPS + '[channels.console]\ntype = "console"\n[groups.admins]\n'
                           '[service]\nplan_every = "90s"\n[delivery]\nlease = "2h"\n')
    config = load_config(path, environ={}).config
    assert config.service.plan_every == dt.timedelta(seconds=90)
    assert config.delivery.lease == dt.timedelta(hours=2)
