"""Media pages: the corpus (items, reprints, outlets, upload), the keyboard-friendly coding screen, inter-coder
agreement and the report per outlet and period with its exports. Thin: gate, validate, call services, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pollwatch.media import queries
from pollwatch.media.access import access_item_by_id, can_monitor
from pollwatch.media.analysis.corpus import MAX_BYTES
from pollwatch.media.forms import CorpusUpload, OutletForm
from pollwatch.media.models import Actor, Outlet, Tone
from pollwatch.missions.access import access_mission_by_slug
from pollwatch.missions.permissions import Cap
from pollwatch.web.params import id_param, keyed_ids


def media_home(request, slug: str, upload: CorpusUpload | None = None):
    mission = access_mission_by_slug(request.user, slug)
    filters = queries.Filters.from_query(request.GET)
    page = Paginator(queries.item_list(mission, filters), 50).get_page(request.GET.get("page"))
    return render(request, "media/media_home.html", {
        "mission": mission, "page": page, "filters": filters, "can_monitor": can_monitor(request.user, mission),
        "upload": upload or CorpusUpload(), "outlets": Outlet.objects.for_mission(mission),
        "ownerships": Outlet.Ownership.choices, "kinds": Outlet.Kind.choices,
        "actors": Actor.objects.for_mission(mission).count(),
    }, status=400 if upload is not None else 200)


@require_POST
def media_import(request, slug: str):
    from pollwatch.media.importers import check_import_corpus

    mission = access_mission_by_slug(request.user, slug)
    if not can_monitor(request.user, mission):
        return HttpResponseForbidden(_("Only the mission's analysts, coordinators and admins import news items"))
    upload = CorpusUpload(request.POST, request.FILES)
    if not upload.is_valid():
        return media_home(request, slug, upload=upload)
    too_large: list[str] = []

    def files():
        # One upload read at a time, as the importer comes to it (Django keeps uploads over
        # FILE_UPLOAD_MAX_MEMORY_SIZE in temporary files, not in memory).
        for f in upload.cleaned_data["files"]:
            if f.size > MAX_BYTES:  # never read a dump into memory: refuse it by its size
                too_large.append(f"{f.name}: {f.size / 1e6:.1f} MB is too large for a news item "
                                 f"(limit {MAX_BYTES / 1e6:.0f} MB)")
                continue
            with f.open("rb") as handle:
                yield f.name, handle.read()

    report = check_import_corpus(mission, files(), user=request.user, outlet=upload.cleaned_data["outlet"],
                                 fetch_urls=upload.cleaned_data["fetch_urls"])
    report.errors[:0] = too_large
    for line in report.lines():
        (messages.error if line.startswith("skipped") else messages.success)(request, line)
    return redirect("media", slug=mission.slug)


def next_item(request, slug: str):
    mission = access_mission_by_slug(request.user, slug)
    after = id_param(request.GET, "after")
    current = queries.items(mission).filter(pk=after).first() if after is not None else None
    item = queries.next_item_for(mission, request.user, after=current)
    if item is None:
        messages.success(request, _("Nothing left to code: every item with actors or flags has your coding."))
        return redirect("media", slug=mission.slug)
    return redirect("media-item", slug=mission.slug, pk=item.pk)


def item_code(request, slug: str, pk: int):
    """The coding screen: GET shows the item and the machine's proposal; POST stores this monitor's coding."""
    from pollwatch.media.highlight import highlighted_html
    from pollwatch.media.services import check_code_item, mission_catalogue

    mission = access_mission_by_slug(request.user, slug)
    item = access_item_by_id(request.user, mission, pk)
    monitor = can_monitor(request.user, mission)
    if request.method == "POST":
        if not monitor:
            return HttpResponseForbidden(_("Only the mission's analysts, coordinators and admins code news items"))
        tones = keyed_ids(request.POST, "tone-")
        flags = {pk: v == "1" for pk, v in keyed_ids(request.POST, "flag-").items()}
        try:
            check_code_item(item, request.user, tones=tones, flags=flags)
        except ValueError as error:
            messages.error(request, str(error))
            return redirect("media-item", slug=mission.slug, pk=item.pk)
        if request.POST.get("then") == "next":
            return redirect(f"{reverse('media-next', args=[mission.slug])}?after={item.pk}")
        messages.success(request, _("Coding saved"))
        return redirect("media-item", slug=mission.slug, pk=item.pk)
    actors, flags = queries.coding_rows(item, request.user)
    return render(request, "media/item_code.html", {
        "mission": mission, "item": item, "actors": actors, "flags": flags, "can_monitor": monitor,
        "text": highlighted_html(item.text, mission_catalogue(mission), [f["flag"] for f in flags]),
        "claims": item.claims.select_related("source"), "tones": Tone.choices,
        "reprints": item.reprints.select_related("outlet"),
    })


def item_original(request, slug: str, pk: int):
    """The bytes as received, always as a download (never rendered: an imported page may hold scripts)."""
    mission = access_mission_by_slug(request.user, slug)
    item = access_item_by_id(request.user, mission, pk)
    response = HttpResponse(bytes(item.original), content_type="application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="{item.original_name or item.pk}"'
    return response


@require_POST
def outlet_edit(request, slug: str, pk: int):
    mission = access_mission_by_slug(request.user, slug)
    outlet = get_object_or_404(Outlet.objects.for_mission(mission), pk=pk)
    if not can_monitor(request.user, mission):
        return HttpResponseForbidden(_("Only the mission's analysts, coordinators and admins edit outlets"))
    form = OutletForm(request.POST, instance=outlet)
    if form.is_valid():
        from pollwatch.media.services import check_save_outlet

        check_save_outlet(mission, outlet.name, user=request.user, **form.cleaned_data)
        messages.success(request, _("{name} saved").format(name=outlet.name))
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    return redirect("media", slug=mission.slug)


def agreement(request, slug: str):
    from pollwatch.media.agreement import agreement_report

    mission = access_mission_by_slug(request.user, slug)
    return render(request, "media/agreement.html", {"mission": mission, "report": agreement_report(mission)})


def report(request, slug: str):
    from pollwatch.media import charts

    mission = access_mission_by_slug(request.user, slug)
    filters = queries.Filters.from_query(request.GET)
    data = queries.report(mission, filters)
    figures = {"share": charts.share_of_voice(data["share_of_voice"]), "tone": charts.tone_by_actor(data["actors"])} \
        if data["actors"] else {}
    return render(request, "media/report.html", {
        "mission": mission, "data": data, "figures": figures, "filters": filters,
        "outlets": Outlet.objects.for_mission(mission), "query": request.GET.urlencode(),
    })


def export(request, slug: str, what: str, fmt: str):
    from pollwatch.media.exports import EXPORTS
    from pollwatch.web.downloads import download_response

    mission = access_mission_by_slug(request.user, slug, need=Cap.EXPORT)
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        raise Http404("No such export")
    header, data = EXPORTS[what](mission, queries.Filters.from_query(request.GET))
    name = f"{mission.slug}-media-{what}.{fmt}"
    return download_response(header, data, fmt=fmt, name=name, title=what, user=request.user, mission=mission,
                             query=request.GET.urlencode())
