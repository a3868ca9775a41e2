"""How the OpenAPI schema describes the Mini App's authentication."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TelegramInitDataScheme(OpenApiAuthenticationExtension):
    target_class = "webapp.auth.TelegramInitDataAuthentication"
    name = "telegramInitData"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`tma <Telegram.WebApp.initData>`: the Mini App's signed init data.",
        }
