"""Whose data a command means: a Telegram id, or ``local`` (the terminal chat's owner)."""

from __future__ import annotations

from secretary.models import User


class OwnerNotFound(Exception):
    """No owner answers to what was given (the message says what was looked for)."""


def owner_lookup(value: str, *, local_name: str) -> User:
    """The owner ``value`` names: ``local`` is ``manage.py chat``'s owner for the OS user
    ``local_name``; anything else is a Telegram user id."""
    if value == "local":
        user = User.objects.filter(username=f"terminal-{local_name}"[:150]).first()
        if user is None:
            raise OwnerNotFound(
                f"no terminal owner for {local_name!r} yet: run `manage.py chat` first"
            )
        return user
    try:
        telegram_id = int(value)
    except ValueError:
        raise OwnerNotFound(f"--owner takes a Telegram user id or local, not {value!r}") from None
    user = User.objects.filter(telegram_id=telegram_id).first()
    if user is None:
        raise OwnerNotFound(f"no owner with Telegram id {telegram_id}")
    return user
