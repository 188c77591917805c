"""Quality-check pages: the rules with pass/fail/not-applicable counts, the results behind each count, and a
form to add a rule (a rule that does not parse or names an unknown field is refused with its position)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from pollwatch.checks.models import CheckResult, QualityCheck
from pollwatch.checks.services import check_create_quality_check
from pollwatch.missions.access import access_mission_by_slug, require_capability, sealed_form_ids
from pollwatch.missions.permissions import Cap
from pollwatch.web.params import id_param


def check_list(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    if request.method == "POST":
        require_capability(request.user, mission, Cap.AUTHOR_CHECKS)
        try:
            check_create_quality_check(
                mission, form_id=request.POST.get("form_id", "")[:100], name=request.POST.get("name", "")[:200],
                expression=request.POST.get("expression", ""), user=request.user,
            )
        except ValueError as error:
            messages.error(request, _("Not saved: {error}").format(error=error))
        else:
            return redirect("checks", slug=mission.slug)
    checks = QualityCheck.objects.for_mission(mission).annotate(
        passed=Count("results", filter=Q(results__outcome="pass")),
        failed=Count("results", filter=Q(results__outcome="fail")),
        not_applicable=Count("results", filter=Q(results__outcome="na")),
    )
    return render(request, "checks/check_list.html", {"mission": mission, "checks": checks, "post": request.POST})


def result_list(request, slug: str):
    """The results name observers and stations: SEE_REPORTS, and none on forms sealed for the quick count."""
    mission = access_mission_by_slug(request.user, slug, need=Cap.SEE_REPORTS)
    rows = (CheckResult.objects.for_mission(mission)
            .exclude(quality_check__form_id__in=sealed_form_ids(request.user, mission))
            .select_related("quality_check", "station", "submission__observer"))
    check_id, outcome, target = id_param(request.GET, "check"), request.GET.get("outcome", ""), request.GET.get("on", "")
    if check_id is not None:
        rows = rows.filter(quality_check_id=check_id)
    if outcome in CheckResult.Outcome.values:
        rows = rows.filter(outcome=outcome)
    if target == "master":
        rows = rows.filter(master__isnull=False)
    elif target == "submission":
        rows = rows.filter(submission__isnull=False)
    page = Paginator(rows.order_by("station__code", "pk"), 100).get_page(request.GET.get("page"))
    return render(request, "checks/result_list.html", {"mission": mission, "page": page})
