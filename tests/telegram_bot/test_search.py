"""Finding notes in Telegram: /find with its pages, inline mode, and "already saved" at
the top of the first preview. Driven through the webhook, answered by the fake Bot API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.search.indexing import note_search_index
from secretary.models import ConfirmMode, User
from tests.factories import NoteFactory
from tests.telegram_bot.conftest import (
    ALICE_CHAT,
    BOB_CHAT,
    GROUP_CHAT,
    press,
    private_text,
    update,
)

pytestmark = pytest.mark.django_db

_inline_ids = iter(range(1, 10_000))


def filed(owner, text, topic=None, *, message_id=None, **fields) -> Note:
    """A note of ``owner`` filed into ``topic`` of the group, and indexed as the worker does."""
    fields.setdefault("status", NoteStatus.PUBLISHED)
    fields.setdefault("published_at", timezone.now())
    note = NoteFactory(
        owner=owner,
        text=text,
        topic=topic,
        published_chat_id=GROUP_CHAT,
        published_message_ids=[message_id or 3000 + Note.objects.count()],
        **fields,
    )
    note_search_index(note=note)
    return note


def inline_query(words: str, *, user_id: int = ALICE_CHAT, offset: str = "") -> dict:
    person = {"id": user_id, "is_bot": False, "first_name": "Кто-то", "language_code": "ru"}
    return {
        "update_id": 980_000 + next(_inline_ids),
        "inline_query": {
            "id": f"inline-{next(_inline_ids)}",
            "from": person,
            "query": words,
            "offset": offset,
            "chat_type": "sender",
        },
    }


def sent_to(telegram, chat_id):
    return [c for c in telegram.calls("sendMessage", "editMessageText") if c["chat_id"] == chat_id]


# -- /find ---------------------------------------------------------------------------------


def test_find_shows_five_results_a_page_with_links_snippets_and_pages(
    telegram, deliver, archive, alice
):
    books = archive[1]["books"]
    for number in range(7):
        filed(alice, f"Договор аренды номер {number}", books, message_id=500 + number)
    filed(alice, "Купить молоко", archive[1]["shopping"])

    deliver(private_text("/find аренда", message_id=71))

    [answer] = sent_to(telegram, ALICE_CHAT)
    text = answer["text"]
    assert text.startswith("Нашлось 7 заметок · страница 1 из 2")
    assert text.count("📂 📚 Книги · ") == 5
    assert text.count(" · Опубликована") == 5  # each result shows its status
    assert "договор <b>аренды</b> номер" in text.lower()
    assert '<a href="https://t.me/c/2000000001/11/506">Открыть в группе</a>' in text
    assert "молоко" not in text
    assert answer.buttons == [["▶️"]]

    deliver(press(answer.callback_data[0], message_id=1000))

    page_two = telegram.calls("editMessageText")[-1]
    assert page_two["text"].startswith("Нашлось 7 заметок · страница 2 из 2")
    assert page_two["text"].count("📂 📚 Книги · ") == 2
    assert page_two.buttons == [["◀️"]]
    assert telegram.calls("answerCallbackQuery")


def test_search_is_an_alias_and_english_speakers_get_english(telegram, deliver, bob):
    filed(bob, "Renew the lease agreements")

    deliver(private_text("/search agreement", message_id=72, chat_id=BOB_CHAT))

    [answer] = sent_to(telegram, BOB_CHAT)
    assert answer["text"].startswith("Found 1 note")
    assert "Renew the lease <b>agreements</b>" in answer["text"]
    assert answer.buttons == []


def test_find_without_words_says_how_to_use_it(telegram, deliver, alice):
    deliver(private_text("/find", message_id=73))

    [answer] = sent_to(telegram, ALICE_CHAT)
    assert answer["text"].startswith("Отправьте /find и слова для поиска")
    assert "@имя бота" in answer["text"]


def test_find_with_only_emoji_asks_for_a_word(telegram, deliver, alice):
    deliver(private_text("/find 🙂 !!! ?", message_id=74))

    [answer] = sent_to(telegram, ALICE_CHAT)
    assert answer["text"] == (
        "Напишите слово для поиска: буквы или цифры, а не только знаки или эмодзи."
    )


def test_find_with_nothing_found_says_so_and_suggests_fewer_words(telegram, deliver, alice):
    filed(alice, "Купить молоко")

    deliver(private_text("/find <b>космодром</b> & байконур", message_id=75))

    [answer] = sent_to(telegram, ALICE_CHAT)
    assert answer["text"] == (
        "По запросу «&lt;b&gt;космодром&lt;/b&gt; &amp; байконур» ничего не нашлось. "
        "Попробуйте меньше слов или другие."
    )


def test_find_includes_cancelled_notes_only_when_asked(telegram, deliver, alice):
    filed(alice, "Отчёт за май")
    filed(alice, "Отчёт за июнь", status=NoteStatus.CANCELLED)

    deliver(private_text("/find отчёт", message_id=76))
    deliver(private_text("/find отчёт отменённые", message_id=77))

    default, widened = sent_to(telegram, ALICE_CHAT)
    assert default["text"].startswith("Нашлась 1 заметка")
    assert widened["text"].startswith("Нашлось 2 заметки")
    assert "Отменена" in widened["text"]


def test_find_never_shows_another_owners_notes(telegram, deliver, alice, bob):
    filed(bob, "Пароль от вайфая: 12345")

    deliver(private_text("/find пароль", message_id=78))

    [answer] = sent_to(telegram, ALICE_CHAT)
    assert "ничего не нашлось" in answer["text"]


def test_an_old_page_button_without_its_search_asks_to_search_again(telegram, deliver, alice):
    deliver(press("fp:0123456789abcdef:1", message_id=1000))

    [tap] = telegram.calls("answerCallbackQuery")
    assert tap["text"] == "Этот поиск устарел: отправьте /find ещё раз."
    assert not telegram.calls("editMessageText")


# -- inline mode ---------------------------------------------------------------------------


def test_inline_mode_answers_with_the_owners_own_notes_only(telegram, deliver, archive, alice, bob):
    mine = filed(alice, "Договор аренды квартиры", archive[1]["books"], message_id=601)
    Note.objects.filter(pk=mine.pk).update(rendered_text="<b>Аренда</b>\n\nДоговор аренды квартиры")
    filed(bob, "Lease: договор аренды офиса")

    deliver(inline_query("аренда"))

    [answer] = telegram.inline_answers
    assert answer["is_personal"] is True
    assert answer["cache_time"] == 5
    assert answer.get("next_offset", "") == ""
    [result] = answer["results"]
    assert result["type"] == "article"
    assert result["id"] == str(mine.pk)
    assert result["title"] == "Договор аренды квартиры"
    assert result["description"].startswith("📚 Книги · ")
    content = result["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert content["message_text"] == (
        "<b>Аренда</b>\n\nДоговор аренды квартиры\n\n"
        '<a href="https://t.me/c/2000000001/11/601">Открыть в группе</a>'
    )


def test_inline_mode_pages_by_offset(telegram, deliver, alice):
    for number in range(23):
        filed(alice, f"Заметка про аренду {number}")

    deliver(inline_query("аренда"))
    deliver(inline_query("аренда", offset="20"))

    first, second = telegram.inline_answers
    assert (len(first["results"]), first["next_offset"]) == (20, "20")
    assert (len(second["results"]), second.get("next_offset", "")) == (3, "")
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


def test_someone_who_never_started_the_bot_gets_no_results_and_a_start_button(
    telegram, deliver, alice
):
    filed(alice, "Договор аренды квартиры")

    deliver(inline_query("аренда", user_id=777_000_111))

    [answer] = telegram.inline_answers
    assert answer["results"] == []
    assert answer["is_personal"] is True
    assert answer["button"] == {
        "text": "Запустите бота, чтобы искать по заметкам",
        "start_parameter": "inline",
    }
    assert not User.objects.filter(telegram_id=777_000_111).exists()


def test_inline_mode_with_only_punctuation_answers_nothing(telegram, deliver, alice):
    filed(alice, "Договор аренды квартиры")

    deliver(inline_query("&|!():*"))

    [answer] = telegram.inline_answers
    assert answer["results"] == []


# -- "already saved" -----------------------------------------------------------------------


def test_the_first_preview_of_a_text_filed_before_says_so_with_a_link(
    telegram, deliver, archive, alice
):
    earlier = filed(alice, "Купить молоко и хлеб", archive[1]["shopping"], message_id=777)
    Note.objects.filter(pk=earlier.pk).update(
        published_at=timezone.now().replace(month=12, day=3, hour=12)
    )

    deliver(private_text("Купить   молоко\nи хлеб", message_id=79))

    [preview] = sent_to(telegram, ALICE_CHAT)
    assert preview["text"].startswith(
        '<a href="https://t.me/c/2000000001/12/777">♻️ Уже сохранено 3 декабря в «🛒 Покупки»</a>'
        "\n\n"
    )
    assert preview.buttons[0] == ["✅ В «🛒 Покупки»"]  # filing again is the owner's choice


def test_the_same_forwarded_post_is_named_and_never_auto_filed(telegram, deliver, archive, alice):
    alice.preferences.confirm_mode = ConfirmMode.NEVER_ASK
    alice.preferences.save()
    origin = update("private_forward_from_channel")["message"]["forward_origin"]
    filed(alice, "Другой текст поста", archive[1]["travel"], forward_origin=origin)

    deliver(update("private_forward_from_channel"))

    note = Note.objects.latest("pk")
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    [preview] = sent_to(telegram, ALICE_CHAT)
    assert "♻️ Уже сохранено" in preview["text"].split("\n")[0]
    assert "«✈️ Путешествия»" in preview["text"].split("\n")[0]


def test_a_new_note_is_still_auto_filed_when_it_is_not_a_copy(telegram, deliver, archive, alice):
    alice.preferences.confirm_mode = ConfirmMode.NEVER_ASK
    alice.preferences.save()
    filed(alice, "Купить молоко и хлеб", archive[1]["shopping"])

    deliver(private_text("Купить кефир и сыр", message_id=80))

    assert Note.objects.latest("pk").status == NoteStatus.PUBLISHED


def test_a_note_filed_by_another_owner_is_not_already_saved(telegram, deliver, archive, alice, bob):
    filed(bob, "Купить молоко и хлеб")

    deliver(private_text("Купить молоко и хлеб", message_id=81))

    [preview] = sent_to(telegram, ALICE_CHAT)
    assert "Уже сохранено" not in preview["text"]
    assert timezone.now() - Note.objects.latest("pk").created_at < timedelta(minutes=1)
