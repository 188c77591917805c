"""``pollwatch pvt``: quick-count sample size, drawing, estimation and validation, on plain CSV files."""

from __future__ import annotations

import json
from pathlib import Path

import typer

app = typer.Typer(help="Parallel vote tabulation (quick count).", no_args_is_help=True)

StrataOption = typer.Option(None, "--strata", help="Stratum column (e.g. region); repeat to cross columns")
JsonFlag = typer.Option(False, "--json", help="Print the result as JSON on stdout")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1))


@app.command("sample-size")
def sample_size_command(
    voters: int = typer.Option(..., "--voters", help="Registered voters (N)"),
    stations: int = typer.Option(..., "--stations", help="Polling stations (K)"),
    margin: float = typer.Option(..., "--margin", help="Margin of error as a fraction, e.g. 0.01 for ±1 point"),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence level"),
    p: float = typer.Option(0.5, "--p", help="Expected share (0.5 is the most demanding)"),
    deff: float = typer.Option(1.0, "--deff", help="Design effect (clustering of voters in stations)"),
    response_rate: float = typer.Option(1.0, "--response-rate", help="Expected share of sample stations reporting"),
    as_json: bool = JsonFlag,
) -> None:
    """Sample size of a quick count: n = P(1−P) / (E²/Z² + P(1−P)/N), in voters and in stations."""
    from pollwatch.stats.pvt.sample_size import sample_size

    if 1 <= margin < 100:  # "--margin 1" can only mean one percentage point
        margin = margin / 100
    try:
        result = sample_size(voters, stations, margin, confidence=confidence, p=p, deff=deff,
                             response_rate=response_rate)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        _print_json(result.as_dict())
        return
    typer.echo(f"voters: {result.voters}")
    typer.echo(f"stations: {result.stations}")
    typer.echo(f"(margin ±{margin:.2%} at {confidence:.0%} confidence, P = {p}, mean station "
               f"{result.mean_station_size:.1f} voters, design effect {deff}, response rate {response_rate:.0%})")


@app.command("draw")
def draw_command(
    frame: Path = typer.Argument(..., help="FRAME.csv: station_id, registered and any stratum columns"),
    size: int = typer.Option(..., "--size", min=1, help="Stations in the main sample"),
    seed: int = typer.Option(..., "--seed", min=0, help="Random seed: the same seed draws the same sample"),
    out: Path = typer.Option(..., "--out", help="Where to write SAMPLE.csv"),
    strata: list[str] | None = StrataOption,
    by: str = typer.Option("stations", "--by", help="Allocate proportionally to 'stations' or 'voters'"),
    reserve: int = typer.Option(0, "--reserve", min=0, help="Reserve stations per stratum"),
) -> None:
    """Draw a stratified random sample of stations (proportional allocation, at least 2 per stratum)."""
    import csv

    from pollwatch.stats.pvt.frame import load_frame
    from pollwatch.stats.pvt.sampling import draw_sample
    from pollwatch.stats.results import ResultsFormatError

    try:
        population = load_frame(frame)
        sample = draw_sample(population, size, strata=strata, by=by, reserve=reserve, rng=seed)
    except (ResultsFormatError, ValueError) as exc:
        raise _fail(str(exc)) from None
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["station_id", "stratum", "registered", "reserve"])
        for i, label, spare in zip(sample.index, sample.stratum, sample.reserve, strict=True):
            writer.writerow([population.station_id[i], label, population.registered[i], int(spare)])
    thin = [name for name, n in sample.allocation.items() if n < 2]
    if thin:
        typer.echo(f"warning: {len(thin)} stratum/strata get one station ({', '.join(thin[:5])}): their variance "
                   "cannot be estimated and `estimate` will merge them with a neighbour; use fewer strata or a "
                   "larger sample", err=True)
    main = int((~sample.reserve).sum())
    typer.echo(f"{out}: {main} stations in {len(sample.allocation)} strata"
               + (f", {int(sample.reserve.sum())} reserves" if reserve else ""))


@app.command("estimate")
def estimate_command(
    frame: Path = typer.Argument(..., help="FRAME.csv of the whole population"),
    results: Path = typer.Argument(..., help="Canonical results CSV of the sample stations that reported"),
    design: str = typer.Option("stratified", "--design", help="srs or stratified"),
    strata: list[str] | None = StrataOption,
    method: str = typer.Option("combined", "--method", help="Stratified ratio estimator: combined or separate"),
    confidence: float = typer.Option(0.95, "--confidence"),
    as_json: bool = JsonFlag,
) -> None:
    """Estimate every candidate's share of valid votes and turnout, with margins of error."""
    from pollwatch.stats.pvt.frame import load_frame
    from pollwatch.stats.pvt.quick_count import estimate_quick_count
    from pollwatch.stats.results import ResultsFormatError, load_results

    try:
        population = load_frame(frame)
        reported = load_results(results)
        estimate = estimate_quick_count(population, reported, design=design, strata=strata, method=method,
                                        confidence=confidence)
    except (ResultsFormatError, ValueError) as exc:
        raise _fail(str(exc)) from None
    for problem in reported.problems:
        typer.echo(f"warning: line {problem.line} ({problem.station_id}) not used: {problem.reason}", err=True)
    for problem in estimate.excluded:
        typer.echo(f"warning: station {problem.station_id} excluded: {problem.reason}", err=True)
    for warning in estimate.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        _print_json(estimate.as_dict())
        return
    typer.echo(f"stations reported: {estimate.stations_reported} of {len(population)} in the frame "
               f"({design}, {method} ratio estimator)")
    t = estimate.turnout
    typer.echo(f"turnout: {t.estimate:.2%} ± {t.moe:.2%}")
    for name, e in estimate.candidates.items():
        typer.echo(f"{name}: {e.estimate:.2%} ± {e.moe:.2%}  [{e.ci_low:.2%}, {e.ci_high:.2%}]")


@app.command("validate")
def validate_command(
    results: Path = typer.Argument(..., help="Canonical results CSV of every station: the population"),
    size: int = typer.Option(..., "--size", min=1, help="Stations per simulated sample"),
    reps: int = typer.Option(..., "--reps", min=1, help="Simulated samples"),
    seed: int = typer.Option(..., "--seed", min=0, help="Random seed"),
    strata: str | None = typer.Option(None, "--strata", help="Stratify by 'region' or 'district'"),
    design: str = typer.Option("stratified", "--design", help="srs or stratified"),
    method: str = typer.Option("combined", "--method", help="combined or separate"),
    take_all_above: int | None = typer.Option(None, "--take-all-above", min=1,
                                              help="Take every station with at least this many registered voters "
                                                   "in each sample (a certainty stratum, e.g. remote e-voting)"),
    as_json: bool = JsonFlag,
) -> None:
    """Check the intervals: draw many samples from a full result, estimate, and count how often the normal and the
    logit intervals cover the true value."""
    from rich.console import Console
    from rich.progress import Progress

    from pollwatch.stats.pvt.quick_count import validate_quick_count
    from pollwatch.stats.results import ResultsFormatError, load_results

    if design == "srs":
        strata = None
    try:
        population = load_results(results)
        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("Simulating quick counts…", total=reps)
            result = validate_quick_count(population, size=size, reps=reps, strata=strata, design=design,
                                          method=method, rng=seed, take_all_above=take_all_above,
                                          progress=lambda done: bar.update(task, completed=done))
    except (ResultsFormatError, ValueError) as exc:
        raise _fail(str(exc)) from None
    for problem in population.problems:
        typer.echo(f"warning: line {problem.line} ({problem.station_id}) not in the population: {problem.reason}",
                   err=True)
    for problem in result.population_excluded:
        typer.echo(f"warning: line {problem.line} ({problem.station_id}) not in the population: {problem.reason}",
                   err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        _print_json(result.as_dict())
        return
    typer.echo(f"{reps} samples of {size} stations ({design}{', by ' + strata if strata else ''}) "
               f"from {result.population_stations} stations")
    typer.echo(f"{'':40} {'share':>7}  coverage  logit cov.  bias      mean MoE")
    rows = [("turnout", result.turnout), *result.candidates.items()]
    for name, c in rows:
        typer.echo(f"{name[:40]:40} {c.truth:7.2%}  {c.coverage:8.1%}  {c.logit_coverage:10.1%}  {c.bias:+.4%}  "
                   f"±{c.mean_moe:.3%}")
    typer.echo("coverage: estimate ± MoE; logit cov.: the logit interval (the app's), which stays inside 0–100 %")
