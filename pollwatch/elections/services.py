"""Writes for elections, contests and candidates."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from pollwatch.accounts.services import do_record_audit
from pollwatch.elections.models import Candidate, Contest, Election


@transaction.atomic
def do_create_election(
    *, slug: str, name: str, country: str, date: dt.date, kind: str, timezone: str = "UTC", user=None
) -> Election:
    election = Election.objects.create(
        slug=slug, name=name, country=country.upper(), date=date, kind=kind, timezone=timezone
    )
    do_record_audit("election.create", user=user, obj=election, detail={"slug": slug})
    return election


@transaction.atomic
def do_create_contest(election: Election, name: str, candidates: list[tuple[str, str]]) -> Contest:
    """Create a contest with its ballot: ``candidates`` are (name, party) in ballot order."""
    contest = Contest.objects.create(election=election, name=name)
    Candidate.objects.bulk_create(
        Candidate(contest=contest, ballot_position=i, name=cand, party=party)
        for i, (cand, party) in enumerate(candidates, start=1)
    )
    do_record_audit("contest.create", obj=contest, detail={"candidates": len(candidates)})
    return contest
