"""Plotly figures of the media report (drawn by the bundled plotly.min.js, no CDN)."""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

TONE_COLOURS = {"positive": "#2e7d32", "neutral": "#9e9e9e", "negative": "#c62828"}


def _html(fig) -> str:
    from pollwatch.figures import figure_div

    fig.update_layout(margin={"l": 40, "r": 10, "t": 40, "b": 40}, height=380, template="plotly_white")
    return figure_div(fig)


def share_of_voice(rows: list[dict]) -> str:
    """Stacked bars: per outlet, each actor's share of the words about actors."""
    import plotly.graph_objects as go

    outlets = sorted({r["outlet"] for r in rows})
    by_actor: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        by_actor[r["actor"]][r["outlet"]] = 100 * r["share"]
    fig = go.Figure([go.Bar(name=actor, x=outlets, y=[shares.get(o, 0) for o in outlets])
                     for actor, shares in by_actor.items()])
    fig.update_layout(barmode="stack", title=_("Share of voice by outlet (percentage of words about actors)"),
                      yaxis={"title": "%", "range": [0, 100]})
    return _html(fig)


def tone_by_actor(actors: list[dict], *, top: int = 15) -> str:
    """Stacked horizontal bars: items per actor by tone (monitors' tone where coded, else the machine's)."""
    import plotly.graph_objects as go

    rows = actors[:top][::-1]
    from pollwatch.media.models import Tone

    fig = go.Figure([go.Bar(name=str(Tone(tone).label), y=[r["actor"] for r in rows], x=[r[tone] for r in rows],
                            orientation="h", marker_color=colour) for tone, colour in TONE_COLOURS.items()])
    fig.update_layout(barmode="stack", title=_("Tone towards each actor (items)"), xaxis={"title": _("items")})
    return _html(fig)
