"""Structured logs: one line per record, one correlation id from the webhook to the last task.

The code logs through the standard library (``logging.getLogger(__name__)``); every record,
of every logger, is rendered by ``structlog``'s ``ProcessorFormatter``: one JSON object a line
in production (``LOG_FORMAT=json``), readable columns in development (``console``). A JSON
line has ``time`` (ISO, UTC), ``level``, ``logger``, ``message``, the context bound with
``structlog.contextvars`` (``correlation_id`` always, ``request_id``, ``task_id``,
``note_id``, ``update_id`` …) and ``exception`` for a traceback.

The correlation id of a line says which outside event caused it:

- an HTTP request: its request id (a valid incoming ``X-Request-ID``, or a new one), sent
  back as ``X-Request-ID``;
- a Telegram update, once the webhook has parsed it: ``tg-<update_id>``;
- a beat job: ``beat-<8 hex>``; other work nobody started: ``task-<8 hex>``.

It travels into every task the request or task enqueues in a message header
(``before_task_publish``); the worker binds it for the task's run (``task_prerun``) and
clears it after (``task_postrun``). A task run inline keeps its caller's context.

Secrets never reach the output: the bot token, the API keys and the webhook secret are
blanked in every rendered line, tracebacks included.
"""

from __future__ import annotations

import functools
import json
import logging
import logging.config
import re
import sys
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import structlog
from celery.signals import (
    before_task_publish,
    celeryd_init,
    setup_logging,
    task_postrun,
    task_prerun,
)
from django.http import HttpRequest, HttpResponse
from django.utils.log import log_response
from django_structlog.middlewares import RequestMiddleware as StructlogRequestMiddleware
from structlog.typing import EventDict, Processor, WrappedLogger

CORRELATION_ID = "correlation_id"
# The message header that carries the correlation id to the worker. Not "correlation_id":
# Celery fills that field of a task's request with the task id.
CORRELATION_HEADER = "log_correlation_id"
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")

# The settings whose values are blanked wherever they appear, and what stands in for them.
SECRET_SETTINGS = {
    "TELEGRAM_BOT_TOKEN": "<bot-token>",
    "OPENAI_API_KEY": "<openai-api-key>",
    "GEMINI_API_KEY": "<gemini-api-key>",
    "TELEGRAM_WEBHOOK_SECRET": "<webhook-secret>",
}


# -- the correlation id ------------------------------------------------------------------


def correlation_id() -> str | None:
    """The correlation id bound in this context, if any."""
    value = structlog.contextvars.get_contextvars().get(CORRELATION_ID)
    return str(value) if value else None


def new_correlation_id(kind: str) -> str:
    """A fresh id for work no request or update caused: ``beat-1a2b3c4d``."""
    return f"{kind}-{uuid.uuid4().hex[:8]}"


def update_correlation_id(update_id: int) -> str:
    """The correlation id of everything a Telegram update causes."""
    return f"tg-{update_id}"


def valid_request_id(value: str) -> bool:
    return REQUEST_ID_PATTERN.fullmatch(value) is not None


# -- HTTP requests -------------------------------------------------------------------------


class RequestMiddleware(StructlogRequestMiddleware):
    """django-structlog's request logging, with the request id as the correlation id.

    A valid incoming ``X-Request-ID`` (A–Z a–z 0–9 . _ -, at most 64) is kept, anything
    else replaced by a new UUID; the response carries it back. Django's own line about a
    4xx/5xx response is written while the request's context is still bound.
    """

    def prepare(self, request: HttpRequest) -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if valid_request_id(given) else str(uuid.uuid4())
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.__dict__.pop("headers", None)  # HttpHeaders is cached: read it again
        structlog.contextvars.clear_contextvars()  # a request starts with its own context only
        structlog.contextvars.bind_contextvars(correlation_id=request_id)
        super().prepare(request)  # binds request_id (DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID)

    def handle_response(self, request: HttpRequest, response: HttpResponse) -> None:
        response.headers[REQUEST_ID_HEADER] = request.META["HTTP_X_REQUEST_ID"]
        if response.status_code >= 400:
            # What Django would log once the middleware is done and the context is gone.
            log_response(
                "%s: %s",
                response.reason_phrase,
                request.path,
                response=response,
                request=request,
            )
        super().handle_response(request, response)  # logs request_finished, clears the context


# -- Celery ----------------------------------------------------------------------------------


def _request_value(request: Any, key: str) -> Any:
    """A message header as the task's request shows it (an attribute, or in ``headers``)."""
    value = getattr(request, key, None)
    if value is None:
        headers = getattr(request, "headers", None)
        if isinstance(headers, dict):
            value = headers.get(key)
    return value


@before_task_publish.connect
def _carry_correlation_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """Every task enqueued here (a request, an update, another task) carries the id on."""
    current = correlation_id()
    if current and headers is not None:
        headers.setdefault(CORRELATION_HEADER, current)


@task_prerun.connect
def _bind_task_context(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """Bind the task's correlation id for its run: from its message; inline, the caller's."""
    if task is None:
        return
    request = task.request
    given = _request_value(request, CORRELATION_HEADER)
    if request.is_eager:
        # Inline the task runs inside its caller: keep the caller's context, restore it after.
        request.log_context = structlog.contextvars.get_contextvars()
        current = given or correlation_id() or new_correlation_id("task")
    else:
        structlog.contextvars.clear_contextvars()
        periodic = _request_value(request, "periodic_task_name")
        current = given or new_correlation_id("beat" if periodic else "task")
    structlog.contextvars.bind_contextvars(
        correlation_id=str(current), task_id=task_id, task=task.name
    )


@task_postrun.connect
def _clear_task_context(task: Any = None, **_: Any) -> None:
    structlog.contextvars.clear_contextvars()
    saved = getattr(task.request, "log_context", None) if task is not None else None
    if saved:
        structlog.contextvars.bind_contextvars(**saved)


def logging_configure(config: dict[str, Any]) -> None:
    """``LOGGING_CONFIG``: the settings' LOGGING, and Python's warnings through it (Django
    6 no longer routes them), so a warning is one JSON line like any other."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


@setup_logging.connect
def _celery_logs_through_django(loglevel: int | str | None = None, **_: Any) -> None:
    """The worker and beat log through Django's LOGGING: Celery's own lines too."""
    from django.conf import settings

    logging_configure(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)  # celery's --loglevel, as Celery would


@celeryd_init.connect
def _worker_logs_from_the_start(**_: Any) -> None:
    """The worker checks its privileges (and warns as root) before Celery sets up its
    logging: set it up at once, so that warning is a JSON line too."""
    from celery.apps import worker as worker_program
    from django.conf import settings

    logging_configure(settings.LOGGING)
    # Its signal handlers print "worker: Warm shutdown (MainProcess)" and the like straight
    # to the terminal: as a log line instead (the handler's lock is reentrant).
    worker_program.safe_say = _worker_says  # type: ignore[attr-defined]


def _worker_says(message: str, *_: Any) -> None:
    logging.getLogger("celery.apps.worker").info("%s", message.strip())


# -- rendering -------------------------------------------------------------------------------


def _secrets() -> tuple[tuple[str, str], ...]:
    """(value, stand-in) of every secret as it may appear in a line, longest first."""
    from django.conf import settings

    if not settings.configured:
        return ()
    return _secret_forms(
        tuple(
            (str(getattr(settings, name, "") or ""), label)
            for name, label in SECRET_SETTINGS.items()
        )
    )


@functools.lru_cache(maxsize=8)
def _secret_forms(secrets: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """Each secret raw, escaped as JSON and quoted as in a URL; the bot token's secret half
    (after ``<bot id>:``) on its own too."""
    found: dict[str, str] = {}
    for value, label in secrets:
        if not value:
            continue
        values = [value]
        if label == SECRET_SETTINGS["TELEGRAM_BOT_TOKEN"] and ":" in value:
            values.append(value.split(":", 1)[1])
        for secret in values:
            for shown in (secret, json.dumps(secret)[1:-1], quote(secret, safe="")):
                if shown:
                    found.setdefault(shown, label)
    return tuple(sorted(found.items(), key=lambda item: len(item[0]), reverse=True))


def redact(text: str) -> str:
    """``text`` with every secret of the settings blanked."""
    for secret, label in _secrets():
        text = text.replace(secret, label)
    return text


def _redact_line(_logger: WrappedLogger, _method: str, line: Any) -> str:
    """The last processor: the rendered line (message, context, traceback) without secrets."""
    return redact(str(line))


def _celery_task_fields(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    """Celery's "Task … received" line is written outside the task: name the task at least."""
    record = event.get("_record")
    data = getattr(record, "data", None)
    if isinstance(data, dict) and getattr(record, "name", "").startswith("celery"):
        if data.get("id"):
            event.setdefault("task_id", data["id"])
        if data.get("name"):
            event.setdefault("task", data["name"])
    return event


def _always_correlated(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    event.setdefault(CORRELATION_ID, None)  # a line outside any request or task says so
    return event


FIRST_KEYS = ("time", "level", "logger", "message")


def _in_order(_logger: WrappedLogger, _method: str, event: EventDict) -> EventDict:
    ordered = {key: event.pop(key) for key in FIRST_KEYS if key in event}
    ordered.update(event)
    return ordered


# Both structlog's own loggers (django-structlog) and the standard library's records.
SHARED: list[Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
]


def structlog_configure() -> None:
    """structlog's loggers hand their events to the standard library, to our formatter."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def _formatter(renderer: list[Processor]) -> structlog.stdlib.ProcessorFormatter:
    structlog_configure()
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*SHARED, _celery_task_fields],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
            *renderer,
            _redact_line,
        ],
    )


def json_formatter() -> logging.Formatter:
    """One JSON object a line: ``time``, ``level``, ``logger``, ``message``, the context."""
    return _formatter(
        [
            _always_correlated,
            structlog.processors.format_exc_info,  # the traceback, as "exception"
            structlog.processors.EventRenamer("message"),
            _in_order,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ]
    )


def console_formatter() -> logging.Formatter:
    """Readable columns for a developer's terminal (colours when it is one)."""
    return _formatter(
        [
            structlog.dev.ConsoleRenderer(
                colors=sys.stderr.isatty(),
                exception_formatter=structlog.dev.plain_traceback,
                timestamp_key="time",
            )
        ]
    )


FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {
    "json": json_formatter,
    "console": console_formatter,
}
