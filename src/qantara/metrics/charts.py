"""Small self-contained SVG charts of a metric over time (no scripts, no external assets).

Every label is escaped: a project or model name read from a file is text, never markup.
Output is deterministic: same series, same bytes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 500, 220, 40, 40, 52

LABELS = {
    "deploymentFrequency": ("Deployments per day", "{:.2f}"),
    "leadTime": ("Lead time (hours, median)", "{:.1f}"),
    "mttr": ("Time to recover (hours, mean)", "{:.1f}"),
    "changeFailureRate": ("Change failure rate", "{:.0%}"),
}


def _day(iso: str) -> str:
    import datetime as dt

    value = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return f"{value.day} {value:%b}"


def _bar(i: int, n: int, value: float, top: float, fmt: str) -> str:
    plot_w, plot_h = WIDTH - PAD_LEFT - 10, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / n
    h = 0 if top == 0 else plot_h * value / top
    x, y = PAD_LEFT + i * slot + slot * 0.15, PAD_TOP + plot_h - h
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="#2b6cb0"/>'
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 3:.1f}" font-size="10" text-anchor="middle">{escape(fmt.format(value))}</text>')


def metric_svg(metric: str, points: list[dict], title: str = "") -> str:
    """A bar chart of `metric` per period; periods without data are marked `no data`."""
    label, fmt = LABELS[metric]
    values = [p.get(metric) for p in points]
    top = max([v for v in values if v is not None] or [0]) or 1.0
    n = max(len(points), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'role="img" aria-label="{escape(label + " " + title, {chr(34): "&quot;"})}" font-family="sans-serif">',
             f'<text x="10" y="16" font-size="13" font-weight="bold">{escape(label)}</text>'
             f'<text x="10" y="30" font-size="10" fill="#555">{escape(title)}</text>',
             f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - 10}" y2="{HEIGHT - PAD_BOTTOM}" stroke="#555"/>']
    slot = (WIDTH - PAD_LEFT - 10) / n
    for i, (point, value) in enumerate(zip(points, values)):
        cx = PAD_LEFT + i * slot + slot / 2
        if value is None:
            parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - PAD_BOTTOM - 4}" font-size="9" fill="#888" text-anchor="middle">no data</text>')
        else:
            parts.append(_bar(i, n, value, top, fmt))
        parts.append(f'<text x="{cx:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="9" text-anchor="middle">'
                     f'{escape(_day(point["start"]))}</text>')
    if not points:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" fill="#888">no data</text>')
    parts.append(f'<text x="{PAD_LEFT}" y="{HEIGHT - 6}" font-size="9" fill="#555">period starting (UTC)</text>')
    parts.append("</svg>")
    return "".join(parts)
