"""PostgreSQL's stored vector: each word is its owner's lexeme, numbered and weighted as
``to_tsvector`` would number it, and entries written before are rewritten by the
migration; the duplicate check of a note not saved yet."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from notes.models import NoteSearchEntry, NoteStatus
from notes.search.indexing import WEIGHTS, note_search_index, search_values, search_vector
from notes.search.selectors import note_earlier_copy, note_search
from notes.search.text import POSITIONS_PER_LEXEME, lexeme, query_parse, tsquery, tsvector
from tests.factories import NoteFactory, UserFactory

pytestmark = pytest.mark.django_db

REWRITE = importlib.import_module("notes.migrations.0012_search_owner_lexemes")


def unnested(literal: str, owner_prefix: str = "") -> list[tuple[str, list[int], list[str]]]:
    """A tsvector as PostgreSQL reads it: (lexeme without the owner, positions, weights)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT lexeme, positions, weights FROM unnest(%s::tsvector)", [literal])
        rows = cursor.fetchall()
    return [(word.removeprefix(owner_prefix), list(at), list(w)) for word, at, w in rows]


def test_the_vector_numbers_and_weighs_words_as_to_tsvector_does():
    owner = UserFactory()
    note = NoteFactory(
        owner=owner,
        title="Договор аренды",
        tags=["аренда"],
        text="Подписать договор аренды квартиры, договор до пятницы",
        link_metadata=[{"url": "https://example.com/a", "title": "Аренда квартир"}],
    )
    values = search_values(note)
    plain = " || ".join(
        f"setweight(to_tsvector('simple', %s), '{weight}')" for _column, weight in WEIGHTS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ({plain})::text",
            [values[column] for column, _weight in WEIGHTS],
        )
        expected = cursor.fetchone()[0]

    assert unnested(search_vector(owner.pk, values), f"{owner.pk}:") == unnested(expected)


def test_a_word_is_quoted_whatever_it_holds():
    literal = tsvector(7, [("it's a\\b", "B")])

    assert sorted(unnested(literal)) == [("7:a\\b", [2], ["B"]), ("7:it's", [1], ["B"])]
    assert lexeme("it's", 7) == "'7:it''s'"


def test_a_word_keeps_at_most_the_positions_a_tsvector_holds():
    literal = tsvector(3, [(" ".join(["слово"] * (POSITIONS_PER_LEXEME + 40)), "A")])

    ((word, positions, _weights),) = unnested(literal)
    assert word == "3:слово"
    assert len(positions) == POSITIONS_PER_LEXEME


def test_the_query_asks_for_the_owners_words_only():
    assert tsquery(query_parse("договоры"), owner_id=12) == "('12:договор' | '12:договоры':*)"


def test_the_migration_rewrites_entries_written_before():
    owner = UserFactory()
    note = NoteFactory(owner=owner, text="Продлить страховку машины", status=NoteStatus.PUBLISHED)
    note_search_index(note=note)
    with connection.cursor() as cursor:  # an entry as it was written before: plain lemmas
        cursor.execute(
            "UPDATE notes_notesearchentry SET vector = to_tsvector('simple', body_terms) "
            "WHERE note_id = %s",
            [note.pk],
        )
    # Full-text search misses it (only the typo fallback, over the lemmas, finds it).
    assert note_search(owner=owner, text="страховка").near

    with connection.schema_editor() as editor:
        REWRITE.vectors_rewrite(django_apps, editor)

    results = note_search(owner=owner, text="страховка")
    assert not results.near
    assert [found.pk for found in results[:5]] == [note.pk]
    entry = NoteSearchEntry.objects.get(pk=note.pk)
    assert unnested(entry.vector) == unnested(search_vector(owner.pk, search_values(note)))


def test_a_note_not_saved_yet_finds_its_earlier_copy():
    owner = UserFactory()
    earlier = NoteFactory(owner=owner, text="Купить билеты в театр", status=NoteStatus.PUBLISHED)
    note_search_index(note=earlier)

    copy = note_earlier_copy(NoteFactory.build(owner=owner, text="Купить  билеты в театр"))

    assert copy is not None
    assert copy.pk == earlier.pk
    assert copy.topic == earlier.topic
