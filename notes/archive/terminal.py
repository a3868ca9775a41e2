"""The archive's commands in ``manage.py chat``: ``/export [markdown|json] [PATH]`` and
``/import PATH``."""

from __future__ import annotations

import shlex
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from notes.archive.export import notes_export
from notes.archive.importer import import_job_run, import_job_start
from notes.archive.models import ExportFormat
from notes.archive.reports import import_report, refusal_text
from notes.archive.telegram_export import NotAnExport
from secretary.models import User

ARCHIVE_COMMANDS = ("/export", "/import")


def archive_command(*, owner: User, line: str, folder: Path | None = None) -> str:
    """Run one archive command typed in the terminal; the line to answer with."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    if words[0].lower() == "/import":
        return terminal_import(owner=owner, args=words[1:])
    return terminal_export(owner=owner, args=words[1:], folder=folder or Path.cwd())


def terminal_import(*, owner: User, args: list[str]) -> str:
    use_ai = "--ai" in args
    paths = [arg for arg in args if arg != "--ai"]
    if len(paths) != 1:
        return _("Usage: /import PATH (a Telegram Desktop result.json) [--ai]")
    try:
        start = import_job_start(owner=owner, path=paths[0], use_ai=use_ai)
    except NotAnExport as problem:
        return refusal_text(problem.reason)
    job = import_job_run(job_id=start.job.pk)
    return import_report(job) if job is not None else ""


def terminal_export(*, owner: User, args: list[str], folder: Path) -> str:
    format = ExportFormat.MARKDOWN
    if args and args[0].lower() in ExportFormat.values:
        format = ExportFormat(args.pop(0).lower())
    if len(args) > 1:
        return _("Usage: /export [markdown|json] [file]")
    extension = "zip" if format == ExportFormat.MARKDOWN else "json"
    default = f"secretary-notes-{timezone.localdate().isoformat()}.{extension}"
    path = Path(args[0]).expanduser() if args else folder / default
    if path.is_dir():
        path = path / default
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("wb") as out:
            count = notes_export(owner=owner, format=format, out=out)
        partial.replace(path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        return _("Could not write %(path)s: %(reason)s") % {
            "path": path,
            "reason": error.strerror or type(error).__name__,
        }
    return _("%(count)d notes exported to %(path)s") % {"count": count, "path": path}
