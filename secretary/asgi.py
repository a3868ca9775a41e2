"""ASGI entry point: uvicorn serves the webhook, the API, the Mini App and admin.

A path in ``settings.ASGI_ENDPOINTS`` goes straight to the ASGI app named there (the
Telegram webhook: no middleware, no thread hop — it only checks, stores and hands off,
and Telegram waits for it); everything else goes to Django. The lifespan's end closes
the event loop's database pool and sends the hand-offs still queued.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402 - Django is set up by the lines above
from django.urls import reverse  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from secretary import asyncdb  # noqa: E402
from secretary.work import publisher  # noqa: E402

logger = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]
Endpoint = Callable[[dict[str, Any], Receive, Send], Awaitable[None]]

# URL name → the ASGI app serving that path (its Django view stays for WSGI and tests).
ENDPOINTS: dict[str, Endpoint] = {
    reverse(name): import_string(dotted) for name, dotted in settings.ASGI_ENDPOINTS.items()
}


async def application(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    endpoint = ENDPOINTS.get(scope["path"]) if scope["type"] == "http" else None
    if endpoint is not None:
        await endpoint(scope, receive, send)
    elif scope["type"] == "lifespan":
        await _lifespan(receive, send)
    else:
        await django_application(scope, receive, send)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            try:
                await asyncdb.pools_close()
                publisher.stop()
            except Exception:
                logger.exception("Closing the database pool and the publisher failed")
            await send({"type": "lifespan.shutdown.complete"})
            return
