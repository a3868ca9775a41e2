"""The same search on the embedded default (SQLite, FTS5), and ``/find`` in
``manage.py chat``: subprocesses on an SQLite file, as a newcomer runs them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

# Runs in ``manage.py shell`` on the SQLite file: notes of two owners through the indexing
# service, then every query of QUERIES through the one search, as note texts.
SCRIPT = """
import json, sys
from datetime import timedelta
from django.utils import timezone
from notes.models import Note, NoteStatus
from notes.search.indexing import note_search_index
from notes.search.selectors import SearchScope, note_search
from notes.search.text import QueryProblem
from secretary.models import User

alice = User.objects.create(username="alice-sqlite", telegram_id=8_990_001)
bob = User.objects.create(username="bob-sqlite", telegram_id=8_990_002)
rows = [
    (alice, "Подписать договор аренды квартиры", "", NoteStatus.PUBLISHED, 3),
    (alice, "Договоры с поставщиками в папке", "", NoteStatus.AWAITING_CONFIRMATION, 2),
    (alice, "Renew the lease agreements before March", "", NoteStatus.PUBLISHED, 1),
    (alice, "Билеты и гостиница", "Отпуск в Грузии", NoteStatus.PUBLISHED, 9),
    (alice, "Где-то упоминался отпуск в горах", "", NoteStatus.PUBLISHED, 0),
    (alice, "Отменённая заметка про аренду", "", NoteStatus.CANCELLED, 0),
    (bob, "Пароль от сейфа и аренда гаража", "", NoteStatus.PUBLISHED, 0),
]
for number, (owner, text, title, status, days) in enumerate(rows):
    note = Note.objects.create(
        owner=owner, source_chat_id=owner.telegram_id, source_message_id=number + 1,
        kind="text", text=text, title=title, status=status,
    )
    Note.objects.filter(pk=note.pk).update(created_at=timezone.now() - timedelta(days=days))
    note_search_index(note=note)

answers = {}
for owner, query, every in json.loads(sys.stdin.read()):
    who = alice if owner == "alice" else bob
    scope = SearchScope(statuses=None) if every else None
    try:
        results = note_search(owner=who, text=query, scope=scope)
        answers[f"{owner}:{query}:{every}"] = [note.text for note in results[:20]]
    except QueryProblem as problem:
        answers[f"{owner}:{query}:{every}"] = problem.reason
print("ANSWERS" + json.dumps(answers, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a machine with nothing configured, on a migrated SQLite file."""
    database = tmp_path_factory.mktemp("search") / "db.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "TELEGRAM_BOT_TOKEN", "CELERY_TASK_ALWAYS_EAGER", "NOTE_PORTS"}
    }
    env |= {
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "AI_PROVIDERS": "local",
        "LANG": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "LOG_LEVEL": "WARNING",
    }
    manage(env, "migrate", "--no-input")
    return env


def manage(env: dict[str, str], *arguments: str, stdin: str = "") -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    return result.stdout


def search_answers(env: dict[str, str], queries: list[tuple[str, str, bool]]) -> dict:
    script = SCRIPT.replace("sys.stdin.read()", repr(json.dumps(queries)))
    output = manage(env, "shell", "-c", script)
    return json.loads(output.split("ANSWERS", 1)[1])


def test_the_one_search_works_the_same_on_sqlite(sqlite_env):
    queries = [
        ("alice", "аренда", False),
        ("alice", "договоры", False),
        ("alice", "agreement", False),
        ("alice", "отпуск", False),
        ("alice", "догов", False),
        ("alice", "аренда", True),
        ("bob", "аренда", False),
        ("bob", "договор", False),
        ("alice", 'аренда & !(договор) NEAR "x" -', False),
        ("alice", "аренда) OR (договор*", False),
        ("alice", "🙂 !!!", False),
        ("alice", "   ", False),
    ]

    answers = search_answers(sqlite_env, queries)

    assert answers["alice:аренда:False"] == ["Подписать договор аренды квартиры"]
    assert answers["alice:договоры:False"] == [
        "Договоры с поставщиками в папке",  # newer of two equally good matches
        "Подписать договор аренды квартиры",
    ]
    assert answers["alice:agreement:False"] == ["Renew the lease agreements before March"]
    # In the title beats in the text, though older.
    assert answers["alice:отпуск:False"] == [
        "Билеты и гостиница",
        "Где-то упоминался отпуск в горах",
    ]
    assert len(answers["alice:догов:False"]) == 2
    assert sorted(answers["alice:аренда:True"]) == [
        "Отменённая заметка про аренду",
        "Подписать договор аренды квартиры",
    ]
    assert answers["bob:аренда:False"] == ["Пароль от сейфа и аренда гаража"]
    assert answers["bob:договор:False"] == []
    assert answers['alice:аренда & !(договор) NEAR "x" -:False'] == []  # "near", "x": words
    assert answers["alice:аренда) OR (договор*:False"] == ["Подписать договор аренды квартиры"]
    assert answers["alice:🙂 !!!:False"] == "no_words"
    assert answers["alice:   :False"] == "empty"


def test_find_in_the_terminal_chat(sqlite_env):
    typed = (
        "Подписать договор аренды квартиры до пятницы\n1\n"
        "Renew the lease agreements\n1\n"
        "/find аренда\n"
        "/find договоры\n"
        "/find 🙂!!\n"
        "/find\n"
        "/find космодром\n"
        "/help\n"
    )

    output = manage(sqlite_env, "chat", "--user", "finder", "--language", "ru", stdin=typed)

    assert "Нашлась 1 заметка\n1. " in output
    assert "Подписать договор *аренды* квартиры до пятницы" in output
    assert "Напишите слово для поиска" in output
    assert "Отправьте /find и слова для поиска" in output
    assert "По запросу «космодром» ничего не нашлось." in output
    assert "/find слова — найти заметки" in output


def test_the_terminal_preview_names_an_earlier_copy(sqlite_env):
    typed = "Купить молоко и хлеб\n1\nКупить  молоко и хлеб\n5\n"

    output = manage(sqlite_env, "chat", "--user", "copier", "--language", "ru", stdin=typed)

    [line] = [line for line in output.splitlines() if "♻️" in line]
    assert line.startswith("♻️ Уже сохранено ")
    assert line.endswith(" в «🛒 Покупки»")
    # Only the second preview says it: the first note's preview came before it.
    assert output.index("Тема: ") < output.index("♻️") < output.rindex("Тема: ")


def test_notes_stored_before_the_migration_are_found_after_it(tmp_path):
    env = {**os.environ, "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    manage(env, "migrate", "--no-input")
    manage(env, "migrate", "notes", "0006", "--no-input")  # as it was before search
    with sqlite3.connect(tmp_path / "old.sqlite3") as connection:
        connection.execute(
            "INSERT INTO secretary_user (password, is_superuser, username, first_name, "
            "last_name, email, is_staff, is_active, date_joined, telegram_id, "
            "telegram_username, language, has_blocked_bot) VALUES "
            "('', 0, 'old', '', '', '', 0, 1, '2026-01-01', 8990009, '', 'ru', 0)"
        )
        connection.execute(
            "INSERT INTO notes_note (owner_id, source_chat_id, source_message_id, "
            "media_group_id, kind, text, entities, files, transcript, status, ai_provider, "
            "reason, alternatives, classification, title, tags, rendered_text, "
            "published_message_ids, last_error, claimed_by, attempts, failed_from, "
            "input_tokens, output_tokens, cost_usd, created_at, updated_at) VALUES "
            "((SELECT id FROM secretary_user WHERE username = 'old'), 8990009, 1, '', "
            "'text', 'Старый договор аренды', '[]', '[]', '', "
            "'published', '', '', '[]', '{}', '', '[]', '', '[]', '', '', 0, '', 0, 0, 0, "
            "'2026-01-01', '2026-01-01')"
        )

    manage(env, "migrate", "--no-input")

    script = SCRIPT.split("alice = User")[0] + (
        "print('ANSWERS' + json.dumps([n.text for n in note_search("
        "owner=User.objects.get(username='old'), text='аренда')], ensure_ascii=False))"
    )
    output = manage(env, "shell", "-c", script)
    assert json.loads(output.split("ANSWERS", 1)[1]) == ["Старый договор аренды"]
