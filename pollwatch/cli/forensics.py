"""``pollwatch forensics``: results forensics on a plain file, no database."""

from __future__ import annotations

import json
from pathlib import Path

import typer


def forensics(
    results: Path = typer.Argument(..., help="Results file: canonical CSV, or any CSV/ZIP/XLSX with --mapping"),
    mapping: Path | None = typer.Option(None, "--mapping", help="TOML column mapping for a non-canonical file"),
    leader: str | None = typer.Option(None, "--leader", help="Candidate to test (default: most votes)"),
    seed: int | None = typer.Option(None, "--seed", help="Random seed: the same seed gives the same figures"),
    reps: int = typer.Option(1000, "--reps", help="Monte Carlo repetitions of the integer-percentage null"),
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
            report = run_forensics(table, leader=leader, n_resamples=reps, rng=seed,
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
        from pollwatch.stats.forensics.report_html import render_html

        html_out.write_text(render_html(report, title=results.name), encoding="utf-8")
        typer.echo(f"html: {html_out}")


def _print_summary(d: dict) -> None:
    s, ip, sd = d["stations"], d["integer_percentages"], d["second_digit"]
    excluded = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in s["excluded"].items() if v) or "none"
    lines = [
        f"stations: {s['total']} in file, {s['loaded']} readable, {s['analyzed']} analysed (excluded: {excluded})",
        f"leader: {d['leader']} — {d['leader_share']:.2%} of ballots; turnout {d['turnout']:.2%}",
        f"integer percentages: {ip['observed']} stations vs {ip['expected_mean']:.1f} ± {ip['expected_sd']:.1f} "
        f"expected; excess {ip['excess']:.1f} (p = {ip['p_value']:.4f})",
        f"second digit (leader): mean {sd['leader']['mean']:.3f} vs Benford {sd['benford_mean']:.3f}, "
        f"χ² {sd['leader']['chi2']:.1f}, p = {sd['leader']['p_value']:.3g} (n = {sd['leader']['n']})",
        f"last digit (all counts): χ² {d['last_digit']['chi2']:.1f}, p = {d['last_digit']['p_value']:.3g}",
        f"turnout–share correlation: {d['turnout_share_correlation']:.3f}",
        f"Klimek model: incremental fraud {d['klimek']['f_incremental']:.3f}, extreme fraud "
        f"{d['klimek']['f_extreme']:.3f}, alpha {d['klimek']['alpha']:g}",
        f"excess votes (Shpilkin): {d['excess_votes']:,.0f} "
        f"({d['excess_votes_detail']['share_of_leader_votes']:.1%} of the leader's votes)",
        f"outliers: {len(d['outliers']['near_full_turnout'])} stations with turnout ≥ 99 %, "
        f"{len(d['outliers']['identical_protocols'])} groups of identical protocols",
    ]
    top = [r for r in d["regions"] if r["integer_excess"] > 0][:5]
    if top:
        lines.append("regions with most integer-percentage excess: " + "; ".join(
            f"{r['region']} +{r['integer_excess']:.0f}" for r in top))
    for line in lines:
        typer.echo(line)
