"""Celery tasks of the notes app. Thin: they call services."""

from __future__ import annotations

import logging

from celery import shared_task

from notes.services.expiry import pending_confirmations_expire

logger = logging.getLogger(__name__)


@shared_task(name="notes.tasks.expire_pending_confirmations")
def expire_pending_confirmations() -> int:
    """Beat job: expire every pending confirmation past its TTL."""
    note_ids = pending_confirmations_expire()
    if note_ids:
        logger.info("Expired %d pending confirmations", len(note_ids))
    return len(note_ids)
