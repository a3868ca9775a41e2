"""Notes: everything an owner sends, from the moment it arrives until it is filed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NoteKind(models.TextChoices):
    TEXT = "text", _("Text")
    LINK = "link", _("Link")
    FORWARD = "forward", _("Forward")
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    VIDEO = "video", _("Video")
    VOICE = "voice", _("Voice")
    AUDIO = "audio", _("Audio")
    VIDEO_NOTE = "video_note", _("Video note")


class NoteStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ENRICHING = "enriching", _("Enriching")
    CLASSIFYING = "classifying", _("Classifying")
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    PUBLISHING = "publishing", _("Publishing")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    FAILED = "failed", _("Failed")


# Statuses from which a note can still move on by itself or by a tap.
OPEN_STATUSES = (
    NoteStatus.RECEIVED,
    NoteStatus.ENRICHING,
    NoteStatus.CLASSIFYING,
    NoteStatus.AWAITING_CONFIRMATION,
    NoteStatus.PUBLISHING,
)

# Statuses in which a worker owes the note some work (nobody needs to tap anything).
WORKING_STATUSES = (
    NoteStatus.RECEIVED,
    NoteStatus.ENRICHING,
    NoteStatus.CLASSIFYING,
    NoteStatus.PUBLISHING,
)


class Note(models.Model):
    """One thing the owner sent. Stored before any slow work; never deleted by the pipeline."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=_("owner"),
    )
    # Where the note came from; the pair is the idempotency key of intake.
    source_chat_id = models.BigIntegerField(_("source chat id"))
    source_message_id = models.BigIntegerField(_("source message id"))
    media_group_id = models.CharField(_("media group id"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices)

    text = models.TextField(_("original text"), blank=True)
    entities = models.JSONField(_("text entities"), default=list, blank=True)
    files = models.JSONField(
        _("files"), default=list, blank=True, help_text=_("Telegram file ids and their metadata.")
    )
    forward_origin = models.JSONField(_("forward origin"), null=True, blank=True)
    # When the owner sent the note's latest message (Telegram's clock): a message sent
    # within NOTE_BURST_SECONDS of it joins the note (notes.services.bursts).
    last_sent_at = models.DateTimeField(_("last message sent at"), null=True, blank=True)
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("follows"),
        help_text=_("The note this one answers (a reply to a note no longer open)."),
    )
    earlier_versions = models.JSONField(
        _("earlier versions"),
        default=list,
        blank=True,
        help_text=_("What the note said before the owner edited it after filing."),
    )
    # An edit after filing owes the group an edit of the filed messages ("due"); "refused"
    # once Telegram refused one and the owner was told (they are told once).
    filed_edit = models.CharField(_("edit of the filed messages"), max_length=16, blank=True)
    message_count = models.PositiveSmallIntegerField(
        _("messages"), default=1, help_text=_("How many of the owner's messages the note holds.")
    )
    transcript = models.TextField(_("transcript"), blank=True)
    link_metadata = models.JSONField(
        _("link metadata"),
        null=True,
        blank=True,
        help_text=_("One entry per link: its URL and what its page says."),
    )

    status = models.CharField(
        _("status"), max_length=32, choices=NoteStatus.choices, default=NoteStatus.RECEIVED
    )
    topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("topic"),
    )

    ai_provider = models.CharField(_("AI provider"), max_length=16, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    alternatives = models.JSONField(_("alternatives"), default=list, blank=True)
    classification = models.JSONField(
        _("classification details"),
        default=dict,
        blank=True,
        help_text=_("The full validated answer, and why other providers failed."),
    )

    title = models.CharField(_("title"), max_length=255, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    rendered_text = models.TextField(_("rendered text"), blank=True)

    published_chat_id = models.BigIntegerField(_("published chat id"), null=True, blank=True)
    published_message_ids = models.JSONField(_("published message ids"), default=list, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publish_after = models.DateTimeField(
        _("publish after"),
        null=True,
        blank=True,
        help_text=_("Its turn in the group's pacing (Telegram takes 20 messages a minute)."),
    )

    last_error = models.TextField(_("last error"), blank=True)
    # Work on the note (preparing, publishing) is leased to one worker at a time; a lease
    # that is not renewed (the worker died) runs out and the sweeper hands the work on.
    claimed_by = models.CharField(_("claimed by"), max_length=64, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        _("attempts"), default=0, help_text=_("Runs of the current stage that did not finish.")
    )
    failed_from = models.CharField(
        _("failed while"),
        max_length=32,
        choices=NoteStatus.choices,
        blank=True,
        help_text=_("The stage a failed note was in; retrying resumes it."),
    )
    failure_reported_at = models.DateTimeField(_("failure reported at"), null=True, blank=True)
    input_tokens = models.PositiveIntegerField(_("input tokens"), default=0)
    output_tokens = models.PositiveIntegerField(_("output tokens"), default=0)
    cost_usd = models.DecimalField(_("cost, USD"), max_digits=10, decimal_places=6, default=0)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_chat_id", "source_message_id"], name="note_unique_source_message"
            ),
            models.CheckConstraint(
                condition=Q(confidence__isnull=True)
                | (Q(confidence__gte=0) & Q(confidence__lte=1)),
                name="note_confidence_0_1",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="note_owner_recent_idx"),
            models.Index(fields=["owner", "status"], name="note_owner_status_idx"),
            # Recent confirmed notes per topic feed the classifier as examples.
            models.Index(
                fields=["topic", "-published_at"],
                condition=Q(status="published"),
                name="note_topic_published_idx",
            ),
            # The sweeper looks for notes whose work stalled.
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=WORKING_STATUSES) | Q(status="failed"),
                name="note_working_idx",
            ),
            models.Index(
                fields=["source_chat_id", "media_group_id"],
                condition=~Q(media_group_id=""),
                name="note_media_group_idx",
            ),
        ]

    def __str__(self) -> str:
        preview = (self.text or self.transcript or self.kind)[:60]
        return f"#{self.pk} {preview}"

    @property
    def content(self) -> str:
        """The words of the note: the text or caption, else the transcript."""
        return self.text or self.transcript


class NotePart(models.Model):
    """One message of a note made of several (a burst: a comment and its forwards).

    A note of one message has none. The note's own text, entities, files and kind
    are composed from its parts, in message order (``notes.services.bursts``);
    each part keeps what its message said, so the note can be split again.
    """

    note = models.ForeignKey(
        Note, on_delete=models.CASCADE, related_name="parts", verbose_name=_("note")
    )
    chat_id = models.BigIntegerField(_("chat id"))
    message_id = models.BigIntegerField(_("message id"))
    media_group_id = models.CharField(_("media group id"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices)
    text = models.TextField(_("text"), blank=True)
    entities = models.JSONField(_("text entities"), default=list, blank=True)
    files = models.JSONField(_("files"), default=list, blank=True)
    forward_origin = models.JSONField(_("forward origin"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # A reply to a filed note is posted on its own, as a reply in the note's topic.
    published_message_ids = models.JSONField(_("published message ids"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note part")
        verbose_name_plural = _("note parts")
        ordering = ["note", "message_id"]
        constraints = [
            models.UniqueConstraint(fields=["chat_id", "message_id"], name="note_part_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.note_id}/{self.message_id}"


class PendingConfirmation(models.Model):
    """A preview waiting for the owner's tap. Expiry resolves it; the note stays."""

    class Resolution(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    note = models.OneToOneField(
        Note, on_delete=models.CASCADE, related_name="pending", verbose_name=_("note")
    )
    preview_chat_id = models.BigIntegerField(_("preview chat id"), null=True, blank=True)
    preview_message_id = models.BigIntegerField(_("preview message id"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pending confirmation")
        verbose_name_plural = _("pending confirmations")
        ordering = ["expires_at"]
        indexes = [
            # The expiry job scans only open confirmations, oldest deadline first.
            models.Index(
                fields=["expires_at"],
                condition=Q(resolved_at__isnull=True),
                name="pending_open_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(resolved_at__isnull=True) & Q(resolution=""))
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="pending_resolution_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Pending #{self.note_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class FilingExample(models.Model):
    """A note the owner filed, remembered so that later classifications learn from it.

    One per note (filing again updates it). When the owner filed it somewhere
    other than the AI suggested, ``suggested_topic`` keeps the suggestion: a
    correction ("not Books — Movies"). ``text`` is a snapshot of what was
    classified, so the example survives edits of the note.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="filing_examples",
        verbose_name=_("owner"),
    )
    note = models.OneToOneField(
        Note, on_delete=models.CASCADE, related_name="filing_example", verbose_name=_("note")
    )
    topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.CASCADE,
        related_name="filing_examples",
        verbose_name=_("filed into"),
    )
    suggested_topic = models.ForeignKey(
        "topics.Topic",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested topic"),
    )
    text = models.TextField(_("text"))
    # ``text``'s sentence vector (notes.ai.embeddings), computed once when filed;
    # empty when embeddings are off.
    embedding = models.BinaryField(_("embedding"), blank=True, default=b"", editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("filing example")
        verbose_name_plural = _("filing examples")
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The classifier reads an owner's most recent examples.
            models.Index(fields=["owner", "-updated_at"], name="filing_example_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.text[:40]} → {self.topic}"

    @property
    def is_correction(self) -> bool:
        return self.suggested_topic_id is not None and self.suggested_topic_id != self.topic_id


# Search lives in a package of its own; its tables belong to this app.
# So do reminders.
from notes.reminders.models import Reminder, ReminderStatus  # noqa: E402
from notes.search.models import NoteLinkKey, NoteSearchEntry  # noqa: E402

__all__ = [
    "OPEN_STATUSES",
    "WORKING_STATUSES",
    "FilingExample",
    "Note",
    "NoteKind",
    "NoteLinkKey",
    "NoteSearchEntry",
    "NoteStatus",
    "PendingConfirmation",
    "Reminder",
    "ReminderStatus",
]
from notes.archive.models import ExportJob, ImportedMessage, ImportJob  # noqa: E402,F401
