"""The JSON export: one document, every field needed to restore the notes.

The schema is versioned and documented in docs/export-format.md. The document is written
note by note, so an export of any size needs the memory of one note.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.utils import timezone

from notes.models import Note
from secretary.models import User
from topics.models import Topic

FORMAT_NAME = "personal-secretary-export"
FORMAT_VERSION = 1

NOTE_FIELDS = (
    "source_chat_id",
    "source_message_id",
    "media_group_id",
    "kind",
    "text",
    "entities",
    "files",
    "forward_origin",
    "transcript",
    "link_metadata",
    "status",
    "title",
    "tags",
    "rendered_text",
    "published_chat_id",
    "published_message_ids",
    "ai_provider",
    "confidence",
    "reason",
)
TOPIC_FIELDS = (
    "thread_id",
    "name",
    "description",
    "format_template",
    "style_instructions",
    "is_private",
    "is_archived",
    "position",
)


def topic_record(topic: Topic) -> dict[str, Any]:
    record: dict[str, Any] = {"id": topic.pk}
    record.update({field: getattr(topic, field) for field in TOPIC_FIELDS})
    record["group"] = {"chat_id": topic.group.chat_id, "title": topic.group.title}
    return record


def note_record(note: Note) -> dict[str, Any]:
    record: dict[str, Any] = {"id": note.pk}
    record.update({field: getattr(note, field) for field in NOTE_FIELDS})
    record["topic"] = note.topic_id
    record["created_at"] = _iso(note.created_at)
    record["published_at"] = _iso(note.published_at)
    return record


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def write_json_export(
    out: IO[str], *, owner: User, topics: Iterable[Topic], notes: Iterable[Note]
) -> int:
    """Write the document to ``out``, note by note; the number of notes written."""
    preferences = getattr(owner, "preferences", None)
    head = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "owner": {
            "language": preferences.effective_language if preferences else owner.language,
            "time_zone": preferences.time_zone if preferences else "UTC",
        },
        "topics": [topic_record(topic) for topic in topics],
    }
    opening = json.dumps(head, ensure_ascii=False, indent=1)
    out.write(opening[: opening.rstrip().rindex("}")].rstrip() + ',\n "notes": [')
    count = 0
    for note in notes:
        out.write(("\n  " if count == 0 else ",\n  ") + _dumps(note_record(note)))
        count += 1
    out.write(f'\n ],\n "note_count": {count}\n}}\n')
    return count


def _dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, default=str, separators=(",", ":"))
