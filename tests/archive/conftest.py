"""The bot's fixtures (the fake Bot API, the webhook, alice's archive) for these tests."""

from tests.telegram_bot.conftest import archive, deliver, telegram  # noqa: F401
