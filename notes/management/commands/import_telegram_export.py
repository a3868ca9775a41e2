"""``manage.py import_telegram_export PATH --owner ID|local``: a Telegram Desktop export (or
this project's own JSON export) into the owner's history, through the pipeline."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from notes.archive.importer import import_job_run, import_job_start
from notes.archive.models import ImportJob
from notes.archive.owners import OwnerNotFound, owner_lookup
from notes.archive.reports import import_report, refusal_text
from notes.archive.telegram_export import NotAnExport
from notes.terminal import os_user_name


class Command(BaseCommand):
    # The system checks would import every URL and view (aiogram, the API) into a process
    # that needs none of them: a hundred megabytes of peak memory for an export.
    requires_system_checks: list[str] = []
    help = "Import a Telegram Desktop export (result.json) or a JSON export of this product."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="result.json, or the export's folder")
        parser.add_argument("--owner", required=True, help="a Telegram user id, or local")
        parser.add_argument(
            "--ai", action="store_true", help="classify with the AI chain (default: local)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options.get("verbosity", 1))
        try:
            owner = owner_lookup(options["owner"], local_name=os_user_name())
        except OwnerNotFound as error:
            raise CommandError(str(error)) from None
        with translation.override("en"):
            try:
                start = import_job_start(owner=owner, path=options["path"], use_ai=options["ai"])
            except NotAnExport as problem:
                raise CommandError(refusal_text(problem.reason)) from None
            if not start.started:
                self.stdout.write(f"An import is already running (#{start.job.pk}); resuming it.")
            job = import_job_run(job_id=start.job.pk, progress=self._progress)
            assert job is not None
            self.stdout.write(import_report(job))
            if job.status == ImportJob.Status.FAILED:
                raise CommandError(refusal_text(job.error))

    def _progress(self, job: ImportJob) -> None:
        if self.verbosity > 1:
            self.stdout.write(f"{job.position} messages read, {job.imported} imported")
