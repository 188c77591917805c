from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who changed what and when. Written only by ``do_*`` services, never edited."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Null for actions that are not about one mission (e.g. importing an election's geography).
    mission = models.ForeignKey("missions.Mission", null=True, blank=True, on_delete=models.CASCADE)
    action = models.CharField(max_length=64)  # e.g. "import.stations", "demo.build"
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
