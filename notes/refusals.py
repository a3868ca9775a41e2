"""Why the owner's request was refused, in their words: the same on every surface.

The bot shows these as tap notices, the Mini App as the ``detail`` of a 409.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from notes.ports import DeliveryError
from notes.services.pending import NoteActionRefused


def note_refused_text(reason: str) -> str:
    """A request the note cannot take now (``NoteActionRefused.reason``)."""
    return {
        NoteActionRefused.FOREIGN: _("This is not your note."),
        NoteActionRefused.FILED: _("This note is already filed."),
        NoteActionRefused.CANCELLED: _("This note was cancelled."),
        NoteActionRefused.EXPIRED: _("This preview has expired; the note waits in history."),
        NoteActionRefused.BUSY: _("This note is being handled, a moment please."),
        NoteActionRefused.NO_TOPIC: _("Pick a topic first."),
        NoteActionRefused.TOPIC_GONE: _("That topic is no longer available."),
        NoteActionRefused.TOO_LATE: _("Too late to undo."),
    }.get(reason, _("This cannot be done with the note now."))


def topic_refused_text(reason: str, group_title: str = "", *, renaming: bool = False) -> str:
    """Why Telegram did not create (or rename) a topic, and what to do. Plain text."""
    group = group_title or _("the group")
    match reason:
        case DeliveryError.NO_RIGHTS:
            return _(
                "I may not create topics in «%(group)s»: give me the right to manage topics "
                "there, then try again."
            ) % {"group": group}
        case DeliveryError.ARCHIVE_GONE:
            return _("I am not in «%(group)s» any more: add me back, then try again.") % {
                "group": group
            }
        case DeliveryError.TOPIC_GONE:
            return _("This topic was deleted in the group.")
        case "unlinked":  # topics.services.TopicCreateFailed.UNLINKED
            return _("«%(group)s» is no longer linked: send /connect in it first.") % {
                "group": group
            }
        case DeliveryError.TEMPORARY:
            return _("Telegram is busy right now; try again in a minute.")
    if renaming:
        return _("Telegram did not rename the topic. Try another name, or try again later.")
    return _("Telegram did not create the topic. Try another name, or try again later.")
