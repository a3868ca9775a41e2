"""The note page of the Mini App shows each message of a note that got additions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from notes.models import NoteKind, NotePart, NoteStatus
from secretary.models import Preferences
from tests.factories import NoteFactory
from tests.telegram_bot.conftest import ALICE_CHAT

pytestmark = pytest.mark.usefixtures("transactional_db")

FILED = datetime(2026, 11, 26, 18, 39, tzinfo=UTC)


def test_the_note_page_lists_its_messages_with_the_reply_added_after_filing(
    open_miniapp, telegram, alice
):
    Preferences.objects.filter(user=alice).update(time_zone="Europe/Moscow")
    note = NoteFactory(
        owner=alice,
        source_chat_id=ALICE_CHAT,
        source_message_id=120,
        text="Купить молоко и хлеб\n\nи ещё сыр",
        status=NoteStatus.PUBLISHED,
        published_at=FILED,
        published_message_ids=[900, 901],
    )
    NotePart.objects.create(
        note=note,
        chat_id=ALICE_CHAT,
        message_id=120,
        kind=NoteKind.TEXT,
        text="Купить молоко и хлеб",
        sent_at=FILED - timedelta(minutes=1),
    )
    NotePart.objects.create(
        note=note,
        chat_id=ALICE_CHAT,
        message_id=121,
        kind=NoteKind.VOICE,
        text="и ещё сыр",
        sent_at=FILED + timedelta(minutes=5),
        published_message_ids=[901],
    )

    page, problems = open_miniapp(f"#history/{note.pk}")

    parts = page.get_by_test_id("note-parts")
    expect(parts.locator("li")).to_have_count(2)
    first, second = page.get_by_test_id("note-part-120"), page.get_by_test_id("note-part-121")
    expect(first).to_contain_text("Купить молоко и хлеб")
    expect(first).not_to_contain_text("Добавлено после сохранения")
    expect(page.get_by_test_id("note-part-at-120")).to_contain_text("21:38")  # Moscow time
    expect(second).to_contain_text("Голосовое")
    expect(second).to_contain_text("и ещё сыр")
    expect(second).to_contain_text("Добавлено после сохранения, ответом в теме")
    expect(page.get_by_test_id("note-part-at-121")).to_contain_text("21:44")
    assert problems.errors == []
