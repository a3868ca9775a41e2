"""What an import says: why a file is refused, and the report at the end (gettext)."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notes.archive.models import ImportJob


def refusal_text(reason: str) -> str:
    """One line saying why the file cannot be imported."""
    texts = {
        "missing": _("There is no file there."),
        "folder": _("That folder holds no result.json: point at the export's result.json."),
        "too_big": _("The file is over %(limit)s: export single chats and import them one by one.")
        % {"limit": filesizeformat(settings.IMPORT_MAX_BYTES)},
        "zip": _("This is a zip: unpack it and import the result.json inside."),
        "not_json": _(
            "This is not JSON: in Telegram Desktop choose “Machine-readable JSON” as the format."
        ),
        "malformed": _("The JSON is broken (was the file cut short?): export it again."),
        "not_export": _("This JSON is not a Telegram Desktop export: it has no messages."),
    }
    return texts.get(reason, _("This file cannot be imported."))


SKIP_LABELS = {
    "service": lambda n: ngettext("%d service message", "%d service messages", n) % n,
    "sticker": lambda n: ngettext("%d sticker", "%d stickers", n) % n,
    "no_text": lambda n: ngettext("%d message without text", "%d messages without text", n) % n,
    "unknown": lambda n: (
        ngettext("%d message of an unknown kind", "%d messages of unknown kinds", n) % n
    ),
}


def import_report(job: ImportJob) -> str:
    """Imported, skipped by kind, already present, failed with why."""
    if job.status == ImportJob.Status.FAILED and not (job.position or job.imported):
        return refusal_text(job.error)  # nothing was read: the reason is all there is
    lines = [
        ngettext("Imported: %d note.", "Imported: %d notes.", job.imported) % job.imported,
    ]
    counts = job.skipped or {}
    order = [*SKIP_LABELS, *sorted(set(counts) - set(SKIP_LABELS))]
    skipped = {kind: int(counts[kind]) for kind in order if counts.get(kind)}
    if skipped:
        parts = [
            SKIP_LABELS.get(kind, SKIP_LABELS["unknown"])(count) for kind, count in skipped.items()
        ]
        lines.append(_("Skipped: %(parts)s.") % {"parts": ", ".join(parts)})
    if job.already_present:
        lines.append(_("Already here: %d.") % job.already_present)
    if job.failed:
        reasons = ", ".join(f"#{item.get('id')} ({item.get('why')})" for item in job.failed[:10])
        lines.append(
            _("Failed: %(count)d — %(reasons)s.") % {"count": len(job.failed), "reasons": reasons}
        )
    if job.status == ImportJob.Status.CANCELLED:
        lines.append(_("Stopped on request; importing the file again goes on from there."))
    elif job.status == ImportJob.Status.FAILED:
        lines.append(refusal_text(job.error))
    if job.imported:
        lines.append(_("The notes wait in your history; they are not posted into the group."))
    return "\n".join(lines)
