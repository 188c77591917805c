"""Writes of the quick count: drawing a mission's sample, publishing its estimate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from pollwatch.accounts.services import do_record_audit
from pollwatch.elections.models import Contest
from pollwatch.missions.models import Mission
from pollwatch.pvt.models import PvtSample, PvtSampleStation
from pollwatch.pvt.queries import STRATUM_COLUMNS, election_frame
from pollwatch.stats.pvt.sampling import draw_sample


def check_draw_pvt_sample(mission: Mission, *, name: str, size: int, strata: list[str], seed: int,
                          allocation: str = "stations", reserves: int = 0) -> None:
    """Raise ValueError with a message for the user when the request cannot be drawn."""
    if not name.strip():
        raise ValueError("give the sample a name")
    if PvtSample.objects.for_mission(mission).filter(name=name).exists():
        raise ValueError(f"this mission already has a sample named {name!r}")
    unknown = [c for c in strata if c not in STRATUM_COLUMNS]
    if unknown:
        raise ValueError(f"unknown stratum column(s) {', '.join(unknown)}; use {', '.join(STRATUM_COLUMNS)}")
    if size < 2:
        raise ValueError("a sample needs at least two stations")
    if allocation not in ("stations", "voters"):
        raise ValueError("allocation is by 'stations' or by 'voters'")


@transaction.atomic
def do_draw_pvt_sample(mission: Mission, *, name: str, size: int, strata: list[str], seed: int,
                       allocation: str = "stations", reserves: int = 0, count_form_id: str = "count_form",
                       contest: Contest | None = None, user=None) -> PvtSample:
    """Draw and store a stratified random sample of the election's stations (see pollwatch.stats.pvt)."""
    check_draw_pvt_sample(mission, name=name, size=size, strata=strata, seed=seed, allocation=allocation,
                          reserves=reserves)
    frame, station_pks = election_frame(mission.election)
    drawn = draw_sample(frame, size, strata=strata or None, by=allocation, reserve=reserves, rng=seed)
    contest = contest or mission.election.contests.order_by("pk").first()
    sample = PvtSample.objects.create(
        mission=mission, contest=contest, name=name, size=size, seed=seed, strata=",".join(strata),
        allocation=allocation, reserves_per_stratum=reserves, count_form_id=count_form_id, created_by=user,
    )
    PvtSampleStation.objects.bulk_create(
        PvtSampleStation(sample=sample, station_id=int(station_pks[i]), stratum=str(label), is_reserve=bool(spare),
                         position=k)
        for k, (i, label, spare) in enumerate(zip(drawn.index, drawn.stratum, drawn.reserve, strict=True))
    )
    do_record_audit("pvt.sample.draw", user=user, mission=mission, obj=sample,
                    detail={"size": size, "strata": strata, "seed": seed})
    return sample


@transaction.atomic
def do_publish_pvt_sample(sample: PvtSample, *, user=None) -> PvtSample:
    sample.published_at = timezone.now()
    sample.save(update_fields=["published_at"])
    do_record_audit("pvt.sample.publish", user=user, mission=sample.mission, obj=sample)
    return sample
