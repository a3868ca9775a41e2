"""Fixtures shared by the whole suite. Tests hit the real PostgreSQL and Redis."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache

from secretary import pacing
from secretary.celery import app as celery_app
from secretary.models import Language
from tests.factories import StaffFactory, UserFactory
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.openai import FakeOpenAI


@pytest.fixture(autouse=True)
def _celery_inline():
    """Tasks run inline unless a test starts a real worker (see ``celery_worker``)."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_pacing(monkeypatch):
    """Every test starts with full buckets: the groups of earlier tests posted into the
    same chat ids within the same minute (the worker processes share the Redis ones)."""
    monkeypatch.setattr(pacing, "_memory", pacing._MemoryBuckets())
    if settings.REDIS_URL:
        client = pacing._client()
        for key in client.scan_iter(f"{pacing.KEY_PREFIX}*"):
            client.delete(key)


@pytest.fixture
def alice(db):
    """A Russian-speaking owner."""
    return UserFactory(
        telegram_id=5550001,
        telegram_username="anna_k",
        first_name="Анна",
        language=Language.RUSSIAN,
    )


@pytest.fixture
def bob(db):
    """An English-speaking owner."""
    return UserFactory(
        telegram_id=5550002, telegram_username="ben_w", first_name="Ben", language=Language.ENGLISH
    )


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a call as if its transaction committed: what it enqueues on commit runs."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


@pytest.fixture(scope="session")
def _openai_server():
    # One server for the session: stopping one takes up to half a second.
    with FakeOpenAI() as server:
        yield server


@pytest.fixture
def fake_openai(_openai_server, settings, monkeypatch):
    """The fake OpenAI, with the SDK pointed at it (``OPENAI_BASE_URL``) and a key set."""
    _openai_server.reset()
    monkeypatch.setenv("OPENAI_BASE_URL", _openai_server.base_url)
    settings.OPENAI_API_KEY = OPENAI_KEY
    settings.OPENAI_MODEL = "gpt-4o-mini"
    yield _openai_server
    _openai_server.reset()
