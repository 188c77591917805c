"""gunicorn's logger without login URLs' tokens: ``--logger-class pollwatch.web.access_log.RedactingLogger``.

gunicorn writes the request line into its access log and the URI into "Error handling request …" lines; a phone's
login URL (``/key/<token>/m/<slug>/…``) would leave its credential there. Both of gunicorn's loggers get
:class:`~pollwatch.accounts.redaction.RedactingFilter`. Loaded by gunicorn before Django is set up.
"""

from __future__ import annotations

from gunicorn import glogging

from pollwatch.accounts.redaction import RedactingFilter

LOGGER_CLASS = "pollwatch.web.access_log.RedactingLogger"


class RedactingLogger(glogging.Logger):
    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactingFilter) for f in log.filters):
                log.addFilter(RedactingFilter())
