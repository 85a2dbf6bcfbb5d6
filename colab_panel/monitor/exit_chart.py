"""A small static SVG of a dead kernel's last minutes: RAM (and GPU memory) against their limits.

Static on purpose: it is shown once, after the fact, and must render anywhere (Colab, Jupyter,
a CLI writing a file) with no JavaScript and no chart library.
"""

from __future__ import annotations

import html
from typing import Any

__all__ = ["exit_chart_svg"]

# theme colours (js/theme.css), set as styles: SVG presentation attributes do not take var()
_COLORS = {"ram": "var(--cp-accent)", "gpu": "var(--cp-warn)"}


def exit_chart_svg(exit_: Any, *, width: int = 360, height: int = 90) -> str:
    series = exit_.series
    times = series.get("t") or []
    if len(times) < 2:
        return ""
    t0, t1 = times[0], times[-1]
    span = max(t1 - t0, 1e-9)
    pad = 4
    lines = []
    legend = []
    for key, total, label in (("ram", exit_.ram_total_bytes, "RAM"), ("gpu", exit_.gpu_memory_total_bytes, "GPU memory")):
        values = series.get(key) or []
        known = [v for v in values if v is not None]
        if not known:
            continue
        top = max(total or 0, max(known)) or 1
        points = " ".join(f"{pad + (t - t0) / span * (width - 2 * pad):.1f},"
                          f"{height - pad - v / top * (height - 2 * pad):.1f}"
                          for t, v in zip(times, values) if v is not None)
        lines.append(f'<polyline fill="none" style="stroke:{_COLORS[key]}" stroke-width="1.5" points="{points}"/>')
        # the series' colour on a swatch, the words in the text colour (a hue alone on the
        # warning box's tint does not reach 4.5:1 in every theme)
        legend.append(f'<tspan aria-hidden="true" style="fill:{_COLORS[key]}">\u2501</tspan> {html.escape(label)}')
    if not lines:
        return ""
    limit_y = pad  # both series are scaled to their limit: the top edge is "full"
    minutes = span / 60
    caption = f"last {minutes:.1f} min" if minutes >= 1 else f"last {span:.0f} s"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="cp-last-exit-chart" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="memory in the last minutes">'
            f'<rect x="0.5" y="0.5" width="{width - 1}" height="{height - 1}" fill="none" style="stroke:var(--cp-border)"/>'
            f'<line x1="{pad}" x2="{width - pad}" y1="{limit_y}" y2="{limit_y}" style="stroke:var(--cp-bad)" '
            f'stroke-dasharray="4 3"/>{"".join(lines)}'
            f'<text x="{pad + 2}" y="{height - pad - 2}" font-size="10" font-family="sans-serif" style="fill:var(--cp-fg)">'
            f'{" · ".join(legend)} ({caption}; dashed: limit)</text></svg>')
