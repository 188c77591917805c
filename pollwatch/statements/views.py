"""Statement builder, evidence pages, the public page and the comparison page (thin: services do the work)."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pollwatch.missions.access import access_mission_by_slug
from pollwatch.statements import services
from pollwatch.statements.access import (
    access_finding_by_id,
    access_published_version,
    access_statement_by_slug,
    can_edit,
    can_read,
)
from pollwatch.statements.charts import bar_chart_svg
from pollwatch.statements.forms import FindingForm, NewStatementForm, StatementForm
from pollwatch.statements.models import Statement
from pollwatch.statements.placeholders import PlaceholderError
from pollwatch.statements.render import render_html, render_pdf
from pollwatch.statements.sources import resolve


def statement_list(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    if not can_read(request.user, mission):
        raise Http404("No statements")
    editor = can_edit(request.user, mission)
    form = NewStatementForm(request.POST or None, mission=mission, initial={"language": "en"})
    if request.method == "POST":
        if not editor:
            raise Http404("No statements")
        if form.is_valid():
            st = services.do_create_statement(mission, user=request.user, **form.cleaned_data)
            return redirect("statement", slug, st.slug)
    statements = Statement.objects.for_mission(mission).prefetch_related("versions")
    return render(request, "statements/list.html", {"mission": mission, "statements": statements, "form": form,
                                                    "editor": editor},
                  status=400 if form.errors else 200)


def edit_statement(request, slug: str, statement: str):
    """The draft's title, summary of conclusions and language; a broken placeholder is shown in the form."""
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    if not can_edit(request.user, mission):
        raise Http404("No such statement")
    form = StatementForm(request.POST or None, mission=mission,
                         initial={"title": st.title, "summary": st.summary, "language": st.language})
    if request.method == "POST" and form.is_valid():
        services.do_edit_statement(st, user=request.user, **form.cleaned_data)
        messages.success(request, _("Statement saved."))
        return redirect("statement", slug, st.slug)
    return render(request, "statements/statement_edit.html", {"mission": mission, "statement": st, "form": form},
                  status=400 if form.errors else 200)


def builder(request, slug: str, statement: str):
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    form = FindingForm(request.POST or None, mission=mission)
    if request.method == "POST":
        if not can_edit(request.user, mission):
            raise Http404("No such statement")
        if form.is_valid():
            services.do_add_finding(st, user=request.user, **form.cleaned_data)
            return redirect("statement", slug, st.slug)
    problems = services.statement_problems(st)
    findings = [(f, services.check_text(mission, f.text)) for f in st.findings.all()]
    preview = ""
    if not problems:
        preview = render_html(services.build_content(st), evidence_url=reverse("evidence-root", args=[slug]),
                              standalone=False)
    return render(request, "statements/builder.html", {
        "mission": mission, "statement": st, "form": form, "problems": problems, "preview": preview,
        "findings": findings,
        "versions": st.versions.order_by("-number"), "editor": can_edit(request.user, mission),
        "public_url": reverse("public-statement", args=[slug, st.slug]),
    }, status=400 if form.errors else 200)


def edit_finding(request, slug: str, statement: str, finding: int):
    """Change a finding; a placeholder that does not resolve is shown in the form, with its reason."""
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    f = access_finding_by_id(request.user, st, finding)
    initial = {"section": f.section, "assessment": f.assessment, "text": f.text}
    form = FindingForm(request.POST or None, mission=mission, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.do_edit_finding(f, user=request.user, **form.cleaned_data)
        messages.success(request, _("Finding saved."))
        return redirect("statement", slug, st.slug)
    problems = [] if request.method == "POST" else services.check_text(mission, f.text)
    return render(request, "statements/finding_edit.html", {"mission": mission, "statement": st, "finding": f,
                                                             "form": form, "problems": problems},
                  status=400 if form.errors else 200)


@require_POST
def delete_finding(request, slug: str, statement: str, finding: int):
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    services.do_delete_finding(access_finding_by_id(request.user, st, finding), user=request.user)
    messages.success(request, _("Finding deleted (frozen versions keep it)."))
    return redirect("statement", slug, st.slug)


@require_POST
def freeze(request, slug: str, statement: str):
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    if not can_edit(request.user, mission):
        raise Http404("No such statement")
    try:
        version = services.check_freeze_statement(st, user=request.user)
    except (ValueError, PlaceholderError) as exc:
        messages.error(request, _("Not frozen: {error}").format(error=exc))
        return redirect("statement", slug, st.slug)
    messages.success(request, _("Version {number} frozen (data snapshot {snapshot}).").format(
        number=version.number, snapshot=version.data_hash[:12]))
    return redirect("statement-version", slug, st.slug, version.number)


@require_POST
def publish(request, slug: str, statement: str, number: int):
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    if not can_edit(request.user, mission):
        raise Http404("No such statement")
    version = get_object_or_404(st.versions, number=number)
    services.do_publish_version(version, user=request.user)
    messages.success(request, _("Version {number} published.").format(number=number))
    return redirect("statement-version", slug, st.slug, number)


def version_view(request, slug: str, statement: str, number: int, fmt: str = "html"):
    mission = access_mission_by_slug(request.user, slug)
    st = access_statement_by_slug(request.user, mission, statement)
    version = get_object_or_404(st.versions, number=number)
    language = _working_language(request, mission)
    html = render_html(version.content, evidence_url=reverse("evidence-root", args=[slug]), version=version,
                       changes=services.changes_since(version), standalone=fmt == "pdf", language=language)
    if fmt == "pdf":
        return _pdf(html, request, f"{st.slug}-v{number}{f'-{language}' if language else ''}.pdf")
    previous = st.versions.filter(number__lt=number).order_by("-number").first()
    return render(request, "statements/version.html", {
        "mission": mission, "statement": st, "version": version, "body": html, "previous": previous,
        "diff": services.diff_versions(previous, version) if previous else [],
        "editor": can_edit(request.user, mission), "languages": mission.language_codes})


def _working_language(request, mission) -> str | None:
    """``?language=`` when it is one of the mission's working languages (the statement's own otherwise)."""
    language = request.GET.get("language", "")
    return language if language in mission.language_codes else None


def _pdf(html: str, request, filename: str) -> HttpResponse:
    response = HttpResponse(render_pdf(html, base_url=request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _evidence_response(request, mission, value, path: str, fmt: str, template_ctx: dict):
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(value["columns"] or ["value"])
        for row in value["rows"] or [[value["text"]]]:
            writer.writerow(row)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{path}.csv"'
        return response
    template = "statements/public_evidence.html" if template_ctx.get("public") else "statements/evidence.html"
    chart = bar_chart_svg(value["columns"], value["rows"], value.get("chart", ""))
    return render(request, template, {"mission": mission, "path": path, "v": value, "chart": chart,
                                      "csv_url": f"{request.path.rstrip('/')}.csv", **template_ctx})


def evidence(request, slug: str, path: str, fmt: str = "html"):
    """The live query behind one placeholder: what it counts, the denominator, the table, a CSV."""
    mission = access_mission_by_slug(request.user, slug)
    if not can_read(request.user, mission):
        raise Http404("No evidence")
    try:
        value = resolve(mission, path).as_dict()
    except PlaceholderError as exc:
        return render(request, "statements/evidence.html", {"mission": mission, "path": path, "error": str(exc)},
                      status=404)
    return _evidence_response(request, mission, value, path, fmt, {"public": False})


@login_not_required
def public_statement(request, mission: str, statement: str, fmt: str = "html"):
    version = access_published_version(mission, statement)
    html = render_html(version.content, evidence_url=reverse("public-evidence-root", args=[mission, statement]),
                       version=version, standalone=True,
                       language=_working_language(request, version.statement.mission))
    if fmt == "pdf":
        return _pdf(html, request, f"{statement}.pdf")
    return HttpResponse(html)


@login_not_required
def public_evidence(request, mission: str, statement: str, path: str, fmt: str = "html"):
    """The frozen evidence of a published statement: aggregates only, as they were when frozen."""
    version = access_published_version(mission, statement)
    value = version.content["values"].get(path)
    if value is None:
        raise Http404("No such evidence")
    with translation.override(version.content.get("language") or "en"):  # the statement's language
        return _evidence_response(request, version.statement.mission, value, path, fmt,
                                  {"public": True, "version": version})


def comparison(request, slug: str):
    """This mission's findings beside other missions' verdicts found in its news corpus (media import)."""
    from pollwatch.statements.queries import comparison as compare

    mission = access_mission_by_slug(request.user, slug)
    if not can_read(request.user, mission):
        raise Http404("No comparison")
    st = Statement.objects.for_mission(mission).order_by("-created_at").first()
    content = None
    if st is not None:
        version = st.versions.order_by("-number").first()
        content = version.content if version else (None if services.statement_problems(st)
                                                   else services.build_content(st))
    result = compare(mission, st if content else None, content)
    return render(request, "statements/compare.html", {"mission": mission, "c": result})
