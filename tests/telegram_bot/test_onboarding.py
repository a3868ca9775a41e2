"""/start, /help, /topics, /settings, /cancel in private, in the owner's language."""

import pytest
from aiogram.fsm.storage.base import StorageKey

from secretary.models import ConfirmMode, Preferences, User
from telegram_bot.models import ConversationState
from telegram_bot.storage import DatabaseStorage
from tests.fakes.telegram import BOT_ID
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, press, private_text, update
from topics.models import ForumGroup

pytestmark = pytest.mark.django_db

ADD_TO_GROUP = (
    "https://t.me/my_secretary_bot?startgroup=connect&admin=manage_topics+delete_messages"
)


def test_start_greets_in_russian_with_a_button_that_adds_the_bot_to_a_group(telegram, deliver):
    deliver(update("private_start"))

    assert telegram.methods() == ["getMe", "sendMessage"]
    [greeting] = telegram.calls("sendMessage")
    assert greeting["chat_id"] == ALICE_CHAT
    assert greeting["text"].startswith("Здравствуйте, Анна! Я ваш секретарь.")
    assert greeting["parse_mode"] == "HTML"
    [[button]] = greeting["reply_markup"]["inline_keyboard"]
    assert button == {"text": "➕ Добавить меня в группу", "url": ADD_TO_GROUP}
    alice = User.objects.get(telegram_id=ALICE_CHAT)
    assert (alice.language, alice.first_name) == ("ru", "Анна")


def test_start_offers_the_app_when_there_is_a_public_url(telegram, deliver, settings):
    settings.PUBLIC_URL = "https://secretary.example.org"

    deliver(update("private_english_text", text="/start"))

    [greeting] = telegram.calls("sendMessage")
    assert greeting["text"].startswith("Hello, Ben! I am your secretary.")
    rows = greeting["reply_markup"]["inline_keyboard"]
    assert rows[1] == [
        {"text": "📱 Open the app", "web_app": {"url": "https://secretary.example.org/webapp/"}}
    ]


def test_help_lists_the_commands(telegram, deliver, alice):
    deliver(private_text("/help", message_id=20))

    [answer] = telegram.calls("sendMessage")
    assert "/topics" in answer["text"]
    assert "/connect" in answer["text"]
    assert answer["text"].startswith("<b>Как это работает</b>")
    for command in ("/find", "/reminders", "/export", "/import", "/forget"):
        assert f"{command} — " in answer["text"]  # said in Russian, like the rest
    assert "/forget — удалить всё" in answer["text"]


def test_an_unknown_command_gets_the_help(telegram, deliver, alice):
    deliver(private_text("/frobnicate", message_id=20))

    [answer] = telegram.calls("sendMessage")
    assert answer["text"].startswith("<b>Как это работает</b>")


def test_topics_lists_the_groups_topics_with_their_descriptions(telegram, deliver, archive):
    deliver(private_text("/topics", message_id=21))

    [answer] = telegram.calls("sendMessage")
    assert answer["text"].startswith("Темы группы «Мой архив»:")
    assert "• <b>🛒 Покупки</b> — Список покупок" in answer["text"]


def test_topics_and_settings_open_the_app_at_their_screen_when_it_is_served(
    telegram, deliver, archive, settings
):
    settings.PUBLIC_URL = "https://secretary.example.org"
    deliver(private_text("/topics", message_id=21))
    deliver(private_text("/settings", message_id=22))

    topics, preferences = telegram.calls("sendMessage")
    app = "https://secretary.example.org/webapp/"
    assert topics["reply_markup"]["inline_keyboard"] == [
        [{"text": "📱 Открыть приложение", "web_app": {"url": app + "#topics"}}]
    ]
    assert preferences["reply_markup"]["inline_keyboard"][-1] == [
        {"text": "📱 Открыть приложение", "web_app": {"url": app + "#settings"}}
    ]


def test_no_app_button_is_offered_where_telegram_would_not_open_it(
    telegram, deliver, archive, settings
):
    settings.PUBLIC_URL = "http://localhost:8000"  # Telegram opens only https Mini Apps
    deliver(private_text("/topics", message_id=21))
    [answer] = telegram.calls("sendMessage")
    assert "reply_markup" not in answer.params


def test_topics_without_a_group_says_how_to_connect_one(telegram, deliver, alice):
    deliver(private_text("/topics", message_id=21))

    [answer] = telegram.calls("sendMessage")
    assert "/connect" in answer["text"]


def test_settings_show_and_change_the_language_and_the_confirmation_mode(
    telegram, deliver, alice, archive
):
    deliver(private_text("/settings", message_id=22))
    [screen] = telegram.calls("sendMessage")
    assert screen["text"].startswith("<b>Настройки</b>")
    assert "Группа: Мой архив" in screen["text"]
    assert "set:lang:en" in telegram.calls("sendMessage")[0].callback_data

    deliver(press("set:lang:en", message_id=1000))
    deliver(press("set:mode:auto", message_id=1000))

    preferences = Preferences.objects.get(user=alice)
    assert (preferences.language, preferences.confirm_mode) == (
        "en",
        ConfirmMode.AUTO_ABOVE_THRESHOLD,
    )
    edited = telegram.calls("editMessageText")[-1]
    assert edited["text"].startswith("<b>Settings</b>")
    assert "• File at once when the AI is confident" in edited.buttons[2]
    assert telegram.calls("answerCallbackQuery")[-1]["text"] == "Saved."


def test_a_setting_no_button_offers_is_ignored(telegram, deliver, alice):
    deliver(press("set:mode:sometimes", message_id=1000))

    assert Preferences.objects.get(user=alice).confirm_mode == ConfirmMode.ALWAYS_ASK
    assert telegram.methods() == ["answerCallbackQuery"]


def test_cancel_stops_what_the_bot_waits_for(telegram, deliver, alice):
    key = StorageKey(bot_id=BOT_ID, chat_id=ALICE_CHAT, user_id=ALICE_CHAT)
    ConversationState.objects.create(
        key=DatabaseStorage()._key(key), state="EditNote:waiting_text", data={"note_id": 1}
    )

    deliver(private_text("/cancel", message_id=23))
    deliver(private_text("/cancel", message_id=24))

    first, second = telegram.calls("sendMessage")
    assert first["text"] == "Остановлено. Присылайте новую заметку в любой момент."
    assert second["text"] == "Ждать нечего."
    assert not ConversationState.objects.exists()


def test_the_first_admin_to_start_owns_the_preconfigured_group(telegram, deliver, settings):
    settings.TELEGRAM_GROUP_ID = GROUP_CHAT

    deliver(update("private_start"))

    group = ForumGroup.objects.get(chat_id=GROUP_CHAT)
    assert group.owner == User.objects.get(telegram_id=ALICE_CHAT)
    assert (group.title, group.is_forum, group.bot_can_manage_topics) == ("Мой архив", True, True)
    assert telegram.methods() == [
        "getMe",
        "sendMessage",
        "getChat",
        "getChatMember",
        "getChatMember",
        "sendMessage",
    ]
    assert "«Мой архив» подключена" in telegram.calls("sendMessage")[-1]["text"]


def test_a_preconfigured_group_is_not_given_to_someone_who_is_not_its_admin(
    telegram, deliver, settings
):
    settings.TELEGRAM_GROUP_ID = GROUP_CHAT

    deliver(update("private_english_text", text="/start"))

    assert not ForumGroup.objects.filter(owner__isnull=False).exists()
    assert telegram.methods().count("sendMessage") == 1
