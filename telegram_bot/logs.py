"""A log formatter that never lets the bot token through.

The Bot API puts the token in every URL, and a library's exception may quote
the URL it failed on (aiohttp does). Whatever is logged, through whichever
logger, the token is replaced before the line is written.
"""

from __future__ import annotations

import logging


class TokenRedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        from django.conf import settings

        token = getattr(settings, "TELEGRAM_BOT_TOKEN", "") if settings.configured else ""
        return text.replace(token, "<bot-token>") if token else text
