"""The Mini App's history search in headless chromium: the one search behind the box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from notes.models import Note, NoteStatus
from notes.search.indexing import note_search_index
from tests.factories import NoteFactory, UserFactory

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_the_history_search_finds_word_forms_and_says_when_a_word_is_missing(
    open_miniapp, telegram, archive, alice
):
    _group, topics = archive
    lease = NoteFactory(
        owner=alice,
        text="Подписать договор аренды квартиры",
        topic=topics["ideas"],
        status=NoteStatus.PUBLISHED,
    )
    NoteFactory(owner=alice, text="Купить молоко", status=NoteStatus.PUBLISHED)
    NoteFactory(owner=UserFactory(telegram_id=7_770_002), text="Аренда чужая", status="published")
    for note in Note.objects.all():
        note_search_index(note=note)
    page, problems = open_miniapp("#history")
    expect(page.get_by_test_id("history-item")).to_have_count(2)

    page.get_by_test_id("history-search").fill("аренда")

    expect(page.get_by_test_id("history-item")).to_have_count(1)
    expect(page.get_by_test_id(f"history-note-{lease.pk}")).to_contain_text("договор аренды")
    expect(page.get_by_test_id("history-count")).to_contain_text("1")

    page.get_by_test_id("history-search").fill("🙂 !!!")

    expect(page.get_by_test_id("error-q")).to_have_text(
        "Напишите слово для поиска: буквы или цифры, а не только знаки или эмодзи."
    )
    expect(page.get_by_test_id("history-search")).to_have_attribute("aria-invalid", "true")

    page.get_by_test_id("history-search").fill("договоры")

    expect(page.get_by_test_id("error-q")).to_be_hidden()
    expect(page.get_by_test_id("history-item")).to_have_count(1)
    assert problems.errors == []
