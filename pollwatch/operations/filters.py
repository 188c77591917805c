"""The election-day filters shared by the dashboard, its partials, the drill-down lists and the exports.

``parse_filters(mission, request.GET)`` reads region, form, observer group, time window (local time of the
election's timezone) and flag; a value it cannot use is dropped and explained in ``notes`` (shown above the
page), never a 500. Each target table gets its own ``Q`` from the same ``Filters``, so a number and the list
behind it select the same rows:

- expected reports (coverage, arrivals, map, expected list, coverage export): ``expected_q`` and, with a time
  window, ``shown_status`` — an expected report whose first report did not arrive in the window counts as
  missing (nothing was received from it in that window);
- incidents: ``incident_q`` (the window applies to when the incident occurred);
- master records: ``master_q`` (group, window and "needs review" through the current reports behind them);
- submissions: ``submission_q``.

``on_counters`` says whether the counter tables (one row per region and form) can answer the filters; when
they cannot, the readers fall back to an indexed GROUP BY over the filtered rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from pollwatch.web.params import bounded_datetime

FLAGS = {
    "review": _("reports that need review"),
    "failing": _("reports failing a quality check"),
    "conflicts": _("stations with open conflicts"),
    "late": _("reports received after their due time"),
}
PARAMS = ("region", "form", "group", "from", "to", "flag")


@dataclass
class Filters:
    mission: object
    region_id: int | None = None
    form_id: str = ""
    group: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    flag: str = ""
    # The accepted values as given (for links that carry the filters on) and what was dropped, and why.
    params: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def on_counters(self) -> bool:
        """True when the counter tables (region × form) answer the filters."""
        return not (self.group or self.since or self.until or self.flag)

    @property
    def window(self) -> bool:
        return self.since is not None or self.until is not None

    def query(self, **overrides: object) -> str:
        """The filters as a query string, with ``overrides`` (None drops a parameter)."""
        params = {**self.params, **{k.rstrip("_"): v for k, v in overrides.items()}}
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})

    # Expected reports ------------------------------------------------------------------------------------
    def expected_q(self) -> Q:
        from pollwatch.checks.models import CheckResult
        from pollwatch.operations.models import MasterRecord

        q = Q(mission=self.mission)
        if self.region_id:
            q &= Q(region_id=self.region_id)
        if self.form_id:
            q &= Q(schedule__form_id=self.form_id)
        if self.group:
            q &= Q(observer__category=self.group)
        if self.flag == "review":
            q &= Q(submission__needs_review=True)
        elif self.flag == "failing":
            q &= Q(Exists(CheckResult.objects.filter(submission=OuterRef("submission"), outcome="fail")))
        elif self.flag == "conflicts":
            open_at = MasterRecord.objects.filter(mission=self.mission, open_conflicts__gt=0)
            q &= Q(Exists(open_at.filter(station=OuterRef("station")))) | Q(
                Exists(open_at.filter(station=OuterRef("submission__station"))))
        elif self.flag == "late":
            q &= Q(first_received_at__gt=F("due_at"))
        return q

    def received_q(self, at: str = "first_received_at") -> Q:
        q = Q()
        if self.since is not None:
            q &= Q(**{f"{at}__gte": self.since})
        if self.until is not None:
            q &= Q(**{f"{at}__lt": self.until})
        return q

    def shown_status(self):
        """The status an expected report counts under: its own, or missing when nothing came in the window."""
        if not self.window:
            return F("status")
        return Case(When(self.received_q(), then=F("status")), default=Value("missing"))

    def expected(self):
        from pollwatch.operations.models import ExpectedReport

        return ExpectedReport.objects.filter(self.expected_q()).annotate(shown_status=self.shown_status())

    # Incidents, master records, submissions -----------------------------------------------------------------
    def incident_q(self) -> Q:
        q = Q(mission=self.mission) & self.received_q("occurred_at")
        if self.region_id:
            q &= Q(region_id=self.region_id)
        if self.group:
            q &= Q(observer__category=self.group)
        q &= self._report_flag_q("submission", "station")
        return q

    def master_q(self) -> Q:
        from pollwatch.checks.models import CheckResult
        from pollwatch.collection.models import Submission
        from pollwatch.operations.models import ExpectedReport

        q = Q(mission=self.mission)
        if self.region_id:
            q &= Q(station__unit_id__in=self.region_units)
        if self.form_id:
            q &= Q(form_id=self.form_id)
        if self.group or self.window or self.flag == "review":
            reports = Submission.objects.filter(self.received_q("received_at"), mission=self.mission, is_current=True,
                                                station=OuterRef("station"), form__form_id=OuterRef("form_id"))
            if self.group:
                reports = reports.filter(observer__category=self.group)
            if self.flag == "review":
                reports = reports.filter(needs_review=True)
            q &= Q(Exists(reports))
        if self.flag == "failing":
            q &= Q(Exists(CheckResult.objects.filter(master=OuterRef("pk"), outcome="fail")))
        elif self.flag == "conflicts":
            q &= Q(open_conflicts__gt=0)
        elif self.flag == "late":
            q &= Q(Exists(ExpectedReport.objects.filter(mission=self.mission, station=OuterRef("station"),
                                                        schedule__form_id=OuterRef("form_id"),
                                                        first_received_at__gt=F("due_at"))))
        return q

    def submission_q(self) -> Q:
        from pollwatch.operations.models import ExpectedReport

        q = Q(mission=self.mission) & self.received_q("received_at")
        if self.region_id:
            q &= Q(station__unit_id__in=self.region_units)
        if self.form_id:
            q &= Q(form__form_id=self.form_id)
        if self.group:
            q &= Q(observer__category=self.group)
        if self.flag == "late":
            q &= Q(Exists(ExpectedReport.objects.filter(submission=OuterRef("pk"), due_at__lt=OuterRef("received_at"))))
        else:
            q &= self._report_flag_q("pk", "station", prefix="")
        return q

    def _report_flag_q(self, submission: str, station: str, *, prefix: str | None = None) -> Q:
        """review / failing / conflicts for a row with a submission and a station (late is per table)."""
        from pollwatch.checks.models import CheckResult
        from pollwatch.operations.models import MasterRecord

        prefix = f"{submission}__" if prefix is None else prefix
        if self.flag == "review":
            return Q(**{f"{prefix}needs_review": True})
        if self.flag == "failing":
            return Q(Exists(CheckResult.objects.filter(submission=OuterRef(submission), outcome="fail")))
        if self.flag == "conflicts":
            return Q(Exists(MasterRecord.objects.filter(mission=self.mission, open_conflicts__gt=0,
                                                        station=OuterRef(station))))
        return Q()

    @functools.cached_property
    def region_units(self) -> list[int]:
        """The region and every unit below it (from the election's unit tree)."""
        from pollwatch.geography.tree import unit_tree

        return sorted(unit_tree(self.mission.election_id).under(self.region_id))


def observer_groups(mission) -> list[str]:
    """The distinct observer categories of the mission (long-term, short-term, team leader…)."""
    from pollwatch.missions.models import Observer

    return list(Observer.objects.filter(mission=mission).exclude(category="").order_by("category")
                .values_list("category", flat=True).distinct())


def parse_filters(mission, params, *, regions=None, groups=None) -> Filters:
    """Filters from a query dict; invalid values are dropped with a note. ``regions`` (depth-1 units) and
    ``groups`` may be passed when the caller has already read them for its drop-downs."""
    from pollwatch.geography.models import AdministrativeUnit

    f = Filters(mission)
    region = params.get("region", "").strip()
    if region:
        if regions is None:
            regions = AdministrativeUnit.objects.filter(election=mission.election, depth=1)
        if region.isdigit() and int(region) in {r.pk for r in regions}:
            f.region_id = int(region)
            f.params["region"] = region
        else:
            f.notes.append(gettext("Unknown region {value}: ignored.").format(value=repr(region[:40])))
    form = params.get("form", "").strip()[:100]
    if form:
        f.form_id = f.params["form"] = form
    group = params.get("group", "").strip()[:64]
    if group:
        if group in (observer_groups(mission) if groups is None else groups):
            f.group = f.params["group"] = group
        else:
            f.notes.append(gettext("Unknown observer group {value}: ignored.").format(value=repr(group)))
    tz = zoneinfo.ZoneInfo(mission.election.timezone or "UTC")
    for name in ("from", "to"):
        text = params.get(name, "").strip()
        if not text:
            continue
        at = _local_time(text[:40], mission.election.date, tz)
        if at is None:
            f.notes.append((gettext("Cannot read from time {value} (use HH:MM or YYYY-MM-DDTHH:MM, years 1900 "
                                    "to 2199): ignored.") if name == "from" else
                            gettext("Cannot read to time {value} (use HH:MM or YYYY-MM-DDTHH:MM, years 1900 to "
                                    "2199): ignored.")).format(value=repr(text[:40])))
            continue
        setattr(f, "since" if name == "from" else "until", at)
        f.params[name] = text
    if f.since and f.until and f.since >= f.until:
        f.notes.append(gettext("The time window ends before it starts: ignored."))
        f.since = f.until = None
        f.params.pop("from"), f.params.pop("to")
    flag = params.get("flag", "").strip()
    if flag:
        if flag in FLAGS:
            f.flag = f.params["flag"] = flag
        else:
            f.notes.append(gettext("Unknown flag {value}: ignored.").format(value=repr(flag[:40])))
    return f


def _local_time(text: str, day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """``HH:MM`` on election day or ``YYYY-MM-DDTHH:MM`` (an HTML datetime-local), in the election's zone."""
    try:
        if len(text) <= 5:
            naive = dt.datetime.combine(day, dt.time.fromisoformat(text))
        else:
            naive = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if not bounded_datetime(naive):  # year 1 in a zone east of UTC is before year 1 in UTC: an overflow
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=tz)
