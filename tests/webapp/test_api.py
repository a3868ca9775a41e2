"""The Mini App's API, called as the Mini App calls it: ``Authorization: tma <initData>``."""

from __future__ import annotations

import json
import logging
import time
from datetime import timedelta
from decimal import Decimal

import pytest
import yaml
from django.utils import timezone

from notes.models import FilingExample, Note, NoteKind, NoteStatus, PendingConfirmation
from notes.search.indexing import note_search_index
from secretary.models import Preferences, User
from tests.factories import ForumGroupFactory, NoteFactory, TopicFactory, UserFactory
from tests.fakes.telegram import BOT_ID
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT, private_text
from tests.webapp.initdata import ALICE, signed_init_data, tma
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, django_capture_on_commit_callbacks):
    """Call the API as alice's Mini App (or as given); what the call enqueues runs inline."""

    def call(method, path, body=None, *, user=ALICE, init_data=None, headers=None):
        auth = tma(init_data if init_data is not None else signed_init_data(user))
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic(
                method,
                f"/api/v1/{path}",
                data=json.dumps(body) if body is not None else "",
                content_type="application/json",
                headers={**auth, **(headers or {})},
            )

    return call


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    from tests.telegram_bot.conftest import SECRET

    def post(payload):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/telegram/webhook/",
                data=json.dumps(payload),
                content_type="application/json",
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )

    return post


def finished(api, response, *, timeout=10.0):
    """An action answered 202 (the worker does it): its record once it is done or failed."""
    assert response.status_code == 202, response.json()
    action = response.json()
    assert action["state"] == "running"
    deadline = time.monotonic() + timeout
    while action["state"] == "running":
        assert time.monotonic() < deadline, f"{action['kind']} still running after {timeout}s"
        time.sleep(0.02)
        action = api("GET", f"actions/{action['id']}/").json()
    return action


# Actions run in the worker's own thread (see webapp.tasks): the data must be committed.
actions = pytest.mark.django_db(transaction=True)


def pending_note(deliver, text="Купить молоко и хлеб", message_id=70):
    """A note alice sent the bot, waiting for her tap, with its preview in the chat."""
    deliver(private_text(text, message_id=message_id))
    note = Note.objects.get(source_message_id=message_id)
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    return note, PendingConfirmation.objects.get(note=note).preview_message_id


# -- who may call ---------------------------------------------------------------------------


def test_it_refuses_a_request_without_init_data(client, telegram):
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "tma"


@pytest.mark.parametrize(
    "init_data",
    [
        pytest.param(
            lambda: signed_init_data(ALICE, token=f"{BOT_ID}:another-bots-token"), id="other-bot"
        ),
        pytest.param(lambda: signed_init_data(ALICE).replace("alice", "mallory"), id="forged"),
        pytest.param(lambda: signed_init_data(ALICE, auth_date=time.time() - 3601), id="expired"),
        pytest.param(lambda: signed_init_data(ALICE, auth_date=time.time() + 3600), id="future"),
        pytest.param(lambda: signed_init_data(ALICE).split("&hash=")[0], id="unsigned"),
        pytest.param(lambda: "not init data at all", id="garbage"),
        pytest.param(lambda: "", id="empty"),
    ],
)
def test_it_refuses_init_data_telegram_did_not_sign_for_this_bot_lately(api, telegram, init_data):
    response = api("GET", "me/", init_data=init_data())
    assert response.status_code == 401
    assert response.json()["detail"]
    assert not User.objects.filter(telegram_id=ALICE["id"]).exists()


def test_init_data_without_a_user_is_refused(api, telegram):
    signed = signed_init_data(ALICE)
    parts = [part for part in signed.split("&") if not part.startswith(("user=", "hash="))]
    import hashlib
    import hmac
    from urllib.parse import parse_qsl, urlencode

    from tests.fakes.telegram import TOKEN

    fields = dict(parse_qsl("&".join(parts)))
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    fields["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    assert api("GET", "me/", init_data=urlencode(fields)).status_code == 401


def test_the_age_window_is_configurable(api, telegram, settings):
    settings.WEBAPP_AUTH_MAX_AGE = timedelta(days=1)
    response = api("GET", "me/", init_data=signed_init_data(ALICE, auth_date=time.time() - 7200))
    assert response.status_code == 200


def test_a_new_user_is_created_on_first_sight_in_their_language(api, telegram):
    response = api("GET", "me/")
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "telegram_id": ALICE["id"],
        "first_name": "Алиса",
        "username": "alice",
        "language": "ru",
        "language_setting": "",
        "time_zone": "UTC",
        "group": None,
    }
    user = User.objects.get(telegram_id=ALICE["id"])
    assert Preferences.objects.filter(user=user).exists()


def test_opening_the_app_does_not_count_as_unblocking_the_bot(api, telegram, alice):
    User.objects.filter(pk=alice.pk).update(has_blocked_bot=True)
    assert api("GET", "me/").status_code == 200
    assert User.objects.get(pk=alice.pk).has_blocked_bot


def test_init_data_never_reaches_the_logs(api, telegram, caplog):
    caplog.set_level(logging.DEBUG)
    good = signed_init_data(ALICE)
    bad = signed_init_data(ALICE, token=f"{BOT_ID}:other")
    api("GET", "me/", init_data=good)
    api("GET", "me/", init_data=bad)
    api("GET", "notes/999999/", init_data=good)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (good, bad, good.split("hash=")[1], bad.split("hash=")[1]):
        assert secret not in logged


# -- preferences and groups ------------------------------------------------------------------


def test_preferences_are_read_and_changed(api, telegram, alice):
    response = api(
        "PATCH",
        "preferences/",
        {
            "language": "en",
            "confirm_mode": "auto",
            "auto_file_threshold": 0.7,
            "pending_ttl_minutes": 90,
            "ai_providers": ["local"],
            "time_zone": "Europe/Moscow",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["language"] == "en"
    assert body["effective"]["language"] == "en"
    assert body["pending_ttl_minutes"] == 90
    assert body["effective"]["pending_ttl_minutes"] == 90
    assert body["ai_providers"] == ["local"]
    preferences = Preferences.objects.get(user=alice)
    assert preferences.pending_ttl == timedelta(minutes=90)
    assert preferences.time_zone == "Europe/Moscow"
    assert preferences.confirm_mode == "auto"
    assert {c["value"] for c in body["choices"]["ai_providers"]} == {"openai", "gemini", "local"}


def test_bad_preferences_are_refused_per_field_in_the_users_language(api, telegram, alice):
    response = api(
        "PATCH",
        "preferences/",
        {"auto_file_threshold": 3, "time_zone": "Mars/Olympus", "ai_providers": ["local", "local"]},
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"auto_file_threshold", "time_zone", "ai_providers"}
    assert errors["auto_file_threshold"] == ["Убедитесь, что это значение меньше либо равно 1."]
    assert Preferences.objects.get(user=alice).auto_file_threshold == 0.85


def test_an_unknown_time_zone_is_a_field_error(api, telegram, alice):
    response = api("PATCH", "preferences/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert list(response.json()) == ["time_zone"]


def test_the_default_group_must_be_the_owners_own(api, telegram, alice, bob):
    bobs = ForumGroupFactory(owner=bob, chat_id=-1009)
    response = api("PATCH", "preferences/", {"default_group": bobs.pk})
    assert response.status_code == 400
    assert list(response.json()) == ["default_group"]


def test_groups_say_what_the_bot_is_missing(api, telegram, alice):
    ForumGroupFactory(
        owner=alice,
        chat_id=GROUP_CHAT,
        title="Архив",
        is_forum=False,
        bot_can_manage_topics=False,
        bot_can_post=True,
    )
    response = api("GET", "groups/")
    assert response.status_code == 200
    [group] = response.json()
    assert group["title"] == "Архив"
    assert group["is_default"]
    assert [problem["code"] for problem in group["problems"]] == [
        "topics_off",
        "cannot_manage_topics",
    ]
    assert all(problem["message"] for problem in group["problems"])


# -- topics ------------------------------------------------------------------------------------


def test_topics_list_the_owners_group_in_order(api, telegram, archive):
    response = api("GET", "topics/")
    assert response.status_code == 200
    assert [topic["name"] for topic in response.json()] == [
        "📚 Книги",
        "🛒 Покупки",
        "💡 Идеи",
        "✈️ Путешествия",
    ]


@actions
def test_creating_a_topic_creates_it_in_the_group(api, telegram, archive):
    group, _topics = archive
    response = api(
        "POST",
        "topics/",
        {"name": "  🎬 Фильмы ", "description": "Что посмотреть", "is_private": True},
    )
    action = finished(api, response)
    assert action["state"] == "done", action
    body = action["topic"]
    [call] = telegram.calls("createForumTopic")
    assert call.params == {"chat_id": GROUP_CHAT, "name": "🎬 Фильмы"}
    topic = Topic.objects.get(pk=body["id"])
    assert (topic.name, topic.description, topic.is_private, topic.created_by_bot) == (
        "🎬 Фильмы",
        "Что посмотреть",
        True,
        True,
    )
    assert topic.group == group
    assert body["thread_id"] == topic.thread_id


@actions
def test_a_topic_telegram_refuses_to_create_is_not_saved(api, telegram, archive):
    telegram.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=False)
    before = Topic.objects.count()
    action = finished(api, api("POST", "topics/", {"name": "🎬 Фильмы"}))
    assert action["state"] == "failed"
    assert action["reason"] == "no_rights"
    assert "Мой архив" in action["detail"]
    assert Topic.objects.count() == before


def test_a_bad_template_is_refused_before_telegram_is_asked(api, telegram, archive):
    response = api("POST", "topics/", {"name": "🎬 Фильмы", "format_template": "{% if %}"})
    assert response.status_code == 400
    assert list(response.json()) == ["format_template"]
    assert telegram.calls("createForumTopic") == []


@actions
def test_renaming_a_topic_renames_it_in_the_group(api, telegram, archive):
    _group, topics = archive
    book = topics["books"]
    response = api("PATCH", f"topics/{book.pk}/", {"name": "📖 Чтение", "description": "Книги"})
    action = finished(api, response)
    assert action["state"] == "done", action
    assert action["topic"]["name"] == "📖 Чтение"
    [call] = telegram.calls("editForumTopic")
    assert call.params == {"chat_id": GROUP_CHAT, "message_thread_id": 11, "name": "📖 Чтение"}
    book.refresh_from_db()
    assert (book.name, book.description) == ("📖 Чтение", "Книги")


@actions
def test_a_rename_telegram_refuses_leaves_the_topic_as_it_was(api, telegram, archive):
    _group, topics = archive
    book = topics["books"]
    telegram.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=False)
    response = api("PATCH", f"topics/{book.pk}/", {"name": "📖 Чтение", "description": "Иное"})
    action = finished(api, response)
    assert (action["state"], action["reason"]) == ("failed", "no_rights")
    assert action["detail"]
    book.refresh_from_db()
    assert (book.name, book.description) == (
        "📚 Книги",
        "Книги и статьи: что почитать, прочитать потом, цитаты, авторы",
    )


def test_changing_only_the_description_does_not_ask_telegram(api, telegram, archive):
    _group, topics = archive
    response = api("PATCH", f"topics/{topics['ideas'].pk}/", {"description": "Задумки"})
    assert response.status_code == 200
    assert telegram.calls("editForumTopic") == []


def test_a_template_that_does_not_compile_is_named_with_its_line(api, telegram, archive):
    _group, topics = archive
    template = "<b>{{ title }}</b>\n{% if tags %}{{ tags }}"
    response = api("PATCH", f"topics/{topics['ideas'].pk}/", {"format_template": template})
    assert response.status_code == 400
    [message] = response.json()["format_template"]
    assert "2" in message
    assert "if" in message


def test_another_owners_topic_is_not_found(api, telegram, archive, bob):
    bobs = TopicFactory(group=ForumGroupFactory(owner=bob, chat_id=-1007), thread_id=5)
    assert api("GET", f"topics/{bobs.pk}/").status_code == 404
    assert api("PATCH", f"topics/{bobs.pk}/", {"name": "mine"}).status_code == 404
    assert api("GET", f"topics/?group={bobs.group_id}").json() == []


def test_topics_are_reordered(api, telegram, archive):
    _group, topics = archive
    order = [topics["travel"].pk, topics["books"].pk]
    response = api("POST", "topics/order/", {"ids": order})
    assert response.status_code == 200
    assert [topic["id"] for topic in response.json()][:2] == order
    assert api("POST", "topics/order/", {"ids": [order[0], order[0]]}).status_code == 400


# -- the format preview ----------------------------------------------------------------------


def test_the_format_preview_renders_a_draft_over_a_sample_note(api, telegram, archive):
    response = api("POST", "format-preview/", {"format_template": "<i>{{ title }}</i>"})
    assert response.status_code == 200
    body = response.json()
    assert body["html"].startswith("<i>")
    assert body["length"] > 0


def test_the_format_preview_renders_one_of_the_owners_notes_and_saves_nothing(
    api, telegram, archive
):
    _group, topics = archive
    note = NoteFactory(owner=archive[0].owner, text="Дочитать «Дюну»", title="Дюна")
    template = "{{ title }} — {{ topic }}"
    response = api(
        "POST",
        "format-preview/",
        {"format_template": template, "note": note.pk, "topic": topics["books"].pk},
    )
    assert response.status_code == 200
    assert response.json()["html"] == "Дюна — 📚 Книги"
    topics["books"].refresh_from_db()
    assert topics["books"].format_template != template
    note.refresh_from_db()
    assert note.rendered_text == ""


def test_the_format_preview_refuses_a_broken_template_and_foreign_notes(
    api, telegram, archive, bob
):
    response = api("POST", "format-preview/", {"format_template": "{{ title|nope }}"})
    assert response.status_code == 400
    assert "format_template" in response.json()
    response = api("POST", "format-preview/", {"format_template": "<div>x</div>"})
    assert response.status_code == 400
    assert "<div>" in response.json()["format_template"][0]
    bobs = NoteFactory(owner=bob)
    response = api("POST", "format-preview/", {"format_template": "x", "note": bobs.pk})
    assert response.status_code == 404


# -- history ------------------------------------------------------------------------------------


def test_history_is_searched_and_filtered(api, telegram, archive):
    group, topics = archive
    alice = group.owner
    milk = NoteFactory(
        owner=alice, text="Купить молоко", topic=topics["shopping"], status=NoteStatus.PUBLISHED
    )
    NoteFactory(owner=alice, text="Идея бота", topic=topics["ideas"], status=NoteStatus.CANCELLED)
    voice = NoteFactory(
        owner=alice,
        kind=NoteKind.VOICE,
        text="",
        transcript="позвонить маме про молоко",
        status=NoteStatus.AWAITING_CONFIRMATION,
    )
    NoteFactory(owner=UserFactory(), text="молоко чужое", status=NoteStatus.PUBLISHED)
    for note in Note.objects.all():  # as the worker indexes a note it prepared
        note_search_index(note=note)
    found = api("GET", "notes/?q=молоко").json()
    assert found["count"] == 2, found
    assert {n["id"] for n in found["results"]} == {milk.pk, voice.pk}
    assert [n["id"] for n in api("GET", "notes/?kind=voice").json()["results"]] == [voice.pk]
    filtered = api("GET", f"notes/?topic={topics['shopping'].pk}&status=published").json()
    assert [n["id"] for n in filtered["results"]] == [milk.pk]
    today = timezone.localdate().isoformat()
    assert api("GET", f"notes/?since={today}&until={today}").json()["count"] == 3
    assert api("GET", "notes/?since=2001-01-01&until=2001-01-02").json()["count"] == 0


def test_bad_history_filters_are_field_errors(api, telegram, alice):
    response = api("GET", "notes/?status=lost&since=yesterday&topic=x")
    assert response.status_code == 400
    assert set(response.json()) == {"status", "since", "topic"}
    response = api("GET", "notes/?since=2026-02-02&until=2026-01-01")
    assert response.status_code == 400
    assert list(response.json()) == ["until"]


def test_a_notes_detail_tells_every_stage_without_raw_errors(api, telegram, archive):
    group, topics = archive
    note = NoteFactory(
        owner=group.owner,
        kind=NoteKind.VOICE,
        text="",
        transcript="купить молоко",
        topic=topics["shopping"],
        status=NoteStatus.AWAITING_CONFIRMATION,
        ai_provider="openai",
        confidence=0.91,
        reason="Про покупки",
        rendered_text="<b>Молоко</b>",
        input_tokens=120,
        output_tokens=30,
        cost_usd=Decimal("0.000123"),
        last_error="publishing: Telegram server says - Bad Request: chat not found",
        alternatives=[{"topic_id": topics["ideas"].pk, "confidence": 0.05}],
    )
    PendingConfirmation.objects.create(note=note, expires_at=timezone.now() + timedelta(hours=1))
    body = api("GET", f"notes/{note.pk}/").json()
    assert body["transcript"] == "купить молоко"
    assert body["classification"]["provider"] == "openai"
    assert body["classification"]["alternatives"] == [
        {"topic": {"id": topics["ideas"].pk, "name": "💡 Идеи"}, "confidence": 0.05}
    ]
    assert body["usage"] == {"input_tokens": 120, "output_tokens": 30, "cost_usd": "0.000123"}
    stages = {stage["stage"]: stage["outcome"] for stage in body["stages"]}
    assert stages == {
        "received": "done",
        "transcription": "done",
        "classification": "done",
        "rendering": "done",
        "publishing": "failed",
    }
    assert "chat not found" not in json.dumps(body, ensure_ascii=False)
    assert body["error"]
    assert body["expires_at"]
    assert body["actions"]["confirm"]
    assert not body["actions"]["retry"]


def test_another_owners_note_is_not_found(api, telegram, alice, bob):
    bobs = NoteFactory(owner=bob, status=NoteStatus.FAILED)
    for method, path in [
        ("GET", f"notes/{bobs.pk}/"),
        ("DELETE", f"notes/{bobs.pk}/"),
        ("POST", f"notes/{bobs.pk}/retry/"),
        ("POST", f"pending/{bobs.pk}/confirm/"),
        ("POST", f"pending/{bobs.pk}/cancel/"),
    ]:
        assert api(method, path).status_code == 404, path
    assert Note.objects.filter(pk=bobs.pk, status=NoteStatus.FAILED).exists()


@actions
def test_a_filed_note_is_refiled_into_another_topic(api, telegram, archive, deliver):
    _group, topics = archive
    note, preview_id = pending_note(deliver)
    finished(api, api("POST", f"pending/{note.pk}/confirm/"))
    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED
    first = list(note.published_message_ids)
    telegram.reset()
    response = api("POST", f"notes/{note.pk}/refile/", {"topic": topics["ideas"].pk})
    assert finished(api, response)["state"] == "done"
    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED
    assert note.topic == topics["ideas"]
    assert telegram.calls("deleteMessages")[0].params["message_ids"] == first
    [sent] = telegram.calls("sendMessage")
    assert sent.params["message_thread_id"] == 14
    [edited] = telegram.calls("editMessageText")
    assert edited.params["message_id"] == preview_id
    assert "💡 Идеи" in edited.params["text"]


def test_refiling_a_pending_note_is_refused(api, telegram, archive, deliver):
    _group, topics = archive
    note, _preview = pending_note(deliver)
    response = api("POST", f"notes/{note.pk}/refile/", {"topic": topics["ideas"].pk})
    assert response.status_code == 409
    assert response.json()["detail"]


@actions
def test_a_failed_note_is_retried(api, telegram, archive):
    group, _topics = archive
    note = NoteFactory(
        owner=group.owner,
        source_chat_id=ALICE_CHAT,
        text="Купить молоко и хлеб",
        status=NoteStatus.FAILED,
        failed_from=NoteStatus.CLASSIFYING,
    )
    response = api("POST", f"notes/{note.pk}/retry/")
    assert finished(api, response)["state"] == "done"
    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert telegram.calls("sendMessage")  # the new preview in the chat


@actions
def test_a_deleted_note_is_gone_and_its_preview_loses_its_buttons(api, telegram, archive, deliver):
    note, preview_id = pending_note(deliver)
    finished(api, api("POST", f"pending/{note.pk}/cancel/"))
    telegram.reset()
    response = api("DELETE", f"notes/{note.pk}/")
    assert response.status_code == 204
    assert not Note.objects.filter(pk=note.pk).exists()
    [edited] = telegram.calls("editMessageText")
    assert edited.params["message_id"] == preview_id
    assert "reply_markup" not in edited.params or not edited.params["reply_markup"]


def test_a_note_being_worked_on_is_not_deleted(api, telegram, alice):
    note = NoteFactory(owner=alice, status=NoteStatus.PUBLISHING)
    assert api("DELETE", f"notes/{note.pk}/").status_code == 409
    assert Note.objects.filter(pk=note.pk).exists()


# -- pending --------------------------------------------------------------------------------------


def test_pending_lists_what_waits_for_a_tap(api, telegram, archive, deliver):
    note, _preview = pending_note(deliver)
    [pending] = api("GET", "pending/").json()
    assert pending["id"] == note.pk
    assert pending["topic"]["name"] == "🛒 Покупки"
    assert pending["rendered_html"]
    assert pending["expires_at"]


@actions
def test_confirming_in_the_app_files_the_note_and_updates_the_chat(api, telegram, archive, deliver):
    note, preview_id = pending_note(deliver)
    telegram.reset()
    response = api("POST", f"pending/{note.pk}/confirm/")
    action = finished(api, response)
    assert (action["state"], action["note"]["status"]) == ("done", "published")
    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED
    assert FilingExample.objects.filter(note=note).exists()
    [sent] = telegram.calls("sendMessage")
    assert sent.params["chat_id"] == GROUP_CHAT
    assert sent.params["message_thread_id"] == 12
    [edited] = telegram.calls("editMessageText")
    assert edited.params["message_id"] == preview_id  # the chat shows it filed, not its buttons
    assert "✅" not in json.dumps(edited.params.get("reply_markup") or {}, ensure_ascii=False)
    assert api("POST", f"pending/{note.pk}/confirm/").status_code == 409


@actions
def test_choosing_a_topic_in_the_app_rerenders_the_chat_preview(api, telegram, archive, deliver):
    _group, topics = archive
    note, preview_id = pending_note(deliver)
    telegram.reset()
    response = api("POST", f"pending/{note.pk}/topic/", {"topic": topics["ideas"].pk})
    action = finished(api, response)
    assert action["note"]["topic"]["name"] == "💡 Идеи"
    [edited] = telegram.calls("editMessageText")
    assert edited.params["message_id"] == preview_id
    assert "💡 Идеи" in edited.params["text"]


@actions
def test_cancelling_in_the_app_says_so_in_the_chat(api, telegram, archive, deliver):
    note, preview_id = pending_note(deliver)
    telegram.reset()
    response = api("POST", f"pending/{note.pk}/cancel/")
    assert finished(api, response)["note"]["status"] == "cancelled"
    [edited] = telegram.calls("editMessageText")
    assert edited.params["message_id"] == preview_id
    assert api("GET", "pending/").json() == []


def test_a_topic_of_someone_else_cannot_be_chosen(api, telegram, archive, deliver, bob):
    note, _preview = pending_note(deliver)
    bobs = TopicFactory(group=ForumGroupFactory(owner=bob, chat_id=-1006), thread_id=3)
    assert api("POST", f"pending/{note.pk}/topic/", {"topic": bobs.pk}).status_code == 404
    assert api("POST", f"pending/{note.pk}/topic/", {"topic": "x"}).status_code == 400


# -- usage ---------------------------------------------------------------------------------------


def test_usage_counts_notes_and_cost_per_day_and_month(api, telegram, alice):
    NoteFactory(owner=alice, cost_usd=Decimal("0.01"), status=NoteStatus.PUBLISHED)
    NoteFactory(owner=alice, cost_usd=Decimal("0.02"))
    old = NoteFactory(owner=alice, cost_usd=Decimal("0.5"))
    Note.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    NoteFactory(owner=UserFactory(), cost_usd=Decimal("9"))
    body = api("GET", "usage/?days=7&months=3").json()
    assert len(body["days"]) == 7
    assert len(body["months"]) == 3
    assert body["days"][-1]["notes"] == 2
    assert body["days"][-1]["filed"] == 1
    assert Decimal(body["days"][-1]["cost_usd"]) == Decimal("0.03")
    assert body["totals"]["notes"] == 3
    assert Decimal(body["totals"]["cost_usd"]) == Decimal("0.53")
    assert api("GET", "usage/?days=0").status_code == 400


# -- refusals of HTTP itself ----------------------------------------------------------------------


def test_a_wrong_method_is_405(api, telegram, alice):
    assert api("DELETE", "me/").status_code == 405
    assert api("PUT", "pending/").status_code == 405


def test_an_oversized_body_is_413(api, telegram, alice, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = api("POST", "format-preview/", {"format_template": "x" * 5000})
    assert response.status_code == 413
    assert response.json()["detail"]


def test_a_body_that_is_not_json_is_400(client, telegram, alice):
    response = client.post(
        "/api/v1/topics/",
        data="{not json",
        content_type="application/json",
        headers=tma(signed_init_data(ALICE)),
    )
    assert response.status_code == 400


def test_the_schema_lists_every_endpoint(client):
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    paths = set(schema["paths"])
    expected = {
        "/api/v1/me/",
        "/api/v1/preferences/",
        "/api/v1/groups/",
        "/api/v1/topics/",
        "/api/v1/topics/order/",
        "/api/v1/topics/{topic_id}/",
        "/api/v1/format-preview/",
        "/api/v1/notes/",
        "/api/v1/notes/{note_id}/",
        "/api/v1/notes/{note_id}/refile/",
        "/api/v1/notes/{note_id}/retry/",
        "/api/v1/pending/",
        "/api/v1/pending/{note_id}/confirm/",
        "/api/v1/pending/{note_id}/topic/",
        "/api/v1/pending/{note_id}/cancel/",
        "/api/v1/usage/",
        "/api/v1/actions/{action_id}/",
        "/api/v1/reminders/",
        "/api/v1/reminders/{reminder_id}/",
        "/api/v1/notes/{note_id}/reminder/",
    }
    assert paths == expected
    assert "telegramInitData" in schema["components"]["securitySchemes"]
    assert client.get("/api/docs/").status_code == 200


def test_as_in_telegram_follows_the_language_telegram_speaks_at_each_visit(api, telegram, alice):
    assert api("GET", "me/").json()["language"] == "ru"
    english = {**ALICE, "language_code": "en"}
    assert api("GET", "me/", user=english).json()["language"] == "en"
    api("PATCH", "preferences/", {"language": "ru"}, user=english)
    assert api("GET", "me/", user=english).json()["language"] == "ru"  # her choice holds


def test_a_template_error_says_its_line_and_problem_in_the_owners_language(api, telegram, archive):
    response = api("POST", "format-preview/", {"format_template": "x\n{% if %}"})
    assert response.status_code == 400
    [message] = response.json()["format_template"]
    assert "2" in message
    assert "Unexpected" not in message
    assert message == (
        "Шаблон оформления не компилируется, строка 2: "
        "у этого тега нет условия или оно не закончено."
    )


@actions
def test_an_action_is_answered_at_once_and_only_its_owner_may_follow_it(
    api, telegram, archive, deliver
):
    from tests.webapp.initdata import BOB

    note, _preview = pending_note(deliver)
    response = api("POST", f"pending/{note.pk}/cancel/")
    assert response.status_code == 202
    assert response.json()["note"]["id"] == note.pk
    action_id = response.json()["id"]
    assert api("GET", f"actions/{action_id}/", user=BOB).status_code == 404
    assert api("GET", "actions/nope/").status_code == 404
    assert finished(api, response)["state"] == "done"
