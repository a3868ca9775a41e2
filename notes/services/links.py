"""Link previews of stored notes: fetched in the worker, before the note is classified.

A failed or refused fetch never holds the note up: the link keeps its bare URL and a
status that says it was tried, and the note goes on.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context

from django.conf import settings
from django.db import transaction

from notes.links import MAX_LINKS, LinkPreview, link_preview, note_link_previews
from notes.models import Note


def note_fetch_link_previews(*, note_id: int) -> list[LinkPreview]:
    """Fetch the note's links not fetched yet (together, within one budget) and store what
    their pages say. Returns the note's previews as stored."""
    note = Note.objects.only("link_metadata").filter(pk=note_id).first()
    if note is None:
        return []
    previews = note_link_previews(note.link_metadata)
    wanted = [preview.url for preview in previews[:MAX_LINKS] if not preview.fetched]
    if not wanted:
        return previews
    budget = settings.LINK_FETCH_TIMEOUT
    # Each fetch runs in a copy of this context, so its log lines keep the note's ids.
    contexts = [copy_context() for _ in wanted]
    with ThreadPoolExecutor(max_workers=len(wanted), thread_name_prefix="link") as pool:
        fetched = {
            preview.url: preview
            for preview in pool.map(
                lambda job: job[0].run(link_preview, job[1], timeout=budget),
                zip(contexts, wanted, strict=True),
            )
        }
    return _store(note_id, fetched)


@transaction.atomic
def _store(note_id: int, fetched: dict[str, LinkPreview]) -> list[LinkPreview]:
    """Write the fetched previews into the note's entries; an edit that changed the links
    meanwhile keeps its own (its links are fetched on their own run)."""
    note = Note.objects.select_for_update().only("link_metadata").filter(pk=note_id).first()
    if note is None:
        return []
    previews = [
        fetched.get(preview.url, preview) if not preview.fetched else preview
        for preview in note_link_previews(note.link_metadata)
    ]
    note.link_metadata = [preview.as_dict() for preview in previews] or None
    note.save(update_fields=["link_metadata", "updated_at"])
    return previews
