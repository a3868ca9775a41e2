"""The baseline of the webhook benchmark: a bare aiogram webhook app, nothing stored.

    .venv/bin/python bench/bare_aiogram.py PORT API_BASE TOKEN SECRET

aiohttp with aiogram's ``SimpleRequestHandler`` (its default: answer 200 at once and
handle the update in the background) and handlers that reply — one Bot API call per
update, like the product's previews. On uvloop, as uvicorn runs the product.
"""

from __future__ import annotations

import asyncio
import sys

import uvloop
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web


def main() -> None:
    port, api_base, token, secret = sys.argv[1:5]
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def reply(message: Message) -> None:
        await message.answer("Saved")

    @dispatcher.callback_query()
    async def press(callback: CallbackQuery) -> None:
        await callback.answer()

    app = web.Application()
    SimpleRequestHandler(dispatcher=dispatcher, bot=bot, secret_token=secret).register(
        app, path="/telegram/webhook/"
    )
    setup_application(app, dispatcher, bot=bot)
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    web.run_app(app, host="127.0.0.1", port=int(port), print=None, access_log=None)


if __name__ == "__main__":
    main()
