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


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "expected", "absent"),
    [
        ("gpt-4o-mini", {"temperature": 0, "max_completion_tokens": 800}, "reasoning_effort"),
        ("gpt-5-mini", {"reasoning_effort": "low", "max_completion_tokens": 3200}, "temperature"),
    ],
)
def test_reasoning_models_get_no_temperature(fake_openai, settings, model, expected, absent):
    from notes.ai import NoteContext, TopicInfo
    from notes.ai.providers.openai import OpenAIProvider

    settings.OPENAI_MODEL = model
    OpenAIProvider().classify(NoteContext(text="x", language="en", topics=(TopicInfo("a", "A"),)))

    sent = fake_openai.requests[0].json
    assert expected.items() <= sent.items()
    assert absent not in sent


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "thinking"),
    [
        ("gemini-2.5-flash", {"thinking_budget": 0}),
        ("gemini-2.5-pro", None),
    ],  # as the SDK spells it
)
def test_thinking_is_switched_off_only_where_the_model_allows(
    fake_gemini, settings, model, thinking
):
    from notes.ai import NoteContext, TopicInfo
    from notes.ai.providers.gemini import GeminiProvider

    settings.GEMINI_MODEL = model
    GeminiProvider().classify(NoteContext(text="x", language="en", topics=(TopicInfo("a", "A"),)))

    [request] = fake_gemini.requests
    assert request.path == f"/v1/models/{model}:generateContent"
    assert request.json["generationConfig"].get("thinkingConfig") == thinking
