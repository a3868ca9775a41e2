"""``manage.py doctor``: one line per thing the secretary needs, and what to fix.

Against the fake Bot API and the fake OpenAI, the real PostgreSQL and Redis; once as
a newcomer runs it, a subprocess on the embedded default (SQLite, no Redis, no token).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from aiogram.types import WebhookInfo
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from secretary.celery import PERIODIC_JOBS
from secretary.doctor import Status, ai_provider_check, beat_checks, infrastructure_checks
from telegram_bot.services.doctor import telegram_checks, webhook_verdict
from tests.fakes.openai import API_KEY as OPENAI_KEY
from tests.fakes.telegram import BOT_ID, TOKEN
from tests.telegram_bot.conftest import GROUP_CHAT, archive, telegram

__all__ = ["archive", "telegram"]  # re-exported: the fixtures of the bot's tests

pytestmark = pytest.mark.django_db

PROJECT = Path(__file__).resolve().parents[2]
GROUP_LINE = f"group «Мой архив» ({GROUP_CHAT})"


def doctor(expect_exit: int = 0) -> list[str]:
    """The report's lines; the command exits with 1 when a check fails."""
    out = StringIO()
    if expect_exit:
        with pytest.raises(SystemExit) as exited:
            call_command("doctor", stdout=out)
        assert exited.value.code == expect_exit
    else:
        call_command("doctor", stdout=out)
    return out.getvalue().splitlines()


def line_of(lines: list[str], name: str) -> str:
    return next(line for line in lines if line[5:].startswith(name))


@pytest.fixture
def openai_too(telegram, fake_openai, settings):
    """OpenAI first, then local, as a keyed deployment has it."""
    settings.AI_PROVIDERS = ["openai", "local"]
    settings.OPENAI_API_KEY = OPENAI_KEY
    return fake_openai


def test_everything_in_order_is_all_ok_and_exits_0(archive, openai_too):
    lines = doctor()

    assert lines[0] == "OK   bot token: @my_secretary_bot"
    assert line_of(lines, "webhook").startswith("OK   webhook: none: long polling / runbot")
    assert line_of(lines, GROUP_LINE) == (
        f"OK   {GROUP_LINE}: topics on; the bot may manage topics and post"
    )
    assert line_of(lines, "AI provider openai").startswith("OK   AI provider openai: gpt-4o-mini")
    assert line_of(lines, "AI provider local").startswith("OK   AI provider local: answered in")
    assert line_of(lines, "database").startswith("OK   database: postgresql, ")
    assert line_of(lines, "redis").startswith("OK   redis: ")
    assert line_of(lines, "broker").startswith("OK   broker: ")
    for job in PERIODIC_JOBS:
        assert line_of(lines, f"beat: {job.name}").startswith(f"OK   beat: {job.name}: every ")
    assert lines[-1] == f"{len(lines) - 1} checks: all OK."
    assert len(openai_too.requests_to("/chat/completions")) == 1  # one tiny real call


def test_a_missing_right_and_a_dead_provider_are_named_and_exit_1(archive, openai_too, telegram):
    telegram.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=False)
    openai_too.server_error_next(times=10)

    lines = doctor(expect_exit=1)

    assert line_of(lines, GROUP_LINE) == (
        f"FAIL {GROUP_LINE}: the bot lacks the “Manage topics” right: give it in the "
        "group's admin settings"
    )
    assert line_of(lines, "AI provider openai") == (
        "FAIL AI provider openai: server error (HTTP 500): the provider is failing; try later"
    )
    assert line_of(lines, "AI provider local").startswith("OK   ")
    assert lines[-1].endswith("2 FAIL. Fix the FAIL lines above.")
    report = "\n".join(lines)
    assert "The server had an error" not in report  # the server's words are not repeated
    assert TOKEN.split(":")[1] not in report
    assert len(openai_too.requests_to("/chat/completions")) == 1  # no retries: one quick try


def test_a_refused_key_a_timeout_and_a_missing_key_say_what_to_check(openai_too, settings):
    settings.OPENAI_API_KEY = "sk-not-the-right-one"
    assert ai_provider_check("openai").detail == "auth refused (HTTP 401): check OPENAI_API_KEY"

    settings.OPENAI_API_KEY = OPENAI_KEY
    settings.AI_TIMEOUT = 0.3
    openai_too.stall_next(2)
    timeout = ai_provider_check("openai")
    assert (timeout.status, timeout.detail) == (
        Status.FAIL,
        "timeout: no answer within 0.3 s; check OPENAI_BASE_URL and the network",
    )

    settings.GEMINI_API_KEY = ""
    assert ai_provider_check("gemini").detail == (
        "GEMINI_API_KEY is not set: set it, or leave gemini out of AI_PROVIDERS"
    )


def test_the_bot_removed_from_a_group_is_a_fail(archive, telegram):
    telegram.kicked_from.add(GROUP_CHAT)

    group = line_of([f"{c.status:<4} {c.name}: {c.detail}" for c in telegram_checks()], GROUP_LINE)

    assert group == (
        f"FAIL {GROUP_LINE}: the bot is not in it (removed, or the group is gone): "
        "add it back as an admin"
    )


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (f"{BOT_ID}:AAF4-revoked-token", "Telegram refused it: check TELEGRAM_BOT_TOKEN"),
        ("not a token", "malformed: copy TELEGRAM_BOT_TOKEN from @BotFather"),
    ],
)
def test_a_refused_or_malformed_token_stops_the_telegram_checks(telegram, settings, token, detail):
    settings.TELEGRAM_BOT_TOKEN = token

    checks = telegram_checks()

    assert [(c.name, c.status, c.detail) for c in checks] == [("bot token", Status.FAIL, detail)]


def test_an_unreachable_bot_api_is_named(telegram, settings):
    settings.TELEGRAM_API_BASE = "http://127.0.0.1:1"

    (token,) = telegram_checks()

    assert token.detail == "the Bot API did not answer: check TELEGRAM_API_BASE and the network"


def test_no_group_linked_yet_is_a_warning(telegram):
    group = next(c for c in telegram_checks() if c.name == "groups")

    assert (group.status, group.detail) == (
        Status.WARN,
        "none linked yet: an admin sends /connect in a forum group",
    )


def test_a_webhook_other_than_public_urls_is_a_fail_until_set_webhook(telegram, settings):
    settings.PUBLIC_URL = "https://secretary.example.org"
    expected = "https://secretary.example.org/telegram/webhook/"

    webhook = next(c for c in telegram_checks() if c.name == "webhook")
    assert webhook.status is Status.FAIL
    assert webhook.detail.startswith(
        f"none: long polling / runbot, not {expected}: run manage.py set_webhook (3 pending, "
    )

    telegram.webhook = {"url": expected}
    webhook = next(c for c in telegram_checks() if c.name == "webhook")
    assert webhook.status is Status.OK
    assert webhook.detail.startswith(f"{expected}, 3 pending, last error 2026-11-26 13:33 UTC: ")


def webhook(**fields) -> WebhookInfo:
    defaults = {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
    return WebhookInfo(**(defaults | fields))


def test_a_recent_webhook_error_or_a_pile_of_updates_is_a_warning(settings):
    settings.PUBLIC_URL = None
    recent = datetime.now(UTC) - timedelta(minutes=5)
    old = datetime.now(UTC) - timedelta(days=2)

    assert webhook_verdict(webhook(pending_update_count=250)).status is Status.WARN
    error = webhook_verdict(webhook(last_error_date=recent, last_error_message="Read timeout"))
    assert error.status is Status.WARN
    assert "Read timeout" in error.detail
    assert webhook_verdict(webhook(last_error_date=old, last_error_message="x")).status is Status.OK


def test_a_disabled_or_missing_beat_job_says_how_to_fix_it():
    first, second = PERIODIC_JOBS[0], PERIODIC_JOBS[1]
    PeriodicTask.objects.filter(name=first.name).update(enabled=False)
    PeriodicTask.objects.filter(name=second.name).delete()

    checks = {check.name: check for check in beat_checks()}

    assert checks[f"beat: {first.name}"].detail == (
        "disabled: enable it in the admin (Periodic tasks)"
    )
    assert checks[f"beat: {second.name}"].detail == (
        "missing: run manage.py migrate (it creates the jobs)"
    )


def test_redis_unreachable_is_a_fail_without_its_error_text(settings):
    settings.REDIS_URL = "redis://:hunter2@127.0.0.1:1/0"

    redis = next(check for check in infrastructure_checks() if check.name == "redis")

    assert (redis.status, redis.detail) == (
        Status.FAIL,
        "failed (ConnectionError): check REDIS_URL and that Redis runs",
    )


def test_without_redis_tasks_run_inline_and_that_is_a_warning(settings):
    settings.REDIS_URL = None

    checks = infrastructure_checks()

    assert [(c.name, c.status) for c in checks] == [
        ("database", Status.OK),
        ("broker", Status.WARN),
    ]
    assert checks[1].detail == "no broker: tasks run inline (embedded default)"


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated SQLite file and the environment of a machine with nothing configured."""
    database = tmp_path_factory.mktemp("doctor") / "db.sqlite3"
    unset = {"REDIS_URL", "TELEGRAM_BOT_TOKEN", "CELERY_TASK_ALWAYS_EAGER", "PUBLIC_URL"}
    env = {key: value for key, value in os.environ.items() if key not in unset}
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "AI_PROVIDERS": "local",
        "OPENAI_API_KEY": "",
        "GEMINI_API_KEY": "",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--skip-checks", "--no-input", "-v", "0"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert migrate.returncode == 0, migrate.stderr
    return env


def test_on_the_embedded_default_it_says_the_token_is_missing_and_exits_1(embedded_env):
    result = subprocess.run(
        [sys.executable, "manage.py", "doctor"],
        cwd=PROJECT,
        env=embedded_env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert lines[0] == "FAIL bot token: TELEGRAM_BOT_TOKEN is not set"
    assert "WARN broker: no broker: tasks run inline (embedded default)" in lines
    assert line_of(lines, "database").startswith("OK   database: sqlite, ")
    assert line_of(lines, "AI provider local").startswith("OK   ")
    assert all(line.startswith("OK   beat: ") for line in lines if "beat:" in line)
    assert lines[-1].endswith("1 FAIL. Fix the FAIL lines above.")
    assert "Traceback" not in result.stdout + result.stderr
