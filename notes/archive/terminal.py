"""The archive's commands in ``manage.py chat``: ``/export [markdown|json] [PATH]``."""

from __future__ import annotations

import shlex
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from notes.archive.export import notes_export
from notes.archive.models import ExportFormat
from secretary.models import User

ARCHIVE_COMMANDS = ("/export",)


def archive_command(*, owner: User, line: str, folder: Path | None = None) -> str:
    """Run one archive command typed in the terminal; the line to answer with."""
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    return terminal_export(owner=owner, args=words[1:], folder=folder or Path.cwd())


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
