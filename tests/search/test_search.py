"""The one search (``notes.search``) on PostgreSQL: word forms, ranking, statuses,
isolation, typos and bad input. The same API on SQLite is in ``test_search_sqlite``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.search.indexing import note_search_index
from notes.search.selectors import SearchScope, find_request, note_search, note_snippet
from notes.search.text import QueryProblem, fts5_query, query_parse, tsquery
from tests.factories import NoteFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return UserFactory(first_name="Alice")


@pytest.fixture
def bob():
    return UserFactory(first_name="Bob")


def filed(owner, text="", **fields) -> Note:
    fields.setdefault("status", NoteStatus.PUBLISHED)
    note = NoteFactory(owner=owner, text=text, **fields)
    note_search_index(note=note)
    return note


def found(owner, text, **scope) -> list[str]:
    results = note_search(owner=owner, text=text, scope=SearchScope(**scope) if scope else None)
    return [note.text or note.title for note in results[:50]]


def test_russian_word_forms_meet_both_ways(alice):
    filed(alice, "Подписать договор аренды квартиры до пятницы")
    filed(alice, "Договоры с поставщиками лежат в папке")
    filed(alice, "Купить молоко")

    assert found(alice, "аренда") == ["Подписать договор аренды квартиры до пятницы"]
    assert sorted(found(alice, "договоры")) == sorted(
        ["Подписать договор аренды квартиры до пятницы", "Договоры с поставщиками лежат в папке"]
    )
    assert found(alice, "квартирой аренду") == ["Подписать договор аренды квартиры до пятницы"]


def test_english_word_forms_meet_both_ways(alice):
    filed(alice, "Renew the lease agreements before March")
    filed(alice, "Reading list: papers on transformers")

    assert found(alice, "agreement") == ["Renew the lease agreements before March"]
    assert found(alice, "renewing leases") == ["Renew the lease agreements before March"]
    assert found(alice, "paper") == ["Reading list: papers on transformers"]


def test_every_word_must_match(alice):
    filed(alice, "Договор аренды квартиры")
    filed(alice, "Договор на ремонт")

    assert found(alice, "договор ремонт") == ["Договор на ремонт"]


def test_the_start_of_a_word_finds_it_as_you_type(alice):
    filed(alice, "Договор аренды квартиры")

    assert found(alice, "догов") == ["Договор аренды квартиры"]


def test_a_word_in_the_title_ranks_above_one_in_the_text_then_recency(alice):
    now = timezone.now()
    old_in_text = filed(alice, "Где-то упоминался отпуск в горах")
    new_in_text = filed(alice, "И снова про отпуск, но вскользь")
    in_title = filed(alice, "Билеты и гостиница", title="Отпуск в Грузии")
    Note.objects.filter(pk=old_in_text.pk).update(created_at=now - timedelta(days=30))
    Note.objects.filter(pk=in_title.pk).update(created_at=now - timedelta(days=60))

    results = note_search(owner=alice, text="отпуск")

    assert [note.pk for note in results[:10]] == [in_title.pk, new_in_text.pk, old_in_text.pk]


def test_transcript_tags_links_and_forward_source_are_searched(alice):
    filed(alice, "", transcript="Позвонить стоматологу в понедельник", kind="voice")
    filed(alice, "заметка", tags=["#гитара"], title="Аккорды")
    filed(
        alice,
        "https://example.com/a",
        link_metadata=[
            {
                "url": "https://example.com/a",
                "title": "Sourdough bread at home",
                "description": "A starter, flour and patience",
                "status": "ok",
            }
        ],
    )
    filed(
        alice,
        "пост",
        forward_origin={"type": "channel", "chat": {"id": -1001, "title": "Хабр"}, "message_id": 7},
    )

    assert len(found(alice, "стоматолог")) == 1
    assert found(alice, "гитары") == ["заметка"]
    assert found(alice, "patience") == ["https://example.com/a"]
    assert found(alice, "хабр") == ["пост"]


def test_filed_and_pending_notes_come_by_default_and_others_on_request(alice):
    filed(alice, "Отчёт за май", status=NoteStatus.PUBLISHED)
    filed(alice, "Отчёт за июнь", status=NoteStatus.AWAITING_CONFIRMATION)
    filed(alice, "Отчёт за июль", status=NoteStatus.CANCELLED)
    filed(alice, "Отчёт за август", status=NoteStatus.EXPIRED)

    assert sorted(found(alice, "отчёт")) == ["Отчёт за июнь", "Отчёт за май"]
    words, scope = find_request("отчёт отменённые")
    assert words == "отчёт"
    assert len(found(alice, words, statuses=scope.statuses)) == 3
    words, scope = find_request("все отчёт")
    assert scope.statuses is None
    assert len(found(alice, words, statuses=None)) == 4


def test_an_owner_never_finds_another_owners_notes(alice, bob):
    filed(alice, "Секретный пароль от сейфа")
    filed(bob, "Пароль от вайфая")

    assert found(alice, "пароль") == ["Секретный пароль от сейфа"]
    assert found(bob, "пароль") == ["Пароль от вайфая"]
    assert found(bob, "сейф", statuses=None) == []
    assert found(bob, "сейфа") == []  # nor by a typo-tolerant near miss


def test_a_private_topic_is_found_by_its_owner(alice):
    private = TopicFactory(group__owner=alice, is_private=True)
    filed(alice, "Анализы сдать натощак", topic=private)

    assert found(alice, "анализ") == ["Анализы сдать натощак"]


def test_one_typo_still_finds_the_word_when_nothing_matches_exactly(alice):
    filed(alice, "Договор аренды квартиры")

    results = note_search(owner=alice, text="аренла")

    assert [note.text for note in results[:5]] == ["Договор аренды квартиры"]
    assert results.near


@pytest.mark.parametrize(
    "query",
    [
        "аренда & !(договор)",
        "аренда:* | договор",
        "'аренда' \"договор\"",
        "NEAR(аренда, station)",
        "аренда* -договор",
        "аренда\\ договор)",
        "аренда) OR (договор",
        "-аренда --",
    ],
)
def test_search_syntax_characters_are_plain_text(alice, query):
    filed(alice, "Договор аренды: near the station")
    filed(alice, "Другая заметка")

    assert found(alice, query) == ["Договор аренды: near the station"]


@pytest.mark.parametrize("query", ["!!!", "🙂🙂", "…—?", " &|!():*'\"- "])
def test_a_query_of_only_punctuation_or_emoji_asks_for_a_word(alice, query):
    with pytest.raises(QueryProblem) as problem:
        note_search(owner=alice, text=query)

    assert problem.value.reason == QueryProblem.NO_WORDS


def test_an_empty_query_is_its_own_problem(alice):
    with pytest.raises(QueryProblem) as problem:
        note_search(owner=alice, text="   ")

    assert problem.value.reason == QueryProblem.EMPTY


def test_a_long_query_is_cut_to_256_characters(alice):
    filed(alice, "Договор аренды квартиры")

    parsed = query_parse("аренда " + "x" * 1000)

    assert len(parsed.text) == 256
    assert found(alice, "аренда " + "я" * 5000) == []  # the rest is a word no note has


def test_the_engines_queries_are_made_of_quoted_words_only():
    parsed = query_parse("договоры NEAR -аренда's")

    # "s" is a function word: not indexed, so not required.
    assert tsquery(parsed) == "('договор' | 'договоры':*) & ('near':*) & ('аренда':*)"
    assert fts5_query(parsed) == (
        '("договор" OR "договоры" *) AND ("near" OR "near" *) AND ("аренда" OR "аренда" *)'
    )


def test_a_snippet_marks_the_matched_words(alice):
    note = filed(alice, "Вчера подписали договор аренды, копия у юриста")

    pieces = note_snippet(note, query_parse("аренда")).pieces

    assert ("аренды", True) in pieces
    assert "".join(text for text, _matched in pieces) == note.text
