"""``pollwatch sms simulate``: realistic SMS reports from a mission's observers, some typed with mistakes, fed
through the same service as the webhooks (gateway ``simulate``)."""

from __future__ import annotations

import random
import uuid
from collections import Counter

from pollwatch.missions.models import Observer
from pollwatch.sms.queries import code_key, sms_grammar
from pollwatch.sms.services import do_receive_sms
from pollwatch.sms.typos import mistype, valid_report


def simulate_messages(mission, *, count: int, typo_share: float = 0.3, seed: int = 0) -> dict[str, object]:
    forms = [f for f in sms_grammar(mission) if f.fields]
    if not forms:
        raise ValueError(f"mission {mission.slug!r} has no form with an SMS prefix and tags")
    observers = list(Observer.objects.for_mission(mission).exclude(phone="").filter(deployments__isnull=False)
                     .distinct().order_by("code")[:5000])
    if not observers:
        raise ValueError(f"mission {mission.slug!r} has no deployed observer with a phone")
    rng = random.Random(seed)
    outcome: Counter[str] = Counter()
    for _ in range(count):
        observer = rng.choice(observers)
        report = valid_report(rng.choice(forms), rng, participant_id=code_key(observer.code) or observer.code)
        if rng.random() < typo_share:
            report = mistype(report, rng)
        result = do_receive_sms(mission, gateway="simulate", message_id=uuid.uuid4().hex, sender=observer.phone,
                                text=report.text)
        outcome[result.message.status] += 1
    return {"messages": count, **{k: outcome[k] for k in sorted(outcome)}}
