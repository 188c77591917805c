"""Twilio's REST API (``twilio`` SDK). Credentials: the mission's SmsSettings, else POLLWATCH_TWILIO_* variables."""

from __future__ import annotations

import os

from pollwatch.sms.senders.base import SendError


def twilio_credentials(settings) -> tuple[str, str]:
    sid = (settings.twilio_account_sid if settings else "") or os.environ.get("POLLWATCH_TWILIO_ACCOUNT_SID", "")
    token = (settings.twilio_auth_token if settings else "") or os.environ.get("POLLWATCH_TWILIO_AUTH_TOKEN", "")
    return sid, token


class TwilioSender:
    def send(self, to: str, text: str, *, settings) -> str:
        from twilio.base.exceptions import TwilioException, TwilioRestException
        from twilio.rest import Client

        sid, token = twilio_credentials(settings)
        sender = (settings.from_number if settings else "") or os.environ.get("POLLWATCH_TWILIO_FROM", "")
        if not (sid and token and sender):
            raise SendError("Twilio account SID, auth token and from number are not all set", retry=False)
        try:
            message = Client(sid, token).messages.create(to=to, from_=sender, body=text)
        except TwilioRestException as exc:
            # 4xx: the request is wrong (bad number, unverified sender): retrying will not help
            raise SendError(f"Twilio refused the message ({exc.status}, code {exc.code})",
                            retry=exc.status >= 500 or exc.status == 429) from None
        except (TwilioException, OSError) as exc:
            raise SendError(f"Twilio unreachable: {type(exc).__name__}") from None
        return str(message.sid)
