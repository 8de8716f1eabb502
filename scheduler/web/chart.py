"""A horizontal bar chart as SVG geometry, computed here and drawn by a template (no JS)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ROW = 24
LABEL = 64  # room for a name (three or four characters) on the left
WIDTH = 400  # viewBox units: drawn 0.85× on a 375 px phone, 1.4× at most on a desktop


@dataclass(frozen=True)
class Bar:
    label: str
    note: str
    value: float
    y: int
    width: float
    css: str  # "leader" or "officer": the fill, from the SVG's own attributes


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    height: int
    width: int
    label_width: int
    scale: float  # pixels per unit
    ticks: list[tuple[float, float]]  # (value, x)
    mean: float
    mean_x: float


def bars(items: Sequence[tuple[str, str, float, str]]) -> Chart:
    """``items``: (label, note, value, css) in the order shown."""
    top = max([v for _, _, v, _ in items] + [1.0])
    room = WIDTH - LABEL - 36
    scale = room / top
    found = [Bar(label, note, value, 20 + i * ROW, max(value * scale, 1.0), css)
             for i, (label, note, value, css) in enumerate(items)]
    step = _step(top)
    ticks = [(t * step, LABEL + t * step * scale) for t in range(int(top // step) + 1)]
    mean = sum(v for _, _, v, _ in items) / len(items) if items else 0.0
    return Chart(found, 30 + len(items) * ROW, WIDTH, LABEL, scale, ticks, round(mean, 1), LABEL + mean * scale)


def _step(top: float) -> float:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500):
        if top / step <= 8:
            return float(step)
    return float(round(top / 8))
