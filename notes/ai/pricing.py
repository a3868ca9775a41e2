"""Estimated cost of a call from its token usage and the prices in settings."""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings

from notes.ai.types import Usage

logger = logging.getLogger(__name__)

_MILLION = Decimal(1_000_000)
_CENT_FRACTION = Decimal("0.000001")


def cost_usd(model: str, usage: Usage) -> Decimal:
    """USD for ``usage`` on ``model``; cached input tokens at the cached price if known.

    An unknown model costs 0 (and says so in the log) rather than failing a note.
    """
    prices = settings.AI_MODEL_PRICES.get(model)
    if prices is None:
        if usage.input_tokens or usage.output_tokens:
            logger.warning("No price for model %s: cost recorded as 0", model)
        return Decimal(0)
    input_price, output_price = Decimal(str(prices[0])), Decimal(str(prices[1]))
    cached_price = Decimal(str(prices[2])) if len(prices) > 2 else input_price
    cached = min(usage.cached_tokens, usage.input_tokens)
    total = (
        (usage.input_tokens - cached) * input_price
        + cached * cached_price
        + usage.output_tokens * output_price
    ) / _MILLION
    return total.quantize(_CENT_FRACTION)
