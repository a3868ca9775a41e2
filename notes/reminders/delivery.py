"""Sending reminders that are due: exactly once, in order, at Telegram's pace.

The row is the truth. A pass claims the earliest due reminder with a lease (one
conditional UPDATE: two passes, beat or eta, never hold the same row), sends it
through the display port, and records it as sent the moment the display answers
(``record_after_effect``: through a database blip, never by sending again). A pass
that dies midway leaves a lease that runs out; the next pass (the beat job every
minute, or an eta task) sends it then. Only the earliest due reminder is ever
claimed: while another pass holds it (waiting out Telegram's "retry after", or dead
until its lease runs out) nothing due after it is sent, so they go in due order.
Failures follow the publishing path's rules:
a 429 or a 5xx is waited out without counting as an attempt; a refusal is counted and
after ``WORK_MAX_ATTEMPTS`` the reminder is kept as not delivered; an owner who blocked
the bot keeps the reminder, not delivered, and is not tried again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone, translation

from notes.models import NoteStatus
from notes.ports import DeliveryError, ports
from notes.reminders.models import Reminder, ReminderStatus
from notes.reminders.sender import sender_release, sender_renew, sender_take
from secretary.services import user_mark_unreachable
from secretary.work import lease_release, record_after_effect

logger = logging.getLogger(__name__)

# Telegram's "retry after" this short is waited in the pass; a longer one ends it.
WAIT_IN_PASS_MAX = 5.0


@runtime_checkable
class ReminderDisplay(Protocol):
    """A display (``notes.ports.Display``) that can also bring a reminder to its owner."""

    def remind(self, reminder: Reminder, *, late: bool) -> int | None:
        """Send the reminder; the id of the message that shows it. Raises DeliveryError."""
        ...


@dataclass
class Pass:
    """What one pass did; ``wait`` says when to come back after a temporary failure."""

    sent: int = 0
    wait: float | None = None


def _due(now: datetime) -> Q:
    return Q(status=ReminderStatus.SCHEDULED, due_at__lte=now)


def _free(now: datetime, token: str) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=token)


def _head(now: datetime) -> tuple[int, str, datetime | None] | None:
    """The earliest due reminder (its id, holder and lease), held or not."""
    return (
        Reminder.objects.filter(_due(now))
        .order_by("due_at", "id")
        .values_list("pk", "claimed_by", "claimed_until")
        .first()
    )


def _held_by_another(head: tuple[int, str, datetime | None], now: datetime, token: str) -> bool:
    _, holder, until = head
    return bool(holder) and holder != token and until is not None and until >= now


def _held_for(token: str) -> float | None:
    """Seconds until the earliest due reminder, held by another pass, is free; None when
    it is not held (or none is due)."""
    now = timezone.now()
    head = _head(now)
    if head is None or not _held_by_another(head, now, token) or head[2] is None:
        return None
    return max(0.5, (head[2] - now).total_seconds())


def reminder_claim_next(*, token: str) -> Reminder | None:
    """Lease the earliest due reminder; None when none is due, or when the earliest is
    held by another pass (waiting out Telegram, or dead until its lease runs out):
    nothing due after it goes before it, so the order of due times holds."""
    for _ in range(20):  # another pass may take the one we saw: look again
        now = timezone.now()
        head = _head(now)
        if head is None or _held_by_another(head, now, token):
            return None
        until = now + settings.WORK_LEASE
        taken = Reminder.objects.filter(_due(now), _free(now, token), pk=head[0]).update(
            claimed_by=token, claimed_until=until, attempts=F("attempts") + 1
        )
        if taken:
            return (
                Reminder.objects.select_related("note__topic__group", "owner__preferences")
                .filter(pk=head[0])
                .first()
            )
    return None


def reminder_mark_sent(*, reminder_id: int, token: str, message_id: int | None, late: bool) -> None:
    Reminder.objects.filter(pk=reminder_id, claimed_by=token).update(
        status=ReminderStatus.SENT,
        sent_at=timezone.now(),
        sent_message_id=message_id,
        sent_late=late,
        claimed_by="",
        claimed_until=None,
        attempts=0,
        last_error="",
        updated_at=timezone.now(),
    )


def _keep_undelivered(reminder: Reminder, token: str, reason: str) -> None:
    Reminder.objects.filter(pk=reminder.pk, claimed_by=token).update(
        status=ReminderStatus.UNDELIVERED,
        last_error=reason[:2000],
        claimed_by="",
        claimed_until=None,
        updated_at=timezone.now(),
    )


def _defer(reminder: Reminder, token: str, seconds: float) -> None:
    """Waited out: the lease covers the wait, and the wait is not a failed attempt."""
    Reminder.objects.filter(pk=reminder.pk, claimed_by=token).update(
        claimed_until=timezone.now() + timedelta(seconds=seconds),
        attempts=F("attempts") - 1,
    )


def reminder_is_late(reminder: Reminder, now: datetime | None = None) -> bool:
    return (now or timezone.now()) - reminder.due_at > settings.REMINDER_LATE_AFTER


def reminder_send(reminder: Reminder, *, token: str) -> float | None:
    """Send one claimed reminder. None when it is settled (sent, kept or left for a later
    pass); seconds to wait when Telegram asked to wait (rate limit, down)."""
    if reminder.note.status in (NoteStatus.CANCELLED,):
        Reminder.objects.filter(pk=reminder.pk).update(
            status=ReminderStatus.CANCELLED, claimed_by="", claimed_until=None
        )
        return None
    display = ports().display
    if not isinstance(display, ReminderDisplay):
        lease_release(Reminder.objects.filter(pk=reminder.pk), token=token, done=False)
        return None
    late = reminder_is_late(reminder)
    try:
        with translation.override(reminder.owner.preferences.effective_language):
            message_id = display.remind(reminder, late=late)
    except DeliveryError as error:
        return _failed(reminder, token, error)
    record_after_effect(
        lambda: reminder_mark_sent(
            reminder_id=reminder.pk, token=token, message_id=message_id, late=late
        )
    )
    return None


def _failed(reminder: Reminder, token: str, error: DeliveryError) -> float | None:
    reason = str(error)
    if error.temporary:
        wait = error.retry_after or 5.0
        logger.warning("Reminder %s: temporary failure, again in %ss: %s", reminder.pk, wait, error)
        _defer(reminder, token, wait)
        return wait
    if error.reason == DeliveryError.OWNER_GONE:
        user_mark_unreachable(user=reminder.owner)
        _keep_undelivered(reminder, token, reason)
        return None
    logger.error("Reminder %s refused (attempt %s): %s", reminder.pk, reminder.attempts, error)
    if reminder.attempts >= settings.WORK_MAX_ATTEMPTS:
        _keep_undelivered(reminder, token, reason)
    else:
        Reminder.objects.filter(pk=reminder.pk, claimed_by=token).update(
            last_error=reason[:2000], claimed_by="", claimed_until=None
        )
    return None


def reminders_send_due(
    *,
    pace: Callable[[], float],
    run_seconds: float,
    spent: Callable[[], None] = lambda: None,
    token: str | None = None,
) -> Pass:
    """Send due reminders, earliest first, each after its ``pace`` turn (``spent`` told
    when each send ended), for at most ``run_seconds``, while this pass is the one
    sender (``sender``). Call inside ``ports_opened()``."""
    token = token or uuid.uuid4().hex
    done = Pass()
    until = time.monotonic() + run_seconds
    while time.monotonic() < until and sender_take(token):
        try:
            _send_while_due(done, token, pace, spent, until)
        finally:
            sender_release(token)
        now = timezone.now()
        head = _head(now)
        if done.wait is not None or head is None or _held_by_another(head, now, ""):
            break  # else: due while letting go, and its own pass found the lock taken
    return done


def _send_while_due(
    done: Pass,
    token: str,
    pace: Callable[[], float],
    spent: Callable[[], None],
    until: float,
) -> None:
    while time.monotonic() < until:
        reminder = reminder_claim_next(token=token)
        if reminder is None:
            done.wait = _held_for(token)  # come back when the earliest is free again
            return
        time.sleep(pace())
        try:
            wait = reminder_send(reminder, token=token)
        finally:
            spent()
        sender_renew(token)
        if wait is None:
            done.sent += 1
        elif wait <= WAIT_IN_PASS_MAX and time.monotonic() + wait < until:
            time.sleep(wait)  # a short wait is waited here; the reminder is ours still
        else:
            done.wait = wait
            return


def reminders_due_count(now: datetime | None = None) -> int:
    return Reminder.objects.filter(_due(now or timezone.now())).count()
