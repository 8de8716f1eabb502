"""The lifecycle of a hazard: registered → rectifying → rectified (awaiting acceptance) →
verified → closed (销号). A failed acceptance (验收不合格) sends a rectified hazard back to
rectifying; a general hazard may be fixed on the spot (registered → rectified).
"""

from __future__ import annotations

from scheduler.hazards.models import Hazard
from scheduler.hazards.vocab import HazardLevel, HazardStatus

S = HazardStatus
TRANSITIONS: dict[HazardStatus, tuple[HazardStatus, ...]] = {
    S.REGISTERED: (S.RECTIFYING, S.RECTIFIED),
    S.RECTIFYING: (S.RECTIFIED,),
    S.RECTIFIED: (S.VERIFIED, S.RECTIFYING),  # acceptance passed, or failed (验收不合格)
    S.VERIFIED: (S.CLOSED,),
    S.CLOSED: (),
}
DONE = (S.RECTIFIED, S.VERIFIED, S.CLOSED)


def move_allowed(level: str, current: HazardStatus, target: HazardStatus) -> bool:
    if target not in TRANSITIONS[current]:
        return False
    # Only a general hazard is fixed on the spot; a major one goes through its remediation plan.
    return not (
        level == HazardLevel.MAJOR.value and current is S.REGISTERED and target is S.RECTIFIED
    )


def allowed(hazard: Hazard, target: HazardStatus) -> bool:
    return move_allowed(hazard.level, hazard.status_enum, target)


def reachable(hazard: Hazard, target: HazardStatus) -> bool:
    """Whether ``target`` can be reached from the current status by allowed moves (imports)."""
    seen = {hazard.status_enum}
    frontier = [hazard.status_enum]
    while frontier:
        status = frontier.pop()
        for step in TRANSITIONS[status]:
            if step not in seen and move_allowed(hazard.level, status, step):
                seen.add(step)
                frontier.append(step)
    return target in seen
