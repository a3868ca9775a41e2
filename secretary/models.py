"""Users of the product and their preferences."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    RUSSIAN = "ru", _("Russian")
    ENGLISH = "en", _("English")


def language_from_telegram(language_code: str | None) -> str:
    """Telegram sends IETF tags (``ru``, ``en-US``, ``uk``); we speak ru and en."""
    code = (language_code or "").lower()
    if code.startswith(("ru", "uk", "be", "kk")):
        return Language.RUSSIAN
    return Language.ENGLISH


class User(AbstractUser):
    """Anyone the product knows: Telegram users (the owners) and support staff.

    Telegram users get a generated login ``username`` (``tg<id>``) and no usable
    password; their Telegram handle lives in ``telegram_username``.
    """

    telegram_id = models.BigIntegerField(
        _("Telegram id"), unique=True, null=True, blank=True, help_text=_("Empty for staff.")
    )
    telegram_username = models.CharField(_("Telegram username"), max_length=64, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    has_blocked_bot = models.BooleanField(_("has blocked the bot"), default=False)
    blocked_bot_at = models.DateTimeField(_("blocked the bot at"), null=True, blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        indexes = [models.Index(fields=["telegram_username"], name="user_tg_username_idx")]

    @property
    def display_name(self) -> str:
        """How the bot names this person to others."""
        return self.first_name or self.telegram_username or str(self.telegram_id or self.username)

    def __str__(self) -> str:
        if self.telegram_id:
            handle = f"@{self.telegram_username}" if self.telegram_username else self.first_name
            return f"{handle} ({self.telegram_id})".strip()
        return self.username


class ConfirmMode(models.TextChoices):
    ALWAYS_ASK = "always", _("Always ask before filing")
    AUTO_ABOVE_THRESHOLD = "auto", _("File at once when the AI is confident")
    NEVER_ASK = "never", _("Never ask, file at once")


class ReminderMode(models.TextChoices):
    """What an auto-filed note with a date in it does about a reminder."""

    ASK = "ask", _("Offer a reminder")
    ALWAYS = "always", _("Always set the reminder")
    NEVER = "never", _("Never set reminders")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value})


def validate_provider_chain(value: str) -> None:
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in settings.AI_PROVIDER_NAMES]
    if unknown:
        raise ValidationError(
            _("Unknown AI providers: %(names)s. Known: %(known)s."),
            params={"names": ", ".join(unknown), "known": ", ".join(settings.AI_PROVIDER_NAMES)},
        )
    if len(set(names)) != len(names):
        raise ValidationError(_("Each AI provider may appear only once."))


class Preferences(models.Model):
    """How one owner wants the secretary to behave. One row per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: follow the language of the user's Telegram app."),
    )
    confirm_mode = models.CharField(
        _("confirmation"),
        max_length=8,
        choices=ConfirmMode.choices,
        default=ConfirmMode.ALWAYS_ASK,
    )
    auto_file_threshold = models.FloatField(
        _("auto-file threshold"),
        default=0.85,
        help_text=_("Confidence from 0 to 1 above which notes are filed without asking."),
    )
    pending_ttl = models.DurationField(
        _("pending confirmation lifetime"),
        null=True,
        blank=True,
        help_text=_("Empty: the server default."),
    )
    ai_providers = models.CharField(
        _("AI provider chain"),
        max_length=64,
        blank=True,
        validators=[validate_provider_chain],
        help_text=_("Comma-separated, e.g. openai,gemini,local. Empty: the server default."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    time_zone_confirmed = models.BooleanField(
        _("time zone confirmed"),
        default=False,
        help_text=_("Asked once, when a reminder is first offered in the default zone."),
    )
    reminder_mode = models.CharField(
        _("reminders of auto-filed notes"),
        max_length=8,
        choices=ReminderMode.choices,
        default=ReminderMode.ASK,
    )
    default_group = models.ForeignKey(
        "topics.ForumGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default group"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_file_threshold__gte=0) & Q(auto_file_threshold__lte=1),
                name="preferences_threshold_0_1",
                violation_error_message=_("The threshold must be between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(pending_ttl__isnull=True) | Q(pending_ttl__gt=timedelta(0)),
                name="preferences_pending_ttl_positive",
                violation_error_message=_("The pending lifetime must be positive."),
            ),
        ]

    def __str__(self) -> str:
        return f"Preferences of {self.user}"

    @property
    def effective_language(self) -> str:
        return self.language or self.user.language

    @property
    def effective_pending_ttl(self) -> timedelta:
        return self.pending_ttl or settings.PENDING_TTL

    @property
    def provider_chain(self) -> list[str]:
        names = [name.strip() for name in self.ai_providers.split(",") if name.strip()]
        return names or list(settings.AI_PROVIDERS)
