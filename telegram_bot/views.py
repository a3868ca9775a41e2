"""The Telegram webhook: check the secret, store the update, answer fast.

Telegram redelivers anything that does not get a 2xx, so a database outage answers
503 and a payload we cannot use answers 400 once rather than looping. Nothing slow
happens in the request: the update is stored (deduplicated by ``update_id``) and the
worker processes it.

Two doors, one check: ``webhook_endpoint`` is the ASGI app the server routes the
webhook's path to (``settings.ASGI_ENDPOINTS``): no middleware, no thread — the insert
goes through psycopg's async pool and the hand-off to the broker through the publisher's
thread; it writes the request's line itself, as the request middleware does for the
rest. ``webhook`` is the same behind Django's URL conf, for WSGI and the test client.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import structlog
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from secretary.logs import REQUEST_ID_HEADER, update_correlation_id, valid_request_id
from secretary.metrics import UPDATES, WEBHOOK_SECONDS
from telegram_bot.services.updates import (
    telegram_update_receive,
    telegram_update_receive_async,
)

logger = logging.getLogger(__name__)
requests_log = structlog.get_logger("secretary.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
# Telegram's updates are a few kilobytes; a body past this is not one of them.
MAX_BODY_BYTES = 1024 * 1024


class Refused(Exception):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


def admitted(secret: str, body: bytes) -> dict[str, Any]:
    """The update in the request, or ``Refused`` with the status to answer.

    From here on (the rest of the request, every task the update causes) its log
    lines carry the update's correlation id.
    """
    expected = settings.TELEGRAM_WEBHOOK_SECRET
    if not expected:
        logger.error("Webhook refused: TELEGRAM_WEBHOOK_SECRET is not set")
        raise Refused("not_configured", 503)
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        raise Refused("secret", 401)
    if len(body) > MAX_BODY_BYTES:
        raise Refused("too_large", 413)
    try:
        payload = json.loads(body.decode())  # Telegram sends UTF-8, and the row keeps the text
    except (UnicodeDecodeError, ValueError):
        raise Refused("not_json", 400) from None
    update_id = payload.get("update_id") if isinstance(payload, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        raise Refused("no_update_id", 400)
    structlog.contextvars.bind_contextvars(
        correlation_id=update_correlation_id(update_id), update_id=update_id
    )
    return payload


def _refused(refusal: Refused) -> int:
    UPDATES.labels(f"rejected:{refusal.reason}").inc()
    return refusal.status


def _not_stored(payload: dict[str, Any]) -> int:
    logger.exception("Webhook could not store update %s", payload["update_id"])
    return _refused(Refused("database", 503))


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """POST /telegram/webhook/ through Django (WSGI, the test client)."""
    try:
        payload = admitted(request.headers.get(SECRET_HEADER, ""), request.body)
    except Refused as refusal:
        return HttpResponse(status=_refused(refusal))
    try:
        telegram_update_receive(payload=payload)
    except DatabaseError:
        return HttpResponse(status=_not_stored(payload))
    return HttpResponse(status=200)


# -- the ASGI endpoint ---------------------------------------------------------------

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]


async def webhook_endpoint(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """POST /telegram/webhook/ as the server routes it: an ASGI app of its own."""
    started = time.perf_counter()
    given = _header(scope, REQUEST_ID_HEADER)
    request_id = given if valid_request_id(given) else str(uuid.uuid4())
    structlog.contextvars.clear_contextvars()  # a request starts with its own context only
    structlog.contextvars.bind_contextvars(correlation_id=request_id, request_id=request_id)
    headers: tuple[tuple[bytes, bytes], ...] = (
        (REQUEST_ID_HEADER.lower().encode(), request_id.encode()),
    )
    if scope["method"] != "POST":
        status = 405
        headers += ((b"allow", b"POST"),)
    else:
        body = await _body(receive)
        if body is None:
            status = _refused(Refused("too_large", 413))
        else:
            status = await _receive_update(_header(scope, SECRET_HEADER), body)
    WEBHOOK_SECONDS.observe(time.perf_counter() - started)
    client = scope.get("client") or ("", 0)
    # Written before the answer, as the request middleware does: once Telegram (or a test)
    # has its 200, the line is there.
    requests_log.info(
        "request_finished",
        request=f"{scope['method']} {scope['path']}",
        code=status,
        ip=client[0],
    )
    await _answer(send, status, headers)


async def _receive_update(secret: str, body: bytes) -> int:
    try:
        payload = admitted(secret, body)
    except Refused as refusal:
        return _refused(refusal)
    try:
        await telegram_update_receive_async(payload=payload, body=body.decode())
    except DatabaseError:
        return _not_stored(payload)
    return 200


async def _body(receive: Receive) -> bytes | None:
    """The request's body; None past ``MAX_BODY_BYTES`` (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _header(scope: dict[str, Any], name: str) -> str:
    wanted = name.lower().encode()
    for key, value in scope["headers"]:
        if key == wanted:
            return str(value.decode("latin-1"))
    return ""


async def _answer(send: Send, status: int, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", b"0"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": b""})
