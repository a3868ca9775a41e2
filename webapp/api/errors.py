"""Every refusal of the API as a short answer in the owner's language, never a traceback.

400: field errors (DRF's shape, ``{"field": ["message"]}``); 401, 404, 405, 409, 413
and 503: ``{"detail": "message"}`` (409 adds ``"reason"``, 503 ``Retry-After``).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler

from notes.ports import DeliveryError
from notes.refusals import note_refused_text, topic_refused_text
from notes.services.pending import NoteActionRefused
from topics.services import TopicCreateFailed

logger = logging.getLogger(__name__)


class BodyTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large.")
    default_code = "too_large"


class Conflict(APIException):
    """The request is fine, but the note or topic cannot take it now (or Telegram said no)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"

    def __init__(self, detail: str, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


class TelegramBusy(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Telegram is busy right now. Try again in a moment.")
    default_code = "telegram_busy"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    exc = as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, Conflict):
        response.data = {"detail": str(exc.detail), "reason": exc.reason}
    if isinstance(exc, TelegramBusy):
        response["Retry-After"] = "5"
    return response


def as_api_exception(exc: Exception) -> Exception:
    """The domain's refusals as HTTP answers."""
    if isinstance(exc, RequestDataTooBig):
        return BodyTooLarge()
    if isinstance(exc, DjangoValidationError):
        return ValidationError(_django_errors(exc))
    if isinstance(exc, NoteActionRefused):
        return Conflict(note_refused_text(exc.reason), exc.reason)
    if isinstance(exc, TopicCreateFailed):
        if exc.reason == DeliveryError.TEMPORARY:
            return TelegramBusy()
        return Conflict(
            topic_refused_text(exc.reason, exc.group_title, renaming=exc.renaming), exc.reason
        )
    if isinstance(exc, DeliveryError):
        if exc.temporary:
            return TelegramBusy()
        logger.warning("Telegram refused an API request: %s", exc)
        return Conflict(_delivery_refused(exc.reason), exc.reason)
    return exc


def _django_errors(exc: DjangoValidationError) -> dict[str, list[str]] | list[str]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def _delivery_refused(reason: str) -> str:
    if reason == DeliveryError.OWNER_GONE:
        return gettext("You blocked the bot: unblock it in Telegram, then try again.")
    return gettext("Telegram refused this. Try again later.")
