"""Provider plumbing: base URLs, prices, Retry-After."""

from decimal import Decimal

import pytest

from notes.ai.pricing import cost_usd
from notes.ai.providers.gemini import _client as gemini_client
from notes.ai.providers.openai import DEFAULT_BASE_URL
from notes.ai.providers.openai import _client as openai_client
from notes.ai.retry import parse_retry_after
from notes.ai.types import Usage
from secretary.env import ConfigError
from secretary.settings import _ai_prices


def test_an_empty_base_url_variable_means_the_real_services(monkeypatch, settings):
    settings.OPENAI_API_KEY = "sk-x"
    settings.GEMINI_API_KEY = "g-x"
    monkeypatch.setenv("OPENAI_BASE_URL", "")
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", " ")

    with openai_client() as openai, gemini_client() as gemini:
        assert str(openai.base_url) == DEFAULT_BASE_URL + "/"
        base_url = gemini._api_client._http_options.base_url
        assert base_url == "https://generativelanguage.googleapis.com/"


def test_the_sdk_reads_the_base_url_from_the_environment(monkeypatch, settings):
    settings.OPENAI_API_KEY = "sk-x"
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")

    with openai_client() as client:
        assert str(client.base_url) == "http://127.0.0.1:9/v1/"
        assert client.max_retries == 0


def test_cost_uses_the_cached_price_for_cached_input(settings):
    settings.AI_MODEL_PRICES = {"m": (1.0, 2.0, 0.5)}

    assert cost_usd("m", Usage(1_000_000, 500_000, 200_000)) == Decimal("1.900000")
    assert cost_usd("unknown", Usage(10, 10)) == Decimal(0)


def test_prices_can_be_set_from_the_environment():
    assert _ai_prices("a=1/2, b=0.1/0.4/0.025") == {"a": (1.0, 2.0), "b": (0.1, 0.4, 0.025)}
    with pytest.raises(ConfigError, match="AI_PRICES"):
        _ai_prices("a=cheap")


def test_retry_after_reads_milliseconds_and_seconds():
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2026 07:28:00 GMT"}) is None
