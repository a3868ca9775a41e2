"""Fakes of OpenAI and Gemini on loopback, an owner with a group of topics."""

from __future__ import annotations

import pytest

from tests.factories import ForumGroupFactory, TopicFactory
from tests.fakes.gemini import API_KEY as GEMINI_KEY
from tests.fakes.gemini import FakeGemini


@pytest.fixture(autouse=True)
def _fast_and_bounded(settings):
    """Short timeouts and back-offs so failure tests take a fraction of a second."""
    settings.AI_TIMEOUT = 1.0
    settings.AI_MAX_RETRIES = 2
    settings.AI_RETRY_BACKOFF = 0.01
    settings.AI_RETRY_AFTER_MAX = 0.3
    settings.OPENAI_API_KEY = ""
    settings.GEMINI_API_KEY = ""
    settings.AI_PROVIDERS = ["local"]


@pytest.fixture(scope="session")
def _gemini_server():
    with FakeGemini() as server:
        yield server


@pytest.fixture
def fake_gemini(_gemini_server, settings, monkeypatch):
    _gemini_server.reset()
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", _gemini_server.base_url)
    monkeypatch.delenv("GOOGLE_API_KEY", raising=False)
    settings.GEMINI_API_KEY = GEMINI_KEY
    settings.GEMINI_MODEL = "gemini-2.5-flash"
    yield _gemini_server
    _gemini_server.reset()


@pytest.fixture
def chain(alice):
    """Set alice's provider chain: ``chain("openai", "gemini", "local")``."""

    def set_chain(*names: str) -> None:
        alice.preferences.ai_providers = ",".join(names)
        alice.preferences.save()

    return set_chain


@pytest.fixture
def group(alice):
    return ForumGroupFactory(owner=alice, title="Архив Анны")


@pytest.fixture
def topics(group):
    """Alice's archive: three topics, in her order."""
    return {
        "books": TopicFactory(
            group=group,
            name="📚 Книги",
            description="Книги, которые хочу прочитать, цитаты и рецензии.",
            position=1,
        ),
        "movies": TopicFactory(
            group=group,
            name="🎬 Фильмы",
            description="Фильмы и сериалы, которые стоит посмотреть.",
            position=2,
        ),
        "shopping": TopicFactory(
            group=group,
            name="🛒 Покупки",
            description="Что купить: продукты, вещи для дома.",
            position=3,
        ),
    }
