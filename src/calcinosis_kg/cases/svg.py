"""Small, dependency-free SVG charts for the cohort report (bars and box plots with a band).

Why hand-written SVG: the report must be one static, deterministic HTML file that opens
anywhere (no JavaScript, no CDN, no plotting library), and two chart kinds are all it needs.
Every number is rounded before it is written, so the same cohort gives byte-identical charts.
"""

from __future__ import annotations

from html import escape

WIDTH = 760
BAR_H = 22
LEFT = 300
COLORS = [
    "#3b6ea5",
    "#c0504d",
    "#9bbb59",
    "#8064a2",
    "#4bacc6",
    "#f79646",
    "#7f7f7f",
    "#2c4d75",
    "#a5a5a5",
]


def _n(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bars(title: str, items: list[tuple[str, int]], color: str = COLORS[0]) -> str:
    """Horizontal bar chart of (label, count), largest first as given."""
    if not items:
        return f'<p class="empty">{escape(title)}: nothing to show.</p>'
    top = max(v for _l, v in items) or 1
    height = 30 + BAR_H * len(items)
    span = WIDTH - LEFT - 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" '
        f'font-size="12"><title>{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(items):
        y = 20 + i * BAR_H
        w = span * value / top
        text = label if len(label) <= 42 else label[:41] + "…"
        out.append(f'<text x="{LEFT - 6}" y="{y + 14}" text-anchor="end">{escape(text)}</text>')
        out.append(
            f'<rect x="{LEFT}" y="{y + 3}" width="{_n(max(w, 1))}" height="{BAR_H - 6}"'
            f' fill="{color}"><title>{escape(label)}: {value}</title></rect>'
        )
        out.append(f'<text x="{_n(LEFT + w + 4)}" y="{y + 14}">{value}</text>')
    out.append("</svg>")
    return "".join(out)


def _quantile(values: list[float], q: float) -> float:
    pos = (len(values) - 1) * q
    low = int(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


def boxes(
    title: str,
    groups: list[tuple[str, list[float]]],
    lo: float,
    hi: float,
    band: tuple[float, float] | None,
    unit: str,
) -> str:
    """One box plot per group on a shared axis from ``lo`` to ``hi``; ``band`` is shaded
    (the reference range) and labelled."""
    groups = [(g, sorted(v)) for g, v in groups if v]
    if not groups:
        return f'<p class="empty">{escape(title)}: no values recorded.</p>'
    height = 72 + BAR_H * 1.4 * len(groups)
    span = WIDTH - LEFT - 40

    def x(v: float) -> float:
        return LEFT + span * (min(max(v, lo), hi) - lo) / (hi - lo)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{_n(height)}" viewBox="0 0 {WIDTH} {_n(height)}" font-family="sans-serif"'
        f' font-size="12"><title>{escape(title)}</title>'
    ]
    bottom = height - 42
    if band:
        out.append(
            f'<rect x="{_n(x(band[0]))}" y="10" width="{_n(x(band[1]) - x(band[0]))}" '
            f'height="{_n(bottom - 10)}" fill="#e3efe3"><title>reference range '
            f"{_n(band[0])}-{_n(band[1])} {escape(unit)}</title></rect>"
        )
        out.append(
            f'<text x="{_n(x(band[1]) + 3)}" y="22" fill="#2d6a2d">reference range '
            f"{_n(band[0])}–{_n(band[1])} {escape(unit)}</text>"
        )
    for i, (label, vals) in enumerate(groups):
        y = 30 + i * BAR_H * 1.4
        q1, med, q3 = (_quantile(vals, q) for q in (0.25, 0.5, 0.75))
        p5, p95 = _quantile(vals, 0.05), _quantile(vals, 0.95)
        color = COLORS[i % len(COLORS)]
        out.append(
            f'<text x="{LEFT - 6}" y="{_n(y + 14)}" text-anchor="end">'
            f"{escape(label)} (n={len(vals)})</text>"
        )
        out.append(
            f'<line x1="{_n(x(p5))}" x2="{_n(x(p95))}" y1="{_n(y + 10)}" '
            f'y2="{_n(y + 10)}" stroke="{color}"/>'
        )
        out.append(
            f'<rect x="{_n(x(q1))}" y="{_n(y + 2)}" width="{_n(max(x(q3) - x(q1), 1))}"'
            f' height="16" fill="{color}" fill-opacity="0.35" stroke="{color}">'
            f"<title>{escape(label)}: median {med:.2f}, quartiles {q1:.2f}-{q3:.2f}, "
            f"5-95% {p5:.2f}-{p95:.2f} {escape(unit)}</title></rect>"
        )
        out.append(
            f'<line x1="{_n(x(med))}" x2="{_n(x(med))}" y1="{_n(y + 2)}" '
            f'y2="{_n(y + 18)}" stroke="{color}" stroke-width="2"/>'
        )
    ticks = 6
    for t in range(ticks + 1):
        v = lo + (hi - lo) * t / ticks
        out.append(
            f'<line x1="{_n(x(v))}" x2="{_n(x(v))}" y1="{_n(bottom)}" '
            f'y2="{_n(bottom + 5)}" stroke="#555"/>'
        )
        out.append(
            f'<text x="{_n(x(v))}" y="{_n(bottom + 18)}" text-anchor="middle">{v:.2f}</text>'
        )
    out.append(
        f'<text x="{WIDTH - 4}" y="{_n(bottom + 30)}" text-anchor="end">{escape(unit)}</text></svg>'
    )
    return "".join(out)
