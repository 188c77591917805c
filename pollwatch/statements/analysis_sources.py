"""Placeholder sources over the mission's analyses: election forensics on the official results, and the media
monitor's figures. Registered with the built-in ones (builtin_sources.register_builtin_sources)."""

from __future__ import annotations

import math

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from pollwatch.statements import numbers as fmt
from pollwatch.statements.placeholders import PlaceholderError
from pollwatch.statements.sources import Value

FORENSICS_STATS = {
    "turnout.share": gettext_noop("official turnout"),
    "leader.share": gettext_noop("the leader's official share of the ballots"),
    "stations.analyzed": gettext_noop("stations analysed by the rate-based tests"),
    "integer_peaks.observed": gettext_noop("stations whose turnout or leader's share is an integer percentage"),
    "integer_peaks.expected": gettext_noop("such stations expected without manipulation (Monte Carlo mean)"),
    "excess_votes.count": gettext_noop("the leader's votes in excess of the clean core's ratio"),
    "excess_votes.share": gettext_noop("excess votes as a share of the leader's votes"),
    "near_full_turnout.count": gettext_noop("stations with near-100 % turnout"),
    "identical_protocols.count": gettext_noop("stations whose whole protocol is identical to another's"),
}
MEDIA_STATS = ("share", "items", "positive", "neutral", "negative")
RECONCILIATION_STATS = {
    "compared": gettext_noop("stations whose observed count was compared with the official result"),
    "differs": gettext_noop("stations where the official tally differs from our observers' count"),
    "exact": gettext_noop("stations where the official tally matches our observers' count exactly"),
    "small": gettext_noop("stations where the official tally differs from our observers' count by a few votes"),
    "large": gettext_noop("stations where the official tally differs from our observers' count by more than a few votes"),
    "impossible": gettext_noop("stations whose official or observed protocol has impossible numbers"),
}


def forensics(mission, path: list[str]) -> Value:
    """``forensics.<figure>.<statistic>`` over the election's first contest (the forensics page's figures)."""
    from pollwatch.forensics.queries import SEED, forensics_report

    key = ".".join(path)
    if key not in FORENSICS_STATS:
        raise PlaceholderError(f"write forensics.<figure>, one of {', '.join(FORENSICS_STATS)}")
    contest = mission.election.contests.order_by("pk").first()
    try:
        report = forensics_report(contest) if contest is not None else None
    except ValueError as exc:  # results the tests cannot use ("no usable stations in the results")
        raise PlaceholderError(f"the forensics cannot run on these results: {exc}") from None
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
    return Value(text=text, number=float(number), label=_("%(what)s (forensics of the official results)") % {"what": _(FORENSICS_STATS[key])},
                 query=_("official results of %(contest)s: %(loaded)s stations loaded, %(analyzed)s analysed; leader "
                         "%(leader)s; Monte Carlo seed %(seed)s")
                 % {"contest": contest, "loaded": fmt.integer(data["stations"]["loaded"]),
                    "analyzed": fmt.integer(data["stations"]["analyzed"]), "leader": data["leader"], "seed": SEED},
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
    base = _("the %(n)s news items of the mission's media monitoring") % {"n": fmt.integer(data["items"])}
    if path == ["items", "count"]:
        return Value(fmt.integer(data["items"]), float(data["items"]), _("news items monitored"), base, columns, rows)
    if path == ["loaded", "count"]:
        n = sum(r["count"] for r in data["loaded"])
        return Value(fmt.integer(n), float(n), _("uses of loaded language"),
                     _("%(base)s; flags the monitors rejected are not counted") % {"base": base},
                     ["outlet", "category", "uses"],
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
        return Value(f"{fmt.decimal(100 * row['share'])} %", 100 * row["share"], _("share of voice of %(name)s") % {"name": name},
                     _("%(base)s: words about %(name)s among words about every actor") % {"base": base, "name": name},
                     columns, rows, chart=chart)
    n = row[stat]
    label = (_("news items mentioning %(name)s") % {"name": name} if stat == "items"
             else _("news items with a %(tone)s tone towards %(name)s") % {"tone": _(stat), "name": name})
    return Value(fmt.integer(n), float(n), label,
                 _("%(base)s; tone as coded by the monitors where they coded it, else the machine's") % {"base": base},
                 columns, rows, chart=chart)


def reconciliation(mission, path: list[str]) -> Value:
    """``reconciliation.<compared|differs|exact|small|large|impossible>.count`` or
    ``reconciliation.<candidate number>.changed``: the protocol reconciliation as the public may see it (nothing
    from a count form sealed for an unpublished quick count)."""
    from pollwatch.reconciliation.queries import reconciliation_report

    if len(path) != 2 or not ((path[0] in RECONCILIATION_STATS and path[1] == "count")
                              or (path[0].isdigit() and path[1] == "changed")):
        raise PlaceholderError(f"write reconciliation.<stations>.count, the stations one of "
                               f"{', '.join(RECONCILIATION_STATS)}, or reconciliation.<candidate number>.changed")
    report = reconciliation_report(mission)
    if report.sealed and not report.compared:
        raise PlaceholderError("the count reports are sealed until the quick count is published; publish it before "
                               "citing the reconciliation")
    if not report.compared:
        raise PlaceholderError("no observed count has been compared with an official result yet")
    columns = ["region", "compared", "exact", "small", "large", "impossible", "differs"]
    rows = [[name, sum(c.values()), c["exact"], c["small"], c["large"], c["impossible"],
             sum(c.values()) - c["exact"]] for name, c in report.by_region]
    query = _("count reports (master records) of %(n)s stations against the official results of %(contest)s; "
              "small: at most 2 votes or 1 %% of the ballots per number") % {
        "n": fmt.integer(report.compared), "contest": report.contest}
    if path[1] == "count":
        n = report.differing if path[0] == "differs" else (
            report.compared if path[0] == "compared" else report.counts[path[0]])
        return Value(text=fmt.integer(n), number=float(n), label=_(RECONCILIATION_STATS[path[0]]), query=query,
                     columns=columns, rows=rows, chart=path[0])
    try:
        changed = report.changed[int(path[0]) - 1]
    except IndexError:
        raise PlaceholderError(f"no candidate number {path[0]!r} (1 to {len(report.changed)})") from None
    sign = "+" if changed.votes > 0 else ("−" if changed.votes < 0 else "")
    text = _("%(votes)s (95 %% interval %(low)s to %(high)s)") % {
        "votes": sign + fmt.integer(abs(changed.votes)), "low": fmt.integer(changed.low),
        "high": fmt.integer(changed.high)}
    return Value(text=text, number=float(changed.votes),
                 label=_("votes of %(who)s changed between the stations' count and the official tally")
                 % {"who": changed.candidate},
                 query=query + "; " + _("Σ (official − observed), 95 %% bootstrap interval over stations") % {},
                 columns=columns, rows=rows, chart="differs")
