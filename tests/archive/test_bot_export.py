"""/export in the private chat, through the webhook and the fake Bot API."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client

from notes.archive.export import LINK_SALT, export_link_token
from notes.archive.models import ExportJob
from notes.models import NoteStatus
from telegram_bot.archive.callbacks import ExportCallback
from tests.factories import NoteFactory
from tests.telegram_bot.conftest import ALICE_CHAT, press, private_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"
    return settings.EXPORT_ROOT


@pytest.fixture
def filed(alice, archive):
    _group, topics = archive
    return [
        NoteFactory(
            owner=alice,
            topic=topics["books"],
            status=NoteStatus.PUBLISHED,
            title=f"Книга {n}",
            text=f"Прочитать книгу номер {n}",
        )
        for n in range(3)
    ]


def uploaded_document(telegram) -> tuple[str, bytes]:
    """The file of the one sendDocument call: aiogram sends it as ``attach://<part>``."""
    [call] = telegram.calls("sendDocument")
    [upload] = telegram.requests_to("sendDocument")
    return upload.uploads()[call["document"].removeprefix("attach://")]


def ask_export(deliver, telegram) -> int:
    deliver(private_text("/export", message_id=300))
    [question] = telegram.calls("sendMessage")
    assert question["chat_id"] == ALICE_CHAT
    assert question["text"].startswith("Экспорт всех заметок. В каком формате?")
    assert question.buttons == [["📝 Markdown"], ["📝 Markdown с файлами"], ["🗂 JSON"]]
    return max(message_id for chat_id, message_id in telegram.messages if chat_id == ALICE_CHAT)


def test_export_asks_the_format_and_sends_the_vault_as_a_document(telegram, deliver, filed, alice):
    question = ask_export(deliver, telegram)
    telegram.reset()

    deliver(press(ExportCallback(format="markdown").pack(), message_id=question))

    progress = telegram.calls("editMessageText")
    assert progress[0]["message_id"] == question
    assert progress[0]["text"] == "⏳ Готовлю экспорт…"
    assert progress[-1]["text"] == "✅ Экспорт готов: 3 заметки."
    [document] = telegram.calls("sendDocument")
    assert document["chat_id"] == ALICE_CHAT
    assert document["caption"] == "✅ Экспорт готов: 3 заметки."
    filename, content = uploaded_document(telegram)
    assert filename.startswith("secretary-notes-")
    assert filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(content)) as vault:
        assert sorted(vault.namelist()) == [f"📚 Книги/Книга {n}.md" for n in range(3)]
    assert ExportJob.objects.get(owner=alice).status == ExportJob.Status.DONE


def test_the_json_export_is_sent_as_a_json_document(telegram, deliver, filed):
    question = ask_export(deliver, telegram)
    telegram.reset()

    deliver(press(ExportCallback(format="json").pack(), message_id=question))

    filename, content = uploaded_document(telegram)
    assert filename.endswith(".json")
    assert json.loads(content)["note_count"] == 3


def test_past_the_upload_limit_a_signed_link_is_sent_instead(
    telegram, deliver, filed, settings, alice
):
    settings.EXPORT_DOCUMENT_LIMIT = 100
    settings.PUBLIC_URL = "https://secretary.example.org"
    question = ask_export(deliver, telegram)
    telegram.reset()

    deliver(press(ExportCallback(format="markdown").pack(), message_id=question))

    assert telegram.calls("sendDocument") == []
    final = telegram.calls("editMessageText")[-1]["text"]
    assert final.startswith("✅ Экспорт готов: 3 заметки.\n\nФайл весит")
    url = final.rsplit("\n", 1)[1]
    assert url.startswith("https://secretary.example.org/archive/download/")
    response = Client().get(url.removeprefix("https://secretary.example.org"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="secretary-notes-')
    content = b"".join(response.streaming_content)
    assert len(zipfile.ZipFile(io.BytesIO(content)).namelist()) == 3


def test_an_export_asked_for_twice_at_once_runs_once(telegram, deliver, filed, alice):
    ExportJob.objects.create(owner=alice, format="json", chat_id=ALICE_CHAT)
    question = ask_export(deliver, telegram)
    telegram.reset()

    deliver(press(ExportCallback(format="markdown").pack(), message_id=question))

    assert telegram.calls("sendDocument") == []
    [answer] = telegram.calls("answerCallbackQuery")
    assert answer["text"] == "Экспорт уже идёт: файл придёт, как только будет готов."
    assert answer["show_alert"] is True
    assert ExportJob.objects.filter(owner=alice).count() == 1


def finished_export(owner, export_root) -> ExportJob:
    job = ExportJob.objects.create(
        owner=owner, format="json", status=ExportJob.Status.DONE, file_name="export.json", size=2
    )
    path = export_root / str(owner.pk) / f"export-{job.pk}.json"
    path.parent.mkdir(parents=True)
    path.write_text("{}")
    return job


def test_the_link_refuses_another_owner_a_forgery_and_an_expired_signature(
    alice, bob, export_root, settings, client
):
    job = finished_export(alice, export_root)
    good = export_link_token(job)
    assert client.get(f"/archive/download/{good}/").status_code == 200

    bobs = signing.dumps({"j": job.pk, "o": bob.pk}, salt=LINK_SALT, compress=True)
    assert client.get(f"/archive/download/{bobs}/").status_code == 404
    forged = good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb")
    assert client.get(f"/archive/download/{forged}/").status_code == 404

    settings.EXPORT_LINK_TTL = timedelta(seconds=-1)
    expired = client.get(f"/archive/download/{good}/")
    assert expired.status_code == 410
    assert b"expired" in expired.content


def test_with_files_the_vault_holds_what_the_bot_can_download(telegram, deliver, alice, archive):
    _group, topics = archive
    telegram.add_file("photo-1", b"\xff\xd8jpeg bytes")
    NoteFactory(
        owner=alice,
        topic=topics["travel"],
        kind="photo",
        title="Паспорт",
        text="Скан паспорта",
        files=[{"type": "photo", "file_id": "photo-1", "message_id": 5, "file_size": 11}],
    )
    NoteFactory(
        owner=alice,
        topic=topics["travel"],
        kind="document",
        title="Большой",
        text="Слишком большой файл",
        files=[{"type": "document", "file_id": "huge", "file_name": "a.pdf", "file_size": 10**9}],
    )
    question = ask_export(deliver, telegram)
    telegram.reset()

    deliver(press(ExportCallback(format="markdown", media=True).pack(), message_id=question))

    _filename, content = uploaded_document(telegram)
    with zipfile.ZipFile(io.BytesIO(content)) as vault:
        assert vault.read("✈️ Путешествия/media/Паспорт.jpg") == b"\xff\xd8jpeg bytes"
        assert "![photo](<media/Паспорт.jpg>)" in vault.read("✈️ Путешествия/Паспорт.md").decode()
        assert "- a.pdf" in vault.read("✈️ Путешествия/Большой.md").decode()
        assert not [name for name in vault.namelist() if name.endswith(".pdf")]
    assert [call["file_id"] for call in telegram.calls("getFile")] == ["photo-1"]
