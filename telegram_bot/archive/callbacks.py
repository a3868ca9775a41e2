"""Buttons of /export and /forget."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class ExportCallback(CallbackData, prefix="exp"):
    format: str  # "markdown" or "json"
    media: bool = False


class ForgetCallback(CallbackData, prefix="fgt"):
    step: int  # 1: first yes, 2: the final yes, 0: keep everything
