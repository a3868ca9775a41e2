"""What every surface says about a search and about an earlier copy, in the owner's
language (plain text: the bot escapes it, the terminal prints it)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notes.models import Note, NoteStatus
from notes.search.selectors import note_earlier_copy
from notes.search.text import QueryProblem


def owner_zone(note: Note) -> ZoneInfo:
    name = getattr(getattr(note.owner, "preferences", None), "time_zone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def day_text(note: Note, moment: datetime | None = None) -> str:
    """A day in the owner's zone and language: "3 декабря", "3 December 2025"."""
    local = timezone.localtime(moment or note.published_at or note.created_at, owner_zone(note))
    this_year = local.year == timezone.localtime(timezone.now(), owner_zone(note)).year
    return dateformat.format(local, "j E" if this_year else "j E Y")


def find_usage_text() -> str:
    return _(
        "Send /find and the words to look for, for example: /find lease contract\n"
        "Filed notes and notes waiting for your tap are searched. Add “all” to search "
        "every note, or “cancelled”, “expired”, “failed” for those."
    )


def query_problem_text(problem: QueryProblem) -> str:
    if problem.reason == QueryProblem.EMPTY:
        return find_usage_text()
    return _("Type a word to search for: letters or digits, not only punctuation or emoji.")


def nothing_found_text(query: str) -> str:
    return _("Nothing found for «%(query)s». Try fewer words or another form of them.") % {
        "query": query
    }


def found_text(count: int, page: int, pages: int, *, near: bool) -> str:
    found = ngettext("Found %(count)d note", "Found %(count)d notes", count) % {"count": count}
    if pages > 1:
        found += " · " + _("page %(page)d of %(pages)d") % {"page": page, "pages": pages}
    if near:
        found += "\n" + _("No exact match; these have similar words.")
    return found


def status_text(note: Note) -> str:
    return str(NoteStatus(note.status).label)


def already_saved_text(copy: Note) -> str:
    """The line at the top of a preview whose note was filed before."""
    topic = copy.topic.name if copy.topic is not None else "—"
    return _("♻️ Already saved %(date)s in «%(topic)s»") % {
        "date": day_text(copy),
        "topic": topic,
    }


def already_saved_lines(note: Note) -> list[str]:
    """The terminal's preview: a line naming the earlier copy, if the note has one."""
    copy = note_earlier_copy(note)
    return [already_saved_text(copy)] if copy is not None else []
