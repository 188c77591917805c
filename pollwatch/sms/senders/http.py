"""The generic HTTP sender: POSTs ``{"to", "text", "id"}`` as JSON to the mission's ``http_send_url``, signed
like inbound webhooks (``X-Pollwatch-Signature: sha256=<hex HMAC of the body>``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
import uuid

from pollwatch.sms.senders.base import SendError
from pollwatch.sms.signing import gateway_secret


class HttpSender:
    timeout = 10.0

    def send(self, to: str, text: str, *, settings) -> str:
        url = settings.http_send_url if settings else ""
        if not url.startswith(("https://", "http://")):
            raise SendError("no http(s) http_send_url in the mission's SMS settings", retry=False)
        message_id = uuid.uuid4().hex
        body = json.dumps({"to": to, "text": text, "id": message_id}).encode()
        signature = hmac.new(gateway_secret(settings).encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Pollwatch-Signature": f"sha256={signature}"}
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 — http(s) only
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 — admin's URL
                if response.status >= 300:
                    raise SendError(f"gateway answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise SendError(f"gateway answered {exc.code}", retry=exc.code >= 500 or exc.code == 429) from None
        except (urllib.error.URLError, OSError) as exc:
            raise SendError(f"gateway unreachable: {type(exc).__name__}") from None
        return message_id
