"""The mission's quick-count page: samples, the live estimate, convergence, comparison with official results."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pollwatch.accounts.services import do_record_audit
from pollwatch.missions.access import access_mission_by_slug, has_capability, require_capability
from pollwatch.missions.permissions import Cap
from pollwatch.pvt.models import PvtSample
from pollwatch.pvt.queries import STRATUM_COLUMNS, live_estimate
from pollwatch.pvt.services import (
    MAX_RESERVES,
    MAX_SAMPLE_SIZE,
    check_draw_pvt_sample,
    do_draw_pvt_sample,
    do_publish_pvt_sample,
)
from pollwatch.web.params import MAX_ID, BadParameter, int_param, parse_int
from pollwatch.web.stats_messages import stats_message

# The station attributes a sample can be stratified by, and the allocations, as the page names them.
STRATUM_LABELS = {"region": gettext_lazy("region"), "district": gettext_lazy("district"),
                  "setting": gettext_lazy("urban or rural setting")}
ALLOCATION_LABELS = {"stations": gettext_lazy("stations"), "voters": gettext_lazy("registered voters")}
# The draw form's fields, as its labels name them (in the message of a value that cannot be used).
DRAW_FIELDS = {"size": gettext_lazy("Stations"), "seed": gettext_lazy("Seed"),
               "reserves": gettext_lazy("Reserves per stratum")}


def can_see_sample(user, mission, sample: PvtSample) -> bool:
    """A sample's design (seed, strata, stations) and estimate: SEE_QUICK_COUNT, or anyone once published."""
    return sample.published_at is not None or has_capability(user, mission, Cap.SEE_QUICK_COUNT)


def access_sample_by_id(user, mission, pk: int, need: Cap | None = None) -> PvtSample:
    """A sample of ``mission``; an unpublished one is a 404 for roles without SEE_QUICK_COUNT (whatever ``need``)."""
    sample = get_object_or_404(PvtSample.objects.for_mission(mission), pk=pk)
    if need is not None:
        require_capability(user, mission, need)
    if need is None and not can_see_sample(user, mission, sample):
        raise Http404("No such sample")
    return sample


def _convergence_figure(live) -> str:
    import plotly.graph_objects as go

    from pollwatch.figures import figure_div

    fig = go.Figure()
    for name in live.candidates:
        xs = [p.reported for p in live.convergence]
        est = [p.estimates[name][0] for p in live.convergence]
        moe = [p.estimates[name][1] for p in live.convergence]
        fig.add_trace(go.Scatter(x=xs, y=est, name=name, mode="lines+markers",
                                 error_y={"type": "data", "array": moe, "visible": True}))
    fig.update_layout(title=_("Convergence: estimate ± margin of error by number of stations reported"),
                      xaxis_title=_("stations reported (in arrival order)"), yaxis_title=_("share of valid votes"),
                      yaxis_tickformat=".0%", height=420)
    return figure_div(fig)


def pvt_page(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    samples = list(PvtSample.objects.for_mission(mission))
    chosen = next((s for s in samples if str(s.pk) == request.GET.get("sample", "")[:20]),
                  samples[0] if samples else None)
    can_see = chosen is not None and can_see_sample(request.user, mission, chosen)
    context = {
        "mission": mission, "samples": samples, "sample": chosen, "can_see": can_see,
        "can_draw": has_capability(request.user, mission, Cap.DRAW_QUICK_COUNT),
        "can_publish": has_capability(request.user, mission, Cap.PUBLISH_QUICK_COUNT),
        "stratum_columns": [(c, STRATUM_LABELS.get(c, c)) for c in STRATUM_COLUMNS],
    }
    if chosen is not None:
        context["strata_names"] = ", ".join(str(STRATUM_LABELS.get(c, c)) for c in chosen.strata_columns)
        context["allocation_name"] = ALLOCATION_LABELS.get(chosen.allocation, chosen.allocation)
    if chosen is not None and can_see:
        live = live_estimate(chosen)
        rows = []
        if live.estimate is not None:
            for name in live.candidates:
                e = live.estimate.candidates[name]
                official = live.official.get(name) if live.official else None
                rows.append({"name": name, "e": e, "official": official,
                             "inside": None if official is None else e.logit_interval[0] <= official <= e.logit_interval[1]})
        context.update(live=live, rows=rows,
                       figure=_convergence_figure(live) if len(live.convergence) > 1 else None)
    return render(request, "pvt/pvt.html", context)


@require_POST
def draw(request, slug: str):
    mission = access_mission_by_slug(request.user, slug, need=Cap.DRAW_QUICK_COUNT)
    try:
        size = parse_int("size", request.POST.get("size", ""), low=2, high=MAX_SAMPLE_SIZE)
        seed = parse_int("seed", request.POST.get("seed", ""), low=0, high=MAX_ID)
        reserves = int_param(request.POST, "reserves", default=0, low=0, high=MAX_RESERVES)
    except BadParameter as exc:
        messages.error(request, exc.translated(DRAW_FIELDS.get(exc.name)))
        return redirect("pvt", slug=slug)
    fields = {"name": request.POST.get("name", "").strip(), "size": size, "seed": seed, "reserves": reserves,
              "strata": [c for c in request.POST.getlist("strata") if c],
              "allocation": request.POST.get("allocation", "stations")}
    try:
        check_draw_pvt_sample(mission, **fields)
        sample = do_draw_pvt_sample(mission, **fields, user=request.user)
    except ValueError as exc:  # the service's own messages are translated; the sampling's are pollwatch.stats's
        messages.error(request, stats_message(str(exc)))
        return redirect("pvt", slug=slug)
    messages.success(request, _("Drew {n} stations for {name}.").format(n=sample.size, name=sample.name))
    return redirect(f"{reverse('pvt', args=[slug])}?sample={sample.pk}")


@require_POST
def publish(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    sample = access_sample_by_id(request.user, mission, pk, need=Cap.PUBLISH_QUICK_COUNT)
    do_publish_pvt_sample(sample, user=request.user)
    messages.success(request, _("{name} is now visible to every member of the mission.").format(name=sample.name))
    return redirect(f"{reverse('pvt', args=[slug])}?sample={sample.pk}")


def export_sample(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    sample = access_sample_by_id(request.user, mission, pk)  # before publication: SEE_QUICK_COUNT only
    do_record_audit("export", user=request.user, mission=mission, obj=sample,
                    detail={"name": f"pvt-sample-{sample.pk}.csv", "format": "csv"})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pvt-sample-{sample.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["station_id", "stratum", "registered", "reserve", "order"])
    for s in sample.stations.select_related("station").order_by("position"):
        writer.writerow([s.station.code, s.stratum, s.station.registered_voters, int(s.is_reserve), s.position])
    return response
