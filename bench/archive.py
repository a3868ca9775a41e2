"""Export of 100,000 notes and import of 10,000 messages, each in a process of its own.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/secretary_bench_archive \\
    .venv/bin/python bench/archive.py [--notes 100000] [--messages 10000]

The database is created, migrated and filled with one owner's notes in 10 topics, and
dropped at the end. Each measurement runs ``manage.py`` as a child process, so its wall
time and its peak RSS (wait4's ru_maxrss) are its own:

- ``export_notes`` as a Markdown vault and as JSON (notes read in chunks, written straight
  into the file), beside the baseline: the same notes loaded at once and dumped as one
  JSON document, as a naive export would;
- ``import_telegram_export`` of a generated single-chat Telegram Desktop export (the
  local provider classifies every message), beside the baseline of reading the same file
  with ``json.load`` alone.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import ROOT, create_database, database_url, drop_database, write_result

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")
os.environ.setdefault("DEBUG", "1")

OWNER_TELEGRAM_ID = 7_700_001
CHOOSER = random.Random(7)  # noqa: S311 - a benchmark's sample, not a secret
TOPICS = [
    ("🛒 Shopping", "Groceries and things to buy: milk, bread, a new kettle"),
    ("📚 Books", "Books and articles to read, quotes, authors"),
    ("💡 Ideas", "Project ideas, things to build, startups"),
    ("✈️ Travel", "Trips, flights, hotels, visas, passports"),
    ("💰 Finance", "Bills, payments, taxes, budget, salary"),
    ("🏃 Health", "Workouts, doctors, sleep, running"),
    ("🎬 Movies", "Films and series to watch"),
    ("🍳 Recipes", "Cooking, recipes, dinner ideas"),
    ("✅ To-dos", "Things to do, call, book an appointment"),
    ("🎵 Music", "Songs, albums, concerts"),
]
SENTENCES = [
    "Buy milk, bread and a new kettle on the way home",
    "Read Dune by Frank Herbert and the essay on notes",
    "Idea: a bot that files notes into forum topics",
    "Book flights to Tokyo and check the visa rules",
    "Pay the electricity bill before the 25th",
    "Run 5 km on Saturday morning, then stretch",
    "Watch Arrival and the new season of Severance",
    "Recipe: pasta with lemon, garlic and parmesan",
    "Call the dentist to book an appointment",
    "Listen to the new Radiohead album tonight",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args()
    url = database_url("secretary_bench_archive")
    create_database(url, fresh=True)
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)  # commands run inline; nothing reaches a broker
    os.environ.update({"DATABASE_URL": url})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    try:
        with tempfile.TemporaryDirectory() as folder:
            result = _measure(Path(folder), env, args.notes, args.messages)
    finally:
        connections.close_all()
        drop_database(url)
    write_result(
        "archive", "make bench (or: BENCH_DATABASE_URL=… .venv/bin/python bench/archive.py)", result
    )


def _measure(folder: Path, env: dict[str, str], notes: int, messages: int) -> dict:
    owner = _seed(notes)
    export = {
        fmt: _child(
            [
                *("manage.py", "export_notes", "--owner", str(OWNER_TELEGRAM_ID)),
                *("--format", fmt, "--output", str(folder / f"export.{fmt}")),
            ],
            env,
        )
        for fmt in ("markdown", "json")
    }
    for fmt, extension in (("markdown", "markdown"), ("json", "json")):
        export[fmt]["bytes"] = (folder / f"export.{extension}").stat().st_size
    baseline_export = _child(
        ["-c", _NAIVE_EXPORT.format(owner=owner, out=str(folder / "naive.json"))], env
    )
    export_file = _telegram_export(folder / "result.json", messages)
    importer = _child(
        ["manage.py", "import_telegram_export", str(export_file), "--owner", "7700002"], env
    )
    baseline_import = _child(["-c", f"import json; json.load(open({str(export_file)!r}))"], env)
    from notes.models import Note

    imported = Note.objects.filter(owner__telegram_id=7_700_002).count()
    result = {
        "notes": notes,
        "export_markdown_s": export["markdown"]["seconds"],
        "export_markdown_rss_mb": export["markdown"]["rss_mb"],
        "export_markdown_mb": round(export["markdown"]["bytes"] / 2**20, 1),
        "export_json_s": export["json"]["seconds"],
        "export_json_rss_mb": export["json"]["rss_mb"],
        "export_json_mb": round(export["json"]["bytes"] / 2**20, 1),
        "export_naive_s": baseline_export["seconds"],
        "export_naive_rss_mb": baseline_export["rss_mb"],
        "messages": messages,
        "imported": imported,
        "import_s": importer["seconds"],
        "import_rss_mb": importer["rss_mb"],
        "import_notes_per_s": round(imported / importer["seconds"], 1),
        "import_json_load_s": baseline_import["seconds"],
        "import_json_load_rss_mb": baseline_import["rss_mb"],
    }
    for key, value in result.items():
        print(f"{key}: {value}")
    return result


_NAIVE_EXPORT = """
import django, json; django.setup()
from notes.models import Note
rows = list(Note.objects.filter(owner_id={owner}).values())
open({out!r}, "w").write(json.dumps(rows, default=str, ensure_ascii=False))
"""


# The child's own peak RSS: VmHWM of its memory map, read as it exits. (wait4's ru_maxrss
# would also count the copy of this benchmark's process the child was forked from.)
_PEAK = """
import atexit, os, runpy, sys
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            open(os.environ["BENCH_PEAK_FILE"], "w").write(line.split()[1])
atexit.register(peak)
args = sys.argv[1:]
if args[0] == "-c":
    sys.argv = ["-c"]
    exec(compile(args[1], "<bench>", "exec"), {"__name__": "__main__"})
else:
    sys.argv = args
    runpy.run_path(args[0], run_name="__main__")
"""


def _child(arguments: list[str], env: dict[str, str]) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as peak:
        started = time.perf_counter()
        completed = subprocess.run(  # noqa: S603  (our own manage.py, arguments built here)
            [sys.executable, "-c", _PEAK, *arguments],
            cwd=ROOT,
            env={**env, "BENCH_PEAK_FILE": peak.name},
            stdout=subprocess.DEVNULL,
            check=False,
        )
        seconds = time.perf_counter() - started
        if completed.returncode != 0:
            sys.exit(f"{' '.join(arguments[:3])} failed ({completed.returncode})")
        rss_kb = int(peak.read() or 0)
    return {"seconds": round(seconds, 2), "rss_mb": round(rss_kb / 1024, 1)}


def _seed(count: int) -> int:
    from notes.models import Note, NoteStatus
    from secretary.models import User
    from topics.models import ForumGroup, Topic

    owner = User.objects.create(username="bench-owner", telegram_id=OWNER_TELEGRAM_ID)
    importer = User.objects.create(username="bench-importer", telegram_id=7_700_002)
    for who, chat in ((owner, -1009000000001), (importer, -1009000000002)):
        group = ForumGroup.objects.create(chat_id=chat, title="Bench", owner=who, is_forum=True)
        topics = [
            Topic.objects.create(group=group, thread_id=n + 2, name=name, description=text)
            for n, (name, text) in enumerate(TOPICS)
        ]
    topics = list(Topic.objects.filter(group__owner=owner))
    start = datetime(2020, 1, 1, tzinfo=UTC)
    batch = []
    for n in range(count):
        topic = CHOOSER.choice(topics)
        text = f"{CHOOSER.choice(SENTENCES)} — note {n} with **stars** and [brackets]"
        batch.append(
            Note(
                owner=owner,
                source_chat_id=OWNER_TELEGRAM_ID,
                source_message_id=n + 1,
                kind="text",
                text=text,
                entities=[{"type": "bold", "offset": 0, "length": 4}] if n % 5 == 0 else [],
                status=NoteStatus.PUBLISHED,
                topic=topic,
                title=text[:40],
                tags=["bench", topic.name.split()[-1].lower()],
                rendered_text=f"<b>{text[:40]}</b>\n\n{text}",
                published_chat_id=-1009000000001,
                published_message_ids=[n + 10],
                published_at=start + timedelta(minutes=n),
            )
        )
        if len(batch) == 5000:
            Note.objects.bulk_create(batch)
            batch = []
    Note.objects.bulk_create(batch)
    return int(owner.pk)


def _telegram_export(path: Path, count: int) -> Path:
    base = int(datetime(2021, 1, 1, tzinfo=UTC).timestamp())
    messages = []
    for n in range(1, count + 1):
        stamp = base + n * 60
        text = f"{CHOOSER.choice(SENTENCES)} #{n}"
        message = {
            "id": n,
            "type": "message" if n % 50 else "service",
            "date": datetime.fromtimestamp(stamp, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "date_unixtime": str(stamp),
            "from": "Bench",
            "from_id": "user7700002",
            "text": text,
            "text_entities": [{"type": "plain", "text": text}],
        }
        messages.append(message)
    document = {
        "name": "Saved Messages",
        "type": "saved_messages",
        "id": 7700002,
        "messages": messages,
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1))
    return path


if __name__ == "__main__":
    main()
