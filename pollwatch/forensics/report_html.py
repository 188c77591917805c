"""The Plotly presentation of a forensics report: its figures (the app's page) and the self-contained HTML of
``pollwatch forensics --html`` (Plotly's JS inlined: works offline). Presentation, so outside the pure
:mod:`pollwatch.stats`; it imports no Django (the CLI uses it on a plain CSV)."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np

from pollwatch.stats.forensics.integer_peaks import is_integer_percentage
from pollwatch.stats.forensics.second_digit import BENFORD_2BL
from pollwatch.stats.forensics.suite import ForensicsReport
from pollwatch.stats.results import ResultsTable


def _same(text: str) -> str:
    return text


def forensics_figures(report: ForensicsReport, _: Callable[[str], str] = _same) -> list[tuple[str, object]]:
    """The figures with their names; ``_`` translates their words (the app passes gettext; the CLI's are English)."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    t: ResultsTable = report.table
    m = report.analyzed
    turnout = t.turnout_numerator[m] / t.registered[m] * 100
    share = t.votes[m, report.leader] / t.ballots[m] * 100
    figures: list[tuple[str, object]] = []
    for name, values, rates in ((_("Turnout"), turnout, t.turnout_numerator[m] / t.registered[m]),
                                (_("Leader's share"), share, t.votes[m, report.leader] / t.ballots[m])):
        counts, edges = np.histogram(values, bins=1000, range=(0, 100))
        fig = go.Figure(go.Bar(x=edges[:-1] + 0.05, y=counts, marker_color="#1f5f99", name=_("stations")))
        on = is_integer_percentage(rates)
        fig.add_annotation(text=_("{n} stations on integer values").format(n=int(on.sum())), xref="paper",
                           yref="paper", x=0.01, y=0.98, showarrow=False)
        fig.update_layout(title=_("{name}, 0.1-point bins: spikes at integers are drawn protocols").format(name=name),
                          xaxis_title=f"{name} (%)", yaxis_title=_("stations"), bargap=0, height=360)
        figures.append((name, fig))
    k = report.klimek
    fp = make_subplots(rows=1, cols=3, subplot_titles=(_("Observed"), _("Fitted fraud model"),
                                                       _("Goodness of fit: Pearson residuals")))
    centres = (k.edges[:-1] + k.edges[1:]) / 2 * 100
    for col, z in ((1, k.observed), (2, k.model)):
        fp.add_trace(go.Heatmap(x=centres, y=centres, z=np.log1p(z.T), colorscale="Viridis", showscale=False),
                     row=1, col=col)
    residuals = np.where(k.model >= 1, (k.observed - k.model) / np.sqrt(np.maximum(k.model, 1)), 0.0)
    fp.add_trace(go.Heatmap(x=centres, y=centres, z=residuals.T, colorscale="RdBu", zmid=0, zmin=-4, zmax=4),
                 row=1, col=3)
    fp.update_xaxes(title_text=_("turnout (%)"))
    fp.update_yaxes(title_text=_("leader's share (%)"))
    fp.update_layout(title=_("Turnout × share fingerprint (log counts); f_i = {fi}, f_e = {fe}, α = {alpha}; "
                             "residual RMS {rms}").format(fi=f"{k.f_incremental:.3f}", fe=f"{k.f_extreme:.3f}",
                                                          alpha=f"{k.alpha:.2f}", rms=f"{k.gof_rmse:.2f}"),
                     height=420)
    figures.append((_("Fingerprint"), fp))
    if report.comet is not None:
        figures.append((_("Comet"), _comet_figure(report, go, _)))
    sd = report.second_digit_leader
    observed = np.array(sd.frequencies) / max(sd.n, 1)
    bars = go.Figure([go.Bar(x=list(range(10)), y=observed, name=_("leader's counts")),
                      go.Scatter(x=list(range(10)), y=BENFORD_2BL, name="Benford", mode="lines+markers")])
    bars.update_layout(title=_("Second digit of the leader's counts: mean {mean} vs {benford}").format(
                           mean=f"{sd.mean:.3f}", benford=f"{sd.benford_mean:.3f}"),
                       xaxis_title=_("second digit"), yaxis_title=_("share"), height=360)
    figures.append((_("Second digit"), bars))
    return figures


COMET_POINTS = 30_000  # points drawn at most (an even subsample beyond): the page stays light


def _comet_figure(report: ForensicsReport, go: Any, _: Callable[[str], str] = _same) -> object:
    """Kobak et al.'s comet: every station a point of turnout × leader's share, prominent integer lines drawn."""
    c = report.comet
    assert c is not None
    keep = np.arange(c.n) if c.n <= COMET_POINTS else np.linspace(0, c.n - 1, COMET_POINTS).astype(np.int64)
    fig = go.Figure(go.Scattergl(x=c.turnout[keep] * 100, y=c.share[keep] * 100, mode="markers",
                                 marker={"size": 2, "color": "#1f5f99", "opacity": 0.35}, name=_("stations")))
    for line in c.prominent():
        spec = ({"x0": line.percent, "x1": line.percent, "y0": 0, "y1": 100} if line.axis == "turnout" else
                {"y0": line.percent, "y1": line.percent, "x0": 0, "x1": 100})
        fig.add_shape(type="line", line={"color": "#c0392b", "width": 1, "dash": "dot"}, **spec)
    shown = "" if c.n <= COMET_POINTS else " " + _("({shown} of {n} stations shown)").format(
        shown=f"{COMET_POINTS:,}", n=f"{c.n:,}")
    title = _("Comet: turnout × leader's share per station{shown}; dotted: integer lines with excess stations "
              "({lines}); head at {turnout} % / {share} %, {tail} % of stations in the tail").format(
        shown=shown, lines=len(c.prominent()), turnout=f"{c.head[0] * 100:.0f}", share=f"{c.head[1] * 100:.0f}",
        tail=f"{c.tail_fraction * 100:.1f}")
    fig.update_layout(title=title, xaxis={"title": _("turnout (%)"), "range": [0, 100]},
                      yaxis={"title": _("leader's share (%)"), "range": [0, 100]}, height=520)
    return fig


def render_html(report: ForensicsReport, *, title: str = "results") -> str:
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    d = report.to_json()
    parts = [f"<h2>{html.escape(name)}</h2>" + pio.to_html(fig, include_plotlyjs=False, full_html=False)
             for name, fig in forensics_figures(report)]
    ip = d["integer_percentages"]
    def f(value: float | None, spec: str) -> str:
        return "n/a" if value is None else format(value, spec)

    rows = "".join(
        f"<tr><td>{html.escape(r['region'])}</td><td>{r['stations']}</td><td>{r['analyzed']}</td>"
        f"<td>{f(r['turnout'], '.1%')}</td><td>{f(r['leader_share'], '.1%')}</td><td>{r['integer_observed']}</td>"
        f"<td>{f(r['integer_expected'], '.1f')}</td><td>{f(r['integer_excess'], '+.1f')}</td>"
        f"<td>{f(r['second_digit_mean'], '.3f')}</td><td>{f(r['second_digit_p_value'], '.2g')}</td>"
        f"<td>{f(r['last_digit_p_value'], '.2g')}</td><td>{f(r['turnout_share_correlation'], '.2f')}</td>"
        f"<td>{f(r['excess_votes'], ',.0f')}</td><td>{r['near_full_turnout']}</td>"
        f"<td>{r['identical_protocols']}</td></tr>"
        for r in d["regions"]
    )
    summary = (
        f"<p>{d['stations']['analyzed']} of {d['stations']['total']} stations analysed. Leader: "
        f"<b>{html.escape(d['leader'])}</b>, {d['leader_share']:.2%} of ballots; turnout {d['turnout']:.2%}.</p>"
        f"<p>Integer percentages: {ip['observed']} stations observed vs {ip['expected_mean']:.1f} ± "
        f"{ip['expected_sd']:.1f} expected — excess <b>{ip['excess']:.1f}</b> (p = {ip['p_value']:.4f}). "
        f"Excess votes (Shpilkin): <b>{f(d['excess_votes'], ',.0f')}</b>.</p>"
    )
    excluded = ", ".join(f"{html.escape(k.replace('_', ' '))}: {v}" for k, v in d["stations"]["excluded"].items()
                         if v) or "none"
    listed = [*d["problems"], *d["flags"]]
    issues = "".join(
        f"<tr><td>{p['line'] or ''}</td><td>{html.escape(p['station_id'])}</td><td>{html.escape(p['column'])}</td>"
        f"<td style='text-align:left'>{html.escape(p['reason'])}</td></tr>" for p in listed[:500]
    )
    more = f"<p>… and {len(listed) - 500} more (all in --json).</p>" if len(listed) > 500 else ""
    summary += (
        f"<p>Stations left out of the rate-based tests — {excluded}. Rows that could not be read are listed "
        "below with protocols kept as published but whose numbers cannot all be true.</p>"
    )
    issues_table = (
        "<h2>Unreadable rows and impossible protocols</h2><table><tr><th>Line</th><th>Station</th><th>Column</th>"
        f"<th style='text-align:left'>Reason</th></tr>{issues}</table>{more}" if listed else ""
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>pollwatch forensics — {html.escape(title)}</title>
<script>{get_plotlyjs()}</script>
<style>body{{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;color:#1d2733}}
table{{border-collapse:collapse;width:100%}}td,th{{padding:.3rem .5rem;border-bottom:1px solid #dde3ea;text-align:right}}
td:first-child,th:first-child{{text-align:left}}</style></head><body>
<h1>Results forensics: {html.escape(title)}</h1>{summary}{''.join(parts)}
<h2>Regions (sorted by integer-percentage excess)</h2><table><tr><th>Region</th><th>Stations</th><th>Analysed</th>
<th>Turnout</th><th>Leader</th><th>Integer obs.</th><th>Integer exp.</th><th>Integer excess</th><th>2BL mean</th>
<th>2BL p</th><th>Last digit p</th><th>Turnout–share r</th><th>Excess votes</th><th>Turnout ≥ 99 %</th>
<th>Identical</th></tr>{rows}</table>{issues_table}
<p>Methods: Kobak, Shpilkin &amp; Pshenichnikov (2016); Mebane (2006); Beber &amp; Scacco (2012); Klimek et al. (2012);
Shpilkin. See docs/forensics.md.</p></body></html>"""
