"""The Bot session the product builds: aiogram's, with the process's one TLS context."""

from aiogram.client.session.aiohttp import AiohttpSession

from secretary.tls import client_context
from telegram_bot.client import bot_create


def test_every_bot_shares_the_processes_tls_context_and_is_otherwise_aiograms(settings):
    settings.TELEGRAM_BOT_TOKEN = "7000001:AAF4kefakeTokenForTests-only"
    first, second = bot_create().session, bot_create().session
    aiograms = AiohttpSession()

    assert first._connector_init["ssl"] is second._connector_init["ssl"] is client_context()
    assert first._connector_init.keys() == aiograms._connector_init.keys()
    assert {k: v for k, v in first._connector_init.items() if k != "ssl"} == {
        k: v for k, v in aiograms._connector_init.items() if k != "ssl"
    }
    assert vars(first).keys() == vars(aiograms).keys()  # nothing aiogram sets is missed
