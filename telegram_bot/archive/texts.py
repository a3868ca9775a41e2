"""What the bot says about the owner's data, in their language, as Telegram HTML."""

from __future__ import annotations

from datetime import timedelta

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notes.telegram_html import quote


def export_question() -> str:
    return _(
        "Export all your notes. Which format?\n\n"
        "<b>Markdown</b>: a zip with a folder per topic and a file per note; it opens in "
        "Obsidian. <b>With files</b> also puts in the photos and documents I can download.\n"
        "<b>JSON</b>: one document with everything, which can be imported back."
    )


def markdown_button() -> str:
    return _("📝 Markdown")


def markdown_media_button() -> str:
    return _("📝 Markdown with files")


def json_button() -> str:
    return _("🗂 JSON")


def export_already_running() -> str:
    return _("An export is already under way: its file comes as soon as it is ready.")


def export_progress(done: int, total: int) -> str:
    if not total:
        return _("⏳ Preparing your export…")
    percent = min(100, done * 100 // total)
    return _("⏳ Preparing your export… %(done)d of %(total)d notes (%(percent)d%%)") % {
        "done": done,
        "total": total,
        "percent": percent,
    }


def export_ready(count: int) -> str:
    return ngettext(
        "✅ Export ready: %(count)d note.",
        "✅ Export ready: %(count)d notes.",
        count,
    ) % {"count": count}


def export_link(count: int, size: int, url: str, valid_for: timedelta) -> str:
    hours = max(1, int(valid_for.total_seconds() // 3600))
    return (
        export_ready(count)
        + "\n\n"
        + ngettext(
            "The file is %(size)s, more than Telegram lets a bot send. Download it here "
            "(the link works for %(hours)d hour, and only for you):\n%(url)s",
            "The file is %(size)s, more than Telegram lets a bot send. Download it here "
            "(the link works for %(hours)d hours, and only for you):\n%(url)s",
            hours,
        )
        % {"size": filesizeformat(size), "hours": hours, "url": quote(url)}
    )


def export_too_big_no_link(count: int, size: int) -> str:
    return (
        export_ready(count)
        + "\n\n"
        + _(
            "The file is %(size)s, more than Telegram lets a bot send, and this server has no "
            "public address for a download link. Ask its administrator for the file."
        )
        % {"size": filesizeformat(size)}
    )


def export_failed() -> str:
    return _("⚠️ The export failed. Your notes are untouched; try /export again later.")


def forget_question() -> str:
    return _(
        "This deletes everything I keep about you: your notes, previews waiting for a tap, "
        "what I learned from your filings, your settings, the links to your groups and the "
        "messages you sent me. Messages already filed into your forum group stay there.\n\n"
        "Export first if you want a copy: /export.\n\nDelete everything?"
    )


def forget_first_yes_button() -> str:
    return _("🗑 Yes, delete everything")


def forget_final_question() -> str:
    return _("Are you sure? This cannot be undone.")


def forget_final_yes_button() -> str:
    return _("🗑 Delete for good")


def forget_keep_button() -> str:
    return _("Keep my data")


def forget_kept() -> str:
    return _("Nothing was deleted.")


def forget_done(lines: list[str]) -> str:
    listed = "\n".join(quote(line) for line in lines) or _("There was nothing to delete.")
    return _(
        "Done: I have forgotten you.\n\n%(counts)s\n\n"
        "Messages already in your forum group stay there; delete them in Telegram if you "
        "wish. Write to me again any time to start afresh."
    ) % {"counts": listed}


def import_help() -> str:
    return _(
        "Bring your notes from Telegram: in Telegram Desktop open the chat (Saved Messages, "
        "say), ⋮ → <b>Export chat history</b>, untick photos and files, choose the format "
        "<b>Machine-readable JSON</b>, and send me the <b>result.json</b> it writes. For "
        "everything at once: Settings → Advanced → <b>Export Telegram data</b>, JSON.\n\n"
        "The notes land in your history (not in the group) and the local classifier sorts "
        "them. /import stop stops an import under way."
    )


def import_started() -> str:
    return _("⏳ Importing… I will say here when it is done.")


def import_progress(read: int, imported: int) -> str:
    return _("⏳ Importing… %(read)d messages read, %(imported)d notes so far.") % {
        "read": read,
        "imported": imported,
    }


def import_already_running() -> str:
    return _("An import is already under way; /import stop stops it.")


def import_stopped(stopped: bool) -> str:
    if stopped:
        return _("The import stops after the current batch; what came in stays.")
    return _("No import is under way.")


def import_too_big(limit: int) -> str:
    return _(
        "The file is over %(limit)s, more than a bot may download: import it with "
        "manage.py import_telegram_export on the server, or export single chats."
    ) % {"limit": filesizeformat(limit)}


def import_download_failed() -> str:
    return _("I could not download the file from Telegram; send it again in a minute.")
