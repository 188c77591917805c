from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from pollwatch.missions.models import MissionScopedQuerySet


class ObservationForm(models.Model):
    """One version of a mission's observation form (XLSForm converted to XForm by the Collection issue)."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening checklist")
        VOTING = "voting", _("Voting checklist")
        CLOSING = "closing", _("Closing and count")
        INCIDENT = "incident", _("Incident")
        OTHER = "other", _("Other")

    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="forms")
    form_id = models.CharField(max_length=100, help_text="The XForm id, stable across versions")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.CharField(max_length=64, default="1")
    xform = models.TextField(blank=True, help_text="XForm XML served to clients")
    md5 = models.CharField(max_length=32, blank=True)
    # False closes the form: it leaves the formList and new submissions to it get 410 Gone.
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The questions as read from the XForm (name, path, type, label, choices): what parsing and web entry use,
    # cached here so a submission is parsed without re-reading the XForm.
    fields = models.JSONField(default=list, blank=True)
    # The SMS grammar's prefix (XLSForm settings ``sms_prefix``; each field's ``sms_tag`` is in ``fields``):
    # empty means the form takes no SMS reports.
    sms_prefix = models.CharField(max_length=10, blank=True, default="")
    # pyxform's warnings at import time, kept to show on the form's page.
    warnings = models.JSONField(default=list, blank=True)
    # The uploaded XLSForm, verbatim (empty for forms made by the demo generator).
    xlsform = models.BinaryField(blank=True, default=b"")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["mission", "form_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["mission", "form_id", "version"], name="form_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class DeriveState(models.IntegerChoices):
    DONE = 0, _("Derived")
    PENDING = 1, _("Pending")
    FAILED = 2, _("Failed")


class Submission(models.Model):
    """One report as received. ``raw`` is kept verbatim and is the source of truth; ``values`` is derived."""

    class Transport(models.TextChoices):
        OPENROSA = "openrosa", _("OpenRosa (ODK Collect/Enketo)")
        SMS = "sms", _("SMS")
        WEB = "web", _("Web entry")
        API = "api", _("REST API")
        DEMO = "demo", _("Demo generator")

    # No single-column index on mission, observer or station: the (mission, received_at), (observer, received_at)
    # and (station, received_at) indexes below start with them and serve the same lookups. Every index is written
    # by every report: three fewer are a fifth less of each report's insert (and of SQLite's commit, which writes
    # each changed index page) at the close-of-polls peak.
    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="submissions",
                                db_index=False)
    form = models.ForeignKey(ObservationForm, null=True, blank=True, on_delete=models.PROTECT)
    observer = models.ForeignKey("missions.Observer", null=True, blank=True, on_delete=models.SET_NULL,
                                 db_index=False)
    station = models.ForeignKey("geography.PollingStation", null=True, blank=True, on_delete=models.SET_NULL,
                                db_index=False)
    transport = models.CharField(max_length=16, choices=Transport.choices)
    # Client-generated id (OpenRosa meta/instanceID): the idempotency key.
    instance_id = models.CharField(max_length=128, blank=True)
    received_at = models.DateTimeField(db_index=True)
    raw = models.TextField(help_text="The payload exactly as received")
    # What ``raw`` is, and so which payload reader reads it (collection.submissions.payload_reader): "xform-xml"
    # (OpenRosa), "sms-text", "api-json", "web-json" — an open set, as a higher app may register its own reader.
    payload_type = models.CharField(max_length=16, default="xform-xml")
    values = models.JSONField(default=dict, blank=True)
    # Set when a coordinator typed in a paper or phoned-in report on the observer's behalf.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept, never dropped, when e.g. the station code is unknown: a coordinator reviews it.
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=200, blank=True)
    # sha256 of the raw payload: an identical resubmission (same instance_id, same hash) is stored once,
    # the same instance_id with another hash is a 409 Conflict.
    content_hash = models.CharField(max_length=64, blank=True)
    # An edit (OpenRosa meta/deprecatedID) is a new row pointing to the report it replaces.
    deprecates = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="superseded_by"
    )
    # False once an edit replaced this report: lists and counts show current reports only.
    is_current = models.BooleanField(default=True)
    # Report integrity (one phone login must not rewrite another observer's results): the deprecatedID of an edit
    # sent from another login than the report it names. That report stays current; this one is kept next to it.
    claimed_edit_of = models.CharField(max_length=128, blank=True)
    # Held for review: an edit from another login (claimed_edit_of), or a report for a station its observer is not
    # deployed to. Master records, coverage and the quick count skip it until a coordinator accepts it.
    held = models.BooleanField(default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reports table is the derivation queue (collection/derivation.py): a stored report is PENDING until the
    # worker has brought the election-day tables up to date with it, FAILED (with the reason) if that raised.
    derive_state = models.PositiveSmallIntegerField(choices=DeriveState.choices, default=DeriveState.PENDING)
    derive_error = models.TextField(blank=True)

    objects = MissionScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["mission", "received_at"]),
            # The election-day rebuild reads one station's, or one observer's, reports in arrival order: without
            # these the planner walks (mission, received_at) through every report of the mission (7.7 s per
            # report at 1M reports on SQLite).
            models.Index(fields=["station", "received_at"], name="submission_station_time"),
            models.Index(fields=["observer", "received_at"], name="submission_observer_time"),
            # The queue: partial indexes hold only the reports still to derive (or failed), so claiming a batch,
            # the backlog and its oldest report are index reads whatever the size of the table. Queries repeat
            # the condition literally (SQLite uses a partial index only then).
            models.Index(fields=["id"], name="submission_pending", condition=models.Q(derive_state=1)),
            models.Index(fields=["mission", "id"], name="submission_failed", condition=models.Q(derive_state=2)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "instance_id"],
                condition=~models.Q(instance_id=""),
                name="submission_unique_instance",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_transport_display()} {self.instance_id or self.pk}"


class Attachment(models.Model):
    """A file sent with a submission (photo of a protocol, ...), stored verbatim under MEDIA_ROOT."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255, help_text="File name as sent by the client")
    file = models.FileField(max_length=500)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "name"], name="attachment_unique_name")]

    def __str__(self) -> str:
        return self.name


class DeviceCredential(models.Model):
    """An observer's device login for OpenRosa (ODK Collect, Enketo): username + PIN, Digest auth, and optionally a
    login URL holding a token (ODK Central's App User style, no HTTP auth).

    Only HA1 = md5(username:realm:password) is stored (RFC 7616 with MD5, which ODK Collect speaks), never the
    plaintext PIN.
    """

    observer = models.OneToOneField("missions.Observer", on_delete=models.CASCADE, related_name="device_credential")
    # The observer's mission, kept on the row so that a username is unique per mission: two missions may both have
    # an observer CO-0001, and the OpenRosa URL (/m/<mission>/) says which one a phone means.
    mission = models.ForeignKey("missions.Mission", on_delete=models.CASCADE, related_name="+")
    username = models.CharField(max_length=64)
    ha1 = models.CharField(max_length=32)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The login URL's token (/key/<token>/m/<slug>/, Mission.allow_device_tokens): only its sha256 is kept, the URL is
    # shown once. Null: no login URL (never given, or revoked).
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, default=None)
    token_created_at = models.DateTimeField(null=True, blank=True)
    token_used_at = models.DateTimeField(null=True, blank=True, help_text="Last use of the login URL (to the minute)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mission", "username"], name="device_login_unique_per_mission")]

    def __str__(self) -> str:
        return self.username


class DigestNonceUse(models.Model):
    """A (nonce, nonce count) pair an OpenRosa request was accepted with: a second request with the same pair is a
    replayed Authorization header and is refused. Rows outlive their nonce by a little and are then deleted."""

    nonce = models.CharField(max_length=80)
    nc = models.CharField(max_length=16, blank=True, help_text="Empty for a client that sends no qop/nc")
    used_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["nonce", "nc"], name="digest_nonce_count_once")]

    def __str__(self) -> str:
        return f"{self.nonce} #{self.nc}"


class ApiToken(models.Model):
    """A REST API token for a user; only its sha256 is stored, the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Scope (pollwatch.missions.access reads it for requests the token authenticates): one mission only (NULL:
    # every mission of the user), and at most a role's capabilities (blank: the user's own role).
    mission = models.ForeignKey("missions.Mission", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    role = models.CharField(max_length=20, blank=True)
    # Past it, the token is refused (401); NULL: no expiry (tokens made before expiry existed).
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.name}"


class FormMedia(models.Model):
    """A media file a form version refers to (image, audio, CSV choice list), listed in its OpenRosa manifest."""

    form = models.ForeignKey(ObservationForm, on_delete=models.CASCADE, related_name="media")
    name = models.CharField(max_length=255, help_text="File name as the XForm refers to it (jr://images/<name>)")
    file = models.FileField(max_length=500)
    md5 = models.CharField(max_length=32)
    size = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "name"], name="form_media_unique_name")]

    def __str__(self) -> str:
        return self.name


class WorkerHeartbeat(models.Model):
    """A running derivation worker (``pollwatch worker``), as ``/health/ready`` sees it: each worker updates its row
    every few seconds from its loop and deletes it when it stops; a row not updated for a while is a worker that
    died or hangs. Not domain data: a handful of rows, rows of long-dead workers are pruned by the live ones."""

    worker = models.CharField(max_length=200, unique=True, help_text="host:pid of the worker process")
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True, help_text="Last time its loop came round")
    derived = models.PositiveBigIntegerField(default=0, help_text="Reports it has derived since it started")

    def __str__(self) -> str:
        return self.worker
