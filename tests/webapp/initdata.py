"""Mini App init data signed the way Telegram signs it (for a bot token of the test's choosing).

https://core.telegram.org/bots/webapps#validating-data-received-via-the-web-app
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

from tests.fakes.telegram import TOKEN

ALICE = {
    "id": 5550001,
    "first_name": "Алиса",
    "last_name": "",
    "username": "alice",
    "language_code": "ru",
    "allows_write_to_pm": True,
}
BOB = {"id": 5550002, "first_name": "Ben", "username": "ben", "language_code": "en"}


def signed_init_data(
    user: dict[str, Any] | None = None,
    *,
    token: str = TOKEN,
    auth_date: float | None = None,
    **extra: str,
) -> str:
    """``Telegram.WebApp.initData`` for ``user`` (alice by default), opened at ``auth_date``."""
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user or ALICE, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
        **extra,
    }
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(fields)


def tma(init_data: str) -> dict[str, str]:
    """The header the Mini App sends with every API call."""
    return {"Authorization": f"tma {init_data}"}
