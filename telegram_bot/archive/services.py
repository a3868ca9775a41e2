"""What the Telegram side keeps about an owner, forgotten with them; and the retention of
raw update payloads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from secretary.models import User
from telegram_bot.models import ConversationState, TelegramUpdate

# The update kinds whose object names the person who sent it in ``from``.
_FROM_KINDS = (
    "message",
    "edited_message",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "inline_query",
    "chosen_inline_result",
    "message_reaction",
    "pre_checkout_query",
    "shipping_query",
)


def telegram_data_forget(*, owner: User) -> dict[str, int]:
    """Delete the updates the owner sent and their conversation state."""
    if not owner.telegram_id:
        return {}
    telegram_id = int(owner.telegram_id)
    sent_by = Q()
    for kind in _FROM_KINDS:
        sent_by |= Q(**{f"payload__{kind}__from__id": telegram_id})
    sent_by |= Q(payload__message_reaction__user__id=telegram_id)
    updates = TelegramUpdate.objects.filter(sent_by).delete()[1]
    # aiogram's keys: fsm:<bot>:<chat>:<user>:<destiny>
    states = ConversationState.objects.filter(key__regex=rf"^fsm:\d+:-?\d+:{telegram_id}:").delete()
    return {**updates, **states[1]}


def on_owner_forgetting(sender: Any, *, owner: User, **kwargs: Any) -> dict[str, int]:
    return telegram_data_forget(owner=owner)


def telegram_updates_prune(*, now: Any = None) -> int:
    """Empty the raw payloads of processed updates older than UPDATE_RETENTION_DAYS.

    The row stays (its ``update_id`` still recognises a late redelivery); failed and
    unfinished updates keep their payload, which their retry needs."""
    now = now or timezone.now()
    before = now - timedelta(days=settings.UPDATE_RETENTION_DAYS)
    done = (TelegramUpdate.Status.PROCESSED, TelegramUpdate.Status.IGNORED)
    return (
        TelegramUpdate.objects.filter(status__in=done, received_at__lt=before)
        .exclude(payload={})
        .update(payload={})
    )
