"""/export in ``manage.py chat`` and ``--owner local``, on the embedded default (SQLite,
inline tasks, no token), run as a newcomer runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

from tests.notes.test_chat import PROJECT, chat, embedded, user  # noqa: F401

MILK = "Купить молоко и хлеб"


def test_export_in_the_terminal_chat_writes_the_vault_and_the_json(embedded, user, tmp_path):  # noqa: F811
    vault, document = tmp_path / "vault.zip", tmp_path / "notes.json"

    result = chat(
        embedded,
        f"{MILK}\n1\n/export markdown {vault}\n/export json {document}\n/export xml a b\n",
        "--language",
        "ru",
        user=user,
    )

    assert f"Заметок выгружено: 1 → {vault}" in result.stdout
    assert f"Заметок выгружено: 1 → {document}" in result.stdout
    assert "Как вызывать: /export [markdown|json] [файл]" in result.stdout
    [name] = zipfile.ZipFile(vault).namelist()
    assert name.startswith("🛒 Покупки/")
    assert name.endswith(".md")
    assert json.loads(document.read_text())["notes"][0]["text"] == MILK


def test_export_notes_owner_local_is_the_terminal_owner(embedded, user, tmp_path):  # noqa: F811
    chat(embedded, f"{MILK}\n1\n", "--language", "ru", user=user)
    output = tmp_path / "local.json"

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "export_notes",
            "--owner",
            "local",
            "--format",
            "json",
            "--output",
            str(output),
        ],
        cwd=PROJECT,
        env=embedded.env | {"USER": user, "LOGNAME": user},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(output.read_text())["note_count"] == 1
