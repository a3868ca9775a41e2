"""``manage.py doctor``: one line per thing the secretary needs, and what to fix.

Here, under the bot, because it assembles both halves of the report: the Telegram
checks (``telegram_bot.services.doctor``) and the rest (``secretary.doctor``), which
must not import the bot. It only presents: each check's line, then a summary; the
exit status is 1 when any check FAILs (warnings do not fail it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from secretary.doctor import Check, Status, checks_failed, doctor_checks
from telegram_bot.services.doctor import telegram_checks


class Command(BaseCommand):
    help = (
        "Check the bot token, the webhook, the linked groups' rights, each AI provider, the "
        "database, Redis, the broker and the beat schedule; say what to fix. Exit status 1 "
        "when any check fails."
    )
    # It must run, and say what is wrong, exactly where Django's own checks might not pass.
    requires_system_checks: tuple[str, ...] = ()

    def handle(self, *args: Any, **options: Any) -> None:
        checks = [*telegram_checks(), *doctor_checks()]
        for check in checks:
            self.stdout.write(check_line(check), style_func=self._style(check.status))
        self.stdout.write(summary_line(checks))
        if checks_failed(checks):
            raise SystemExit(1)

    def _style(self, status: Status) -> Callable[[str], str]:
        return {
            Status.OK: self.style.SUCCESS,
            Status.WARN: self.style.WARNING,
            Status.FAIL: self.style.ERROR,
        }[status]


def check_line(check: Check) -> str:
    """``OK   what: detail``: the status padded so that the names line up."""
    line = f"{check.status.value:<4} {check.name}"
    return f"{line}: {check.detail}" if check.detail else line


def summary_line(checks: list[Check]) -> str:
    counts = {status: sum(c.status is status for c in checks) for status in Status}
    tally = ", ".join(f"{counts[status]} {status.value}" for status in Status if counts[status])
    if counts[Status.FAIL]:
        return f"{len(checks)} checks: {tally}. Fix the FAIL lines above."
    if counts[Status.WARN]:
        return f"{len(checks)} checks: {tally}. Nothing failed."
    return f"{len(checks)} checks: all OK."
