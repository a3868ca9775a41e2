"""A reminder: a moment a note spoke of, offered to its owner and, once set, sent once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReminderStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")  # found in the note, shown, not set
    SCHEDULED = "scheduled", _("Scheduled")  # set: sent when due
    SENT = "sent", _("Sent")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    UNDELIVERED = "undelivered", _("Not delivered")  # the owner blocked the bot; kept


class Reminder(models.Model):
    """At most one per note. The row is the truth of delivery: it is leased (claimed)
    before the message goes and marked sent after, as notes are while published."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("owner"),
    )
    note = models.OneToOneField(
        "notes.Note", on_delete=models.CASCADE, related_name="reminder", verbose_name=_("note")
    )
    due_at = models.DateTimeField(_("due at"))
    phrase = models.CharField(_("found in"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReminderStatus.choices, default=ReminderStatus.OFFERED
    )
    asks_time_zone = models.BooleanField(
        _("asks about the time zone"),
        default=False,
        help_text=_("The first offer in the default zone asks the owner to confirm it."),
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_message_id = models.BigIntegerField(_("sent message id"), null=True, blank=True)
    sent_late = models.BooleanField(_("sent late"), default=False)
    last_error = models.TextField(_("last error"), blank=True)
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        app_label = "notes"
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at", "id"]
        indexes = [
            # The due check: scheduled reminders, earliest first.
            models.Index(
                fields=["due_at", "id"],
                condition=Q(status="scheduled"),
                name="reminder_due_idx",
            ),
            models.Index(fields=["owner", "status", "due_at"], name="reminder_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"⏰ #{self.note_id} {self.due_at:%Y-%m-%d %H:%M}"
