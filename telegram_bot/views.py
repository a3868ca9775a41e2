"""The Telegram webhook: check the secret, store the update, answer fast."""

from __future__ import annotations

import hmac
import json
import logging

import structlog
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secretary.logs import update_correlation_id
from secretary.metrics import UPDATES
from telegram_bot.services.updates import telegram_update_receive

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """POST /telegram/webhook/ — Telegram delivers updates here.

    Nothing slow happens in the request: the update is stored (deduplicated by
    ``update_id``) and the worker processes it. Telegram redelivers anything
    that does not get a 2xx, so a database outage answers 503 and a payload we
    cannot use answers 400 once rather than looping.
    """
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not secret:
        logger.error("Webhook refused: TELEGRAM_WEBHOOK_SECRET is not set")
        return _rejected("not_configured", 503)
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _rejected("secret", 401)
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return _rejected("not_json", 400)
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return _rejected("no_update_id", 400)
    # From here on (the rest of the request, every task the update causes) its lines say so.
    structlog.contextvars.bind_contextvars(
        correlation_id=update_correlation_id(update_id), update_id=update_id
    )
    try:
        telegram_update_receive(payload=payload)
    except DatabaseError:
        logger.exception("Webhook could not store update %s", update_id)
        return _rejected("database", 503)
    return HttpResponse(status=200)


def _rejected(reason: str, status: int) -> HttpResponse:
    UPDATES.labels(f"rejected:{reason}").inc()
    return HttpResponse(status=status)
