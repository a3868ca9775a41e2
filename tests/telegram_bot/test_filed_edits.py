"""An edit after filing follows the note into its topic (inline mode)."""

import pytest

from notes.models import Note, PendingConfirmation
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text

pytestmark = pytest.mark.django_db

SENT = 1795700100
LONG = " ".join(["Купить молоко и хлеб в магазине у дома"] * 130)  # over 4096 characters


def edited(text: str, *, message_id: int) -> dict:
    payload = private_text(text, message_id=message_id, date=SENT)
    payload["edited_message"] = {**payload.pop("message"), "edit_date": SENT + 120}
    return payload


def group_posts(telegram) -> list:
    return [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]


def group_edits(telegram) -> list:
    return [c for c in telegram.calls("editMessageText") if c["chat_id"] == GROUP_CHAT]


def file_note(deliver, text: str, *, message_id: int) -> Note:
    deliver(private_text(text, message_id=message_id, date=SENT))
    note = Note.objects.get(source_message_id=message_id)
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id))
    note = Note.objects.get(pk=note.pk)
    assert note.status == "published"
    return note


def test_an_edit_after_filing_edits_the_filed_message_and_history_keeps_the_old_words(
    telegram, deliver, archive
):
    note = file_note(deliver, "Купить молоко", message_id=300)
    [filed_id] = note.published_message_ids

    deliver(edited("Купить молоко и <сыр>", message_id=300))

    [edit] = group_edits(telegram)
    assert edit["message_id"] == filed_id
    assert "Купить молоко и &lt;сыр&gt;" in edit["text"]
    assert len(group_posts(telegram)) == 1  # nothing posted anew
    note = Note.objects.get()
    assert note.text == "Купить молоко и <сыр>"
    assert [version["text"] for version in note.earlier_versions] == ["Купить молоко"]
    assert note.filed_edit == ""
    assert note.published_message_ids == [filed_id]  # still undoable as one


def test_a_longer_edit_posts_the_extra_part_as_a_reply_to_the_first(telegram, deliver, archive):
    note = file_note(deliver, "Купить молоко", message_id=310)
    [filed_id] = note.published_message_ids

    deliver(edited(LONG, message_id=310))

    [edit] = group_edits(telegram)
    assert edit["message_id"] == filed_id
    first_post, extra = group_posts(telegram)
    assert extra["reply_parameters"]["message_id"] == filed_id
    assert extra["message_thread_id"] == first_post["message_thread_id"] == 12
    note = Note.objects.get()
    assert note.published_message_ids == [filed_id, 1002]
    assert len(edit["text"]) <= 4096


def test_a_shorter_edit_marks_the_surplus_message(telegram, deliver, archive):
    note = file_note(deliver, LONG, message_id=320)
    first, second = note.published_message_ids

    deliver(edited("Купить молоко", message_id=320))

    edits = {c["message_id"]: c["text"] for c in group_edits(telegram)}
    assert "Купить молоко" in edits[first]
    assert edits[second] == "(текст перенесён выше)"


def test_a_refused_edit_tells_the_owner_once_and_keeps_the_new_words(telegram, deliver, archive):
    note = file_note(deliver, "Купить молоко", message_id=330)
    telegram.deleted.add((GROUP_CHAT, note.published_message_ids[0]))  # deleted in the group
    private_before = len([c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT])

    deliver(edited("Купить молоко и хлеб", message_id=330))
    deliver(edited("Купить молоко, хлеб и сыр", message_id=330))

    told = [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]
    [notice] = told[private_before:]
    assert notice["text"].startswith("✏️ Не удалось изменить сообщение в группе")
    assert notice["reply_parameters"]["message_id"] == 330
    note = Note.objects.get()
    assert note.text == "Купить молоко, хлеб и сыр"
    assert [v["text"] for v in note.earlier_versions] == ["Купить молоко", "Купить молоко и хлеб"]
    assert note.status == "published"
