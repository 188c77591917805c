"""The forensics pages of a mission's election: figures, regional table, drill-down to stations."""

from __future__ import annotations

import numpy as np
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pollwatch.collection.access import visible_submissions
from pollwatch.forensics.queries import forensics_report
from pollwatch.missions.access import access_mission_by_slug
from pollwatch.stats.forensics.suite import station_flags
from pollwatch.web.params import id_param

BREAKDOWNS = {"region": _("Region"), "district": _("District")}
BREAKDOWN_HEADINGS = {"region": _("By region"), "district": _("By district")}
FILTERS = {
    "on_integer": _("turnout or leader's share on an integer percentage"),
    "near_full": _("turnout ≥ 99 %"),
    "identical": _("identical protocols"),
}
# The suite's tests a region can be flagged for (ForensicsReport.regions[].flagged), as the page names them.
TESTS = {"integer_excess": _("integer percentages"), "second_digit": _("second digit"),
         "last_digit": _("last digit")}


def _contest(mission, request):
    contests = mission.election.contests.all()
    contest_id = id_param(request.GET, "contest")
    if contest_id is not None:
        contests = contests.filter(pk=contest_id)
    contest = contests.order_by("pk").first()
    if contest is None:
        raise Http404("This election has no contest")
    return contest


def forensics_page(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    contest = _contest(mission, request)
    breakdown = request.GET.get("by", "region")
    if breakdown not in BREAKDOWNS:
        breakdown = "region"
    report = forensics_report(contest, breakdown=breakdown)
    context = {"mission": mission, "contest": contest, "report": report, "breakdown": breakdown,
               "breakdowns": BREAKDOWNS, "breakdown_label": BREAKDOWNS[breakdown],
               "breakdown_heading": BREAKDOWN_HEADINGS[breakdown]}
    if report is not None:
        from pollwatch.figures import figure_div
        from pollwatch.forensics.report_html import forensics_figures

        context["data"] = data = report.to_json()
        for region in data["regions"]:
            region["flagged_names"] = [TESTS.get(test, test) for test in region["flagged"]]
        context["figures"] = [(name, figure_div(fig)) for name, fig in forensics_figures(report, gettext)]
    return render(request, "forensics/forensics.html", context)


def forensics_stations(request, slug: str):
    """Stations behind a number: a region or district, optionally only those on integer values, etc."""
    mission = access_mission_by_slug(request.user, slug)
    contest = _contest(mission, request)
    report = forensics_report(contest)
    if report is None:
        raise Http404("No official results yet")
    t = report.table
    keep = np.ones(len(t), dtype=bool)
    place = {}
    for column in ("region", "district"):
        if request.GET.get(column):
            place[BREAKDOWNS[column]] = request.GET[column]
            keep &= getattr(t, column) == request.GET[column]
    active = [f for f in FILTERS if request.GET.get(f)]
    flags = station_flags(len(t), report.analyzed, report.integer, report.outliers)
    for name in active:
        keep &= flags[name]
    index = np.flatnonzero(keep)
    total = len(index)
    index = index[:1000]
    codes = [str(t.station_id[i]) for i in index]
    observed = dict(
        # The reports the user may see: not others' for an observer, nor a sealed form's (an unpublished quick
        # count's count form: its reports' count per station names the sample's stations).
        visible_submissions(request.user, mission).filter(station__code__in=codes,
                                                          station__election=mission.election)
        .values_list("station__code").annotate(n=Count("id"))
    )
    li = report.leader
    rows = [
        {
            "code": codes[k],
            "region": str(t.region[i]),
            "district": str(t.district[i]),
            "registered": int(t.registered[i]),
            "turnout": float(t.turnout_numerator[i] / t.registered[i]) if t.registered[i] else 0.0,
            "share": float(t.votes[i, li] / t.ballots[i]) if t.ballots[i] else 0.0,
            "flags": [FILTERS[f] for f in FILTERS if flags[f][i]],
            "reports": observed.get(codes[k], 0),
        }
        for k, i in enumerate(index)
    ]
    return render(request, "forensics/stations.html", {
        "mission": mission, "contest": contest, "rows": rows, "total": total, "place": place,
        "active": [FILTERS[f] for f in active], "leader": report.leader_name,
    })
