"""A topic's saved format that hits a bound of the engine on a note: the note is still
previewed and filed, in the default format, and the owner is told once per template."""

import time

import pytest

from notes.models import Note, NoteStatus, PendingConfirmation
from tests.telegram_bot.conftest import GROUP_CHAT, press, private_text
from topics.models import Topic

pytestmark = pytest.mark.django_db

# Saved before templates were bounded (validation is bypassed by an update).
TEXT_LOOPS = "{% for a in text %}{% for b in text %}x{% endfor %}{% endfor %}"
JOIN_CHAIN = "{{ text|make_list|join:text|make_list|join:text }}"
SHOPPING = "Купить молоко и хлеб, " + "сыр, яйца, зелень, кефир, масло, " * 9
NOTICE = (
    "⚠️ Оформление темы «🛒 Покупки» не применено: Цикл в шаблоне оформления идёт по "
    "тексту буква за буквой; перебирайте tag_list или links. У этой заметки оформление по "
    "умолчанию; измените оформление темы в приложении."
)
# A generous guard: the bounded engine answers in milliseconds; the unbounded one took
# seconds for the patterns below and minutes for their longer cousins.
GUARD_SECONDS = 5


def save_unchecked(topic: Topic, template: str) -> None:
    Topic.objects.filter(pk=topic.pk).update(format_template=template)


@pytest.fixture
def warm(telegram, deliver, archive):
    """One note into another topic first: the first note of a process loads dictionaries
    and builds the bot, which the guard is not about."""
    deliver(private_text("Прочитать книгу «Дюна» Герберта", message_id=60))
    telegram.reset()


def send(deliver, text: str, message_id: int) -> tuple[Note, float]:
    started = time.monotonic()
    deliver(private_text(text, message_id=message_id))
    return Note.objects.get(source_message_id=message_id), time.monotonic() - started


def test_a_saved_format_that_loops_over_text_falls_back_and_the_owner_is_told_once(
    telegram, deliver, archive, warm
):
    save_unchecked(archive[1]["shopping"], TEXT_LOOPS)

    first, elapsed = send(deliver, SHOPPING, 70)

    assert elapsed < GUARD_SECONDS
    [preview] = telegram.calls("sendMessage")
    assert preview["text"].startswith(SHOPPING.strip())
    assert "xx" not in preview["text"]
    assert preview["text"].count(NOTICE) == 1
    assert first.rendered_text == SHOPPING.strip()

    telegram.reset()
    _second, elapsed = send(deliver, "Купить хлеб и сыр в магазине", 71)

    assert elapsed < GUARD_SECONDS
    [preview] = telegram.calls("sendMessage")
    assert preview["text"].startswith("Купить хлеб и сыр в магазине")
    assert "⚠️" not in preview["text"]

    telegram.reset()
    preview_id = PendingConfirmation.objects.get(note=first).preview_message_id
    deliver(press(f"note:{first.pk}:confirm", message_id=preview_id))

    [posted] = telegram.calls("sendMessage")
    assert posted.params["chat_id"] == GROUP_CHAT
    assert posted["text"] == SHOPPING.strip()
    first.refresh_from_db()
    assert first.status == NoteStatus.PUBLISHED


def test_a_new_format_that_also_fails_is_told_again_and_the_notice_speaks_english(
    telegram, deliver, archive, alice, warm
):
    alice.preferences.language = "en"
    alice.preferences.save()
    save_unchecked(archive[1]["shopping"], TEXT_LOOPS)
    send(deliver, SHOPPING, 70)
    save_unchecked(archive[1]["shopping"], JOIN_CHAIN)
    telegram.reset()

    _note, elapsed = send(deliver, SHOPPING, 71)

    assert elapsed < GUARD_SECONDS
    [preview] = telegram.calls("sendMessage")
    assert (
        "⚠️ The format of «🛒 Покупки» was not applied: The format template builds text "
        "that is too long (a filter such as join, make_list or add repeats the note). This "
        "note has the default format; change the topic's format in the app."
    ) in preview["text"]
    assert len(preview["text"]) < 4096
