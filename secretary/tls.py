"""One TLS client context per process (the Bot API, the AI SDKs, link fetching).

aiohttp (under aiogram's session) and httpx (under the OpenAI SDK) each build an SSL
context for every client they make, reading certifi's whole CA bundle: tens of
milliseconds, and the product makes a client per task. A context is safe to share
between threads and event loops, so they all use this one.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def client_context() -> ssl.SSLContext:
    """httpx's default: verification on, certifi's CA bundle or SSL_CERT_FILE/SSL_CERT_DIR."""
    return httpx.create_ssl_context()
