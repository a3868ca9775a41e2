"""The fake Bot API refuses what the Bot API spec refuses and takes what Telegram takes.

Calls go over HTTP (httpx) the way aiogram sends them: urlencoded fields, every value a
string, objects and arrays as their JSON text, booleans as "true"/"false".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import tests
from tests.fakes.telegram import BOT_ID, TOKEN, FakeTelegram
from tests.fakes.telegram_rules import SPEC_PATH, api_problem, known_method

GROUP = -1002000000001
OWNER = 5550001
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "✅ В «Книги»", "callback_data": "n:1:ok"}],
        [{"text": "Открыть", "url": "https://t.me/c/2000000001/11"}],
    ]
}


@pytest.fixture(scope="module")
def telegram():
    with FakeTelegram() as fake:
        fake.add_group(GROUP)
        fake.set_member(GROUP, BOT_ID, "administrator", can_manage_topics=True)
        yield fake


def call(fake: FakeTelegram, method: str, **kwargs: Any) -> httpx.Response:
    return httpx.post(f"{fake.base_url}/bot{TOKEN}/{method}", timeout=5, trust_env=False, **kwargs)


def form(**fields: Any) -> dict[str, str]:
    """Fields as aiogram encodes them: strings, with objects and arrays as JSON text."""
    return {
        key: value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for key, value in fields.items()
    }


def refusal(response: httpx.Response) -> tuple[int, str]:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return response.status_code, body["description"]


# -- where the rules come from ---------------------------------------------------------------------


def test_the_spec_is_the_projects_own_copy_of_bot_api_10_2():
    in_the_repository = Path(tests.__file__).parent / "data" / "telegram-bot-api" / "spec.json"
    assert in_the_repository == SPEC_PATH
    assert json.loads(SPEC_PATH.read_text(encoding="utf-8"))["version"] == "10.2"
    assert known_method("sendMessage") == "sendMessage"
    assert known_method("SENDMESSAGE") == "sendMessage"
    assert known_method("sendMesage") is None


# -- refusals --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["sendMesage", "getUpdate", "sendFax"])
def test_an_unknown_method_is_not_found(telegram, method):
    response = call(telegram, method, data=form(chat_id=OWNER, text="hi"))

    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_method_names_are_read_case_insensitively_as_telegram_does(telegram):
    response = call(telegram, "SendMessage", data=form(chat_id=OWNER, text="hi"))

    assert response.json()["ok"] is True
    assert telegram.calls("sendMessage")[-1]["text"] == "hi"


def test_a_bot_api_method_the_fake_does_not_answer_is_not_passed_off_as_unknown(telegram):
    response = call(telegram, "banChatMember", data=form(chat_id=GROUP, user_id=OWNER))

    assert refusal(response) == (501, "Not Implemented: the fake has no banChatMember")


@pytest.mark.parametrize(
    ("method", "fields", "name"),
    [
        ("sendMessage", {"chat_id": OWNER, "text": "hi", "link_preview": False}, "link_preview"),
        ("sendMessage", {"chat_id": OWNER, "text": "hi", "reply_to": 5}, "reply_to"),
        (
            "editMessageText",
            {"chat_id": OWNER, "message_id": 1, "text": "hi", "markup": KEYBOARD},
            "markup",
        ),
        ("answerCallbackQuery", {"callback_query_id": "1", "alert": True}, "alert"),
        ("getMe", {"token": "x"}, "token"),
    ],
    ids=["link_preview", "reply_to", "markup", "alert", "getMe"],
)  # fmt: skip
def test_a_parameter_the_method_does_not_have_is_refused(telegram, method, fields, name):
    response = call(telegram, method, data=form(**fields))

    assert refusal(response) == (400, f'Bad Request: parameter "{name}" is unknown')


@pytest.mark.parametrize(
    ("method", "fields", "description"),
    [
        ("sendMessage", {"chat_id": OWNER}, "Bad Request: message text is empty"),
        ("sendMessage", {"chat_id": OWNER, "text": ""}, "Bad Request: message text is empty"),
        ("sendMessage", {"text": "hi"}, "Bad Request: chat_id is empty"),
        (
            "copyMessage",
            {"chat_id": GROUP, "from_chat_id": OWNER},
            "Bad Request: message identifier is not specified",
        ),
        ("sendPhoto", {"chat_id": GROUP}, "Bad Request: there is no photo in the request"),
        ("sendVideoNote", {"chat_id": GROUP}, "Bad Request: there is no video note in the request"),
        ("sendMediaGroup", {"chat_id": GROUP}, 'Bad Request: parameter "media" is required'),
        ("createForumTopic", {"chat_id": GROUP}, 'Bad Request: parameter "name" is required'),
        (
            "answerCallbackQuery",
            {"text": "Готово"},
            'Bad Request: parameter "callback_query_id" is required',
        ),
        ("setMyCommands", {"language_code": "ru"}, 'Bad Request: parameter "commands" is required'),
    ],
    ids=[
        "text", "empty text", "chat_id", "message_id", "photo", "video_note", "media", "name",
        "callback_query_id", "commands",
    ],
)  # fmt: skip
def test_a_missing_required_parameter_is_refused(telegram, method, fields, description):
    response = call(telegram, method, data=form(**fields))

    assert refusal(response) == (400, description)


@pytest.mark.parametrize(
    ("method", "fields", "description"),
    [
        ("sendMessage", {"chat_id": "alice", "text": "hi"}, "Bad Request: chat not found"),
        ("sendMessage", {"chat_id": "5.5", "text": "hi"}, "Bad Request: chat not found"),
        (
            "sendMessage",
            {"chat_id": GROUP, "text": "hi", "message_thread_id": "eleven"},
            'Bad Request: parameter "message_thread_id" must be a valid Integer',
        ),
        (
            "answerCallbackQuery",
            {"callback_query_id": "1", "show_alert": "sure"},
            'Bad Request: parameter "show_alert" must be a Boolean',
        ),
        (
            "sendMessage",
            {"chat_id": OWNER, "text": "hi", "reply_markup": "{inline_keyboard: []"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            "sendMessage",
            {"chat_id": OWNER, "text": "hi", "reply_markup": [[{"text": "a"}]]},
            "Bad Request: object expected as reply markup",
        ),
        (
            "sendMessage",
            {"chat_id": OWNER, "text": "hi", "reply_markup": {"inline_keyboard": {"text": "a"}}},
            "Bad Request: can't parse InlineKeyboardMarkup: "
            'Field "inline_keyboard" must be of type Array',
        ),
        (
            "editMessageText",
            {
                "chat_id": OWNER,
                "message_id": 1,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"callback_data": "n:1"}]]},
            },
            "Bad Request: can't parse InlineKeyboardButton: Can't find field \"text\"",
        ),
        (
            "sendMessage",
            {
                "chat_id": OWNER,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callback_data": ["n"]}]]},
            },
            "Bad Request: can't parse InlineKeyboardButton: "
            'Field "callback_data" must be of type String',
        ),
        (
            "sendMessage",
            {
                "chat_id": OWNER,
                "text": "hi",
                "reply_markup": {"inline_keyboard": [[{"text": "a", "callbackdata": "n"}]]},
            },
            'Bad Request: can\'t parse InlineKeyboardButton: Field "callbackdata" is unknown',
        ),
        (
            "sendMessage",
            {"chat_id": OWNER, "text": "hi", "reply_parameters": {"message_id": "three"}},
            "Bad Request: can't parse ReplyParameters: "
            'Field "message_id" must be a valid Number',
        ),
        (
            "sendMediaGroup",
            {"chat_id": GROUP, "media": {"type": "photo", "media": "F1"}},
            "Bad Request: expected an Array of InputMedia",
        ),
        (
            "sendMediaGroup",
            {"chat_id": GROUP, "media": [{"type": "picture", "media": "F1"}]},
            'Bad Request: can\'t parse InputMedia: unsupported type "picture" specified',
        ),
        (
            "sendMediaGroup",
            {"chat_id": GROUP, "media": [{"type": "photo", "media": "F1", "has_spoiler": "no"}]},
            "Bad Request: can't parse InputMediaPhoto: "
            'Field "has_spoiler" must be of type Boolean',
        ),
        (
            "sendMediaGroup",
            {"chat_id": GROUP, "media": [{"type": "photo", "media": "attach://p0"}]},
            "Bad Request: can't parse InputMediaPhoto: media not found",
        ),
        (
            "setMyCommands",
            {"commands": [{"command": "start"}]},
            "Bad Request: can't parse BotCommand: Can't find field \"description\"",
        ),
        (
            "setMyCommands",
            {"commands": [{"command": "start", "description": "Начать"}], "scope": {"type": "all"}},
            'Bad Request: can\'t parse BotCommandScope: unsupported type "all" specified',
        ),
        (
            "deleteMessages",
            {"chat_id": GROUP, "message_ids": "1,2"},
            "Bad Request: can't parse message_ids JSON object",
        ),
        (
            "deleteMessages",
            {"chat_id": GROUP, "message_ids": [1, 2.5]},
            'Bad Request: field "message_ids" must be a valid Number',
        ),
        (
            "setMessageReaction",
            {"chat_id": OWNER, "message_id": 1, "reaction": [{"type": "emoji"}]},
            "Bad Request: can't parse ReactionTypeEmoji: Can't find field \"emoji\"",
        ),
    ],
    ids=[
        "chat name", "chat float", "thread", "boolean", "markup json", "markup array",
        "keyboard rows", "button text", "callback_data", "button field", "reply id",
        "media object", "media type", "media boolean", "media attach", "command", "scope",
        "message_ids json", "message_ids float", "reaction",
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_is_refused(telegram, method, fields, description):
    response = call(telegram, method, data=form(**fields))

    assert refusal(response) == (400, description)


def test_a_refused_call_changes_nothing_and_is_still_recorded(telegram):
    before = dict(telegram.messages)

    response = call(telegram, "sendMessage", data=form(chat_id=OWNER, text="hi", colour="red"))

    assert response.status_code == 400
    assert telegram.messages == before
    assert telegram.calls("sendMessage")[-1]["colour"] == "red"


# -- every encoding Telegram takes -----------------------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        lambda fields: {"data": form(**fields)},
        lambda fields: {"json": fields},
        lambda fields: {"files": {key: (None, value) for key, value in form(**fields).items()}},
        lambda fields: {"params": form(**fields)},
    ],
    ids=["urlencoded", "json", "multipart", "query string"],
)
def test_one_call_in_every_encoding_telegram_takes(telegram, send):
    fields = {
        "chat_id": GROUP,
        "message_thread_id": 11,
        "text": "<b>Купить</b> молоко",
        "parse_mode": "HTML",
        "disable_notification": True,
        "reply_markup": KEYBOARD,
        "reply_parameters": {"message_id": 3, "allow_sending_without_reply": True},
    }

    response = call(telegram, "sendMessage", **send(fields))

    assert response.json()["ok"] is True, response.text
    sent = telegram.calls("sendMessage")[-1]
    assert (sent["chat_id"], sent["message_thread_id"], sent["text"]) == (GROUP, 11, fields["text"])
    assert sent["disable_notification"] is True
    assert sent.buttons == [["✅ В «Книги»"], ["Открыть"]]


def test_a_json_null_number_or_boolean_is_read_as_not_given(telegram):
    response = call(
        telegram,
        "sendMessage",
        json={"chat_id": OWNER, "text": "hi", "message_thread_id": None, "protect_content": None},
    )
    markup = call(
        telegram, "sendMessage", json={"chat_id": OWNER, "text": "hi", "reply_markup": None}
    )

    assert response.json()["ok"] is True, response.text
    assert refusal(markup) == (400, "Bad Request: object expected as reply markup")


@pytest.mark.parametrize("value", ["true", "false", "True", "1", "0"])
def test_booleans_as_telegram_reads_them(telegram, value):
    response = call(
        telegram, "answerCallbackQuery", data={"callback_query_id": "9", "show_alert": value}
    )

    assert response.json() == {"ok": True, "result": True}


def test_numbers_inside_json_may_be_strings_and_chats_usernames(telegram):
    response = call(
        telegram,
        "deleteMessages",
        data=form(chat_id=GROUP, message_ids=[1001, "1002"]),
    )
    by_username = call(
        telegram, "sendChatAction", data={"chat_id": "@my_archive", "action": "typing"}
    )

    assert response.json()["ok"] is True
    assert by_username.json()["ok"] is True


def test_an_uploaded_file_is_taken_by_name_or_attached(telegram):
    direct = call(
        telegram, "sendPhoto", data={"chat_id": str(GROUP)}, files={"photo": ("p.jpg", b"JPEG")}
    )
    attached = call(
        telegram,
        "sendMediaGroup",
        data=form(
            chat_id=GROUP,
            media=[
                {"type": "photo", "media": "attach://p0"},
                {"type": "video", "media": "BAACAgIAAxkBAAIB"},
            ],
        ),
        files={"p0": ("p0.jpg", b"JPEG")},
    )

    assert direct.json()["ok"] is True, direct.text
    assert attached.json()["ok"] is True, attached.text


# -- the product's calls, as aiogram sends them, pass ----------------------------------------------


def test_a_screen_with_its_buttons_in_reply_to_the_owner(telegram):
    response = call(
        telegram,
        "sendMessage",
        data=form(
            chat_id=OWNER,
            text="Куда положить заметку?\n\n<i>Купить молоко</i>",
            parse_mode="HTML",
            reply_parameters={
                "message_id": 42,
                "allow_sending_without_reply": True,
                "quote_parse_mode": "HTML",
            },
            reply_markup=KEYBOARD,
        ),
    )

    assert response.json()["ok"] is True, response.text


def test_a_note_copied_into_its_topic(telegram):
    response = call(
        telegram,
        "copyMessage",
        data=form(
            chat_id=GROUP,
            from_chat_id=OWNER,
            message_id=42,
            message_thread_id=11,
            caption="Статья про <b>сон</b>",
            parse_mode="HTML",
        ),
    )

    assert set(response.json()["result"]) == {"message_id"}, response.text


def test_an_album_posted_into_its_topic(telegram):
    media = [
        {"type": "photo", "media": "AgACAgIAAxkBAAIC", "caption": "Отпуск", "parse_mode": "HTML"},
        {"type": "video", "media": "BAACAgIAAxkBAAID", "parse_mode": "HTML"},
        {"type": "document", "media": "BQACAgIAAxkBAAIE", "parse_mode": "HTML"},
    ]

    response = call(
        telegram,
        "sendMediaGroup",
        data=form(chat_id=GROUP, media=media, message_thread_id=11),
    )

    assert len(response.json()["result"]) == 3, response.text


def test_a_screen_edited_in_place_then_left_alone(telegram):
    sent = call(telegram, "sendMessage", data=form(chat_id=OWNER, text="Первый вариант"))
    message_id = sent.json()["result"]["message_id"]
    edit = form(
        chat_id=OWNER,
        message_id=message_id,
        text="Второй вариант",
        parse_mode="HTML",
        reply_markup=KEYBOARD,
    )

    edited = call(telegram, "editMessageText", data=edit)
    again = call(telegram, "editMessageText", data=edit)

    assert edited.json()["result"]["text"] == "Второй вариант", edited.text
    assert refusal(again)[1].startswith("Bad Request: message is not modified")


@pytest.mark.parametrize(
    "fields",
    [
        {"callback_query_id": "4382bfdwdsb323b2d9"},
        {"callback_query_id": "4382bfdwdsb323b2d9", "text": "Сохранено"},
        {
            "callback_query_id": "4382bfdwdsb323b2d9",
            "text": "Эта кнопка устарела",
            "show_alert": True,
        },
    ],
    ids=["silent", "notice", "alert"],
)
def test_a_tap_answered(telegram, fields):
    response = call(telegram, "answerCallbackQuery", data=form(**fields))

    assert response.json() == {"ok": True, "result": True}


@pytest.mark.parametrize(
    ("scope", "language"),
    [({"type": "all_private_chats"}, "ru"), ({"type": "all_group_chats"}, None)],
    ids=["private, ru", "groups, default"],
)
def test_the_command_menus_published(telegram, scope, language):
    fields: dict[str, Any] = {
        "commands": [
            {"command": "start", "description": "Начать"},
            {"command": "topics", "description": "Темы архива"},
        ],
        "scope": scope,
    }
    if language:
        fields["language_code"] = language

    response = call(telegram, "setMyCommands", data=form(**fields))

    assert response.json() == {"ok": True, "result": True}, response.text


def test_a_forum_topic_created(telegram):
    response = call(telegram, "createForumTopic", data=form(chat_id=GROUP, name="📚 Книги"))

    assert response.json()["result"]["name"] == "📚 Книги", response.text


def test_the_setup_calls(telegram):
    webhook = form(
        url="https://secretary.example/telegram/webhook/",
        secret_token="webhook-secret_for-tests",
        allowed_updates=["message", "callback_query", "my_chat_member"],
        drop_pending_updates=False,
    )
    answers = [
        call(telegram, "getMe"),
        call(telegram, "setWebhook", data=webhook),
        call(telegram, "getWebhookInfo"),
        call(telegram, "deleteWebhook", data=form(drop_pending_updates=True)),
        call(telegram, "getUpdates", data=form(timeout=0, allowed_updates=["message"])),
        call(telegram, "getChat", data=form(chat_id=GROUP)),
        call(telegram, "getChatMember", data=form(chat_id=GROUP, user_id=BOT_ID)),
        call(telegram, "sendChatAction", data=form(chat_id=OWNER, action="typing")),
        call(
            telegram,
            "setMessageReaction",
            data=form(chat_id=OWNER, message_id=42, reaction=[{"type": "emoji", "emoji": "👀"}]),
        ),
    ]

    assert [answer.json()["ok"] for answer in answers] == [True] * len(answers)


# -- the check on its own --------------------------------------------------------------------------


def test_the_rules_it_kept_still_apply_after_the_spec(telegram):
    broken_html = call(
        telegram, "sendMessage", data=form(chat_id=OWNER, text="<b>bold", parse_mode="HTML")
    )
    too_long = call(telegram, "sendMessage", data=form(chat_id=OWNER, text="я" * 4097))

    assert refusal(broken_html)[1].startswith("Bad Request: can't parse entities")
    assert refusal(too_long) == (400, "Bad Request: message is too long")


def test_api_problem_reads_parameters_as_strings():
    assert (
        api_problem("sendMessage", {"chat_id": "-1002000000001", "text": "5"}, frozenset()) is None
    )
    assert api_problem("sendMessage", {"chat_id": "5", "text": '{"a": 1}'}, frozenset()) is None
    assert (
        api_problem("sendPhoto", {"chat_id": "5", "photo": "attach://p"}, frozenset())
        == "Bad Request: there is no photo in the request"
    )
