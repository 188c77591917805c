"""Gates for reports and their attachments; capabilities come from ``pollwatch.missions.permissions``.

A report is visible to a member when
- their role may see every observer's reports (SEE_REPORTS), or it is their own observer's report; and
- it is not sealed for the quick count: before a quick count is published, the reports its estimate is built
  from are for roles with SEE_QUICK_COUNT only (``pollwatch.missions.access.sealed_form_ids``: higher apps say
  which forms through ``register_sealed_forms``, ``pollwatch.pvt`` the count form of an unpublished sample).
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from pollwatch.collection.models import Attachment, Submission
from pollwatch.missions.access import observer_q, require_capability, sealed_form_ids
from pollwatch.missions.permissions import Cap


def submission_q(user, mission, field: str = "") -> Q:
    """The condition on Submission rows (``field``: the path from the queried model to a Submission, "" for
    Submission itself) that ``user`` may see."""
    prefix = f"{field}__" if field else ""
    q = observer_q(user, mission, field=f"{prefix}observer")
    sealed = sealed_form_ids(user, mission)
    if sealed:
        q &= ~Q(**{f"{prefix}form__form_id__in": sealed})
    return q


def visible_submissions(user, mission):
    """Every report of ``mission`` that ``user`` may see (current or not)."""
    return Submission.objects.for_mission(mission).filter(submission_q(user, mission))


def access_submission_by_id(user, mission, pk: int, need: Cap | None = None) -> Submission:
    if need is not None:
        require_capability(user, mission, need)
    found = (visible_submissions(user, mission).select_related("form", "observer", "station", "entered_by")
             .filter(pk=pk).first())
    if found is None:
        raise Http404("No such submission")
    return found


def access_attachment_by_id(user, mission, pk: int) -> Attachment:
    found = (Attachment.objects.filter(submission__mission=mission, pk=pk)
             .filter(submission_q(user, mission, field="submission")).first())
    if found is None:
        raise Http404("No such attachment")
    return found
