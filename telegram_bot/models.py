"""What Telegram sent us, kept so that a redelivered update is recognised."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class TelegramUpdate(models.Model):
    """One incoming update. ``update_id`` is unique: the webhook's dedupe key."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    update_id = models.BigIntegerField(_("update id"), unique=True)
    kind = models.CharField(_("kind"), max_length=32, blank=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Processing is leased to one worker at a time; the sweeper resumes a lapsed lease.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram update")
        verbose_name_plural = _("Telegram updates")
        ordering = ["-update_id"]
        indexes = [
            # The sweeper looks for stored updates nobody finished processing.
            models.Index(
                fields=["received_at"], condition=Q(status="received"), name="update_unfinished_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind or 'update'} {self.update_id}"


class ConversationState(models.Model):
    """Where a conversation with one person stands (aiogram FSM), kept in the database.

    Any replica may receive the next update of a conversation, so the state
    ("waiting for the edited text of note 42") cannot live in process memory.
    ``key`` is aiogram's storage key: bot, chat, user (and thread, destiny).
    """

    key = models.CharField(_("key"), max_length=200, unique=True)
    state = models.CharField(_("state"), max_length=100, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("conversation state")
        verbose_name_plural = _("conversation states")

    def __str__(self) -> str:
        return f"{self.key}: {self.state or '-'}"
