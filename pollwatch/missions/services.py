"""Writes for missions, members, observers and deployments."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.elections.models import Election
from pollwatch.geography.models import AdministrativeUnit, PollingStation
from pollwatch.missions.models import Deployment, Membership, Mission, Observer, Role


@transaction.atomic
def do_create_mission(
    election: Election, *, slug: str, name: str, kind: str, organisation: str = "", user=None
) -> Mission:
    mission = Mission.objects.create(election=election, slug=slug, name=name, kind=kind, organisation=organisation)
    do_record_audit("mission.create", user=user, mission=mission, obj=mission)
    return mission


@transaction.atomic
def do_add_member(mission: Mission, user, role: str | Role, *, by=None) -> Membership:
    from pollwatch.missions.access import forget_roles

    membership, _ = Membership.objects.update_or_create(user=user, mission=mission, defaults={"role": role})
    do_record_audit("mission.member", user=by, mission=mission, obj=membership, detail={"role": str(role)})
    forget_roles(user)
    return membership


@transaction.atomic
def do_link_observer_login(observer: Observer, user, *, by=None) -> Observer:
    """Make ``user`` (an observer-role member) this observer's web login: they see this observer's assignment
    and reports, and nobody else's."""
    observer.user = user
    observer.save(update_fields=["user"])
    do_record_audit("observer.link_login", user=by, mission=observer.mission, obj=observer,
                    detail={"username": user.username})
    return observer


def do_create_user(username: str, password: str | None = None, **extra):
    """A login for a person; ``password=None`` leaves it unusable until an admin sets one."""
    return get_user_model().objects.create_user(username=username, password=password, **extra)


@transaction.atomic
def do_create_observer(
    mission: Mission, *, code: str, name: str, phone: str = "", email: str = "", languages: str = "",
    category: str = "",
) -> Observer:
    observer = Observer.objects.create(
        mission=mission, code=code, name=name, phone=phone, email=email, languages=languages, category=category
    )
    do_record_audit("observer.create", mission=mission, obj=observer)
    return observer


@transaction.atomic
def do_deploy_observer(
    observer: Observer,
    *,
    shift_start: dt.datetime,
    shift_end: dt.datetime,
    station: PollingStation | None = None,
    area: AdministrativeUnit | None = None,
    team: str = "",
) -> Deployment:
    if (station or area) is None:
        raise ValueError("a deployment needs a station or an area")
    election = observer.mission.election_id
    if station is not None and station.election_id != election:
        raise ValueError("the station belongs to another election than the observer's mission")
    if area is not None and area.election_id != election:
        raise ValueError("the area belongs to another election than the observer's mission")
    return Deployment.objects.create(
        mission=observer.mission,
        observer=observer,
        station=station,
        area=area,
        team=team,
        shift_start=shift_start,
        shift_end=shift_end,
    )
