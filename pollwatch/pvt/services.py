"""Writes of the quick count: drawing a mission's sample, publishing its estimate."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pollwatch.accounts.services import do_record_audit
from pollwatch.elections.models import Contest
from pollwatch.missions.models import Mission
from pollwatch.pvt.models import PvtSample, PvtSampleStation
from pollwatch.pvt.queries import STRATUM_COLUMNS, election_frame
from pollwatch.stats.pvt.sampling import draw_sample
from pollwatch.web.params import MAX_ID

# Bounds of a draw: the columns that store it (size: 32-bit, seed: 64-bit), and reserves beyond which a stratum
# would hold more spares than any mission deploys (the column is a small int).
MAX_SAMPLE_SIZE = 1_000_000
MAX_RESERVES = 100


def check_draw_pvt_sample(mission: Mission, *, name: str, size: int, strata: list[str], seed: int,
                          allocation: str = "stations", reserves: int = 0) -> None:
    """Raise ValueError with a message for the user when the request cannot be drawn."""
    if not name.strip():
        raise ValueError(_("give the sample a name"))
    if PvtSample.objects.for_mission(mission).filter(name=name).exists():
        raise ValueError(_("this mission already has a sample named {name}").format(name=repr(name)))
    unknown = [c for c in strata if c not in STRATUM_COLUMNS]
    if unknown:
        raise ValueError(_("unknown stratum column(s) {unknown}; use {known}").format(
            unknown=", ".join(unknown), known=", ".join(STRATUM_COLUMNS)))
    if not 2 <= size <= MAX_SAMPLE_SIZE:
        raise ValueError(_("size: a sample has between 2 and {n} stations").format(n=f"{MAX_SAMPLE_SIZE:,}"))
    if not 0 <= seed <= MAX_ID:
        raise ValueError(_("seed: a whole number between 0 and {n}").format(n=MAX_ID))
    if not 0 <= reserves <= MAX_RESERVES:
        raise ValueError(_("reserves: between 0 and {n} reserve stations per stratum").format(n=MAX_RESERVES))
    if allocation not in ("stations", "voters"):
        raise ValueError(_("allocation is by 'stations' or by 'voters'"))


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
