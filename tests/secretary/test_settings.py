"""Settings come from the environment; each case runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    "pool": settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    "cache": settings.CACHES["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "debug": settings.DEBUG,
    "providers": settings.AI_PROVIDERS,
    "pending_ttl": settings.PENDING_TTL.total_seconds(),
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}))
"""


def run_settings(env: dict[str, str], code: str = PROBE) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "secretary.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def probe(env: dict[str, str]) -> dict:
    result = run_settings(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def manage_check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_no_environment_means_sqlite_inline_tasks_and_local_memory_cache():
    config = probe({"DEBUG": "1"})

    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"].endswith("db.sqlite3")
    assert config["cache"].endswith("LocMemCache")
    assert config["eager"] is True
    assert config["providers"] == ["local"]
    assert config["pending_ttl"] == 24 * 3600


def test_database_url_switches_to_postgres_with_a_pool_and_no_persistent_connections():
    config = probe({"DEBUG": "1", "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/secretary"})

    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "secretary"
    assert config["conn_max_age"] == 0
    assert config["pool"]["max_size"] >= 1


def test_redis_url_switches_to_redis_cache_and_a_real_broker():
    config = probe({"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"})

    assert config["cache"].endswith("RedisCache")
    assert config["broker"] == "redis://127.0.0.1:6379/3"
    assert config["eager"] is False


def test_visibility_timeout_outlives_the_longest_task():
    config = probe({"DEBUG": "1", "REDIS_URL": "redis://127.0.0.1:6379/3"})

    assert config["visibility_timeout"] > config["time_limit"]


def test_keyed_providers_come_before_local():
    config = probe({"DEBUG": "1", "OPENAI_API_KEY": "sk-test", "GEMINI_API_KEY": "g-test"})

    assert config["providers"] == ["openai", "gemini", "local"]


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://root@localhost/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:notaport/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://:6379/0"}, "REDIS_URL"),
        ({"REDIS_URL": "redis://localhost:6379/zero"}, "REDIS_URL"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"PENDING_TTL": "forever"}, "PENDING_TTL"),
        ({"AI_PROVIDERS": "openai,claude"}, "AI_PROVIDERS"),
        ({"TELEGRAM_GROUP_ID": "my-group"}, "TELEGRAM_GROUP_ID"),
    ],
)
def test_a_malformed_variable_fails_at_start_with_one_line_naming_it(env, variable):
    result = manage_check({"DEBUG": env.pop("DEBUG", "1"), **env})

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error:")
    assert variable in lines[0]


def test_secret_key_is_required_when_debug_is_off():
    result = manage_check({"DEBUG": "0"})

    assert result.returncode != 0
    assert result.stderr.strip() == (
        "Configuration error: SECRET_KEY is required when DEBUG is off "
        "(set DEBUG=1 for development)"
    )


def test_production_settings_start_with_a_secret_key():
    result = manage_check({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"})

    assert result.returncode == 0, result.stderr
