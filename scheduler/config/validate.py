"""Checks across tables: every channel and group a key names must exist."""

from __future__ import annotations

from dataclasses import fields

from scheduler.config.channels import BOT_TYPES
from scheduler.config.schema import Config
from scheduler.config.typed import Problem, Ref

__all__ = ["Ref", "cross_check"]


def cross_check(config: Config) -> list[Problem]:
    problems: list[Problem] = []
    channels = config.channels

    def channel(key: str, name: str, *, bot: bool = False) -> None:
        if not name or name == "none":
            return
        if name not in channels:
            known = ", ".join(sorted(channels)) or "none defined"
            problems.append(Problem(key, f'channel "{name}" is not defined under [channels] ({known})'))
        elif bot and channels[name].type not in BOT_TYPES:
            problems.append(Problem(key, f'channel "{name}" is a {channels[name].type} channel, not a bot'))

    def group(key: str, name: str) -> None:
        if name not in config.groups:
            known = ", ".join(sorted(config.groups)) or "none defined"
            problems.append(Problem(key, f'group "{name}" is not defined under [groups] ({known})'))

    channel("delivery.person_channel", config.delivery.person_channel)
    group("delivery.admins", config.delivery.admins)
    channel("enterprises.personal", config.enterprises.personal)
    for name, spec in config.groups.items():
        channel(f"groups.{name}.personal", spec.personal)
        channel(f"groups.{name}.bot", spec.bot, bot=True)
    # Domain sections name the groups and channels they address through ``references()``.
    for section in fields(config):
        value = getattr(config, section.name)
        for ref in getattr(value, "references", lambda key: ())(section.name):
            {"group": group, "channel": channel}[ref.kind](ref.key, ref.name)
    return problems
