"""``manage.py chat``: the secretary in the terminal, through the same pipeline.

The command runs as a newcomer runs it: a subprocess on the embedded default (an
SQLite file, no Redis, no token, the local AI provider), its input piped in. What it
filed is read back from the SQLite file, exactly as a Telegram-filed note is stored.
Every test talks as its own terminal user, so they share one migrated database.
"""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from notes.management.commands.chat import PipedReader, language_from_locale
from notes.models import NoteStatus
from notes.ports import DeliveryError, View
from notes.services.publishing import PublicationPlan
from notes.terminal import LocalArchive, TerminalDisplay, html_to_text
from secretary.models import Language
from tests.factories import ForumGroupFactory, NoteFactory, TopicFactory

PROJECT = Path(__file__).resolve().parents[2]
MILK = "Купить молоко и хлеб"


@dataclass(frozen=True)
class Embedded:
    env: dict[str, str]
    database: Path


@dataclass(frozen=True)
class StoredNote:
    text: str
    status: str
    topic: str | None
    published_message_ids: str


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Embedded:
    """A migrated SQLite file and the environment of a machine with nothing configured."""
    database = tmp_path_factory.mktemp("chat") / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "REDIS_URL",
            "TELEGRAM_BOT_TOKEN",
            "CELERY_TASK_ALWAYS_EAGER",
            "OPENAI_API_KEY",
            "GEMINI_API_KEY",
            "NOTE_PORTS",
            "LOG_LEVEL",
            "LC_ALL",
            "LC_MESSAGES",
        }
    }
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "AI_PROVIDERS": "local",
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
    }
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    return Embedded(env, database)


@pytest.fixture
def user(request: pytest.FixtureRequest) -> str:
    """A terminal user of the test's own: its own archive, its own notes."""
    return request.node.name.removeprefix("test_")[:60]


def chat(
    embedded: Embedded, typed: str, *arguments: str, user: str, **env: str
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", "chat", "--user", user, *arguments],
        cwd=PROJECT,
        env=embedded.env | env,
        input=typed,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result


def stored_notes(embedded: Embedded, user: str) -> list[StoredNote]:
    with sqlite3.connect(embedded.database) as connection:
        rows = connection.execute(
            """
            SELECT note.text, note.status, topic.name, note.published_message_ids
            FROM notes_note AS note
            JOIN secretary_user AS owner ON owner.id = note.owner_id
            LEFT JOIN topics_topic AS topic ON topic.id = note.topic_id
            WHERE owner.username = ?
            ORDER BY note.id
            """,
            [f"terminal-{user}"],
        ).fetchall()
    return [StoredNote(*row) for row in rows]


def topic_names(embedded: Embedded, user: str) -> list[str]:
    with sqlite3.connect(embedded.database) as connection:
        rows = connection.execute(
            """
            SELECT topic.name FROM topics_topic AS topic
            JOIN topics_forumgroup AS grp ON grp.id = topic.group_id
            JOIN secretary_user AS owner ON owner.id = grp.owner_id
            WHERE owner.username = ? ORDER BY topic.position
            """,
            [f"terminal-{user}"],
        ).fetchall()
    return [name for (name,) in rows]


# -- through the command -------------------------------------------------------------------


def test_a_note_piped_in_is_previewed_for_shopping_and_choice_one_files_it(embedded, user):
    result = chat(embedded, f"{MILK}\n1\n", "--language", "ru", user=user)

    assert MILK in result.stdout
    assert "Тема: 🛒 Покупки ·" in result.stdout
    assert "Почему:" in result.stdout
    for choice in (
        "1 ✅ в «🛒 Покупки»",
        "2 📂 другая тема",
        "3 ➕ новая тема",
        "4 ✏️ изменить",
        "5 ❌ отменить",
    ):
        assert choice in result.stdout
    assert "✅ Сохранено в «🛒 Покупки»" in result.stdout
    assert "6 ↩️ вернуть" in result.stdout
    [note] = stored_notes(embedded, user)
    assert (note.text, note.status, note.topic) == (MILK, NoteStatus.PUBLISHED, "🛒 Покупки")
    assert note.published_message_ids == "[1]"


def test_a_pasted_note_of_several_lines_is_one_note(embedded, user):
    chat(embedded, "Прочитать книгу\nВойна и мир\nТолстой\n\n", "--language", "ru", user=user)

    [note] = stored_notes(embedded, user)
    assert note.text == "Прочитать книгу\nВойна и мир\nТолстой"
    assert note.status == NoteStatus.AWAITING_CONFIRMATION


def test_choice_two_and_a_topic_number_files_the_note_there(embedded, user):
    result = chat(embedded, f"{MILK}\n2\n5\n1\n", "--language", "ru", user=user)

    assert "  5. ✈️ Путешествия" in result.stdout
    assert "Тема: ✈️ Путешествия (ваш выбор)" in result.stdout
    [note] = stored_notes(embedded, user)
    assert (note.status, note.topic) == (NoteStatus.PUBLISHED, "✈️ Путешествия")


def test_choice_three_and_a_name_creates_a_topic_for_the_note(embedded, user):
    result = chat(embedded, f"{MILK}\n3\nМолочное\n1\n", "--language", "ru", user=user)

    assert "Пришлите название новой темы" in result.stdout
    assert "Молочное" in topic_names(embedded, user)
    [note] = stored_notes(embedded, user)
    assert (note.status, note.topic) == (NoteStatus.PUBLISHED, "Молочное")


def test_choice_four_and_a_text_replaces_the_notes_text(embedded, user):
    result = chat(embedded, f"{MILK}\n4\nКупить кефир\n", "--language", "ru", user=user)

    assert "Пришлите новый текст заметки" in result.stdout
    assert "Купить кефир" in result.stdout.split("Пришлите новый текст заметки")[1]
    [note] = stored_notes(embedded, user)
    assert (note.text, note.status) == ("Купить кефир", NoteStatus.AWAITING_CONFIRMATION)


def test_choice_five_cancels_the_note(embedded, user):
    result = chat(embedded, f"{MILK}\n5\n", "--language", "ru", user=user)

    assert "❌ Отменено" in result.stdout
    [note] = stored_notes(embedded, user)
    assert note.status == NoteStatus.CANCELLED


def test_choice_six_after_filing_takes_the_note_back(embedded, user):
    result = chat(embedded, f"{MILK}\n1\n6\n", "--language", "ru", user=user)

    assert result.stdout.count("1 ✅ в «🛒 Покупки»") == 2  # the preview again after undo
    [note] = stored_notes(embedded, user)
    assert (note.status, note.published_message_ids) == (NoteStatus.AWAITING_CONFIRMATION, "[]")


def test_topics_help_and_quit_answer_and_quit_leaves_before_the_rest(embedded, user):
    result = chat(
        embedded, f"/topics\n/help\n/settings\n/quit\n{MILK}\n", "--language", "ru", user=user
    )

    assert "  1. 🛒 Покупки — " in result.stdout
    assert "  6. 💰 Финансы — " in result.stdout
    assert "/topics — " in result.stdout
    assert "Язык: Русский" in result.stdout
    assert stored_notes(embedded, user) == []


def test_the_chat_speaks_english_with_language_en(embedded, user):
    result = chat(embedded, "Buy milk and bread\n1\n", "--language", "en", user=user)

    assert "Topic: 🛒 Shopping ·" in result.stdout
    assert "1 ✅ file to «🛒 Shopping»" in result.stdout
    assert "✅ Filed to «🛒 Shopping»" in result.stdout
    [note] = stored_notes(embedded, user)
    assert (note.status, note.topic) == (NoteStatus.PUBLISHED, "🛒 Shopping")


def test_the_language_follows_the_locale_when_not_given(embedded, user):
    result = chat(embedded, "/settings\n", user=user, LANG="ru_RU.UTF-8")

    assert "Язык: Русский" in result.stdout


def test_numbers_that_are_not_choices_get_a_short_line_and_no_traceback(embedded, user):
    result = chat(embedded, f"3\n{MILK}\n9\n2\n42\n/nonsense\n", "--language", "en", user=user)

    assert "There is nothing to choose now: send a note first." in result.stdout
    assert "There is no choice 9 here; choose one of 1, 2, 3, 4, 5." in result.stdout
    assert "There is no topic number 42." in result.stdout
    assert "Unknown command /nonsense" in result.stdout
    [note] = stored_notes(embedded, user)
    assert note.status == NoteStatus.AWAITING_CONFIRMATION


# -- the pieces ----------------------------------------------------------------------------


def test_html_to_text_strips_the_tags_and_unescapes_the_entities():
    markup = (
        '<b>Fish &amp; chips</b>\n<i>2 &lt; 3</i> &quot;ok&quot; <a href="https://x.org">site</a>'
    )

    assert html_to_text(markup) == 'Fish & chips\n2 < 3 "ok" site (https://x.org)'


def test_html_to_text_does_not_repeat_a_link_that_is_its_own_text():
    assert html_to_text('🔗 <a href="https://x.org">https://x.org</a>') == "🔗 https://x.org"


@pytest.mark.django_db
def test_the_display_prints_the_preview_as_plain_text_with_numbered_choices(alice):
    topic = TopicFactory(group=ForumGroupFactory(owner=alice), name="📚 Книги")
    note = NoteFactory(
        owner=alice,
        topic=topic,
        confidence=0.87,
        reason="Про книги",
        rendered_text="<b>Толстой</b> &amp; Чехов",
        classification={"suggested_topic_id": topic.pk},
    )
    out = io.StringIO()
    display = TerminalDisplay(out)

    first = display.show(note, View.AWAITING)
    second = display.show(note, View.AWAITING, problem=DeliveryError(DeliveryError.TOPIC_GONE))

    printed = out.getvalue()
    assert "Толстой & Чехов\n" in printed
    assert "<b>" not in printed
    assert "Тема: 📚 Книги · 87%\nПочему: Про книги\n  1 ✅ в «📚 Книги»" in printed
    assert "⚠️" in printed.split("Почему", 2)[2]
    assert (first, second) == (1, 2)
    assert display.current is not None
    assert display.current.note_id == note.pk


@pytest.mark.django_db
def test_the_display_without_a_topic_offers_no_filing_and_names_the_suggestion(bob):
    note = NoteFactory(owner=bob, classification={"suggested_topic_name": "Movies"})
    out = io.StringIO()

    TerminalDisplay(out).show(note, View.AWAITING)

    assert "No topic was chosen." in out.getvalue()
    assert "«Movies»" in out.getvalue()
    assert "  1 " not in out.getvalue()
    assert "  2 📂 another topic" in out.getvalue()


def test_the_local_archive_files_only_the_parts_not_yet_sent():
    plan = PublicationPlan(
        note_id=1,
        chat_id=-5,
        thread_id=2,
        topic_name="Ideas",
        kind="text",
        source_chat_id=5,
        source_message_id=1,
        parts=["one", "two", "three"],
        sent=[7],
    )
    heard: list[list[int]] = []

    publication = LocalArchive(last_message_id=10).post(plan, heard.append)

    assert publication.message_ids == [7, 11, 12]
    assert publication.link == "local:Ideas"
    assert heard == [[7, 11], [7, 11, 12]]


def test_local_archive_refuses_downloads():
    with pytest.raises(DeliveryError) as refused:
        LocalArchive().download({"file_id": "x"})

    assert refused.value.reason == DeliveryError.REFUSED


def test_piped_lines_form_one_note_until_a_blank_line_or_a_number():
    reader = PipedReader(io.StringIO("first\nsecond\n2\nthird\n\n/topics\n\nfourth"))

    assert [reader.read() for _ in range(6)] == [
        "first\nsecond",
        "2",
        "third",
        "/topics",
        "fourth",
        None,
    ]


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({"LANG": "ru_RU.UTF-8"}, Language.RUSSIAN),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "ru_RU.UTF-8"}, Language.ENGLISH),
        ({"LANG": "C.UTF-8"}, Language.ENGLISH),
        ({}, Language.ENGLISH),
    ],
)
def test_the_default_language_comes_from_the_locale(environ, language):
    assert language_from_locale(environ) == language


def test_a_links_page_title_is_shown_under_the_note(embedded, user):
    from tests.fakes.website import FakeWebsite

    with FakeWebsite() as site:
        site.page("/novel", "<title>Солярис</title><meta property=og:site_name content=Вики>")
        url = site.url("/novel")
        result = chat(
            embedded,
            f"Прочитать {url}\n\n",
            "--language",
            "ru",
            user=user,
            LINK_FETCH_ALLOWED_HOSTS=site.host_port,
        )

    assert "🔗 Солярис · Вики" in result.stdout
    [note] = stored_notes(embedded, user)
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
