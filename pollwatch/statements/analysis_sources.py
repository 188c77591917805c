"""Placeholder sources over the mission's analyses: election forensics on the official results, and the media
monitor's figures. Registered with the built-in ones (builtin_sources.register_builtin_sources)."""

from __future__ import annotations

import math

from pollwatch.statements import numbers as fmt
from pollwatch.statements.placeholders import PlaceholderError
from pollwatch.statements.sources import Value

FORENSICS_STATS = {
    "turnout.share": "official turnout",
    "leader.share": "the leader's official share of the ballots",
    "stations.analyzed": "stations analysed by the rate-based tests",
    "integer_peaks.observed": "stations whose turnout or leader's share is an integer percentage",
    "integer_peaks.expected": "such stations expected without manipulation (Monte Carlo mean)",
    "excess_votes.count": "the leader's votes in excess of the clean core's ratio",
    "excess_votes.share": "excess votes as a share of the leader's votes",
    "near_full_turnout.count": "stations with near-100 % turnout",
    "identical_protocols.count": "stations whose whole protocol is identical to another's",
}
MEDIA_STATS = ("share", "items", "positive", "neutral", "negative")


def forensics(mission, path: list[str]) -> Value:
    """``forensics.<figure>.<statistic>`` over the election's first contest (the forensics page's figures)."""
    from pollwatch.forensics.queries import SEED, forensics_report

    key = ".".join(path)
    if key not in FORENSICS_STATS:
        raise PlaceholderError(f"write forensics.<figure>, one of {', '.join(FORENSICS_STATS)}")
    contest = mission.election.contests.order_by("pk").first()
    report = forensics_report(contest) if contest is not None else None
    if report is None:
        raise PlaceholderError("the election has no official results yet: nothing for the forensics to test")
    data = report.to_json()
    number, text = {
        "turnout.share": lambda: (100 * data["turnout"], f"{fmt.decimal(100 * data['turnout'])} %"),
        "leader.share": lambda: (100 * data["leader_share"], f"{fmt.decimal(100 * data['leader_share'])} %"),
        "stations.analyzed": lambda: (data["stations"]["analyzed"], fmt.integer(data["stations"]["analyzed"])),
        "integer_peaks.observed": lambda: (data["integer_percentages"]["observed"],
                                           fmt.integer(data["integer_percentages"]["observed"])),
        "integer_peaks.expected": lambda: (data["integer_percentages"]["expected_mean"],
                                           fmt.decimal(data["integer_percentages"]["expected_mean"])),
        "excess_votes.count": lambda: (data["excess_votes"], fmt.integer(data["excess_votes"] or 0)),
        "excess_votes.share": lambda: (100 * (data["excess_votes_detail"]["share_of_leader_votes"] or 0),
                                       fmt.decimal(100 * (data["excess_votes_detail"]["share_of_leader_votes"]
                                                          or 0)) + " %"),
        "near_full_turnout.count": lambda: (len(data["outliers"]["near_full_turnout"]),
                                            fmt.integer(len(data["outliers"]["near_full_turnout"]))),
        "identical_protocols.count": lambda: (sum(len(g) for g in data["outliers"]["identical_protocols"]),
                                              fmt.integer(sum(len(g) for g in data["outliers"]["identical_protocols"]))),
    }[key]()
    if number is None or (isinstance(number, float) and not math.isfinite(number)):
        raise PlaceholderError(f"forensics.{key} is undefined for these results (too few usable stations)")
    rows = [[r["region"], r["stations"], r["analyzed"], round(100 * (r["turnout"] or 0), 1),
             round(100 * (r["leader_share"] or 0), 1), r["integer_observed"], round(r["integer_expected"] or 0, 1),
             r["near_full_turnout"]] for r in data["regions"]]
    return Value(text=text, number=float(number), label=f"{FORENSICS_STATS[key]} (forensics of the official results)",
                 query=(f"official results of {contest}: {data['stations']['loaded']:,} stations loaded, "
                        f"{data['stations']['analyzed']:,} analysed; leader {data['leader']}; Monte Carlo seed {SEED}"),
                 columns=["region", "stations", "analysed", "turnout %", "leader %", "integer % stations",
                          "expected", "near-full turnout"], rows=rows,
                 chart={"turnout.share": "turnout %", "leader.share": "leader %", "integer_peaks.observed":
                        "integer % stations", "integer_peaks.expected": "expected", "near_full_turnout.count":
                        "near-full turnout", "stations.analyzed": "analysed"}.get(key, "leader %"))


def media(mission, path: list[str]) -> Value:
    """``media.items.count``, ``media.loaded.count`` or ``media.<actor key>.share|items|positive|neutral|negative``."""
    from pollwatch.media.models import Actor
    from pollwatch.media.queries import report

    if path not in (["items", "count"], ["loaded", "count"]) and (len(path) != 2 or path[1] not in MEDIA_STATS):
        raise PlaceholderError(f"write media.items.count, media.loaded.count or media.<actor>.<statistic>, the "
                               f"statistic one of {', '.join(MEDIA_STATS)}")
    data = report(mission)
    if not data["items"]:
        raise PlaceholderError("no news items monitored yet (import them under Media)")
    actors = {r["actor"]: r for r in data["actors"]}
    rows = [[r["actor"], r["items"], r["words"], round(100 * r["share"], 1), r["positive"], r["neutral"],
             r["negative"]] for r in data["actors"]]
    columns = ["actor", "items", "words", "share of voice %", "positive", "neutral", "negative"]
    chart = {"share": "share of voice %", "items": "items"}.get(path[1], path[1])
    base = f"the {data['items']:,} news items of the mission's media monitoring"
    if path == ["items", "count"]:
        return Value(fmt.integer(data["items"]), float(data["items"]), "news items monitored", base, columns, rows)
    if path == ["loaded", "count"]:
        n = sum(r["count"] for r in data["loaded"])
        return Value(fmt.integer(n), float(n), "uses of loaded language", f"{base}; flags the monitors rejected "
                     "are not counted", ["outlet", "category", "uses"],
                     [[r["outlet"], r["category"], r["count"]] for r in data["loaded"]])
    names = dict(Actor.objects.filter(mission=mission).values_list("key", "name"))
    name = names.get(path[0])
    if name is None:
        raise PlaceholderError(f"no media actor {path[0]!r} (actors: {', '.join(sorted(names)[:20]) or 'none'})")
    row = actors.get(name)
    if row is None:
        raise PlaceholderError(f"{name} is not mentioned in the monitored news items")
    stat = path[1]
    if stat == "share":
        return Value(f"{fmt.decimal(100 * row['share'])} %", 100 * row["share"], f"share of voice of {name}",
                     f"{base}: words about {name} among words about every actor", columns, rows, chart=chart)
    n = row[stat]
    label = f"news items mentioning {name}" if stat == "items" else f"news items with a {stat} tone towards {name}"
    return Value(fmt.integer(n), float(n), label, f"{base}; tone as coded by the monitors where they coded it, "
                 "else the machine's", columns, rows, chart=chart)
