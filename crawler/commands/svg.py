"""Small inline-SVG plots for the HTML report: heatmaps, bars, stacked shares. No library, no network.

Every data mark carries ``class="pt"`` and a ``<title>`` (the browser's tooltip), and every plot
says its number of marks in ``data-points``, so a test (or a reader of the source) can check that
a plot has data without rendering it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape

logger = logging.getLogger(__name__)

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
           "#bab0ac")  # fmt: skip
"""Tableau 10: distinguishable categories, also in grey print."""
VERDICT_COLORS = {"ok": "#59a14f", "degraded": "#edc948", "broken": "#e15759"}
FONT = "font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;font-size:11px"
LABEL_CHARS = 22
"""Outlet names are cut to this many characters so the plot area stays wide."""


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def _svg(width: int, height: int, body: list[str], points: int, label: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" role="img" aria-label="{escape(label)}" '
            f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" data-points="{points}" '
            f'style="{FONT}">' + "".join(body) + "</svg>")  # fmt: skip


def empty(label: str, message: str = "no data yet", width: int = 600) -> str:
    return _svg(width, 40, [f'<text x="8" y="24" fill="#777">{escape(message)}</text>'], 0, label)


def _shade(value: float, top: float) -> str:
    """White to deep blue, on a square-root scale so a few busy cells do not wash the rest out."""
    if value <= 0 or top <= 0:
        return "#f4f6f8"
    t = (value / top) ** 0.5
    lo, hi = (222, 235, 247), (8, 48, 107)
    r, g, b = (round(lo[i] + (hi[i] - lo[i]) * t) for i in range(3))
    return f"#{r:02x}{g:02x}{b:02x}"


def _label(text: str) -> str:
    return escape(text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…")


def heatmap(rows: Sequence[str], cols: Sequence[str], values: dict[tuple[str, str], float], label: str,
            col_every: int = 1, cell: tuple[int, int] = (18, 16), unit: str = "articles") -> str:  # fmt: skip
    """A grid of shaded cells, ``values[(row, col)]``; column labels every ``col_every`` columns."""
    if not rows or not cols or not any(values.values()):
        return empty(label)
    cw, ch = cell
    left, top = 8 + 7 * min(LABEL_CHARS, max(len(r) for r in rows)), 40
    width, height = left + cw * len(cols) + 70, top + ch * len(rows) + 8
    peak = max(values.values())
    body: list[str] = []
    for j, c in enumerate(cols):
        if j % col_every == 0:
            x = left + j * cw + cw / 2
            body.append(f'<text x="{x:.1f}" y="{top - 4}" text-anchor="start" '
                        f'transform="rotate(-45 {x:.1f} {top - 4})" fill="#444">{escape(c)}</text>')  # fmt: skip
    points = 0
    for i, r in enumerate(rows):
        y = top + i * ch
        body.append(f'<text x="{left - 6}" y="{y + ch - 4}" text-anchor="end" fill="#222">{_label(r)}</text>')
        for j, c in enumerate(cols):
            v = values.get((r, c), 0)
            cls = ' class="pt"' if v else ""
            points += 1 if v else 0
            body.append(f'<rect{cls} x="{left + j * cw}" y="{y}" width="{cw - 1}" height="{ch - 1}" '
                        f'fill="{_shade(v, peak)}"><title>{escape(r)}, {escape(c)}: {_fmt(v)} {unit}</title>'
                        "</rect>")  # fmt: skip
    legend_x = left + cw * len(cols) + 10
    for k, frac in enumerate((1.0, 0.5, 0.1)):
        y = top + k * 16
        body.append(f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{_shade(peak * frac, peak)}"/>'
                    f'<text x="{legend_x + 16}" y="{y + 10}" fill="#444">{_fmt(peak * frac)}</text>')  # fmt: skip
    return _svg(width, height, body, points, label)


def hbars(items: Sequence[tuple[str, float]], label: str, unit: str = "", colors: Sequence[str] | None = None,
          markers: Sequence[float | None] | None = None, width: int = 640, bar: int = 16) -> str:  # fmt: skip
    """Horizontal bars, one per (label, value); an optional black tick per bar (e.g. the usual rate)."""
    if not items:
        return empty(label)
    left = 8 + 7 * min(LABEL_CHARS, max(len(k) for k, _ in items))
    plot_w = width - left - 60
    top_value = max([v for _, v in items] + [m for m in (markers or []) if m is not None] + [1e-9])
    height = 10 + bar * len(items) + 6
    body: list[str] = []
    for i, (name, value) in enumerate(items):
        y = 8 + i * bar
        w = max(plot_w * value / top_value, 1 if value else 0)
        color = colors[i] if colors else PALETTE[0]
        body.append(f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end" fill="#222">{_label(name)}</text>'
                    f'<rect class="pt" x="{left}" y="{y + 1}" width="{w:.1f}" height="{bar - 3}" fill="{color}">'
                    f"<title>{escape(name)}: {_fmt(value)} {escape(unit)}</title></rect>"
                    f'<text x="{left + w + 4:.1f}" y="{y + bar - 5}" fill="#444">{_fmt(value)}</text>')  # fmt: skip
        marker = markers[i] if markers else None
        if marker is not None:
            x = left + plot_w * marker / top_value
            body.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + bar - 1}" stroke="#000" stroke-width="2">'
                        f"<title>usual: {_fmt(marker)} {escape(unit)}</title></line>")  # fmt: skip
    return _svg(width, height, body, len(items), label)


def stacked_shares(rows: Sequence[tuple[str, dict[str, float]]], categories: Sequence[str], label: str,
                   width: int = 640, bar: int = 16) -> str:  # fmt: skip
    """One 100% bar per row, split into ``categories`` (in that order, with a legend)."""
    rows = [(name, parts) for name, parts in rows if sum(parts.values()) > 0]
    if not rows:
        return empty(label)
    left = 8 + 7 * min(LABEL_CHARS, max(len(k) for k, _ in rows))
    plot_w = width - left - 20
    color = {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(categories)}
    body: list[str] = []
    lx = left
    for c in categories:
        body.append(f'<rect x="{lx}" y="4" width="10" height="10" fill="{color[c]}"/>'
                    f'<text x="{lx + 14}" y="13" fill="#444">{escape(c)}</text>')  # fmt: skip
        lx += 24 + 7 * len(c)
    points = 0
    for i, (name, parts) in enumerate(rows):
        y = 24 + i * bar
        total = sum(parts.values())
        body.append(f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end" fill="#222">{_label(name)}</text>')
        x = float(left)
        for c in categories:
            v = parts.get(c, 0)
            if not v:
                continue
            w = plot_w * v / total
            points += 1
            body.append(f'<rect class="pt" x="{x:.1f}" y="{y + 1}" width="{w:.1f}" height="{bar - 3}" '
                        f'fill="{color[c]}"><title>{escape(name)}, {escape(c)}: {_fmt(v)} '
                        f"({v / total:.0%})</title></rect>")  # fmt: skip
            x += w
    return _svg(width, 24 + bar * len(rows) + 6, body, points, label)
