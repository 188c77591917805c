"""The demo's SMS set-up for the citizen network: console sender, a Twilio token to sign with, and the lines
``pollwatch demo`` prints (webhook URL, token, a registered observer's phone, a report that observer could send)."""

from __future__ import annotations

import re

from pollwatch.collection.models import Submission
from pollwatch.missions.models import Deployment
from pollwatch.sms.models import SmsSettings
from pollwatch.sms.queries import forget_grammars, sms_grammar

DEMO_TWILIO_TOKEN = "pollwatch-demo-twilio-auth-token"  # noqa: S105 — a demo's token, printed on screen anyway
DEMO_GATEWAY_SECRET = "pollwatch-demo-gateway-secret"  # noqa: S105


def build_demo_sms(mission, *, base_url: str) -> dict[str, str]:
    SmsSettings.objects.update_or_create(mission=mission, defaults={
        "sender": SmsSettings.Sender.CONSOLE, "twilio_auth_token": DEMO_TWILIO_TOKEN,
        "gateway_secret": DEMO_GATEWAY_SECRET, "from_number": "+15005550006"})
    forget_grammars()
    lines = {"twilio_webhook_url": f"{base_url.rstrip('/')}/sms/{mission.slug}/twilio",
             "twilio_auth_token": DEMO_TWILIO_TOKEN}
    opening = next((f for f in sms_grammar(mission) if f.prefix == "OP"), None)
    if opening is None:
        return lines
    deployed = (Deployment.objects.for_mission(mission).filter(station__isnull=False).exclude(observer__phone="")
                .select_related("observer").order_by("observer__code"))
    # an observer whose opening report is still missing: the example SMS then moves the dashboard's coverage
    reported = Submission.objects.for_mission(mission).filter(form_id=opening.key, observer__isnull=False)
    deployment = (deployed.exclude(observer_id__in=reported.values("observer_id")).first()
                  or deployed.first())
    if deployment is None:
        return lines
    observer = deployment.observer
    digits = re.sub(r"\D", "", observer.code)
    # opened on time (1 = yes), seals intact, voter list present, 9 members, no unauthorised persons (2 = no)
    lines |= {"sms_observer_phone": observer.phone, "sms_example": f"OP{digits} AA1 AB1 AC1 AD9 AE2"}
    return lines
