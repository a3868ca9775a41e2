"""``manage.py doctor``: the checks that need no Telegram.

The AI providers (one tiny real call each), the database, Redis, the broker and the
beat schedule. Every check answers with a ``Check`` — what was checked, OK / WARN /
FAIL, and a detail that says what to fix — and never raises: a doctor that crashes
on the very fault it should name helps nobody. Details are our own words (the kind
of failure, an exception's class name), never a server's text, a token, a key or a
URL that may carry a password. The Telegram checks live beside the bot
(``telegram_bot.services.doctor``) and answer with the same ``Check``.
"""

from __future__ import annotations

import importlib
import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings

from notes.ai.errors import (
    InvalidAnswer,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
    ServerError,
)
from notes.ai.providers import get_provider
from notes.ai.types import NoteContext, TopicInfo
from secretary.celery import PERIODIC_JOBS, PeriodicJob
from secretary.health import check_broker, check_database, check_redis

if TYPE_CHECKING:
    from django_celery_beat.models import PeriodicTask

logger = logging.getLogger(__name__)

# An operator is waiting: a provider gets one try of at most this long (or AI_TIMEOUT).
AI_PROBE_TIMEOUT_SECONDS = 5.0

# A one-word note and one topic: the smallest real question a provider can answer.
PROBE_NOTE = NoteContext(
    text="milk",
    language="en",
    topics=(TopicInfo(key="shopping", name="Shopping", description="Groceries to buy"),),
)

_SETTINGS_OF = {
    "openai": ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_GEMINI_BASE_URL", "GEMINI_MODEL"),
}
# Loaded before the clock starts: the latency shown is the provider's, not the import's.
_SDK_OF = {"openai": "openai", "gemini": "google.genai"}
_HTTP_STATUS = re.compile(r"^HTTP (\d{3})\b")


class Status(StrEnum):
    OK = "OK"
    WARN = "WARN"  # works, but an operator should know
    FAIL = "FAIL"  # something the product needs does not work


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: Status
    detail: str = ""


def doctor_checks() -> list[Check]:
    """Everything but Telegram, in the report's order: AI, infrastructure, beat."""
    return [*ai_provider_checks(), *infrastructure_checks(), *beat_checks()]


def checks_failed(checks: list[Check]) -> bool:
    return any(check.status is Status.FAIL for check in checks)


def guarded(name: str, run: Callable[[], Check]) -> Check:
    """``run``'s check; one that crashes is a FAIL line naming the error's kind."""
    try:
        return run()
    except Exception as error:  # the report goes on whatever one check hit
        logger.warning("doctor: the %s check crashed (%s)", name, type(error).__name__)
        return Check(name, Status.FAIL, f"the check itself failed ({type(error).__name__})")


# -- AI providers ------------------------------------------------------------------------


def ai_provider_checks() -> list[Check]:
    """Each provider of AI_PROVIDERS answers the probe note through its own interface."""
    return [
        guarded(f"AI provider {name}", partial(ai_provider_check, name))
        for name in dict.fromkeys(settings.AI_PROVIDERS)
    ]


def ai_provider_check(name: str) -> Check:
    label = f"AI provider {name}"
    provider = get_provider(name)
    unavailable = provider.unavailable_reason()
    if unavailable:
        return Check(
            label, Status.FAIL, f"{unavailable}: set it, or leave {name} out of AI_PROVIDERS"
        )
    if name in _SDK_OF:
        importlib.import_module(_SDK_OF[name])
    started = time.monotonic()
    try:
        with _one_quick_try():
            result = provider.classify(PROBE_NOTE)
    except ProviderError as error:
        return Check(label, Status.FAIL, ai_failure_words(name, error))
    elapsed = _ms_since(started)
    model = f"{result.model}, " if result.model else ""
    return Check(label, Status.OK, f"{model}answered in {elapsed}")


@contextmanager
def _one_quick_try() -> Iterator[None]:
    """No retries and a short timeout: the doctor asks whether it answers, not how hard."""
    timeout = min(float(settings.AI_TIMEOUT), AI_PROBE_TIMEOUT_SECONDS)
    with override_settings(AI_TIMEOUT=timeout, AI_MAX_RETRIES=0):
        yield


def ai_failure_words(name: str, error: ProviderError) -> str:
    """The kind of failure and what to check; the server's own words are never repeated."""
    key, base_url, model = _SETTINGS_OF.get(name, ("its key", "its URL", "its model"))
    status = _http_status(error)
    if isinstance(error, ProviderTimeout):
        timeout = min(float(settings.AI_TIMEOUT), AI_PROBE_TIMEOUT_SECONDS)
        return f"timeout: no answer within {timeout:g} s; check {base_url} and the network"
    if isinstance(error, RateLimited):
        return "rate limited (HTTP 429): the quota or rate limit is reached; try later"
    if isinstance(error, ServerError):
        if status is None:
            return f"unreachable: check {base_url} and the network"
        return f"server error (HTTP {status}): the provider is failing; try later"
    if isinstance(error, InvalidAnswer):
        return f"unreadable answer: check {model}"
    if isinstance(error, ProviderUnavailable):
        return "cannot classify notes here"
    if status in (401, 403):
        return f"auth refused (HTTP {status}): check {key}"
    if status == 404:
        return f"not found (HTTP 404): check {model} and {base_url}"
    if status is not None:
        return f"request refused (HTTP {status}): check {key} and {model}"
    return f"failed ({type(error).__name__})"


def _http_status(error: ProviderError) -> int | None:
    """The status our provider modules put first in their messages ("HTTP 401: …")."""
    match = _HTTP_STATUS.match(str(error))
    return int(match.group(1)) if match else None


# -- database, Redis, broker -------------------------------------------------------------


def infrastructure_checks() -> list[Check]:
    """The database; Redis and the broker when REDIS_URL is set (else: inline tasks)."""
    checks = [
        _probe(
            "database",
            check_database,
            fix="check DATABASE_URL and that the database runs",
            about=connection.vendor,
        )
    ]
    if not settings.REDIS_URL:
        return [
            *checks,
            Check("broker", Status.WARN, "no broker: tasks run inline (embedded default)"),
        ]
    checks.append(_probe("redis", check_redis, fix="check REDIS_URL and that Redis runs"))
    checks.append(
        _probe(
            "broker", check_broker, fix="check REDIS_URL (the Celery broker) and that Redis runs"
        )
    )
    return checks


def _probe(name: str, call: Callable[[], None], *, fix: str, about: str = "") -> Check:
    started = time.monotonic()
    try:
        call()
    except Exception as error:  # any failure is the answer; its text may hold a password
        return Check(name, Status.FAIL, f"failed ({type(error).__name__}): {fix}")
    prefix = f"{about}, " if about else ""
    return Check(name, Status.OK, f"{prefix}{_ms_since(started)}")


def _ms_since(started: float) -> str:
    return f"{(time.monotonic() - started) * 1000:.0f} ms"


# -- the beat schedule -------------------------------------------------------------------


def beat_checks() -> list[Check]:
    """Every periodic job declared in code has its beat entry, enabled, running its task."""
    from django_celery_beat.models import PeriodicTask

    names = [job.name for job in PERIODIC_JOBS]
    try:
        with transaction.atomic():  # a missing table must not break the caller's transaction
            entries = {
                task.name: task
                for task in PeriodicTask.objects.filter(name__in=names).select_related("interval")
            }
    except Exception as error:  # no table yet, or no database at all
        detail = f"cannot be read ({type(error).__name__}): run manage.py migrate"
        return [Check("beat schedule", Status.FAIL, f"{detail}, or see the database line")]
    return [_beat_job_check(job, entries.get(job.name)) for job in PERIODIC_JOBS]


def _beat_job_check(job: PeriodicJob, entry: PeriodicTask | None) -> Check:
    name = f"beat: {job.name}"
    if entry is None:
        return Check(name, Status.FAIL, "missing: run manage.py migrate (it creates the jobs)")
    if not entry.enabled:
        return Check(name, Status.FAIL, "disabled: enable it in the admin (Periodic tasks)")
    if entry.task != job.task:
        return Check(name, Status.FAIL, f"runs {entry.task}, not {job.task}: run manage.py migrate")
    return Check(name, Status.OK, str(entry.interval) if entry.interval else "custom schedule")
