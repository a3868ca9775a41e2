"""Who is talking to the bot, and in which language to answer."""

from __future__ import annotations

from aiogram.types import User as TelegramUser

from secretary.models import User, language_from_telegram
from secretary.services import (
    preferences_for,
    user_get_or_create_from_telegram,
    user_mark_unreachable,
)


def owner_resolve(*, telegram_user: TelegramUser, create: bool) -> tuple[User | None, str]:
    """The product's user behind a Telegram account, and the language to speak.

    In private chats the user is created on first contact. In groups a person is
    only looked up: members who never started the bot do not become users.
    """
    if create:
        owner: User | None = user_get_or_create_from_telegram(
            telegram_id=telegram_user.id,
            username=telegram_user.username,
            first_name=telegram_user.first_name,
            last_name=telegram_user.last_name,
            language_code=telegram_user.language_code,
        )
    else:
        owner = User.objects.filter(telegram_id=telegram_user.id).first()
    if owner is None:
        return None, language_from_telegram(telegram_user.language_code)
    return owner, preferences_for(user=owner).effective_language


def owner_mark_blocked_bot(*, owner: User) -> None:
    """The owner blocked the bot: nothing is sent to them until they come back."""
    user_mark_unreachable(user=owner)
