"""Work that must finish: leases on the rows that need it, and hand-offs that cannot lose it.

The database row is the record of owed work (a Telegram update to process, a note to
prepare or publish); a broker message is only a reminder of it. So:

- enqueueing happens after commit and never fails the caller: if the broker is down
  the row still says what is owed, and the sweeper enqueues it again later;
- a worker takes a *lease* on the row before working on it (a conditional UPDATE, so
  two workers can never both hold it) and keeps renewing it while it works; a worker
  that dies stops renewing, the lease runs out and the sweeper hands the work on;
- a temporary failure (the database restarting, Telegram rate limiting or down) defers
  the work, holding the lease over the wait; anything else counts as a failed attempt,
  and after ``WORK_MAX_ATTEMPTS`` the caller's ``give_up`` turns the row into a failure
  someone is told about.
"""

from __future__ import annotations

import contextvars
import logging
import math
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from celery import Task
from celery.exceptions import Retry
from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Greatest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from secretary.retry import retry_later

logger = logging.getLogger(__name__)

# The database went away for a moment (restart, failover, a killed connection).
TEMPORARY_DATABASE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
BACKOFF_MAX_SECONDS = 60
BUSY_RETRIES_MAX = 120


def backoff(retries: int) -> int:
    """1, 2, 4 … seconds, at most a minute: below the broker's visibility timeout."""
    return int(min(2**retries, BACKOFF_MAX_SECONDS))


# -- hand-offs ---------------------------------------------------------------------------


def enqueue(
    task: Task,
    *args: Any,
    kwargs: dict[str, Any] | None = None,
    task_id: str | None = None,
    **options: Any,
) -> bool:
    """Send ``task`` to the broker now; False (logged) when the broker cannot take it.

    Callers only enqueue work whose row is already committed, so a refused hand-off
    loses nothing: the sweeper finds the row and enqueues it again.
    """
    countdown = float(options.get("countdown") or 0)
    if task.app.conf.task_always_eager and countdown > 0:
        # Inline there is no queue to wait in: the run waits on a timer of its own, so
        # what arrives meanwhile (the other parts of an album) is there when it runs.
        timer = threading.Timer(countdown, _run_inline_later, (task, args, kwargs, task_id))
        timer.daemon = True
        timer.start()
        return True
    try:
        task.apply_async(args, kwargs, task_id=task_id, **options)
    except BrokerError as error:
        logger.warning(
            "Broker refused %s%s; the sweeper will resume it: %s", task.name, args, error
        )
        return False
    return True


def _run_inline_later(
    task: Task, args: tuple[Any, ...], kwargs: dict[str, Any] | None, task_id: str | None
) -> None:
    """A delayed inline run, in its timer's thread. If the process ends first, the row
    still says what is owed and the sweeper resumes it."""
    try:
        task.apply(args, kwargs, task_id=task_id)
    except Exception:
        logger.exception("Delayed inline run of %s%s failed", task.name, args)
    finally:
        connections.close_all()  # this thread's own


def enqueue_on_commit(task: Task, *args: Any, **options: Any) -> None:
    """Enqueue ``task`` once the current transaction commits (at once outside one).

    Inside leased work (``work_run``) the hand-off waits until the lease is released:
    the next step, often on the same row (prepare → transcribe → prepare), then finds
    it free instead of busy, and inline it does not run nested inside the step before.
    """

    def hand_off() -> None:
        waiting = getattr(_hand_offs, "stack", None)
        if waiting:
            waiting[-1].append(lambda: enqueue(task, *args, **options))
        else:
            enqueue(task, *args, **options)

    transaction.on_commit(hand_off)


class Publisher:
    """Hands tasks to the broker from a thread of its own.

    For callers on an event loop (the webhook): ``submit`` only puts the hand-off on
    a queue, so the loop never waits on the broker; each is sent in the context it was
    submitted in (its log lines and the task keep the update's correlation id). Like
    ``enqueue``, it is only given work whose row is already committed: a hand-off the
    broker refuses, or one still queued when the process dies, is found by the sweeper
    and sent again. So while the broker is down (for ``REFUSED_PAUSE`` after a refusal)
    the queue is not held up retrying: what comes meanwhile is left to the sweeper.
    """

    REFUSED_PAUSE = 1.0

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[Callable[[], bool] | None] = queue.SimpleQueue()
        self._refused_at = -math.inf
        self._thread: threading.Thread | None = None
        self._pending = 0  # submitted, not yet sent (or refused)
        self._changed = threading.Condition()

    def submit(self, task: Task, *args: Any) -> None:
        context = contextvars.copy_context()
        with self._changed:
            self._pending += 1
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="broker-publisher", daemon=True
                )
                self._thread.start()
        self._queue.put(lambda: context.run(enqueue, task, *args))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until everything submitted so far has been handed to the broker."""
        with self._changed:
            return self._changed.wait_for(lambda: self._pending == 0, timeout)

    def stop(self, timeout: float = 5.0) -> None:
        """Send what is queued, then end the thread (at shutdown)."""
        thread = self._thread
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    def _run(self) -> None:
        while (send := self._queue.get()) is not None:
            if time.monotonic() - self._refused_at >= self.REFUSED_PAUSE:
                try:
                    sent = send()
                except Exception:  # enqueue logs what the broker refuses; anything else, here
                    logger.exception("Handing a task to the broker failed; the sweeper resends it")
                    sent = False
                if not sent:
                    self._refused_at = time.monotonic()
            with self._changed:
                self._pending -= 1
                self._changed.notify_all()


publisher = Publisher()


# Hand-offs made by the leased work running in this thread, innermost last.
_hand_offs = threading.local()


@contextmanager
def _hand_offs_after() -> Iterator[None]:
    """Collect the hand-offs of the block; send them once it is over, whatever happened
    (a duplicate hand-off finds its work done; a lost one would lose the work)."""
    stack: list[list[Callable[[], object]]] = getattr(_hand_offs, "stack", None) or []
    _hand_offs.stack = stack
    stack.append([])
    try:
        yield
    finally:
        for send in stack.pop():
            send()


# -- records of what the outside world already did ---------------------------------------

RECORD_ATTEMPTS = 4
RECORD_WAIT_SECONDS = 0.5


def record_after_effect[T](operation: Callable[[], T]) -> T:
    """Write down what Telegram just did (a message sent), through a database blip.

    Retrying the whole task instead would do the outside effect again (a second
    preview, a part posted twice), so the write alone is retried a few times, each
    on a fresh connection (the pool replaces a dead one). Outside a transaction only.
    """
    for attempt in range(1, RECORD_ATTEMPTS + 1):
        try:
            return operation()
        except TEMPORARY_DATABASE_ERRORS as error:
            if attempt == RECORD_ATTEMPTS or connection.in_atomic_block:
                raise
            logger.warning("Record not written (attempt %d), again: %s", attempt, error)
            connection.close_if_unusable_or_obsolete()
            time.sleep(RECORD_WAIT_SECONDS * attempt)
    raise AssertionError("unreachable")


# -- leases ------------------------------------------------------------------------------


def _lease_seconds() -> float:
    return float(settings.WORK_LEASE.total_seconds())


def _free_or_mine(token: str, now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now) | Q(claimed_by=token)


BUSY = -1


def lease_take(rows: QuerySet[Any], *, token: str) -> int | None:
    """Lease the row ``rows`` selects (already narrowed to the states the work applies
    to) unless another worker holds it. Returns the attempts so far, counting this one;
    ``BUSY`` when another worker holds it; None when there is nothing to do."""
    now = timezone.now()
    until = now + timedelta(seconds=_lease_seconds())
    taken = rows.filter(_free_or_mine(token, now)).update(
        claimed_by=token, claimed_until=until, attempts=F("attempts") + 1
    )
    if not taken:
        return BUSY if rows.exists() else None
    attempts: int | None = rows.values_list("attempts", flat=True).first()
    return attempts or 1


def lease_renew(row: QuerySet[Any], *, token: str) -> bool:
    until = timezone.now() + timedelta(seconds=_lease_seconds())
    return bool(row.filter(claimed_by=token).update(claimed_until=until))


def lease_release(row: QuerySet[Any], *, token: str, done: bool) -> None:
    """The worker is through with the row; ``done`` resets the count of failed attempts."""
    changes: dict[str, Any] = {"claimed_by": "", "claimed_until": None}
    if done:
        changes["attempts"] = 0
    row.filter(claimed_by=token).update(**changes)


def lease_defer(row: QuerySet[Any], *, token: str, seconds: float, give_back: bool = True) -> None:
    """The work waits ``seconds`` (a retry): the lease covers the wait, and with
    ``give_back`` a wait is not a failed attempt, so the attempt is given back."""
    until = timezone.now() + timedelta(seconds=seconds + _lease_seconds())
    changes: dict[str, Any] = {"claimed_until": until}
    if give_back:
        changes["attempts"] = Greatest(F("attempts") - 1, 0)
    row.filter(claimed_by=token).update(**changes)


@contextmanager
def lease_kept(row: QuerySet[Any], *, token: str, heartbeat: bool = True) -> Iterator[None]:
    """Renew the lease every third of its length while the block runs.

    The renewal runs in a thread of its own, on its own database connection, so a long
    model call or a rate-limit wait in the work does not let the lease lapse. Inline
    (no worker processes) nothing else could take the work: no heartbeat is needed.
    """
    if not heartbeat:
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(_lease_seconds() / 3):
                try:
                    lease_renew(row, token=token)
                except DatabaseError as error:
                    logger.warning("Lease %s not renewed: %s", token, error)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=f"lease-{token}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def leases_reserve(rows: QuerySet[Any], *, limit: int = 500) -> list[tuple[int, str]]:
    """For the sweeper: reserve rows whose work stalled, each for a task id made up here.

    Only the task sent with that id can then take the lease, so a sweep that runs again
    before the task starts does not send the work twice. Returns ``(pk, task_id)``.
    """
    now = timezone.now()
    reserved = []
    for pk in rows.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).values_list(
        "pk", flat=True
    )[:limit]:
        token = uuid.uuid4().hex
        until = now + timedelta(seconds=_lease_seconds())
        free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        if rows.model._default_manager.filter(free, pk=pk).update(
            claimed_by=token, claimed_until=until
        ):
            reserved.append((pk, token))
    return reserved


# -- running leased work in a task -------------------------------------------------------


class Deferred(Exception):
    """Temporary: the work cannot go on now; try again in ``retry_after`` seconds."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def _retry_after(error: BaseException) -> float | None:
    # Deferred and aiogram's TelegramRetryAfter both say how long to wait.
    value = getattr(error, "retry_after", None)
    return float(value) if isinstance(value, int | float) else None


def work_run(
    task: Task,
    *,
    row: QuerySet[Any],
    ready: Q,
    body: Callable[[], object],
    give_up: Callable[[str], None],
    args: tuple[Any, ...],
    kwargs: dict[str, Any] | None = None,
    temporary: tuple[type[BaseException], ...] = (),
    when_busy: float | None = None,
    waits_run_out: Callable[[str], None] | None = None,
    runs_counted: bool = False,
    crashes_retry: bool = True,
) -> bool:
    """Run ``body`` under a lease on the one row of ``row``; True when it ran to the end.

    The work applies while the row is ``ready`` (its states): a row that moved on is
    left alone. A row another worker holds is tried again in ``when_busy`` seconds (or
    left to that worker).

    The one retry policy: a temporary failure (``temporary`` errors, ``Deferred``, a
    temporary ``DeliveryError``, the database's own) is waited out after its
    ``retry_after`` or a backoff, ``TEMPORARY_RETRIES`` times in a row at most, and is
    not a failed attempt; then ``waits_run_out(reason)`` decides (by default the work
    is left for the sweeper to resume later). Any other error is logged, counted and
    retried (unless ``crashes_retry`` is off); when ``WORK_MAX_ATTEMPTS`` are spent,
    ``give_up(reason)`` decides what becomes of the row. With ``runs_counted`` the
    row's ``attempts`` tallies every run and is never reset.
    """
    kwargs = kwargs or {}
    with _hand_offs_after():
        name = f"{task.name}{args}"
        token = task.request.id or uuid.uuid4().hex
        retries = task.request.retries or 0
        attempts = 0
        try:
            taken = lease_take(row.filter(ready), token=token)
            if taken is None:
                return False  # done already, or moved on
            if taken == BUSY:
                # Come back a bounded number of times; past that the holder, or the sweeper
                # once its lease lapses, finishes the work.
                if when_busy is not None and retries < BUSY_RETRIES_MAX:
                    retry_later(task, countdown=when_busy, args=args, kwargs=kwargs, task_id=token)
                return False
            attempts = taken
            if not runs_counted and attempts > settings.WORK_MAX_ATTEMPTS:
                _give_up(row, token, give_up, "the work kept stopping before it finished")
                return False
            with lease_kept(row, token=token, heartbeat=not task.request.is_eager):
                body()
            lease_release(row, token=token, done=not runs_counted)
        except Retry:
            raise  # the busy case's own retry
        except Exception as error:
            reason = _reason(error)
            if not _is_temporary(error, temporary):
                logger.exception("%s: attempt %s failed", name, attempts)
                if not crashes_retry or attempts >= settings.WORK_MAX_ATTEMPTS:
                    _quietly(lambda: _give_up(row, token, give_up, reason))
                    return False
                _quietly(lambda: lease_release(row, token=token, done=False))
                retry_later(
                    task, countdown=backoff(retries), args=args, kwargs=kwargs, task_id=token
                )
                return False
            if retries >= settings.TEMPORARY_RETRIES:
                logger.warning("%s: still failing after %d waits: %s", name, retries, error)
                _quietly(lambda: _give_up(row, token, waits_run_out or _left_for_later, reason))
                return False
            countdown = _retry_after(error) or backoff(retries)
            logger.warning("%s: temporary failure, again in %ss: %s", name, countdown, error)
            _quietly(
                lambda: lease_defer(row, token=token, seconds=countdown, give_back=not runs_counted)
            )
            retry_later(task, countdown=countdown, args=args, kwargs=kwargs, task_id=token)
            return False
        return True


def _is_temporary(error: BaseException, temporary: tuple[type[BaseException], ...]) -> bool:
    if isinstance(error, (*TEMPORARY_DATABASE_ERRORS, *temporary, Deferred)):
        return True
    return bool(getattr(error, "temporary", False))  # notes.ports.DeliveryError


def _left_for_later(reason: str) -> None:
    """Out of waits for now: the row keeps its state and the sweeper resumes it later."""


def _reason(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _give_up(row: QuerySet[Any], token: str, give_up: Callable[[str], None], reason: str) -> None:
    give_up(reason)
    lease_release(row, token=token, done=False)


def _quietly(operation: Callable[[], object]) -> None:
    """Best-effort bookkeeping while the database may be the thing that failed."""
    try:
        operation()
    except DatabaseError as error:
        logger.warning("Lease bookkeeping skipped: %s", error)
