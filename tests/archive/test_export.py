"""Both export formats: front matter, Markdown, safe names, streaming, the JSON document."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
import yaml
from django.core.management import CommandError, call_command

from notes.archive.export import notes_export
from notes.archive.names import NameBook, safe_name
from notes.models import NoteKind, NoteStatus
from tests.factories import ForumGroupFactory, NoteFactory, TopicFactory

pytestmark = pytest.mark.django_db

GROUP = -1002000000001


@pytest.fixture
def books(alice):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP)
    return TopicFactory(group=group, thread_id=11, name="📚 Книги")


def vault(owner) -> zipfile.ZipFile:
    out = io.BytesIO()
    notes_export(owner=owner, format="markdown", out=out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def split_front_matter(document: str) -> tuple[dict, str]:
    assert document.startswith("---\n")
    header, body = document[4:].split("\n---\n", 1)
    return yaml.safe_load(header), body


def test_a_filed_note_has_its_front_matter_and_markdown_body(alice, books):
    note = NoteFactory(
        owner=alice,
        topic=books,
        status=NoteStatus.PUBLISHED,
        title="Дюна",
        text="Прочитать Дюну: очень советуют",
        entities=[{"type": "bold", "offset": 10, "length": 4}],
        tags=["книги", "фантастика"],
        published_chat_id=GROUP,
        published_message_ids=[321, 322],
        published_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC),
        forward_origin={
            "type": "channel",
            "chat": {"id": -100777, "title": "Книжный клуб", "username": "bookclub"},
            "message_id": 45,
            "date": 1700000000,
        },
    )
    with vault(alice) as archive:
        assert archive.namelist() == ["📚 Книги/Дюна.md"]
        meta, body = split_front_matter(archive.read("📚 Книги/Дюна.md").decode())
    assert meta == {
        "id": note.pk,
        "title": "Дюна",
        "topic": "📚 Книги",
        "status": "published",
        "kind": "text",
        "created": note.created_at.isoformat(),
        "filed": "2026-05-01T12:00:00+00:00",
        "tags": ["книги", "фантастика"],
        "source": "https://t.me/bookclub/45",
        "forwarded_from": "Книжный клуб",
        "filed_message": "https://t.me/c/2000000001/11/321",
    }
    assert body.strip() == "Прочитать **Дюну**: очень советуют"


def test_markdown_keeps_links_code_and_quotes_and_adds_transcript_and_link_previews(alice, books):
    text = "See docs and run x_y * 2\nsecond line"
    NoteFactory(
        owner=alice,
        topic=books,
        title="Docs",
        kind=NoteKind.VOICE,
        text=text,
        entities=[
            {"type": "text_link", "offset": 4, "length": 4, "url": "https://example.org/d?a=1&b=2"},
            {"type": "code", "offset": 17, "length": 3},
        ],
        transcript="Said *this* out loud",
        link_metadata=[
            {
                "url": "https://example.org/d?a=1&b=2",
                "title": "Docs [v2]",
                "description": "All the docs",
                "status": "ok",
            }
        ],
    )
    with vault(alice) as archive:
        _, body = split_front_matter(archive.read("📚 Книги/Docs.md").decode())
    assert "See [docs](https://example.org/d?a=1&b=2) and run `x_y` \\* 2\nsecond line" in body
    assert "## Transcript\n\nSaid \\*this\\* out loud" in body
    assert "## Links\n\n- [Docs \\[v2\\]](<https://example.org/d?a=1&b=2>) — All the docs" in body


def test_entities_count_in_utf16_and_nest(alice, books):
    NoteFactory(
        owner=alice,
        topic=books,
        title="Торт",
        text="🎉 Праздник 🎂 торт заказать",
        entities=[
            {"type": "bold", "offset": 15, "length": 13},
            {"type": "italic", "offset": 15, "length": 4},
            {"type": "mention", "offset": 0, "length": 2},
        ],
    )
    with vault(alice) as archive:
        _, body = split_front_matter(archive.read("📚 Книги/Торт.md").decode())
    assert body.strip() == "🎉 Праздник 🎂 ***торт* заказать**"


def test_hostile_titles_become_safe_distinct_file_names(alice, books):
    titles = ["../../etc/passwd", "CON", "con.txt", 'a/b\\c:d*e?f"g<h>i|j', "...", "Same", "same"]
    for title in titles:
        NoteFactory(owner=alice, topic=books, title=title, text="x")
    NoteFactory(owner=alice, topic=books, title="", text="\u202etxt.exe\x1b\x07 hidden\n2nd")
    NoteFactory(owner=alice, topic=books, title="я" * 250, text="long")
    with vault(alice) as archive:
        names = archive.namelist()
    files = [name.split("/", 1)[1] for name in names]
    assert len(set(names)) == len(names) == 9
    assert all(name.startswith("📚 Книги/") for name in names)
    for name in files:
        assert "/" not in name
        assert "\\" not in name
        assert not name.startswith(".")
        assert not any(char in name for char in '<>:"|?*\x1b\x07\u202e')
        assert len(name.encode()) <= 130
        assert name.split(".")[0].strip().lower() not in {"con", "prn", "aux", "nul"}
    assert "etc passwd.md" in files
    assert {"Same.md", "same (2).md"} <= set(files)
    assert "txt.exe hidden.md" in files


def test_safe_name_falls_back_when_nothing_is_left():
    assert safe_name(" .. ", fallback="Note 7") == "Note 7"
    assert safe_name("nul", fallback="Note 7") == "Note 7 nul"
    book = NameBook()
    assert [book.claim("a", ".md") for _ in range(3)] == ["a.md", "a (2).md", "a (3).md"]


def test_notes_without_a_topic_go_to_one_folder_and_other_owners_notes_stay_out(alice, bob):
    NoteFactory(owner=alice, title="Mine", text="x")
    NoteFactory(owner=bob, title="Not mine", text="y")
    with vault(alice) as archive:
        assert archive.namelist() == ["Без темы/Mine.md"]


def test_the_json_document_holds_topics_and_every_note_field(alice, books):
    NoteFactory(owner=alice, topic=books, text="<b>not markup</b> & \x01", tags=["a"])
    NoteFactory(owner=alice, text="второй")
    out = io.BytesIO()
    assert notes_export(owner=alice, format="json", out=out) == 2
    document = json.loads(out.getvalue())
    assert (document["format"], document["version"], document["note_count"]) == (
        "personal-secretary-export",
        1,
        2,
    )
    assert [topic["name"] for topic in document["topics"]] == ["📚 Книги"]
    assert document["topics"][0]["group"] == {"chat_id": GROUP, "title": books.group.title}
    first, second = document["notes"]
    assert (first["text"], first["topic"], first["tags"]) == (
        "<b>not markup</b> & \x01",
        books.pk,
        ["a"],
    )
    assert (second["text"], second["topic"]) == ("второй", None)


def test_an_empty_archive_exports_an_empty_but_valid_document(alice):
    out = io.BytesIO()
    assert notes_export(owner=alice, format="json", out=out) == 0
    assert json.loads(out.getvalue())["notes"] == []


def test_the_command_writes_the_file_and_says_what_is_wrong(alice, books, tmp_path):
    NoteFactory(owner=alice, topic=books, title="One", text="x")
    output = tmp_path / "vault.zip"
    stdout = io.StringIO()
    call_command(
        "export_notes", "--owner", str(alice.telegram_id), "--output", str(output), stdout=stdout
    )
    assert "1 notes exported" in stdout.getvalue()
    assert zipfile.ZipFile(output).namelist() == ["📚 Книги/One.md"]
    with pytest.raises(CommandError, match="no owner with Telegram id 42"):
        call_command("export_notes", "--owner", "42", "--output", str(output))
    with pytest.raises(CommandError, match="no folder"):
        call_command(
            "export_notes", "--owner", str(alice.telegram_id), "--output", "/nonexistent/x.zip"
        )
