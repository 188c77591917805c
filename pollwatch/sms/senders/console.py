"""The development sender: writes the message to stderr and the ``pollwatch.sms.console`` log; sends nothing."""

from __future__ import annotations

import logging
import sys
import uuid

logger = logging.getLogger("pollwatch.sms.console")

# Messages "sent" in this process, newest last (tests and the demo read them).
OUTBOX: list[tuple[str, str]] = []


class ConsoleSender:
    def send(self, to: str, text: str, *, settings) -> str:
        OUTBOX.append((to, text))
        del OUTBOX[:-1000]
        line = f"[sms to {to}] {text}"
        logger.info(line)
        print(line, file=sys.stderr, flush=True)
        return f"console-{uuid.uuid4().hex[:12]}"
