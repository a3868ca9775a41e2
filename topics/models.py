"""The owner's archive: a Telegram forum group and its topics (categories)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from topics.formats import DEFAULT_FORMAT_TEMPLATE, validate_format_template

# In a forum the General topic has id 1; the Bot API addresses it by omitting
# message_thread_id, so publishing must special-case it (see Topic.is_general).
GENERAL_THREAD_ID = 1


class ForumGroup(models.Model):
    """A Telegram supergroup the bot files notes into."""

    chat_id = models.BigIntegerField(_("Telegram chat id"), unique=True)
    title = models.CharField(_("title"), max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_groups",
        verbose_name=_("owner"),
    )
    is_forum = models.BooleanField(_("topics enabled"), default=False)
    bot_is_member = models.BooleanField(_("bot is a member"), default=True)
    bot_can_manage_topics = models.BooleanField(_("bot may manage topics"), default=False)
    bot_can_post = models.BooleanField(_("bot may post"), default=False)
    rights_checked_at = models.DateTimeField(_("rights checked at"), null=True, blank=True)
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("forum group")
        verbose_name_plural = _("forum groups")
        ordering = ["title", "chat_id"]

    def __str__(self) -> str:
        return self.title or str(self.chat_id)


class Topic(models.Model):
    """A category in the owner's archive: one forum topic."""

    group = models.ForeignKey(
        ForumGroup, on_delete=models.CASCADE, related_name="topics", verbose_name=_("group")
    )
    thread_id = models.BigIntegerField(
        _("message thread id"), help_text=_("1 is the General topic.")
    )
    name = models.CharField(_("name"), max_length=128)
    description = models.TextField(
        _("description"), blank=True, help_text=_("What belongs here, in plain words.")
    )
    format_template = models.TextField(
        _("format template"),
        default=DEFAULT_FORMAT_TEMPLATE,
        help_text=_("How notes look in this topic (Django template syntax)."),
    )
    # The sha256 of the format template whose falling back to the default (it hit a
    # bound of the engine on a note) the owner has been told about: told once each.
    format_fallback_reported = models.CharField(
        _("format fallback reported"), max_length=64, blank=True, editable=False
    )
    style_instructions = models.TextField(
        _("style instructions"),
        blank=True,
        help_text=_("Extra instructions for the AI on how to write notes here."),
    )
    icon_color = models.IntegerField(_("icon colour"), null=True, blank=True)
    icon_custom_emoji_id = models.CharField(_("icon emoji id"), max_length=64, blank=True)
    is_private = models.BooleanField(
        _("private"), default=False, help_text=_("Never sent to any AI provider.")
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    is_closed = models.BooleanField(_("closed in Telegram"), default=False)
    is_gone = models.BooleanField(
        _("gone from Telegram"), default=False, help_text=_("Deleted in the group.")
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    created_by_bot = models.BooleanField(_("created by the bot"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["group", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["group", "thread_id"], name="topic_unique_thread"),
            models.CheckConstraint(condition=Q(thread_id__gte=1), name="topic_thread_id_positive"),
        ]
        indexes = [
            models.Index(
                fields=["group", "position"],
                condition=Q(is_archived=False, is_gone=False),
                name="topic_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            validate_format_template(self.format_template)
        except ValidationError as exc:
            raise ValidationError({"format_template": exc.messages}) from None

    @property
    def is_general(self) -> bool:
        return self.thread_id == GENERAL_THREAD_ID

    @property
    def is_selectable(self) -> bool:
        """Whether notes may be filed here now."""
        return not (self.is_archived or self.is_gone)
