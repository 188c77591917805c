"""The demo is reproducible: the same seed builds the same election, another seed another one.

Its own module (three whole demo builds, the slowest test of the suite) so the parallel run can give it a worker of
its own instead of queueing it behind the other demo tests.
"""

import pytest

from pollwatch.demo.generator import build_demo
from pollwatch.elections.models import Election
from pollwatch.geography.models import PollingStation
from pollwatch.missions.models import Mission

pytestmark = pytest.mark.django_db


def fingerprint(election):
    stations = PollingStation.objects.filter(election=election).order_by("code")
    return list(stations.values_list("code", "registered_voters", "unit__code", "setting"))



def test_the_same_seed_gives_the_same_election_and_another_seed_does_not():
    first = fingerprint(build_demo(seed=7).election)
    wipe()
    assert fingerprint(build_demo(seed=7).election) == first
    wipe()
    assert fingerprint(build_demo(seed=8).election) != first


def wipe():
    from django.contrib.auth import get_user_model

    from pollwatch.collection.models import Submission

    Submission.objects.all().delete()  # forms are protected while reports point to them
    Mission.objects.all().delete()
    Election.objects.all().delete()
    get_user_model().objects.all().delete()
