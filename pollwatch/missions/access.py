"""Gate functions: the only way a view, endpoint or command gets a mission's objects for a user.

"Does not exist" and "not yours" get the same 404 so that object ids of other missions leak nothing
(Zulip's ``access_stream_by_id`` pattern). What a member may do is read from the permission table
(``pollwatch.missions.permissions``) through :func:`has_capability`: a member without the capability a page needs
gets a 403 (they know the mission exists; its objects they may not see stay 404s).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from pollwatch.missions.models import Membership, Mission, Observer
from pollwatch.missions.permissions import Cap, role_has


def access_mission_by_slug(user, slug: str, need: Cap | None = None) -> Mission:
    """The mission ``slug`` if ``user`` is a member (else 404), and has ``need`` (else 403)."""
    mission = Mission.objects.visible_to(user).select_related("election").filter(slug=slug).first()
    if mission is None:
        raise Http404("No such mission")
    scope = _token_scope(user)
    if scope is not None and scope[0] is not None and scope[0] != mission.pk:
        raise Http404("No such mission")  # a token scoped to another mission: as if not a member
    if need is not None:
        require_capability(user, mission, need)
    return mission


def role_in_mission(user, mission: Mission) -> str | None:
    """The user's role in the mission, None for a non-member. Cached on the user object for one request."""
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_pollwatch_roles", {})
    if mission.pk not in cache:
        cache[mission.pk] = (Membership.objects.filter(user=user, mission=mission)
                             .values_list("role", flat=True).first())
    return cache[mission.pk]


def forget_roles(user) -> None:
    """Drop the cached roles of ``user`` (after its memberships changed)."""
    user.__dict__.pop("_pollwatch_roles", None)


def limit_to_token(user, *, mission_id: int | None, role: str) -> None:
    """For the rest of this request ``user`` acts through an API token: only in ``mission_id`` (None: any of
    theirs), with at most ``role``'s capabilities ("" : their own role's)."""
    user.__dict__["_pollwatch_token_scope"] = (mission_id, role)


def _token_scope(user) -> tuple[int | None, str] | None:
    return getattr(user, "__dict__", {}).get("_pollwatch_token_scope")


def has_capability(user, mission: Mission, cap: Cap) -> bool:
    scope = _token_scope(user)
    if scope is not None:
        mission_id, role = scope
        if (mission_id is not None and mission_id != mission.pk) or (role and not role_has(role, cap)):
            return False
    return role_has(role_in_mission(user, mission), cap)


def require_capability(user, mission: Mission, cap: Cap) -> None:
    """403 unless ``user`` has ``cap`` in ``mission`` (call after the mission itself was gated)."""
    if not has_capability(user, mission, cap):
        raise PermissionDenied(f"Your role in this mission may not {cap.value}.")


def can_see_pii(user, mission: Mission) -> bool:
    """Observers' phone numbers and e-mails."""
    return has_capability(user, mission, Cap.SEE_PII)


def observer_q(user, mission: Mission, field: str = "observer") -> Q:
    """Rows of the reports ``user`` may see, by the observer they belong to (``field`` is the path to it).

    Roles with SEE_REPORTS see everyone's; the others (observers) only those of the observer whose login they
    are (``Observer.user``) — nothing if they are none.
    """
    if has_capability(user, mission, Cap.SEE_REPORTS):
        return Q()
    key = f"{field}__user" if field else "user"
    return Q(**{key: user}) if getattr(user, "is_authenticated", False) else Q(pk__in=[])


def access_observer_by_id(user, mission: Mission, pk: int, need: Cap | None = None) -> Observer:
    """An observer of ``mission`` the user may see (their own, or any with SEE_REPORTS); else 404."""
    if need is not None:
        require_capability(user, mission, need)
    found = Observer.objects.for_mission(mission).filter(observer_q(user, mission, field=""), pk=pk).first()
    if found is None:
        raise Http404("No such observer")
    return found


# Sealed forms. Each sealer returns the form ids (``ObservationForm.form_id``) whose reports are sealed in the
# mission, for roles without SEE_QUICK_COUNT (``pollwatch.pvt``: the count form of an unpublished sample). A whole
# form is sealed, at every station and in every count of it (per station, per region, per form, the mission's
# totals): sealing only the sample's stations would tell them apart by what is missing, and per-region counts of
# the count form's reports are the sample's strata. Here, low in the layers, so that every page that shows
# reports (missions' station page, collection, checks, operations' dashboard, forensics) reads one registry.
_sealers: list[Callable[[Mission], set[str]]] = []


def register_sealed_forms(sealer: Callable[[Mission], set[str]]) -> None:
    """Let a higher app seal forms (from its ``AppConfig.ready()``)."""
    if sealer not in _sealers:
        _sealers.append(sealer)


def sealed_forms(mission: Mission) -> set[str]:
    """The forms sealed in ``mission`` now, whoever asks (for what is published: statements)."""
    return set().union(*(s(mission) for s in _sealers)) if _sealers else set()


def sealed_form_ids(user, mission: Mission) -> set[str]:
    """The forms whose reports (and master records, check results, counts) ``user`` may not see in ``mission``
    now: none for roles with SEE_QUICK_COUNT."""
    if has_capability(user, mission, Cap.SEE_QUICK_COUNT):
        return set()
    return sealed_forms(mission)
