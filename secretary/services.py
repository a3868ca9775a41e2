"""Services of the core app: users, preferences and the periodic job table."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from secretary.caching import cached, forget
from secretary.celery import PERIODIC_JOBS
from secretary.models import Preferences, User, language_from_telegram

logger = logging.getLogger(__name__)


@transaction.atomic
def user_get_or_create_from_telegram(
    *,
    telegram_id: int,
    username: str | None = None,
    first_name: str = "",
    last_name: str | None = None,
    language_code: str | None = None,
    writes_to_bot: bool = True,
    follows_language: bool = False,
) -> User:
    """The owner behind a Telegram account, created on first contact, refreshed after.

    Names and handle follow Telegram; the language only fills in on creation,
    since the owner may have changed it in settings since. ``writes_to_bot``: this
    contact is a message to the bot, so an owner who had blocked it is back
    (opening the Mini App says nothing about that). ``follows_language``: this contact
    says which language Telegram speaks now (the Mini App's init data does), and an
    owner who keeps "as in Telegram" follows it.
    """
    user, created = User.objects.select_for_update().get_or_create(
        telegram_id=telegram_id,
        defaults={
            "username": f"tg{telegram_id}",
            "telegram_username": username or "",
            "first_name": first_name[:150],
            "last_name": (last_name or "")[:150],
            "language": language_from_telegram(language_code),
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        Preferences.objects.create(user=user)
        return user
    changes: dict[str, Any] = {
        "telegram_username": username or "",
        "first_name": first_name[:150],
        "last_name": (last_name or "")[:150],
    }
    if writes_to_bot:
        changes["has_blocked_bot"] = False
    if follows_language and language_code:
        changes["language"] = language_from_telegram(language_code)
    changed = [field for field, value in changes.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, changes[field])
    if changed:
        user.save(update_fields=changed)
    return user


def user_mark_unreachable(*, user: User) -> None:
    """The user blocked the bot: nothing is sent to them until they come back."""
    User.objects.filter(pk=user.pk).update(has_blocked_bot=True, blocked_bot_at=timezone.now())


PREFERENCES_CACHE_SECONDS = 300


def _preferences_key(user_id: int) -> str:
    return f"preferences:v1:{user_id}"


def preferences_for(*, user: User) -> Preferences:
    """The user's preferences (created with defaults if somehow missing), from the cache:
    every note's classification and rendering reads them. Saving them forgets them."""

    def load() -> Preferences:
        return Preferences.objects.get_or_create(user=user)[0]

    return cached(_preferences_key(user.pk), PREFERENCES_CACHE_SECONDS, load, kind=Preferences)


def preferences_forget(*, user_id: int) -> None:
    """The user's preferences changed: the next read goes to the database."""
    forget(_preferences_key(user_id))


@transaction.atomic
def periodic_tasks_sync() -> list[str]:
    """Make sure every periodic job declared in code has its beat entry.

    Idempotent. Existing entries keep whatever schedule and on/off switch staff
    gave them in the admin; only the task path is kept in step with the code.
    Returns the names of the entries it created.
    """
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    created_names = []
    for job in PERIODIC_JOBS:
        schedule, _ = IntervalSchedule.objects.get_or_create(
            every=job.interval_seconds, period=IntervalSchedule.SECONDS
        )
        task, created = PeriodicTask.objects.get_or_create(
            name=job.name,
            defaults={"task": job.task, "interval": schedule, "description": job.description},
        )
        if created:
            created_names.append(job.name)
        elif task.task != job.task:
            task.task = job.task
            task.save(update_fields=["task"])
    return created_names


def periodic_tasks_sync_after_migrate(**kwargs: Any) -> None:
    created = periodic_tasks_sync()
    if created and kwargs.get("verbosity", 1) >= 1:
        logger.info("Created periodic tasks: %s", ", ".join(created))


# What an owner may change in their preferences (the bot's /settings, the Mini App).
PREFERENCE_FIELDS = frozenset(
    {
        "language",
        "confirm_mode",
        "auto_file_threshold",
        "pending_ttl",
        "ai_providers",
        "time_zone",
        "default_group",
        "reminder_mode",
    }
)


@transaction.atomic
def preferences_update(*, user: User, **changes: Any) -> Preferences:
    """Change the owner's preferences; ``ValidationError`` (per field) leaves them as they were.

    ``default_group`` must be one of the owner's own groups.
    """
    unknown = set(changes) - PREFERENCE_FIELDS
    if unknown:
        raise ValueError(f"not a preference: {', '.join(sorted(unknown))}")
    preferences = Preferences.objects.select_for_update().get(pk=preferences_for(user=user).pk)
    group = changes.get("default_group")
    if group is not None and group.owner_id != user.pk:
        raise ValidationError({"default_group": _("This group is not yours.")})
    for field, value in changes.items():
        setattr(preferences, field, value)
    if "time_zone" in changes:
        preferences.time_zone_confirmed = True  # chosen: no need to ask about it
    preferences.full_clean(exclude=["user"])
    preferences.save()
    return preferences
