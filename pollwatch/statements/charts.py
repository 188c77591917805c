"""The chart of an evidence table: horizontal bars drawn as inline SVG on the server, so the same chart shows on
the mission's evidence page, on the public page (no script, nothing fetched) and could go into a PDF."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape

MAX_BARS = 40  # a longer table is read as a table; the chart shows its first MAX_BARS rows
BAR, GAP, LABEL_W, PLOT_W, VALUE_W = 16, 4, 190, 360, 70


def chart_column(columns: list[str], rows: list[list[Any]], preferred: str = "") -> int | None:
    """The column to draw: ``preferred`` if given, else the last numeric column; None if none is numeric."""
    if preferred in columns:
        return columns.index(preferred)
    numeric = [i for i in range(1, len(columns))
               if rows and all(isinstance(r[i], int | float) and not isinstance(r[i], bool) for r in rows)]
    return numeric[-1] if numeric else None


def bar_chart_svg(columns: list[str], rows: list[list[Any]], preferred: str = "") -> str:
    """SVG markup of one bar per row (label: the first column), or "" when there is nothing to draw."""
    col = chart_column(columns, rows, preferred) if len(columns) > 1 else None
    if col is None or not rows:
        return ""
    shown = rows[:MAX_BARS]
    values = [float(r[col]) if isinstance(r[col], int | float) else 0.0 for r in shown]
    top = max([v for v in values if v > 0], default=0.0)
    height = 24 + len(shown) * (BAR + GAP)
    width = LABEL_W + PLOT_W + VALUE_W
    title = escape(f"{columns[col]} per {columns[0]}")
    parts = [f'<svg class="evidence-chart" role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, sans-serif" '
             f'font-size="11"><title>{title}</title>',
             f'<text x="0" y="14" font-weight="bold">{title}</text>']
    for k, (row, value) in enumerate(zip(shown, values, strict=True)):
        y = 24 + k * (BAR + GAP)
        w = 0 if top == 0 else max(1, round(PLOT_W * max(value, 0) / top))
        # the row's words (region; category · severity) label its bar
        words = [str(c) for i, c in enumerate(row) if i != col and not isinstance(c, int | float)]
        label = escape(" · ".join(words or [str(row[0])])[:36])
        shown_value = f"{value:,.1f}" if value % 1 else f"{value:,.0f}"
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + BAR - 4}" text-anchor="end">{label}</text>'
                     f'<rect x="{LABEL_W}" y="{y}" width="{w}" height="{BAR}" fill="#4a6fa5"/>'
                     f'<text x="{LABEL_W + w + 4}" y="{y + BAR - 4}">{shown_value}</text>')
    parts.append("</svg>")
    if len(rows) > MAX_BARS:
        parts.append(f'<p class="meta">first {MAX_BARS} of {len(rows)} rows; all of them in the table and the CSV</p>')
    return "".join(parts)
