"""Keeping each note's search entry current.

``note_search_index`` runs in the worker's preparing step (``note_prepare``), after the
note's words (text, transcript, link previews, title, tags) are known and before its
preview: never in the webhook. It writes the entry's lemmas and, on PostgreSQL, their
tsvector in one statement; SQLite's FTS5 table follows through triggers.
"""

from __future__ import annotations

import hashlib
from typing import Any, Protocol

from django.contrib.postgres.search import SearchVectorField
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.functions import Cast

from notes.ai.templates import forward_name
from notes.links import note_link_previews
from notes.models import Note, NoteLinkKey, NoteSearchEntry
from notes.search.text import forward_key, terms, text_key, tsvector, url_canonical

# What the three weighted columns hold, most telling first (tsvector weights A, B, C;
# the same order is FTS5's bm25 weights).
WEIGHTS = (("title_terms", "A"), ("body_terms", "B"), ("extra_terms", "C"))


class Indexable(Protocol):
    """The fields of a note that search reads (a historical model in a migration too)."""

    pk: Any
    owner_id: Any
    title: str
    tags: Any
    text: str
    transcript: str
    link_metadata: Any
    forward_origin: Any


def search_values(note: Indexable) -> dict[str, str]:
    """The entry's columns for a note: its words as lemmas and its keys."""
    tags = " ".join(str(tag) for tag in note.tags or [] if isinstance(tag, str))
    extra = [forward_name(note.forward_origin)]
    for preview in note_link_previews(note.link_metadata):
        extra += [preview.title, preview.description, preview.site_name]
    return {
        "title_terms": terms(f"{note.title} {tags}"),
        "body_terms": terms(f"{note.text}\n{note.transcript}"),
        "extra_terms": terms(" ".join(part for part in extra if part)),
        "text_key": text_key(note.text),
        "forward_key": forward_key(note.forward_origin),
    }


def link_keys(note: Indexable) -> dict[str, str]:
    """The canonical URLs of the note's links (each link's own and its page's canonical
    one), by their key."""
    urls: dict[str, str] = {}
    for preview in note_link_previews(note.link_metadata):
        for url in (preview.url, preview.canonical_url):
            canonical = url_canonical(url) if url else ""
            if canonical:
                urls[url_key(canonical)] = canonical
    return urls


def url_key(canonical: str) -> str:
    return hashlib.sha256(canonical.encode()).hexdigest()


def search_vector(owner_id: int, values: dict[str, str]) -> str:
    """The PostgreSQL tsvector literal of an entry's columns (``search_values``), its
    words the owner's lexemes."""
    return tsvector(owner_id, [(values[column], weight) for column, weight in WEIGHTS])


def _vector(owner_id: int, values: dict[str, str]) -> Any:
    if connection.vendor != "postgresql":
        return None
    return Cast(Value(search_vector(owner_id, values)), SearchVectorField())


@transaction.atomic
def note_search_index(*, note: Note) -> None:
    """Write the note's search entry and link keys anew from its current words."""
    values = search_values(note)
    fields = {**values, "owner_id": note.owner_id, "vector": _vector(note.owner_id, values)}
    if not NoteSearchEntry.objects.filter(pk=note.pk).update(**fields):
        try:
            with transaction.atomic():
                NoteSearchEntry.objects.create(note_id=note.pk, **fields)
        except IntegrityError:  # written meanwhile by another run: this one's words win
            NoteSearchEntry.objects.filter(pk=note.pk).update(**fields)
    urls = link_keys(note)
    NoteLinkKey.objects.filter(note_id=note.pk).exclude(key__in=urls).delete()
    known = set(NoteLinkKey.objects.filter(note_id=note.pk).values_list("key", flat=True))
    NoteLinkKey.objects.bulk_create(
        [
            NoteLinkKey(note_id=note.pk, owner_id=note.owner_id, url=url, key=key)
            for key, url in urls.items()
            if key not in known
        ],
        ignore_conflicts=True,
    )
