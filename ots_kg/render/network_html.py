"""The institutional network as one self-contained, interactive HTML page.

The layout and the label places are the ones the PNG/SVG chart computed (charts.network),
so the page shows the same picture; it adds what a still image cannot: hover a node to
see its links and full name, drag nodes apart, zoom with the wheel and pan by dragging the
background. Everything is inline (SVG, CSS, a few lines of JavaScript): no CDN, no
network request, it opens from disk. Text goes through Jinja2's autoescaping.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import OtsKgError
from ..model.prefixes import compact_iri

WIDTH = 1000.0  # SVG user units across the layout


def network_page(
    net: Any,
    pos: dict,
    title: str,
    groups: dict[str, tuple[str, str]],
    centre: str | None,
    radius: Any,
    points_per_unit: float,
) -> str:
    """The page's HTML for a drawn network: positions in layout units, radius(node) in
    points, and the chart's points per layout unit, so nodes, fonts and label offsets keep
    the proportions of the picture whose labels were placed without overlap."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    scale = WIDTH / span
    point = scale / points_per_unit  # SVG units per point of the chart
    pad = 40.0 * point

    def at(point) -> tuple[float, float]:
        return round((point[0] - min(xs)) * scale + pad, 1), round((max(ys) - point[1]) * scale + pad, 1)

    index = {node: i for i, node in enumerate(sorted(net.nodes))}
    labels = net.graph.get("labels", {})
    nodes = []
    for node, i in index.items():
        data = net.nodes[node]
        x, y = at(pos[node])
        r = round(radius(node) * point, 1)
        colour = groups[data["group"]][1]
        status = data.get("status", data["group"])
        if node in labels:  # the place the chart found free, relative to the node
            (lx, ly), ha, va = labels[node]
            tx, ty = at((lx, ly))
            dx, dy = round(tx - x, 1), round(ty - y, 1)
        else:
            dx, dy, ha, va = r + 2 * point, 0.0, "left", "center"
        nodes.append(
            {
                "i": i,
                "x": x,
                "y": y,
                "r": r,
                "label": data["label"],
                "iri": compact_iri(node),
                "kind": groups[data["group"]][0] if status == data["group"] else f"{status} state",
                "colour": colour,
                "shape": "square" if status == "observer" else "circle",
                "fill": "white" if status == "observer" else "#f3d9a6" if status == "other" else colour,
                "centre": node == centre,
                "shown": node in labels,
                "dx": dx,
                "dy": dy,
                "anchor": {"left": "start", "right": "end"}.get(ha, "middle"),
                "baseline": {"bottom": "text-after-edge", "top": "text-before-edge"}.get(va, "central"),
            }
        )
    edges = [
        {"a": index[a], "b": index[b], "label": d["label"], "observer": d.get("observer", False)}
        for a, b, d in sorted(net.edges(data=True), key=lambda e: (index[e[0]], index[e[1]]))
    ]
    legend = []
    present = {(d["group"], d.get("status", d["group"])) for _, d in net.nodes(data=True)}
    for group, (text, colour) in groups.items():
        for g, status in sorted(present):
            if g != group:
                continue
            legend.append(
                {
                    "text": text if status == group else f"{status} state",
                    "colour": colour,
                    "fill": "white" if status == "observer" else "#f3d9a6" if status == "other" else colour,
                    "shape": "square" if status == "observer" else "circle",
                }
            )
    env = Environment(
        loader=PackageLoader("ots_kg.render", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template("network.html").render(
        title=title,
        nodes=nodes,
        edges=edges,
        legend=legend,
        width=round(WIDTH + 2 * pad),
        height=round((max(ys) - min(ys)) * scale + 2 * pad),
        counts=(net.number_of_nodes(), net.number_of_edges()),
        font=round(8 * point, 2),
        stroke=round(0.8 * point, 2),
    )


def write_network_html(
    net: Any,
    pos: dict,
    title: str,
    output: str | os.PathLike[str],
    groups: dict[str, tuple[str, str]],
    centre: str | None,
    radius: Any,
    points_per_unit: float,
) -> Path:
    """Write the page; one-line error when the file cannot be written."""
    path = Path(output)
    try:
        path.write_text(network_page(net, pos, title, groups, centre, radius, points_per_unit), encoding="utf-8")
    except OSError as exc:
        raise OtsKgError(f"{path}: cannot write ({exc.strerror})") from None
    return path
