"""The built-in placeholder sources: checklist answers, incidents, the quick count, the mission's reach."""

from __future__ import annotations

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from pollwatch.collection.models import Submission
from pollwatch.incidents.models import Incident
from pollwatch.missions.access import sealed_forms
from pollwatch.missions.models import Deployment, Observer
from pollwatch.operations.models import ChecklistCount
from pollwatch.statements import numbers as fmt
from pollwatch.statements.placeholders import PlaceholderError
from pollwatch.statements.sources import Value, register_source

CHECKLIST_STATS = ("yes", "no", "total", "yes_pct", "no_pct", "yes_of", "no_of")


_n = fmt.integer
_pct = fmt.percent


def checklist(mission, path: list[str]) -> Value:
    """``checklist.<field>.<stat>`` or ``checklist.<form>.<field>.<stat>``; stat in CHECKLIST_STATS."""
    if len(path) not in (2, 3) or path[-1] not in CHECKLIST_STATS:
        raise PlaceholderError(f"write checklist.<field>.<statistic>, the statistic one of {', '.join(CHECKLIST_STATS)}")
    *where, stat = path
    # A sealed form (an unpublished quick count's count form) is not cited: its answers per region are the
    # sample's strata, and a statement may be published.
    rows = ChecklistCount.objects.filter(mission=mission, field=where[-1]).exclude(form_id__in=sealed_forms(mission))
    if len(where) == 2:
        rows = rows.filter(form_id=where[0])
    forms = sorted(set(rows.values_list("form_id", flat=True)))
    if not forms:
        known = sorted(set(ChecklistCount.objects.filter(mission=mission).exclude(form_id__in=sealed_forms(mission))
                           .values_list("field", flat=True)))
        raise PlaceholderError(f"no yes/no answers to a field {where[-1]!r} in this mission's reports"
                               + (f" (fields with answers: {', '.join(known[:15])})" if known else ""))
    if len(forms) > 1:
        raise PlaceholderError(f"field {where[-1]!r} is in forms {', '.join(forms)}: say checklist.<form>.<field>.{stat}")
    per_region = list(rows.values("region__name").annotate(y=Sum("yes"), t=Sum("total")).order_by("region__name"))
    yes = sum(r["y"] for r in per_region)
    total = sum(r["t"] for r in per_region)
    if total == 0:
        raise PlaceholderError(f"no answers yet to {where[-1]!r}: the statistic has no denominator")
    no = total - yes
    value = {"yes": (_n(yes), yes), "no": (_n(no), no), "total": (_n(total), total),
             "yes_pct": (_pct(yes, total), 100 * yes / total), "no_pct": (_pct(no, total), 100 * no / total),
             "yes_of": (fmt.part_of(yes, total), yes), "no_of": (fmt.part_of(no, total), no)}[stat]
    answer = "no" if stat.startswith("no") else "yes"
    return Value(
        text=value[0], number=float(value[1]),
        label=_("stations whose report answers %(answer)s to %(field)s (%(form)s form)")
        % {"answer": repr(answer), "field": repr(where[-1]), "form": forms[0]},
        query=_("master records of the %(form)s form with a yes/no answer to %(field)s; denominator: the %(total)s "
                "stations with an answer") % {"form": forms[0], "field": repr(where[-1]), "total": _n(total)},
        columns=["region", "yes", "no", "answered"],
        rows=[[r["region__name"] or "—", r["y"], r["t"] - r["y"], r["t"]] for r in per_region], chart=answer)


def incidents(mission, path: list[str]) -> Value:
    """``incidents.count`` or ``incidents.<category>.count``."""
    if not path or path[-1] != "count" or len(path) > 2:
        raise PlaceholderError("write incidents.count or incidents.<category>.count")
    qs = Incident.objects.filter(mission=mission)
    category = path[0] if len(path) == 2 else ""
    if category:  # a placeholder writes "ballot stuffing" as ballot_stuffing
        known = {c.replace(" ", "_"): c for c in qs.values_list("category", flat=True).distinct()}
        if category not in known:
            raise PlaceholderError(f"no incident category {category!r} (categories: "
                                   f"{', '.join(sorted(known)) or 'none yet'})")
        category = known[category]
        qs = qs.filter(category=category)
    rows = list(qs.values("category", "severity").annotate(n=Count("pk")).order_by("category", "severity"))
    total = sum(r["n"] for r in rows)
    return Value(text=_n(total), number=float(total),
                 label=(_("incidents reported in category %(category)s") % {"category": repr(category)}
                        if category else _("incidents reported")),
                 query=(_("incidents of the mission with category %(category)s, all statuses and severities")
                        % {"category": repr(category)} if category
                        else _("incidents of the mission, all statuses and severities")),
                 columns=["category", "severity", "incidents"],
                 rows=[[r["category"], r["severity"], r["n"]] for r in rows])


def pvt(mission, path: list[str]) -> Value:
    """``pvt.<candidate position>.share|margin``, ``pvt.turnout.share|margin``, ``pvt.reported``; published only."""
    from pollwatch.pvt.models import PvtSample
    from pollwatch.pvt.queries import live_estimate

    sample = PvtSample.objects.filter(mission=mission).order_by("-created_at").first()
    if sample is None:
        raise PlaceholderError("the mission has no quick-count sample")
    if sample.published_at is None:
        raise PlaceholderError("the quick count is not published yet; publish it before citing it")
    live = live_estimate(sample)
    if live.estimate is None:
        raise PlaceholderError(f"no quick-count estimate yet ({live.message or 'no count reports'})")
    est = live.estimate
    if path == ["reported"]:
        return Value(text=fmt.part_of(live.reported, live.expected), number=float(live.reported),
                     label=_("sample stations reported"),
                     query=_("quick-count sample %(name)s") % {"name": repr(sample.name)},
                     columns=["stratum", "expected", "reported"], rows=[list(r) for r in live.by_stratum])
    if len(path) != 2 or path[1] not in ("share", "margin"):
        raise PlaceholderError("write pvt.<candidate number>.share, pvt.<candidate number>.margin, pvt.turnout.share "
                               "or pvt.reported")
    if path[0] == "turnout":
        ratio, who = est.turnout, "turnout"
    else:
        try:
            who = live.candidates[int(path[0]) - 1]
        except (ValueError, IndexError):
            raise PlaceholderError(f"no candidate number {path[0]!r} (1 to {len(live.candidates)})") from None
        ratio = est.candidates[who]
    text = fmt.percent(ratio.estimate, 1) if path[1] == "share" else fmt.points(100 * ratio.moe)
    rows = [[name, round(100 * e.estimate, 2), round(100 * e.moe, 2)] for name, e in est.candidates.items()]
    return Value(text=text, number=100 * (ratio.estimate if path[1] == "share" else ratio.moe),
                 label=(_("quick-count estimate: %(who)s") if path[1] == "share"
                        else _("quick-count margin of error: %(who)s")) % {"who": who},
                 query=_("sample %(name)s: %(n)s stations reported, %(method)s, %(confidence)s %% confidence")
                 % {"name": repr(sample.name), "n": _n(est.stations_reported), "method": est.method,
                    "confidence": _n(100 * est.confidence)},
                 columns=["candidate", "estimate %", "margin ± points"], rows=rows, chart="estimate %")


def observers(mission, path: list[str]) -> Value:
    if path not in (["count"], ["deployed"]):
        raise PlaceholderError("write observers.count or observers.deployed")
    if path == ["count"]:
        n = Observer.objects.for_mission(mission).count()
        return Value(_n(n), float(n), _("observers of the mission"), _("observers registered with the mission"))
    n = Deployment.objects.for_mission(mission).values("observer").distinct().count()
    return Value(_n(n), float(n), _("observers deployed"), _("observers with at least one deployment"))


def _current_reports(mission):
    """The current reports a statement may count: not a sealed form's (an unpublished quick count's count form;
    which stations and how many sent one would name the sample)."""
    return Submission.objects.for_mission(mission).filter(is_current=True).exclude(
        form__form_id__in=sealed_forms(mission))


def _observed_stations(mission):
    return _current_reports(mission).filter(station__isnull=False).values("station").distinct()


def stations(mission, path: list[str]) -> Value:
    if path != ["observed"]:
        raise PlaceholderError("write stations.observed")
    n = _observed_stations(mission).count()
    return Value(_n(n), float(n), _("polling stations observed"),
                 _("distinct stations with at least one current report"))


def reports(mission, path: list[str]) -> Value:
    if path != ["count"]:
        raise PlaceholderError("write reports.count")
    rows = list(_current_reports(mission).values("form__form_id")
                .annotate(n=Count("pk")).order_by("form__form_id"))
    n = sum(r["n"] for r in rows)
    return Value(_n(n), float(n), _("reports received"), _("current reports of every form"),
                 columns=["form", "reports"], rows=[[r["form__form_id"], r["n"]] for r in rows])


def regions(mission, path: list[str]) -> Value:
    """``regions.covered``: first-level units (below the country) with at least one observed station."""
    from pollwatch.geography.models import AdministrativeUnit

    if path != ["covered"]:
        raise PlaceholderError("write regions.covered")
    parent = dict(AdministrativeUnit.objects.filter(election=mission.election).values_list("pk", "parent_id"))
    names = dict(AdministrativeUnit.objects.filter(election=mission.election).values_list("pk", "name"))
    roots = {pk for pk, up in parent.items() if up is None}
    observed = (_current_reports(mission).filter(station__isnull=False)
                .values_list("station__unit_id", flat=True).distinct())
    counts: dict[int, int] = {}
    for unit in observed:
        while parent.get(unit) is not None and parent[unit] not in roots:
            unit = parent[unit]  # up to the unit just below the country
        counts[unit] = counts.get(unit, 0) + 1
    rows = sorted([names[u], n] for u, n in counts.items())
    return Value(_n(len(rows)), float(len(rows)), _("regions covered"),
                 _("regions with at least one observed station"),
                 columns=["region", "observed units"], rows=rows)


def register_builtin_sources() -> None:
    from pollwatch.statements.analysis_sources import forensics, media, reconciliation

    for name, fn in (("checklist", checklist), ("incidents", incidents), ("pvt", pvt), ("observers", observers),
                     ("stations", stations), ("reports", reports), ("regions", regions), ("forensics", forensics),
                     ("media", media), ("reconciliation", reconciliation)):
        register_source(name, fn)
