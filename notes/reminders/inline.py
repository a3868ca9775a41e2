"""The due check where there is no beat: ``manage.py chat`` (and the embedded default).

A daemon thread runs the same pass as the beat job every few seconds, with the
session's ports, so a reminder falls due in the terminal while the chat runs.
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, connections

from notes.ports import Ports, ports_using
from notes.reminders.delivery import reminders_send_due

logger = logging.getLogger(__name__)

CHECK_EVERY_SECONDS = 5.0


class DueChecks:
    """Start with ``start()``; ``stop()`` when the session ends."""

    def __init__(self, opened: Ports, every: float = CHECK_EVERY_SECONDS) -> None:
        self._ports, self._every = opened, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="reminders-due", daemon=True)

    def start(self) -> DueChecks:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def check(self) -> int:
        with ports_using(self._ports):
            return reminders_send_due(pace=lambda: 0.0, run_seconds=self._every).sent

    def _run(self) -> None:
        try:
            while not self._stop.wait(self._every):
                try:
                    self.check()
                except DatabaseError as error:
                    logger.warning("Reminders not checked: %s", error)
        finally:
            connections.close_all()  # this thread's own
