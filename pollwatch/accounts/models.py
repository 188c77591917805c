from django.conf import settings
from django.db import models


class AuditTrailIsAppendOnly(Exception):
    """An audit entry was about to be changed or deleted: the trail is written once, by do_record_audit."""


class AuditQuerySet(models.QuerySet):
    """Entries are only ever added, one by one, through ``do_record_audit`` (which chains them)."""

    def update(self, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries are never updated")

    def delete(self):
        raise AuditTrailIsAppendOnly("audit entries are never deleted")

    def bulk_create(self, objs, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries are added one by one, chained, by do_record_audit")

    def bulk_update(self, objs, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries are never updated")


class AuditEntry(models.Model):
    """Who did what and when: written once by ``do_record_audit``, never edited or deleted.

    Each entry carries the sha256 of its own content and of the entry before it (``pollwatch.accounts.chain``),
    so an entry edited, deleted or slipped in with SQL breaks the chain, and ``pollwatch audit verify`` names it.
    """

    # Set by do_record_audit before hashing (so it is part of what the hash covers), not auto_now_add.
    at = models.DateTimeField(db_index=True)
    # The foreign keys are for queries; the hash covers the names stored beside them, which stay when a user or a
    # mission is deleted (the keys are then set to NULL; a mission's deletion no longer deletes its entries).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    username = models.CharField(max_length=150, blank=True)
    # Null for actions that are not about one mission (e.g. importing an election's geography, a login).
    mission = models.ForeignKey("missions.Mission", null=True, blank=True, on_delete=models.SET_NULL)
    mission_slug = models.CharField(max_length=50, blank=True)
    action = models.CharField(max_length=64)  # e.g. "import.stations", "demo.build"
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, help_text="The hash of the entry before this one")
    hash = models.CharField(max_length=64, blank=True, help_text="sha256 of this entry's content and prev_hash")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("audit entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditTrailIsAppendOnly("audit entries are never deleted")


class UserLanguage(models.Model):
    """The interface language a user chose with the top bar's switcher, applied again at each login
    (pollwatch.accounts.i18n): on another computer or browser the user gets the same language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True,
                                related_name="interface_language")
    # One of settings.LANGUAGES' codes.
    language = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
