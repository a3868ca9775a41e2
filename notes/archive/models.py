"""The record of an export: one row per request, so that a second request while one runs
joins it instead of starting another, and the file can be fetched later by a signed link."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportFormat(models.TextChoices):
    MARKDOWN = "markdown", _("Markdown vault (zip)")
    JSON = "json", _("JSON")


class ExportJob(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="export_jobs",
        verbose_name=_("owner"),
    )
    format = models.CharField(_("format"), max_length=16, choices=ExportFormat.choices)
    with_media = models.BooleanField(_("with media"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    # Where the owner asked (a private chat) and the message that shows the progress.
    chat_id = models.BigIntegerField(_("chat id"), null=True, blank=True)
    progress_message_id = models.BigIntegerField(_("progress message id"), null=True, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.BigIntegerField(_("size, bytes"), default=0)
    notes_done = models.PositiveIntegerField(_("notes written"), default=0)
    notes_total = models.PositiveIntegerField(_("notes in all"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        constraints = [
            # An export asked for twice at once runs once.
            models.UniqueConstraint(
                fields=["owner"], condition=Q(status="running"), name="export_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"Export #{self.pk} ({self.format}, {self.status})"
