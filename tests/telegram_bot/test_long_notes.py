"""Long notes with a title the model added: the preview, the parts in the group, captions.

A model's title goes in front of the body (``<b>title</b>\\n\\n…``), so a note
that just fits Telegram's limit no longer does: it must be split without leaving
the title alone in a message, and the preview must show where the body begins.
"""

from __future__ import annotations

import html
import re

import pytest

from notes.models import Note, PendingConfirmation
from tests.fakes.telegram_rules import html_problem
from tests.fakes.telegram_rules import visible_length as telegram_length
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text, update

pytestmark = pytest.mark.django_db

TITLE = "Длинная заметка о продуктах"
SENTENCES = [
    "Купить молоко и хлеб в магазине у дома.",
    "Не забыть сыр, яйца и немного зелени к ужину!",
    "Может быть, взять ещё кефир на блины?",
    "Список покупок растёт с каждым днём…",
]


@pytest.fixture
def model(fake_openai, settings):
    """OpenAI (a fake) files the notes: it picks a topic and adds a title to every note."""
    settings.AI_PROVIDERS = ["openai", "local"]
    settings.AI_MAX_RETRIES = 0
    return fake_openai


def titled(archive) -> dict:
    """The model's answer: the shopping topic, and a title of its own."""
    return {
        "topic": str(archive[1]["shopping"].pk),
        "confidence": 0.9,
        "reason": "Про покупки.",
        "alternatives": [],
        "title": TITLE,
        "summary": "",
        "tags": [],
        "suggested_topic_name": "",
    }


def paragraph(length: int, sentences: list[str] = SENTENCES) -> str:
    """One paragraph of whole sentences, exactly ``length`` characters long."""
    text = sentences[0]
    index = 1
    while len(text) + 1 + len(sentences[index % len(sentences)]) <= length - 8:
        text += " " + sentences[index % len(sentences)]
        index += 1
    room = length - len(text) - 1
    last = "Да"
    while len(last) + 3 < room:
        last += " да"
    text += " " + last + "." * (room - len(last))
    assert len(text) == length
    return text


def plain(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def grouped(count: int) -> str:
    return f"{count:,}".replace(",", "\u00a0")


def send_note(deliver, model, archive, text: str) -> Note:
    model.answer_next(titled(archive))  # classification: 🛒, with a title
    deliver(private_text(text, message_id=70))
    return Note.objects.get()


def preview_text(telegram) -> str:
    [preview] = [call for call in telegram.calls("sendMessage") if call["chat_id"] == ALICE_CHAT]
    return preview["text"]


def confirm(deliver, note: Note) -> None:
    preview_id = PendingConfirmation.objects.get(note=note).preview_message_id
    deliver(press(f"note:{note.pk}:confirm", message_id=preview_id))


def group_texts(telegram, *methods: str, key: str = "text") -> list[str]:
    return [call[key] for call in telegram.calls(*methods) if call.get("chat_id") == GROUP_CHAT]


def assert_filed_well(parts: list[str], body: str, *, limit: int = 4096) -> None:
    """Title with the start of the body, whole sentences, nothing lost, all within limits."""
    texts = [plain(part) for part in parts]
    assert parts[0].startswith(f"<b>{TITLE}</b>\n\n")
    assert texts[0].removeprefix(TITLE).strip()  # body text after the title
    assert all(text.strip() != TITLE for text in texts)
    assert all(html_problem(part) is None for part in parts)
    assert telegram_length(parts[0], "HTML") <= limit
    assert all(telegram_length(part, "HTML") <= 4096 for part in parts)
    assert all(text.rstrip().endswith((".", "!", "?", "…")) for text in texts)
    assert " ".join(texts).removeprefix(TITLE).split() == body.split()


def test_a_long_single_paragraph_note_is_previewed_with_its_body_and_its_length(
    telegram, deliver, archive, model
):
    body = paragraph(4500)
    note = send_note(deliver, model, archive, body)

    shown = preview_text(telegram)

    assert shown.startswith(f"<b>{TITLE}</b>\n\n{SENTENCES[0]}")
    assert telegram_length(shown, "HTML") <= 4096
    content = shown.split("\n\n📏")[0]
    assert content.endswith("…")
    assert len(plain(content)) > 3000
    whole = len(TITLE) + 2 + len(body)
    assert f"📏 Заметка целиком: {grouped(whole)} знаков, в группу уйдёт полностью." in shown
    assert note.rendered_text.startswith(f"<b>{TITLE}</b>")


def test_a_long_single_paragraph_note_is_filed_as_two_full_messages(
    telegram, deliver, archive, model
):
    body = paragraph(4500)
    note = send_note(deliver, model, archive, body)

    confirm(deliver, note)

    parts = group_texts(telegram, "sendMessage")
    assert len(parts) == 2
    assert_filed_well(parts, body)
    assert telegram_length(parts[0], "HTML") > 2048


def test_a_note_of_exactly_telegrams_limit_with_a_title_is_filed_as_two_full_messages(
    telegram, deliver, archive, model
):
    body = paragraph(4096)
    note = send_note(deliver, model, archive, body)

    assert "📏 Заметка целиком: 4\u00a0125 знаков" in preview_text(telegram)
    confirm(deliver, note)

    parts = group_texts(telegram, "sendMessage")
    assert len(parts) == 2
    assert_filed_well(parts, body)


def test_a_note_of_emoji_is_split_by_what_telegram_counts(telegram, deliver, archive, model):
    fruit = "🍎🍐🍊🍋🍌🍉🍇🍓🫐🍒"
    words = [fruit[i % 10 : i % 10 + 1] * 5 for i in range(600)]  # 3,000 emoji
    body = " ".join(
        " ".join(words[i : i + 4]) + ("." if i % 8 == 0 else "!") for i in range(0, 600, 4)
    )
    note = send_note(deliver, model, archive, body)

    shown = preview_text(telegram)
    assert shown.startswith(f"<b>{TITLE}</b>\n\n{words[0]} ")
    assert "📏 Заметка целиком:" in shown
    confirm(deliver, note)

    parts = group_texts(telegram, "sendMessage")
    assert len(parts) == 2
    assert_filed_well(parts, body)


def test_a_long_caption_keeps_the_title_with_the_start_of_the_text(
    telegram, deliver, archive, model
):
    caption = paragraph(1100)
    model.answer_next(titled(archive))
    deliver(update("private_photo_caption", caption=caption))
    note = Note.objects.get()
    assert "📏" not in preview_text(telegram)  # the whole note fits the preview

    confirm(deliver, note)

    [copied] = group_texts(telegram, "copyMessage", key="caption")
    rest = group_texts(telegram, "sendMessage")
    assert len(rest) == 1
    assert_filed_well([copied, *rest], caption, limit=1024)
