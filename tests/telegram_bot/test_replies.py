"""A reply adds to the note it answers: pending, filed, or closed (inline mode)."""

import pytest

from notes.models import Note, NotePart, NoteStatus, PendingConfirmation
from tests.fakes.telegram import BOT_ID
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text

pytestmark = pytest.mark.django_db

SENT = 1795700100


@pytest.fixture(autouse=True)
def default_window(settings, telegram):
    settings.NOTE_BURST_SECONDS = 2.0  # the default; replies come a minute later anyway


def reply(text: str, *, message_id: int, to: int, from_bot: bool = False) -> dict:
    """Alice's message replying to message ``to`` of her chat (the bot's, or her own)."""
    chat = {"id": ALICE_CHAT, "type": "private", "first_name": "Анна"}
    author = (
        {"id": BOT_ID, "is_bot": True, "first_name": "Secretary"}
        if from_bot
        else {"id": ALICE_CHAT, "is_bot": False, "first_name": "Анна"}
    )
    answered = {"message_id": to, "date": SENT, "chat": chat, "from": author, "text": "…"}
    return private_text(text, message_id=message_id, date=SENT + 60, reply_to_message=answered)


def private_sent(telegram) -> list:
    return [c for c in telegram.calls("sendMessage") if c["chat_id"] == ALICE_CHAT]


def filed_note(deliver, telegram, *, message_id: int) -> Note:
    deliver(private_text("Купить молоко и хлеб", message_id=message_id, date=SENT))
    note = Note.objects.get(source_message_id=message_id)
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id))
    return Note.objects.get(pk=note.pk)


def test_a_reply_to_a_pending_preview_updates_that_preview(telegram, deliver, archive):
    deliver(private_text("Купить молоко", message_id=100, date=SENT))
    note = Note.objects.get()
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id

    deliver(reply("и ещё хлеб и сыр", message_id=101, to=preview_id, from_bot=True))

    note = Note.objects.get()  # still one note
    assert note.message_count == 2
    assert note.text == "Купить молоко\n\nи ещё хлеб и сыр"
    assert len(private_sent(telegram)) == 1  # no second preview: the first one is edited
    [edit] = [c for c in telegram.calls("editMessageText") if c["message_id"] == preview_id]
    assert "и ещё хлеб и сыр" in edit["text"]
    assert "🧩 2 сообщения" in edit["text"]
    assert note.topic == archive[1]["shopping"]


def test_a_reply_to_the_original_message_keeps_the_topic_the_owner_chose(
    telegram, deliver, archive
):
    deliver(private_text("Купить молоко", message_id=110, date=SENT))
    note = Note.objects.get()
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"nt:{note.pk}:{archive[1]['ideas'].pk}", message_id=preview_id))

    deliver(reply("и хлеб", message_id=111, to=110))

    note = Note.objects.get()
    assert note.message_count == 2
    assert note.topic == archive[1]["ideas"]  # not classified again: the owner chose it
    assert note.status == NoteStatus.AWAITING_CONFIRMATION


def test_a_reply_to_a_filed_note_is_posted_as_a_reply_in_its_topic(telegram, deliver, archive):
    note = filed_note(deliver, telegram, message_id=120)
    [first_post] = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id

    deliver(reply("и ещё <сыр> & масло", message_id=121, to=preview_id, from_bot=True))

    posts = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert len(posts) == 2
    addition = posts[1]
    assert addition["message_thread_id"] == first_post["message_thread_id"] == 12
    assert addition["reply_parameters"]["message_id"] == note.published_message_ids[0]
    assert addition["text"] == "и ещё &lt;сыр&gt; &amp; масло"
    note = Note.objects.get()
    assert note.status == NoteStatus.PUBLISHED
    assert len(note.published_message_ids) == 2  # recorded: ↩️ takes both back
    assert note.message_count == 2
    assert "и ещё <сыр> & масло" in note.text  # the history shows both parts
    part = NotePart.objects.get(message_id=121)
    assert part.published_message_ids == [note.published_message_ids[1]]
    assert len(private_sent(telegram)) == 1  # the owner's "filed" message is updated instead
    last = [c for c in telegram.calls("editMessageText") if c["message_id"] == preview_id][-1]
    assert "и ещё &lt;сыр&gt;" in last["text"]


def test_a_reply_to_a_cancelled_note_starts_a_new_note_that_says_what_it_follows(
    telegram, deliver, archive
):
    deliver(private_text("Купить молоко", message_id=130, date=SENT))
    old = Note.objects.get()
    preview_id = PendingConfirmation.objects.get(note=old).preview_message_id
    deliver(press(f"note:{old.pk}:cancel", message_id=preview_id))

    deliver(reply("и хлеб", message_id=131, to=130))

    new = Note.objects.get(source_message_id=131)
    assert new.follows == old
    assert Note.objects.get(pk=old.pk).status == NoteStatus.CANCELLED
    preview = private_sent(telegram)[-1]
    assert preview["reply_parameters"]["message_id"] == 131
    assert "↩️ Продолжает прежнюю заметку: «Купить молоко»" in preview["text"]


def test_a_reply_to_someone_elses_message_is_a_note_of_its_own(telegram, deliver, archive):
    deliver(reply("Купить хлеб", message_id=140, to=9999))
    note = Note.objects.get()
    assert (note.follows, note.message_count) == (None, 1)
