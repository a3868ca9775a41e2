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


class ImportJob(models.Model):
    """One import of a file, with its progress: a crash resumes after the last message done."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("owner"),
    )
    path = models.CharField(_("file"), max_length=1024)
    use_ai = models.BooleanField(_("through the AI chain"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    position = models.PositiveIntegerField(
        _("messages read"), default=0, help_text=_("A resumed import skips this many.")
    )
    imported = models.PositiveIntegerField(_("imported"), default=0)
    already_present = models.PositiveIntegerField(_("already present"), default=0)
    skipped = models.JSONField(_("skipped, by kind"), default=dict, blank=True)
    failed = models.JSONField(_("failed, with why"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    chat_id = models.BigIntegerField(_("chat id"), null=True, blank=True)
    progress_message_id = models.BigIntegerField(_("progress message id"), null=True, blank=True)
    # A worker leases the job while it imports (secretary.work); a lease that lapses (the
    # worker died) lets the sweeper hand the job on, and it resumes from ``position``.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner"], condition=Q(status="running"), name="import_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk} ({self.status})"


class ImportedMessage(models.Model):
    """Where an imported note came from: its chat in the export, what it replied to, its file."""

    note = models.OneToOneField(
        "notes.Note", on_delete=models.CASCADE, related_name="imported", verbose_name=_("note")
    )
    chat_name = models.CharField(_("chat"), max_length=255, blank=True)
    export_chat_id = models.BigIntegerField(_("chat id in the export"))
    message_id = models.BigIntegerField(_("message id in the export"))
    reply_to_message_id = models.BigIntegerField(_("in reply to"), null=True, blank=True)
    media = models.CharField(_("file in the export"), max_length=512, blank=True)

    class Meta:
        verbose_name = _("imported message")
        verbose_name_plural = _("imported messages")

    def __str__(self) -> str:
        return f"{self.export_chat_id}/{self.message_id}"
