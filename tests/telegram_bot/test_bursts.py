"""A burst (a comment and the posts it forwards, sent together) is one note: inline mode."""

import pytest

from notes.models import Note, NotePart, NoteStatus, PendingConfirmation
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text

pytestmark = pytest.mark.django_db

SENT = 1795700100  # Telegram's send time of the comment (seconds)
CHANNELS = [
    ("Путешествуй дёшево", "cheap_travel", "Распродажа авиабилетов: Москва — Ереван от 6 900 ₽"),
    ("Книжный клуб", "book_club", "Новая книга Пелевина выходит в марте"),
    ("Еда и рынки", "", "Рынок на Ленинградке открыт до десяти вечера"),
]


@pytest.fixture(autouse=True)
def default_window(settings, telegram):
    settings.NOTE_BURST_SECONDS = 2.0  # the default (the shared fixture turns bursts off)


def forward(index: int, *, message_id: int, sent: int = SENT) -> dict:
    title, username, text = CHANNELS[index]
    chat = {"id": -1001111111100 - index, "title": title, "type": "channel"}
    if username:
        chat["username"] = username
    origin = {"type": "channel", "chat": chat, "message_id": 4321 + index, "date": SENT - 3600}
    return private_text(text, message_id=message_id, date=sent, forward_origin=origin)


def comment_and_forwards(deliver, *, first_id: int = 40) -> None:
    deliver(private_text("Вот что посмотреть в поездке", message_id=first_id, date=SENT))
    for index in range(3):
        deliver(forward(index, message_id=first_id + 1 + index, sent=SENT + (index > 1)))


def private_previews(telegram, *methods: str) -> list:
    return [c for c in telegram.calls(*methods) if c["chat_id"] == ALICE_CHAT]


def test_a_comment_and_three_forwards_are_one_note_with_one_preview_and_one_filing(
    telegram, deliver, archive
):
    comment_and_forwards(deliver)

    note = Note.objects.get()
    assert note.message_count == 4
    assert list(note.parts.values_list("message_id", flat=True)) == [40, 41, 42, 43]
    [preview] = private_previews(telegram, "sendMessage")  # one preview, kept up to date
    assert preview["reply_parameters"]["message_id"] == 40
    shown = private_previews(telegram, "sendMessage", "editMessageText")[-1]["text"]
    positions = [shown.index("Вот что посмотреть в поездке")]
    for title, username, text in CHANNELS:
        origin = f'<a href="https://t.me/{username}/' if username else f"<b>{title}</b>"
        positions += [shown.index(origin), shown.index(text)]
    assert positions == sorted(positions)  # the comment first, each forward under its origin
    assert "🧩 4 сообщения в одной заметке, в порядке отправки" in shown
    assert all(c["reaction"] for c in telegram.calls("setMessageReaction"))
    assert len(telegram.calls("setMessageReaction")) == 4  # every message got its sign of life

    pending = PendingConfirmation.objects.get(note=note)
    deliver(press(f"note:{note.pk}:confirm", message_id=pending.preview_message_id))

    posted = [c for c in telegram.calls("sendMessage") if c["chat_id"] == GROUP_CHAT]
    assert len(posted) == 1  # one unit, in one topic
    text = posted[0]["text"]
    order = [text.index("Вот что посмотреть")] + [text.index(t) for _, _, t in CHANNELS]
    assert order == sorted(order)
    assert Note.objects.get().status == NoteStatus.PUBLISHED


def test_two_texts_twelve_seconds_apart_are_two_notes(telegram, deliver, archive):
    deliver(private_text("Купить молоко", message_id=50, date=SENT))
    deliver(private_text("Идея: бот для счётчиков", message_id=51, date=SENT + 12))

    assert Note.objects.count() == 2
    assert [n.message_count for n in Note.objects.all()] == [1, 1]
    assert len(private_previews(telegram, "sendMessage")) == 2
    assert not NotePart.objects.exists()


def test_a_message_after_the_owner_chose_a_topic_starts_a_note_of_its_own(
    telegram, deliver, archive
):
    deliver(private_text("Купить молоко", message_id=52, date=SENT))
    first = Note.objects.get()
    preview_id = PendingConfirmation.objects.get(note=first).preview_message_id
    deliver(press(f"nt:{first.pk}:{archive[1]['ideas'].pk}", message_id=preview_id))

    deliver(private_text("И хлеб", message_id=53, date=SENT + 1))

    assert Note.objects.count() == 2
    assert Note.objects.get(pk=first.pk).text == "Купить молоко"


def test_a_part_delivered_twice_is_kept_once(telegram, deliver, archive):
    deliver(private_text("Вот что посмотреть", message_id=60, date=SENT))
    again = forward(0, message_id=61)
    deliver(again)
    deliver({**again, "update_id": again["update_id"] + 50_000})  # Telegram resends it

    note = Note.objects.get()
    assert note.message_count == 2
    assert note.text.count("Распродажа авиабилетов") == 1


def test_separately_turns_the_note_back_into_one_note_per_message(telegram, deliver, archive):
    comment_and_forwards(deliver, first_id=70)
    note = Note.objects.get()
    pending = PendingConfirmation.objects.get(note=note)
    shown = private_previews(telegram, "sendMessage", "editMessageText")[-1]
    assert ["✂️ По отдельности"] in shown.buttons
    assert f"note:{note.pk}:split" in shown.callback_data

    deliver(press(f"note:{note.pk}:split", message_id=pending.preview_message_id))

    notes = list(Note.objects.order_by("source_message_id"))
    assert [n.source_message_id for n in notes] == [70, 71, 72, 73]
    assert [n.message_count for n in notes] == [1, 1, 1, 1]
    assert notes[0].text == "Вот что посмотреть в поездке"
    assert [n.text for n in notes[1:]] == [text for _, _, text in CHANNELS]
    assert all(n.status == NoteStatus.AWAITING_CONFIRMATION for n in notes)
    assert not NotePart.objects.exists()
    sent = private_previews(telegram, "sendMessage")
    assert [c["reply_parameters"]["message_id"] for c in sent] == [70, 71, 72, 73]
    last_of_first = [
        c
        for c in private_previews(telegram, "editMessageText")
        if c["message_id"] == pending.preview_message_id
    ][-1]
    assert "Распродажа" not in last_of_first["text"]
    assert "🧩" not in last_of_first["text"]
    assert "✂️ Разделено на 4 заметки" in [
        c.get("text") for c in telegram.calls("answerCallbackQuery")
    ]


def test_an_edit_of_a_forward_in_a_pending_burst_changes_that_part_only(telegram, deliver, archive):
    comment_and_forwards(deliver, first_id=80)
    edited = forward(1, message_id=82)
    edited["edited_message"] = {
        **edited.pop("message"),
        "text": "Новая книга Пелевина выходит в апреле",
        "edit_date": SENT + 30,
    }
    deliver(edited)

    note = Note.objects.get()
    assert "выходит в апреле" in note.text
    assert "в марте" not in note.text
    assert note.text.startswith("Вот что посмотреть в поездке")
    assert note.message_count == 4


def test_with_bursts_off_every_message_is_a_note(telegram, deliver, archive, settings):
    settings.NOTE_BURST_SECONDS = 0
    comment_and_forwards(deliver, first_id=90)
    assert Note.objects.count() == 4
