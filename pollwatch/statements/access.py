"""Gates for statements. The mission comes from access_mission_by_slug (404 for other missions' users)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from pollwatch.missions.access import has_capability
from pollwatch.missions.models import Mission
from pollwatch.missions.permissions import Cap
from pollwatch.statements.models import Finding, Statement, StatementVersion


def can_edit(user, mission) -> bool:
    return has_capability(user, mission, Cap.PUBLISH_STATEMENTS)


def can_read(user, mission) -> bool:
    return has_capability(user, mission, Cap.READ_STATEMENTS)


def access_statement_by_slug(user, mission, slug: str) -> Statement:
    """A statement of ``mission`` (already gated) for its coordinators and analysts; else 404."""
    if not can_read(user, mission):
        raise Http404("No such statement")
    return get_object_or_404(Statement.objects.for_mission(mission), slug=slug)


def access_finding_by_id(user, statement: Statement, finding_id: int) -> Finding:
    """A finding of ``statement`` (already gated) for its editors; another statement's finding is a 404 too."""
    if not can_edit(user, statement.mission):
        raise Http404("No such finding")
    finding = Finding.objects.filter(statement=statement, pk=finding_id).first()
    if finding is None:
        raise Http404("No such finding")
    return finding


def access_published_version(mission_slug: str, statement_slug: str) -> StatementVersion:
    """The latest published version of a statement, for anyone; unpublished statements do not exist here."""
    mission = Mission.objects.filter(slug=mission_slug).first()
    if mission is None:
        raise Http404("No such statement")
    version = (StatementVersion.objects.filter(statement__mission=mission, statement__slug=statement_slug,
                                               published_at__isnull=False)
               .select_related("statement__mission").order_by("-number").first())
    if version is None:
        raise Http404("No such statement")
    return version
