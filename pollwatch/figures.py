"""Plotly figures in pages without inline scripts.

Plotly's ``to_html`` writes a ``<script>Plotly.newPlot(…)</script>`` per figure, which a Content-Security-Policy
without ``'unsafe-inline'`` scripts (settings: ``CONTENT_SECURITY_POLICY``) refuses to run. So a figure is a
``<div class="plotly-figure">`` carrying its JSON in a data attribute, and the static ``pollwatch/figures.js`` draws
every such div when the page loads or HTMX swaps one in.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def figure_div(figure: Any, *, config: dict[str, Any] | None = None, links: bool = False,
               validate: bool = True) -> SafeString:
    """``figure`` (a ``go.Figure`` or a plain ``{"data", "layout"}`` dict) as a div that figures.js draws.

    ``links``: each point's ``customdata`` is the URL of the list behind it, followed on click (charts.js).
    """
    import plotly.io as pio

    spec = pio.to_json(figure, validate=validate)
    options = {"displaylogo": False, "responsive": True, **(config or {})}
    return format_html('<div class="plotly-graph-div plotly-figure" data-figure="{}" data-config="{}"{}></div>', spec,
                       json.dumps(options), mark_safe(' data-links="1"') if links else "")
