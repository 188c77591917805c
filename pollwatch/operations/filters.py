"""The election-day filters shared by the dashboard, its partials, the drill-down lists and the exports.

``parse_filters(mission, request.GET)`` reads region, form, observer group, time window (local time of the
election's timezone) and flag (:mod:`pollwatch.missions.filters` parses them; this module adds the tables of
election day); a value it cannot use is dropped and explained in ``notes`` (shown above the page), never a 500.
Each target table gets its own ``Q`` from the same ``Filters``, so a number and the list behind it select the
same rows:

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

from dataclasses import dataclass

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When

from pollwatch.missions import filters as _base
from pollwatch.missions.filters import FLAGS, PARAMS, observer_groups

__all__ = ["FLAGS", "PARAMS", "Filters", "observer_groups", "parse_filters"]


@dataclass
class Filters(_base.Filters):
    """The mission's filters, with the ``Q`` of each election-day table.

    ``sealed``: the forms the viewer may not see (``pollwatch.missions.access.sealed_form_ids``: the count form of
    an unpublished quick count); every table's ``Q`` and the counter readers leave them out, so no count of the
    dashboard, its lists, map or exports is made of their reports.
    """

    sealed: frozenset[str] = frozenset()

    # Expected reports ------------------------------------------------------------------------------------
    def expected_q(self) -> Q:
        from pollwatch.checks.models import CheckResult
        from pollwatch.operations.models import MasterRecord

        q = Q(mission=self.mission)
        if self.sealed:
            q &= ~Q(schedule__form_id__in=self.sealed)
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

    def shown_status(self):
        """The status an expected report counts under: its own, or missing when nothing came in the window."""
        if not self.window:
            return F("status")
        return Case(When(self.received_q(), then=F("status")), default=Value("missing"))

    def expected(self):
        from pollwatch.operations.models import ExpectedReport

        return ExpectedReport.objects.filter(self.expected_q()).annotate(shown_status=self.shown_status())

    # Master records, submissions -----------------------------------------------------------------------------
    def master_q(self) -> Q:
        from pollwatch.checks.models import CheckResult
        from pollwatch.collection.models import Submission
        from pollwatch.operations.models import ExpectedReport

        q = Q(mission=self.mission)
        if self.sealed:
            q &= ~Q(form_id__in=self.sealed)
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
        if self.sealed:
            q &= ~Q(form__form_id__in=self.sealed)
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


def parse_filters(mission, params, *, regions=None, groups=None, sealed=frozenset()) -> Filters:
    """:func:`pollwatch.missions.filters.parse_filters`, making election-day ``Filters`` that leave out the
    ``sealed`` forms."""
    filters = _base.parse_filters(mission, params, regions=regions, groups=groups, kind=Filters)
    filters.sealed = frozenset(sealed)
    return filters


def failing_report_q(filters: _base.Filters, submission: str, station: str) -> Q:
    """flag=failing: the report fails a quality check."""
    from pollwatch.checks.models import CheckResult

    return Q(Exists(CheckResult.objects.filter(submission=OuterRef(submission), outcome="fail")))


def conflicting_station_q(filters: _base.Filters, submission: str, station: str) -> Q:
    """flag=conflicts: the station has a master record with open conflicts."""
    from pollwatch.operations.models import MasterRecord

    return Q(Exists(MasterRecord.objects.filter(mission=filters.mission, open_conflicts__gt=0,
                                                station=OuterRef(station))))
