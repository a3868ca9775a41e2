"""``manage.py chat`` /add: the words join the last note, and its preview is shown again."""

from notes.models import NoteStatus
from tests.notes.test_chat import MILK, chat, embedded, stored_notes, user

__all__ = ["embedded", "user"]  # the fixtures of the chat's own tests


def test_add_joins_the_pending_note_and_shows_its_preview_again(embedded, user):
    result = chat(embedded, f"{MILK}\n/add и сыр к завтраку\n", "--language", "ru", user=user)

    [note] = stored_notes(embedded, user)
    assert note.text == f"{MILK}\n\nи сыр к завтраку"
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    first, again = result.stdout.split("1 ✅ в «🛒 Покупки»")[:2]
    assert "и сыр к завтраку" not in first
    assert "и сыр к завтраку" in again  # the preview shown again, with the added words
    assert result.stdout.count("1 ✅ в «🛒 Покупки»") == 2


def test_add_after_filing_files_the_words_under_the_note(embedded, user):
    chat(embedded, f"{MILK}\n1\n/add и сыр\n", "--language", "ru", user=user)

    [note] = stored_notes(embedded, user)
    assert note.status == NoteStatus.PUBLISHED
    assert note.published_message_ids == "[1, 2]"
    assert "и сыр" in note.text


def test_add_without_a_note_or_without_words_says_what_is_wrong(embedded, user):
    result = chat(embedded, "/add и сыр\n/add\n", "--language", "ru", user=user)

    assert "Пока не к чему добавлять: сначала напишите заметку." in result.stdout
    assert "Напишите текст после /add, например: /add и хлеб" in result.stdout
    assert stored_notes(embedded, user) == []
