"""Import of Telegram Desktop exports (both shapes), idempotent and resumable; the bad
inputs; and the restore of this project's own JSON export."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from notes.archive import importer
from notes.archive.export import notes_export
from notes.archive.forget import owner_forget
from notes.archive.importer import import_job_cancel, import_job_run, import_job_start
from notes.archive.models import ImportedMessage, ImportJob
from notes.archive.telegram_export import NotAnExport
from notes.models import FilingExample, Note, NoteStatus
from notes.telegram_html import entities_to_html
from secretary.models import User
from topics.models import Topic

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data" / "telegram_export"
SINGLE, FULL = DATA / "result.json", DATA / "full_result.json"


def run_import(path, owner) -> str:
    out = io.StringIO()
    call_command("import_telegram_export", str(path), "--owner", str(owner.telegram_id), stdout=out)
    return out.getvalue()


def note_of(owner, message_id: int) -> Note:
    return Note.objects.get(owner=owner, imported__message_id=message_id)


def test_a_single_chat_export_becomes_notes_with_their_dates_entities_forwards_and_replies(
    alice, archive, telegram
):
    _group, topics = archive

    report = run_import(SINGLE, alice)

    assert report.splitlines() == [
        "Imported: 9 notes.",
        "Skipped: 1 service message, 1 sticker, 2 messages without text, "
        "1 message of an unknown kind.",
        "The notes wait in your history; they are not posted into the group.",
    ]
    milk = note_of(alice, 2)
    assert milk.text == "Купить молоко и хлеб"
    assert milk.created_at == datetime(2021, 3, 1, 10, 1, tzinfo=UTC)
    assert milk.topic == topics["shopping"]
    assert milk.status == NoteStatus.EXPIRED
    assert milk.ai_provider == "local"
    assert milk.rendered_text
    dune = note_of(alice, 3)
    assert entities_to_html(dune.text, dune.entities) == (
        'Прочитать <b>Дюну</b> Герберта: <a href="https://example.org/dune?a=1&amp;b=2">'
        "рецензия</a> и <code>isbn 978-5</code>"
    )
    assert dune.kind == "link"
    forward = note_of(alice, 4)
    assert (forward.forward_origin or {}).get("sender_user_name") == "Книжный клуб"
    assert forward.kind == "forward"
    assert note_of(alice, 5).imported.reply_to_message_id == 3
    photo = note_of(alice, 6)
    assert photo.text == "Паспорт: скан для визы, поездка в Японию"
    assert photo.imported.media == "photos/photo_1@01-03-2021_10-05-00.jpg"
    assert entities_to_html(note_of(alice, 10).text, note_of(alice, 10).entities) == (
        "Идея: <b>бот</b> для заметок, придумать проект"
    )
    cake = note_of(alice, 12)
    assert entities_to_html(cake.text, cake.entities) == "🎉 Праздник 🎂 <b>торт</b> заказать"
    assert note_of(alice, 11).text == "<script>alert(1)</script> & <b>не разметка</b> \x07 звонок"
    # Nothing was sent anywhere, and nothing taught the classifier yet.
    assert telegram.calls() == []
    assert not FilingExample.objects.exists()


def test_importing_the_same_file_again_creates_nothing_twice(alice, archive):
    run_import(SINGLE, alice)

    report = run_import(SINGLE, alice)

    assert report.splitlines()[0] == "Imported: 0 notes."
    assert "Already here: 9." in report
    assert Note.objects.filter(owner=alice).count() == 9


def test_the_full_export_with_its_chat_list_imports_every_chat(alice, archive):
    report = run_import(FULL, alice)

    assert report.splitlines()[0] == "Imported: 7 notes."
    chats = sorted(set(ImportedMessage.objects.values_list("export_chat_id", "chat_name")))
    assert chats == [(5550001, ""), (1777000111, "Книжный клуб")]
    # Message 2 of both chats: two notes, told apart by their chat.
    assert Note.objects.filter(owner=alice, imported__message_id=2).count() == 2
    hashtag = Note.objects.get(imported__export_chat_id=1777000111, imported__message_id=3)
    assert hashtag.entities == [{"type": "hashtag", "offset": 0, "length": 6}]


def test_a_crash_mid_import_resumes_where_it_stopped_without_losing_or_doubling(
    alice, archive, monkeypatch
):
    monkeypatch.setattr(importer, "BATCH", 3)
    job = import_job_start(owner=alice, path=str(SINGLE)).job
    seen = []

    def crash_after_the_second_batch(progress_job):
        seen.append(progress_job.position)
        if len(seen) == 2:
            raise SystemExit("killed")

    with pytest.raises(SystemExit):
        import_job_run(job_id=job.pk, progress=crash_after_the_second_batch)
    job.refresh_from_db()
    assert (job.status, job.position) == ("running", 6)
    assert Note.objects.filter(owner=alice).count() == 5

    import_job_run(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.imported, job.already_present, job.position) == ("done", 9, 0, 14)
    assert Note.objects.filter(owner=alice).count() == 9


def test_a_cancelled_import_stops_and_keeps_what_is_in(alice, archive, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 3)
    job = import_job_start(owner=alice, path=str(SINGLE)).job

    import_job_run(job_id=job.pk, progress=lambda _job: import_job_cancel(owner=alice))

    job.refresh_from_db()
    assert job.status == "cancelled"
    assert Note.objects.filter(owner=alice).count() == 2
    assert import_job_start(owner=alice, path=str(SINGLE)).started


def test_an_import_asked_for_twice_at_once_runs_once(alice):
    first = import_job_start(owner=alice, path=str(SINGLE))
    second = import_job_start(owner=alice, path=str(SINGLE))
    assert first.started
    assert not second.started
    assert second.job.pk == first.job.pk


@pytest.mark.parametrize(
    ("make", "line"),
    [
        (lambda d: d / "nothing.json", "There is no file there."),
        (lambda d: d, "That folder holds no result.json: point at the export's result.json."),
        (
            lambda d: _zip(d / "export.zip"),
            "This is a zip: unpack it and import the result.json inside.",
        ),
        (
            lambda d: _write(d / "x.json", b"<html>hello</html>"),
            "This is not JSON: in Telegram Desktop choose “Machine-readable JSON” as the format.",
        ),
        (
            lambda d: _write(d / "x.json", SINGLE.read_bytes()[:300]),
            "The JSON is broken (was the file cut short?): export it again.",
        ),
        (
            lambda d: _write(d / "x.json", b'{"name": "x", "list": [1, 2]}'),
            "This JSON is not a Telegram Desktop export: it has no messages.",
        ),
        (
            lambda d: _write(d / "x.json", b"[1, 2, 3]"),
            "This JSON is not a Telegram Desktop export: it has no messages.",
        ),
        (
            lambda d: _sparse(d / "huge.json", 2 * 1024**3),
            "The file is over 1.0\xa0GB: export single chats and import them one by one.",
        ),
    ],
    ids=["missing", "folder", "zip", "not-json", "malformed", "other-json", "array", "2-gb"],
)
def test_bad_files_get_a_one_line_reason_and_change_nothing(alice, tmp_path, make, line):
    path = make(tmp_path)

    with pytest.raises(CommandError) as refused:
        run_import(path, alice)

    assert str(refused.value) == line
    assert not Note.objects.exists()


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(SINGLE, "result.json")
    return path


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as out:
        out.write(b"{")
        out.truncate(size)
    return path


def test_a_folder_with_result_json_and_hostile_long_text_import(alice, tmp_path):
    export = tmp_path / "ChatExport_2021-03-01"
    export.mkdir()
    long_text = "Очень длинная мысль. " * 5000  # 105,000 characters
    document = {
        "name": "Saved Messages",
        "type": "saved_messages",
        "id": 5550001,
        "messages": [
            {"id": 1, "type": "message", "date_unixtime": "1614592800", "text": long_text},
            {"id": 2, "type": "message", "date_unixtime": "1614592800", "text": "\x00 nul"},
        ],
    }
    (export / "result.json").write_text(json.dumps(document))

    assert run_import(export, alice).startswith("Imported: 2 notes.")
    assert len(note_of(alice, 1).text) == len(long_text)
    assert note_of(alice, 2).text == "\ufffd nul"


def test_export_forget_import_gives_back_the_same_notes_topics_and_texts(alice, archive, tmp_path):
    run_import(SINGLE, alice)
    Note.objects.filter(owner=alice, imported__message_id=2).update(
        status=NoteStatus.PUBLISHED, published_chat_id=-1002000000001, published_message_ids=[9]
    )
    backup = tmp_path / "backup.json"
    with backup.open("wb") as out:
        notes_export(owner=alice, format="json", out=out)

    def snapshot():
        return sorted(
            (
                note.text,
                note.topic.name if note.topic else None,
                note.status,
                note.created_at,
                json.dumps(note.entities),
                note.published_message_ids,
                note.rendered_text,
            )
            for note in Note.objects.filter(owner__telegram_id=5550001).select_related("topic")
        )

    def topics():
        return sorted(
            Topic.objects.filter(group__owner__telegram_id=5550001).values_list(
                "name", "description", "thread_id", "format_template"
            )
        )

    before, topics_before = snapshot(), topics()
    owner_forget(owner=alice)
    assert not Note.objects.exists()
    returning = User.objects.create(username="tg5550001", telegram_id=5550001)

    report = run_import(backup, returning)

    assert report.splitlines()[0] == "Imported: 9 notes."
    assert snapshot() == before
    assert topics() == topics_before
    assert run_import(backup, returning).splitlines()[0] == "Imported: 0 notes."


def test_the_command_names_an_unknown_owner(tmp_path):
    with pytest.raises(CommandError, match="no owner with Telegram id 42"):
        call_command("import_telegram_export", str(SINGLE), "--owner", "42")


@pytest.fixture
def copied(tmp_path):
    path = tmp_path / "result.json"
    shutil.copy(SINGLE, path)
    return path


def test_a_file_that_breaks_mid_way_keeps_what_came_before(alice, archive, copied):
    content = copied.read_bytes()
    copied.write_bytes(content[: content.index(b'"id": 10')])
    with pytest.raises(CommandError, match="The JSON is broken"):
        run_import(copied, alice)
    job = ImportJob.objects.get(owner=alice)
    assert job.status == "failed"
    assert job.imported == Note.objects.filter(owner=alice).count() == 5
    assert isinstance(NotAnExport("malformed"), Exception)
