"""Who is calling the API: the Telegram user whose Mini App signed its init data.

Telegram signs ``Telegram.WebApp.initData`` with the bot's token; the Mini App
sends it as ``Authorization: tma <initData>``. A signature that does not check,
init data older than ``WEBAPP_AUTH_MAX_AGE`` or dated in the future, or data
without a user is refused with 401. The init data itself is never logged.
"""

from __future__ import annotations

import time

from aiogram.utils.web_app import WebAppInitData, safe_parse_webapp_init_data
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from secretary.models import User
from secretary.services import user_get_or_create_from_telegram

SCHEME = "tma"
# Telegram's clock and ours may disagree by a little.
CLOCK_SKEW_SECONDS = 30


class TelegramInitDataAuthentication(BaseAuthentication):
    """DRF authentication by Mini App init data; the user is created on first sight."""

    def authenticate(self, request: Request) -> tuple[User, None] | None:
        scheme, _space, init_data = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != SCHEME:
            return None  # DRF answers 401 with WWW-Authenticate: tma
        data = init_data_verified(init_data.strip())
        assert data.user is not None
        user = user_get_or_create_from_telegram(
            telegram_id=data.user.id,
            username=data.user.username,
            first_name=data.user.first_name or "",
            last_name=data.user.last_name,
            language_code=data.user.language_code,
            writes_to_bot=False,
            follows_language=True,
        )
        return user, None

    def authenticate_header(self, request: Request) -> str:
        return SCHEME


def init_data_verified(init_data: str) -> WebAppInitData:
    """The init data, if Telegram signed it for this bot recently; else AuthenticationFailed."""
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise AuthenticationFailed(_("The bot is not configured on this server."))
    if not init_data:
        raise AuthenticationFailed(_("Open this page from the bot in Telegram."))
    try:
        data = safe_parse_webapp_init_data(token, init_data)
    except ValueError:  # a bad signature, or not init data at all
        raise AuthenticationFailed(_("This page was not opened from the bot.")) from None
    age = time.time() - data.auth_date.timestamp()
    if age < -CLOCK_SKEW_SECONDS:
        raise AuthenticationFailed(_("The sign-in data is dated in the future."))
    if age > settings.WEBAPP_AUTH_MAX_AGE.total_seconds():
        raise AuthenticationFailed(_("The sign-in has expired: close the page and open it again."))
    if data.user is None:
        raise AuthenticationFailed(_("Telegram did not say who you are: open it from the bot."))
    return data
