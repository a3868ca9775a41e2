"""/import in the private chat: a Telegram Desktop export sent as a document, through the
webhook and the fake Bot API; bad files get one line in the owner's language."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from notes.archive.models import ImportJob
from notes.models import Note
from tests.telegram_bot.conftest import ALICE_CHAT, private_text, update

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "telegram_export"
_ids = itertools.count(950_000)


@pytest.fixture(autouse=True)
def export_root(settings, tmp_path):
    settings.EXPORT_ROOT = tmp_path / "exports"


def send_document(
    deliver, telegram, content: bytes, *, name="result.json", caption=None, size=None
):
    file_id = f"doc-{next(_ids)}"
    telegram.add_file(file_id, content)
    payload = update("private_document", update_id=next(_ids), message_id=next(_ids))
    payload["message"]["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": name,
        "mime_type": "application/json",
        "file_size": len(content) if size is None else size,
    }
    if caption is None:
        payload["message"].pop("caption")
    else:
        payload["message"]["caption"] = caption
    return deliver(payload)


def texts_sent(telegram) -> list[str]:
    return [call["text"] for call in telegram.calls("sendMessage", "editMessageText")]


def test_import_explains_how_in_the_owners_language(telegram, deliver, alice):
    deliver(private_text("/import", message_id=500))
    [answer] = telegram.calls("sendMessage")
    assert answer["text"].startswith("Перенесите заметки из Telegram")
    assert "result.json" in answer["text"]


def test_a_result_json_sent_to_the_bot_is_imported_with_a_report(telegram, deliver, alice, archive):
    send_document(deliver, telegram, (DATA / "result.json").read_bytes())

    assert [call["file_id"] for call in telegram.calls("getFile")] == [
        telegram.calls("getFile")[0]["file_id"]
    ]
    sent = texts_sent(telegram)
    assert sent[0] == "⏳ Импортирую… Скажу здесь, когда закончу."
    report = sent[-1]
    assert report.startswith(
        "Импортировано: 9 заметок.\nПропущено: 1 служебное сообщение, 1 стикер"
    )
    assert "Заметки ждут в истории; в группу они не отправлены." in report
    assert Note.objects.filter(owner=alice).count() == 9
    # Nothing went into the group.
    assert [c for c in telegram.calls("sendMessage") if c["chat_id"] != ALICE_CHAT] == []
    job = ImportJob.objects.get(owner=alice)
    assert job.status == "done"
    assert not Path(job.path).exists()  # the uploaded copy is not kept

    telegram.reset()
    send_document(deliver, telegram, (DATA / "result.json").read_bytes())
    assert texts_sent(telegram)[-1].startswith("Импортировано: 0 заметок.\n")
    assert "Уже были: 9." in texts_sent(telegram)[-1]
    assert Note.objects.filter(owner=alice).count() == 9


@pytest.mark.parametrize(
    ("content", "kwargs", "line"),
    [
        (
            b"PK\x03\x04zipzipzip",
            {"name": "export.zip", "caption": "/import"},
            "Это zip-архив: распакуйте его и импортируйте result.json из него.",
        ),
        (
            b'{"name": "x", "type": "personal_chat", "id": 1, "messages": [',
            {},
            "JSON повреждён (файл обрезан?): экспортируйте его заново.",
        ),
        (
            b'{"hello": "world"}',
            {},
            "Этот JSON — не экспорт Telegram Desktop: в нём нет сообщений.",
        ),
        (
            b"<html></html>",
            {},
            "Это не JSON: в Telegram Desktop выберите формат «Машиночитаемый JSON».",
        ),
        (
            b"{}",
            {"size": 2 * 1024**3},
            "Файл больше 20,0\xa0МБ — столько бот скачать не может: импортируйте его на сервере "
            "командой manage.py import_telegram_export или экспортируйте чаты по одному.",
        ),
    ],
    ids=["zip", "malformed", "not-an-export", "not-json", "2-gb"],
)
def test_bad_files_get_one_line_and_nothing_is_imported(
    telegram, deliver, alice, content, kwargs, line
):
    send_document(deliver, telegram, content, **kwargs)

    assert texts_sent(telegram)[-1] == line
    assert not Note.objects.exists()


def test_a_pdf_with_a_caption_is_still_a_note_not_an_import(telegram, deliver, alice, archive):
    deliver(update("private_document", update_id=next(_ids)))
    assert not ImportJob.objects.exists()
    assert Note.objects.filter(owner=alice, kind="document").count() == 1
