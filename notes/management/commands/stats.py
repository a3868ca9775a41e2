"""``manage.py stats``: what the notes came to, for operators (plain tables or JSON)."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notes.selectors import NotesStats, notes_stats
from secretary.env import parse_duration
from secretary.models import User


class Command(BaseCommand):
    help = (
        "Notes by status, kind, AI provider and topic (top 20); AI tokens and cost; failed "
        "notes by reason. All notes of everyone unless --since / --owner narrow them."
    )
    requires_system_checks: tuple[str, ...] = ()

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            metavar="DURATION",
            help="only notes created within this long, e.g. 90s, 15m, 24h, 7d (default: all)",
        )
        parser.add_argument(
            "--owner", metavar="TELEGRAM_ID", type=int, help="only this owner's notes"
        )
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _since(options["since"])
        owner = _owner(options["owner"])
        stats = notes_stats(since, owner=owner)
        if options["json"]:
            self.stdout.write(json.dumps(stats_json(stats, owner), ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(stats_text(stats, owner, options["since"])))


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return timezone.now() - parse_duration(value)
    except ValueError:
        raise CommandError(
            f"--since must be a duration like 90s, 15m, 24h or 7d, got {value!r}"
        ) from None


def _owner(telegram_id: int | None) -> User | None:
    if telegram_id is None:
        return None
    owner = User.objects.filter(telegram_id=telegram_id).first()
    if owner is None:
        raise CommandError(f"no user with Telegram id {telegram_id}")
    return owner


def stats_json(stats: NotesStats, owner: User | None) -> dict[str, Any]:
    data = asdict(stats)
    del data["owner_id"]  # the database's; operators know owners by Telegram id
    data["since"] = stats.since.isoformat() if stats.since else None
    data["owner"] = owner.telegram_id if owner is not None else None
    data["cost_usd"] = str(stats.cost_usd)
    return data


def stats_text(stats: NotesStats, owner: User | None, since: str | None) -> list[str]:
    scope = "all time" if since is None else f"the last {since}"
    whose = f"owner {owner.telegram_id}" if owner is not None else "every owner"
    lines = [f"Notes: {stats.notes} ({scope}, {whose})", ""]
    for title, counts in (
        ("status", stats.by_status),
        ("kind", stats.by_kind),
        ("AI provider", stats.by_provider),
    ):
        lines += _table([title, "notes"], [[name, str(n)] for name, n in counts.items()])
    topics = [[t.topic, t.group, str(t.notes)] for t in stats.by_topic]
    if stats.without_topic:
        topics.append(["(no topic)", "", str(stats.without_topic)])
    lines += _table(["topic", "group", "notes"], topics)
    lines += _table(
        ["AI usage", "total"],
        [
            ["input tokens", f"{stats.input_tokens:,}"],
            ["output tokens", f"{stats.output_tokens:,}"],
            ["cost, USD", _usd(stats.cost_usd)],
        ],
    )
    lines += _table(["failure reason", "notes"], [[r, str(n)] for r, n in stats.failures.items()])
    return lines[:-1]  # no blank line at the very end


def _usd(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.0001'))}"


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Aligned columns: text to the left, the last (a number) to the right; a blank line after."""
    if not rows:
        return [f"{headers[0]}: none", ""]
    widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        text = [_pad(cell, width) for cell, width in zip(cells[:-1], widths, strict=False)]
        number = " " * (widths[-1] - _width(cells[-1])) + cells[-1]
        return "  ".join([*text, number]).rstrip()

    return [line(headers), *(line(row) for row in rows), ""]


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _width(text: str) -> int:
    """The columns a terminal gives ``text``: emoji and other wide characters take two,
    combining marks and emoji joiners none (topic names are full of emoji)."""
    columns = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200d\ufe0e\ufe0f":
            continue
        columns += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return columns
