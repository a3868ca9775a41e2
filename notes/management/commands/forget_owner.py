"""``manage.py forget_owner ID|local --yes``: delete everything the product holds about one
owner. Messages already posted into their forum group stay there."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from notes.archive.forget import forget_report_lines, owner_forget
from notes.archive.owners import OwnerNotFound, owner_lookup
from notes.terminal import os_user_name


class Command(BaseCommand):
    # The system checks would import every URL and view (aiogram, the API) into a process
    # that needs none of them: a hundred megabytes of peak memory for an export.
    requires_system_checks: list[str] = []
    help = "Forget one owner: their notes, pending previews, examples, updates, settings, groups."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("owner", help="a Telegram user id, or local (the terminal's owner)")
        parser.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            owner = owner_lookup(options["owner"], local_name=os_user_name())
        except OwnerNotFound as error:
            raise CommandError(str(error)) from None
        if owner.is_staff:
            raise CommandError(f"{owner} is a staff account: delete it in the admin instead")
        if not options["yes"]:
            raise CommandError(f"this deletes everything about {owner}: add --yes to confirm")
        counts = owner_forget(owner=owner)
        for line in forget_report_lines(counts):
            self.stdout.write(line)
        self.stdout.write("Messages already posted into the forum group stay there.")
