"""``manage.py export_notes --owner ID|local --format markdown|json --output PATH``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.archive.export import notes_export
from notes.archive.models import ExportFormat
from notes.archive.owners import OwnerNotFound, owner_lookup
from notes.terminal import os_user_name


class Command(BaseCommand):
    # The system checks would import every URL and view (aiogram, the API) into a process
    # that needs none of them: a hundred megabytes of peak memory for an export.
    requires_system_checks: list[str] = []
    help = "Export every note of one owner: a Markdown vault (zip) or the JSON document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--owner", required=True, help="a Telegram user id, or local")
        parser.add_argument("--format", choices=ExportFormat.values, default=ExportFormat.MARKDOWN)
        parser.add_argument("--output", required=True, help="the file to write (- for stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner = owner_lookup(options["owner"], local_name=os_user_name())
        except OwnerNotFound as error:
            raise CommandError(str(error)) from None
        output = options["output"]
        if output == "-":
            count = notes_export(owner=owner, format=options["format"], out=sys.stdout.buffer)
            self.stderr.write(f"{count} notes exported")
            return
        path = Path(output)
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give a file name")
        if not path.parent.exists():
            raise CommandError(f"no folder {path.parent}")
        partial = path.with_name(path.name + ".part")
        try:
            with partial.open("wb") as out:
                count = notes_export(owner=owner, format=options["format"], out=out)
            partial.replace(path)
        except OSError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"cannot write {path}: {error.strerror}") from None
        self.stdout.write(f"{count} notes exported to {path} ({path.stat().st_size} bytes)")
