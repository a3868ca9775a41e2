"""``manage.py retry_failed``: send failed notes (and failed Telegram updates) back to work."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.services.recovery import notes_retry_failed
from secretary.env import parse_duration
from telegram_bot.services.updates import telegram_updates_failed, telegram_updates_retry


class Command(BaseCommand):
    help = (
        "Send failed notes back to the stage they failed in, and process failed Telegram "
        "updates again. Their owners see the note's preview (or its filing) as usual."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            metavar="DURATION",
            help="only what failed within this long, e.g. 90s, 15m, 1h, 7d (default: all)",
        )
        parser.add_argument(
            "--note",
            metavar="ID",
            type=int,
            action="append",
            help="only this note (repeatable); failed updates are then left alone",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = timezone.now() - parse_duration(options["since"])
            except ValueError:
                raise CommandError(
                    f"--since must be a duration like 90s, 15m, 1h or 7d, got {options['since']!r}"
                ) from None
        note_ids: list[int] | None = options["note"]
        if note_ids:
            self._check_notes(note_ids)
        notes = notes_retry_failed(note_ids=note_ids, since=since)
        updates = (
            0
            if note_ids
            else telegram_updates_retry(update_ids=telegram_updates_failed(since=since))
        )
        self.stdout.write(f"{len(notes)} failed notes sent back to work, {updates} updates queued")

    def _check_notes(self, note_ids: list[int]) -> None:
        statuses = dict(Note.objects.filter(pk__in=note_ids).values_list("pk", "status"))
        for note_id in note_ids:
            if note_id not in statuses:
                raise CommandError(f"note {note_id} does not exist")
            if statuses[note_id] != NoteStatus.FAILED:
                raise CommandError(
                    f"note {note_id} has not failed (it is {statuses[note_id]}); nothing to retry"
                )
