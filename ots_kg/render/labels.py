"""Labels that do not overlap: a greedy placement over candidate positions, in display space.

Each label is measured once with matplotlib's renderer; then, in the order given (most
important first), it takes the first candidate position (an offset in points from its
anchor, with its alignment) whose box stays inside the axes' height and the figure's width and meets no label placed
before it and no obstacle (the markers). A label that fits nowhere is reported, never
drawn on top of another. Far candidates get a thin leader line back to the anchor. Texts are placed in data
coordinates (ax.text), so their boxes are exactly what the renderer reports.
Placement needs the axes' limits and the figure's size and dpi to be final.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Spot:
    """A candidate position: offset (points) from the anchor, alignment, and whether the
    label is far enough away to need a leader line."""

    dx: float
    dy: float
    ha: str = "left"
    va: str = "bottom"
    leader: bool = False


@dataclass
class Placed:
    """What place() drew: the text artists, and the indices of labels that fit nowhere."""

    texts: list[Any]
    unplaced: list[int]


def around(radius: float, rings: int = 4, step: float = 12.0) -> list[Spot]:
    """Spots on rings around a marker of `radius` points: right, left, above, below, the
    diagonals, then the same farther out (with a leader line)."""
    spots = []
    for ring in range(rings):
        r = radius + 2 + ring * step
        d = r * 0.72
        spots += [
            Spot(r, 0, "left", "center", ring > 0),
            Spot(-r, 0, "right", "center", ring > 0),
            Spot(0, r, "center", "bottom", ring > 0),
            Spot(0, -r, "center", "top", ring > 0),
            Spot(d, d, "left", "bottom", ring > 0),
            Spot(-d, d, "right", "bottom", ring > 0),
            Spot(d, -d, "left", "top", ring > 0),
            Spot(-d, -d, "right", "top", ring > 0),
        ]
    return spots


def _box(x: float, y: float, w: float, h: float, ha: str, va: str) -> tuple[float, float, float, float]:
    x0 = x if ha == "left" else x - w if ha == "right" else x - w / 2
    y0 = y if va == "bottom" else y - h if va == "top" else y - h / 2
    return x0, y0, x0 + w, y0 + h


def place(
    ax: Any,
    anchors: Sequence[tuple[float, float]],
    texts: Sequence[str],
    spots: Sequence[Spot] | Sequence[Sequence[Spot]],
    *,
    obstacles: Sequence[tuple[float, float, float]] = (),
    pad: float = 2.5,
    leader_colour: str = "#888888",
    **style: Any,
) -> Placed:
    """Draw texts[i] near anchors[i] (data coordinates) at the first free spot.

    spots is one list for every label or one list per label; obstacles are (x, y, radius in
    points) in data coordinates; style goes to `ax.annotate` (fontsize, colour, bbox ...).
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    scale = fig.dpi / 72.0
    frame, page = ax.get_window_extent(renderer), fig.bbox  # inside the axes' height, the figure's width
    per_label = bool(spots) and not isinstance(spots[0], Spot)
    boxes = np.empty((0, 4))
    if obstacles:
        centres = ax.transData.transform([(x, y) for x, y, _ in obstacles])
        radii = np.array([r for _, _, r in obstacles]) * scale
        boxes = np.column_stack(
            [centres[:, 0] - radii, centres[:, 1] - radii, centres[:, 0] + radii, centres[:, 1] + radii]
        )
    anchor_px = ax.transData.transform(list(anchors)) if anchors else np.empty((0, 2))
    drawn, unplaced = [], []
    for i, (text, (px, py)) in enumerate(zip(texts, anchor_px, strict=True)):
        probe = ax.text(0, 0, text, **{k: v for k, v in style.items() if k in ("fontsize", "fontweight", "bbox")})
        extent = probe.get_window_extent(renderer)
        probe.remove()
        w, h = extent.width + 2 * pad, extent.height + 2 * pad
        chosen = None
        for spot in spots[i] if per_label else spots:
            x0, y0, x1, y1 = _box(px + spot.dx * scale, py + spot.dy * scale, w, h, spot.ha, spot.va)
            if x0 < page.x0 or x1 > page.x1 or y0 < frame.y0 or y1 > frame.y1:
                continue
            if len(boxes) and np.any((boxes[:, 0] < x1) & (boxes[:, 2] > x0) & (boxes[:, 1] < y1) & (boxes[:, 3] > y0)):
                continue
            chosen = spot, (x0, y0, x1, y1)
            break
        if chosen is None:
            unplaced.append(i)
            continue
        spot, box = chosen
        boxes = np.vstack([boxes, box])
        to_data = ax.transData.inverted()
        at = to_data.transform((px + spot.dx * scale, py + spot.dy * scale))
        drawn.append(ax.text(at[0], at[1], text, ha=spot.ha, va=spot.va, **style))
        if spot.leader:  # from the marker's edge to the nearest point of the label's box
            near = (min(max(px, box[0]), box[2]), min(max(py, box[1]), box[3]))
            line = to_data.transform([(px, py), near])
            ax.plot(line[:, 0], line[:, 1], color=leader_colour, linewidth=0.5, zorder=2)
    return Placed(drawn, unplaced)


def text_boxes(texts: Sequence[Any]) -> list[tuple[float, float, float, float]]:
    """The display-space boxes matplotlib's renderer gives the texts (for overlap checks)."""
    if not texts:
        return []
    renderer = texts[0].figure.canvas.get_renderer()
    return [tuple(t.get_window_extent(renderer).extents) for t in texts]


def overlapping(boxes: Sequence[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """Pairs of boxes (x0, y0, x1, y1) whose interiors intersect."""
    pairs = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                pairs.append((i, j))
    return pairs
