"""``pollwatch forensics``: results forensics on a plain file, no database."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def forensics(
    results: Path = typer.Argument(..., help="Results file: canonical CSV, or any CSV/ZIP/XLSX with --mapping"),
    mapping: Path | None = typer.Option(None, "--mapping", help="TOML column mapping for a non-canonical file"),
    leader: str | None = typer.Option(None, "--leader", help="Candidate to test (default: most votes)"),
    seed: int | None = typer.Option(None, "--seed", min=0, help="Random seed: the same seed gives the same figures"),
    reps: int = typer.Option(1000, "--reps", min=1, help="Monte Carlo repetitions of the integer-percentage null"),
    klimek_bootstrap: int = typer.Option(
        0, "--klimek-bootstrap", min=0,
        help="Parametric-bootstrap refits for the Klimek intervals (about a second each; 0: Wald intervals)"),
    json_out: Path | None = typer.Option(None, "--json", help="Write the full report as JSON to this file"),
    html_out: Path | None = typer.Option(None, "--html", help="Write an HTML report with plots (works offline)"),
) -> None:
    """Statistical fingerprints of falsification in station-level results (Kobak; Mebane; Klimek; Shpilkin)."""
    from rich.console import Console

    from pollwatch.stats.forensics.suite import run_forensics
    from pollwatch.stats.mapping import load_mapped_results, load_mapping
    from pollwatch.stats.results import ResultsFormatError, load_results

    err = Console(stderr=True)
    try:
        with err.status(f"Reading {results}…"):
            table = load_mapped_results(results, load_mapping(mapping)) if mapping else load_results(results)
    except ResultsFormatError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if leader and leader not in table.candidates:
        typer.echo(f"error: no candidate {leader!r}; candidates are: {', '.join(table.candidates)}", err=True)
        raise typer.Exit(2)
    if reps < 1:
        typer.echo("error: --reps must be at least 1", err=True)
        raise typer.Exit(2)
    try:
        with err.status("Running the tests…") as status:
            report = run_forensics(table, leader=leader, n_resamples=reps, rng=seed, klimek_bootstrap=klimek_bootstrap,
                                   progress=lambda step: status.update(f"Running: {step}…"))
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    data = report.to_json()
    _print_summary(data)
    if json_out:
        json_out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        typer.echo(f"json: {json_out}")
    if html_out:
        from pollwatch.forensics.report_html import render_html

        html_out.write_text(render_html(report, title=results.name), encoding="utf-8")
        typer.echo(f"html: {html_out}")


def _f(value: float | None, spec: str) -> str:
    """A figure formatted with ``spec``, or "n/a" when it is undefined (null in the JSON)."""
    return "n/a" if value is None else format(value, spec)


def _ci(block: dict, name: str, spec: str) -> str:
    """ " [low, high]" for an interval stored under ``name`` (or under ``intervals[name]``), else ""."""
    interval = block.get(name) if isinstance(block.get(name), list) else (block.get("intervals") or {}).get(name)
    if not interval or interval[0] is None or interval[1] is None:
        return ""
    return f" [{format(interval[0], spec)}, {format(interval[1], spec)}]"


def _print_summary(d: dict) -> None:
    s, ip, sd = d["stations"], d["integer_percentages"], d["second_digit"]
    excluded = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["excluded"].items() if v) or "none"
    flagged = ", ".join(f"{k} {v}" for k, v in s["flagged"].items()) or "none"
    lead, last, k = sd["leader"], d["last_digit"], d["klimek"]
    lines = [
        f"stations: {s['total']} in file, {s['loaded']} readable, {s['analyzed']} analysed (excluded: {excluded})",
        f"impossible protocols kept as published (see \"flags\" in --json): {flagged}",
        f"leader: {d['leader']} — {_f(d['leader_share'], '.2%')} of ballots; turnout {_f(d['turnout'], '.2%')}",
        f"integer percentages: {ip['observed']} stations vs {_f(ip['expected_mean'], '.1f')} ± "
        f"{_f(ip['expected_sd'], '.1f')} expected; excess {_f(ip['excess'], '.1f')}"
        f"{_ci(ip, 'excess_interval', '.1f')} (p = {_f(ip['p_value'], '.4f')})",
        f"second digit (leader): mean {_f(lead['mean'], '.3f')} vs Benford {sd['benford_mean']:.3f}, "
        f"χ² {_f(lead['chi2'], '.1f')}, p = {_f(lead['p_value'], '.3g')} (n = {lead['n']})",
        f"last digit (all counts): χ² {_f(last['chi2'], '.1f')}, p = {_f(last['p_value'], '.3g')} (n = {last['n']})",
        f"turnout–share correlation: {_f(d['turnout_share_correlation'], '.3f')}"
        f"{_ci(d, 'turnout_share_correlation_interval', '.3f')}",
        f"Klimek model: incremental fraud {_f(k['f_incremental'], '.3f')}{_ci(k, 'f_incremental', '.3f')}, "
        f"extreme fraud {_f(k['f_extreme'], '.3f')}{_ci(k, 'f_extreme', '.3f')}, "
        f"alpha {_f(k['alpha'], '.2f')}{_ci(k, 'alpha', '.2f')} ({k.get('interval_method') or 'no'} 95 % intervals; "
        f"fit: Pearson residual RMS {_f(k.get('goodness_of_fit', {}).get('pearson_rmse'), '.2f')})",
        f"excess votes (Shpilkin): {_f(d['excess_votes'], ',.0f')} "
        f"({_f(d['excess_votes_detail']['share_of_leader_votes'], '.1%')} of the leader's votes)",
        f"outliers: {len(d['outliers']['near_full_turnout'])} stations with turnout ≥ 99 %, "
        f"{len(d['outliers']['identical_protocols'])} groups of identical protocols",
    ]
    flagged = [r for r in d["regions"] if r.get("flagged")]
    lines.append(f"regions flagged after Holm's correction: {len(flagged)}" + (": " + "; ".join(
        f"{r['region']} ({', '.join(r['flagged'])})" for r in flagged[:10]) if flagged else ""))
    top = [r for r in d["regions"] if r["integer_excess"] is not None and r["integer_excess"] > 0][:5]
    if top:
        lines.append("regions with most integer-percentage excess: " + "; ".join(
            f"{r['region']} +{r['integer_excess']:.0f}" for r in top))
    for line in lines:
        typer.echo(line)
