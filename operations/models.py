"""Records of the operations the site runs on itself: the daily restore drills."""

from django.db import models
from django.utils import timezone


class RestoreDrill(models.Model):
    """One restore of the newest backup into a scratch database, its checks and how long it took."""

    started_at = models.DateTimeField(default=timezone.now, db_index=True)
    succeeded = models.BooleanField()
    source = models.CharField(max_length=200, help_text="where the backup came from: this server or a storage")
    backup_file = models.CharField(max_length=255, blank=True)
    backup_created_at = models.DateTimeField(null=True, blank=True)
    backup_bytes = models.BigIntegerField(null=True, blank=True)
    fetch_seconds = models.FloatField(null=True, blank=True, help_text="download and decryption")
    restore_seconds = models.FloatField(null=True, blank=True, help_text="the restore itself")
    total_seconds = models.FloatField(help_text="the whole drill: the measured recovery time (RTO)")
    tables = models.IntegerField(null=True, blank=True)
    rows = models.BigIntegerField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="tables that differ, smoke queries")
    error = models.TextField(blank=True)

    class Meta:
        db_table = "restore_drill"
        ordering = ["-started_at"]
        verbose_name = "restore drill"

    def __str__(self) -> str:
        outcome = "passed" if self.succeeded else "failed"
        return f"Restore drill of {self.started_at:%Y-%m-%d %H:%M}: {outcome}"
