"""Event × level → who hears a warning: the enterprises (by category or venue feature) and the
bureau's own people (duty officer; at the leader levels the duty leader and section head too).

Pure: a function of the config and one ``Warning`` version.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.config.warning_relay import RelayConfig, RelayRule
from scheduler.warnings.model import Warning


@dataclass(frozen=True)
class Audiences:
    rules: tuple[RelayRule, ...]  # the rules that apply (their reasons go into the message)
    categories: frozenset[str]
    features: frozenset[str]
    officers: bool  # today's duty officer(s)
    leaders: bool  # today's duty leader(s) and the section head

    @property
    def enterprises(self) -> bool:
        return bool(self.categories or self.features)


def relayed(config: RelayConfig, warning: Warning, *, exercise: bool = True) -> bool:
    """Whether this version is delivered at all: Actual always; Exercise (marked 演练) when
    ``[warnings] exercise = "deliver"`` (``exercise``); Test, Draft and System never."""
    if not config.enabled:
        return False
    return warning.status == "Actual" or (warning.status == "Exercise" and exercise)


def audiences(config: RelayConfig, warning: Warning) -> Audiences:
    rules = tuple(r for r in config.rules if r.applies(warning.event, warning.level))
    return Audiences(
        rules=rules,
        categories=frozenset(c for r in rules for c in r.categories),
        features=frozenset(f for r in rules for f in r.features),
        officers=warning.level in config.officer_levels or warning.level in config.leader_levels,
        leaders=warning.level in config.leader_levels,
    )


def zero_reports_due(config: RelayConfig, warning: Warning) -> bool:
    """A red/orange 暴雨/山洪 warning in force: venues in its area submit the daily 零报告."""
    return (relayed(config, warning) and warning.msg_type != "Cancel"
            and warning.event in config.zero_report_events and warning.level in config.zero_report_levels)
