"""Search and "already saved" at scale, on PostgreSQL and on the embedded SQLite default.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/secretary_bench_search \\
    .venv/bin/python bench/search.py

PostgreSQL: the database is created, migrated and filled with 100,000 notes of 50 owners
(Russian and English sentences over a few thousand word forms, a third with a link, some
forwards), indexed as the migration's backfill indexes them; it is dropped at the end.
Measured in one run, on the same rows:

- searches of one to three words (``note_search``: the count and the first page of five,
  what /find shows), by random owners; beside them the baseline, the substring scan
  (``icontains`` over text, transcript, title and rendered text) the history used before;
- the size of the GIN index and of the search table;
- the duplicate check (``note_earlier_copy``) of new notes, half of them copies;
- writing a note's search entry (``note_search_index``), as the worker does per note.

SQLite: the same searches over 10,000 notes of 10 owners in a temporary file (FTS5), run
in a child process with ``DATABASE_URL=sqlite:///…``.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import create_database, drop_database, percentiles, write_result

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")

POSTGRES_NOTES, POSTGRES_OWNERS = 100_000, 50
SQLITE_NOTES, SQLITE_OWNERS = 10_000, 10
SEARCHES = 400
BASELINE_SEARCHES = 100
DUPLICATE_CHECKS = 500
BATCH = 5_000
TARGETS = {"postgres_p95_ms": 30, "sqlite_p95_ms": 50, "duplicate_check_ms": 5}
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/secretary_bench_search"

RUSSIAN_WORDS = """
    договор аренды квартиры офиса гаража подписать продлить оплатить счёт счета налоги
    налоговой вычет отпуск билеты гостиница поездка поезд самолёт визу паспорт
    книга книги статья статью прочитать автор рецепт пирога борща купить молоко хлеб
    сыр кофе чай врач стоматолог анализы записаться позвонить маме брату встреча
    встречу проект задача идея бота сайта приложения ремонт кухни ванной машины
    шины страховка кредит ипотека зарплата премия подписка сервис музыка фильм
    сериал концерт театр выставка подарок день рождения свадьба дача сад цветы
    собака кошка ветеринар корм школа урок экзамен курс английского программирование
"""
ENGLISH_WORDS = """
    lease agreement contract renew sign pay invoice bill taxes refund trip tickets hotel
    flight train visa passport book books article read author recipe bread milk cheese
    coffee tea doctor dentist appointment call meeting project task idea website app
    repair kitchen car tyres insurance loan mortgage salary bonus subscription music film
    series concert theatre exhibition gift birthday wedding garden flowers dog cat school
    lesson exam course programming python django database search index
"""
RUSSIAN, ENGLISH = RUSSIAN_WORDS.split(), ENGLISH_WORDS.split()


def sentence(chooser: random.Random) -> str:
    words = RUSSIAN if chooser.random() < 0.7 else ENGLISH
    return " ".join(chooser.choice(words) for _ in range(chooser.randint(6, 20))).capitalize()


def queries(chooser: random.Random, count: int) -> list[str]:
    found = []
    for _ in range(count):
        words = RUSSIAN if chooser.random() < 0.7 else ENGLISH
        found.append(" ".join(chooser.choice(words) for _ in range(chooser.randint(1, 3))))
    return found


# -- filling the database -------------------------------------------------------------------


def seed(notes_count: int, owners_count: int) -> list[Any]:
    """Owners, a topic each, and their filed notes with search entries and link keys."""
    from django.db import connection
    from django.utils import timezone

    from notes.models import Note, NoteLinkKey, NoteSearchEntry, NoteStatus
    from notes.search.indexing import link_keys, search_values, search_vector
    from secretary.models import Preferences, User
    from topics.models import ForumGroup, Topic

    chooser = random.Random(7)  # noqa: S311 - a benchmark's data, not a secret
    postgres = connection.vendor == "postgresql"
    users = User.objects.bulk_create(
        User(username=f"bench-search-{n}", telegram_id=8_100_000 + n) for n in range(owners_count)
    )
    Preferences.objects.bulk_create(Preferences(user=user) for user in users)
    groups = ForumGroup.objects.bulk_create(
        ForumGroup(chat_id=-1_008_000_000_000 - n, owner=user, title="Bench")
        for n, user in enumerate(users)
    )
    topics = Topic.objects.bulk_create(
        Topic(group=group, thread_id=10, name="Inbox", position=1) for group in groups
    )
    now = timezone.now()
    for start in range(0, notes_count, BATCH):
        batch = []
        for number in range(start, min(start + BATCH, notes_count)):
            owner = number % owners_count
            text = sentence(chooser)
            links = None
            if number % 3 == 0:
                url = f"https://www.site{number % 997}.example/post/{number}?utm_source=tg"
                links = [{"url": url, "title": sentence(chooser)[:80], "status": "ok"}]
                text = f"{text} {url}"
            forward = None
            if number % 10 == 0:
                forward = {"type": "channel", "chat": {"id": -1001, "title": "Канал"},
                           "message_id": number}  # fmt: skip
            batch.append(
                Note(
                    owner=users[owner],
                    topic=topics[owner],
                    source_chat_id=users[owner].telegram_id or 0,
                    source_message_id=number,
                    kind="text",
                    text=text,
                    title=" ".join(text.split()[:3]),
                    tags=[chooser.choice(RUSSIAN)],
                    link_metadata=links,
                    forward_origin=forward,
                    status=NoteStatus.CANCELLED
                    if (number // owners_count) % 5 == 4
                    else (NoteStatus.PUBLISHED),
                    published_chat_id=groups[owner].chat_id,
                    published_message_ids=[number + 1],
                    published_at=now,
                )
            )
        created = Note.objects.bulk_create(batch)
        entries = []
        for note in created:
            values = search_values(note)
            vector = search_vector(note.owner_id, values) if postgres else None
            entries.append(
                NoteSearchEntry(note_id=note.pk, owner_id=note.owner_id, vector=vector, **values)
            )
        NoteSearchEntry.objects.bulk_create(entries)
        NoteLinkKey.objects.bulk_create(
            NoteLinkKey(note_id=note.pk, owner_id=note.owner_id, url=url, key=key)
            for note in created
            for key, url in link_keys(note).items()
        )
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # the steady state autovacuum keeps
    return users


# -- measuring ------------------------------------------------------------------------------


def time_searches(users: list[Any], texts: list[str]) -> tuple[list[float], list[float], int]:
    """Each search's time: those full-text search answered, and those that fell back to
    similar words (pg_trgm) because it found nothing; and how many found something."""
    from notes.search.selectors import note_search

    chooser = random.Random(11)  # noqa: S311
    exact: list[float] = []
    near: list[float] = []
    hits = 0
    for text in texts:
        owner = chooser.choice(users)
        started = time.perf_counter()
        results = note_search(owner=owner, text=text)
        count = results.count()
        page = results[:5]
        (near if results.near else exact).append((time.perf_counter() - started) * 1000)
        hits += bool(count and page)
    return exact, near, hits


def time_substring_scan(users: list[Any], texts: list[str]) -> list[float]:
    """The baseline: what the history's search did before (a scan with icontains)."""
    from django.db.models import Q

    from notes.models import Note

    chooser = random.Random(11)  # noqa: S311
    samples = []
    for text in texts:
        owner = chooser.choice(users)
        started = time.perf_counter()
        words = Q()
        for field in ("text", "transcript", "title", "rendered_text"):
            words |= Q(**{f"{field}__icontains": text})
        notes = Note.objects.filter(owner=owner).filter(words).order_by("-created_at", "-id")
        notes.count()
        list(notes[:5])
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def time_duplicate_checks(users: list[Any]) -> tuple[list[float], int]:
    from notes.models import Note
    from notes.search.selectors import note_earlier_copy

    chooser = random.Random(13)  # noqa: S311
    filed = list(
        Note.objects.filter(status="published").order_by("?")[:DUPLICATE_CHECKS]
    )  # copies of these
    samples, found = [], 0
    for number, earlier in enumerate(filed):
        copy = number % 2 == 0
        note = Note(
            owner_id=earlier.owner_id,
            text=earlier.text if copy else sentence(chooser),
            link_metadata=earlier.link_metadata if copy else None,
            forward_origin=earlier.forward_origin if copy else None,
        )
        started = time.perf_counter()
        found += note_earlier_copy(note) is not None
        samples.append((time.perf_counter() - started) * 1000)
    return samples, found


def time_indexing() -> list[float]:
    from notes.models import Note
    from notes.search.indexing import note_search_index

    samples = []
    for note in Note.objects.order_by("?")[:300]:
        started = time.perf_counter()
        note_search_index(note=note)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_relation_size('search_vector_idx'), "
            "pg_total_relation_size('notes_notesearchentry'), "
            "pg_total_relation_size('notes_notelinkkey'), pg_total_relation_size('notes_note')"
        )
        index, entries, links, notes = cursor.fetchone()
    return {"gin_index": index, "search_table": entries, "link_keys": links, "notes": notes}


# -- the two runs ---------------------------------------------------------------------------


def postgres_run() -> dict[str, Any]:
    url = os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        sys.exit("BENCH_DATABASE_URL must name a PostgreSQL database of the benchmark's own.")
    os.environ["DATABASE_URL"] = url
    create_database(url, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        users = seed(POSTGRES_NOTES, POSTGRES_OWNERS)
        seeded = time.perf_counter() - started
        texts = queries(random.Random(5), SEARCHES)  # noqa: S311
        time_searches(users, texts[:20])  # warm the caches and the morphology
        search, near, hits = time_searches(users, texts)
        baseline = time_substring_scan(users, texts[:BASELINE_SEARCHES])
        duplicates, copies = time_duplicate_checks(users)
        indexing = time_indexing()
        measured_sizes = sizes()
    finally:
        connections.close_all()
        drop_database(url)
    return {
        "notes": POSTGRES_NOTES,
        "owners": POSTGRES_OWNERS,
        "seed_s": round(seeded, 1),
        "search_ms": percentiles(search),
        "typo_fallback_ms": percentiles(near),
        "search_hits": hits,
        "substring_scan_ms": percentiles(baseline),
        "duplicate_check_ms": percentiles(duplicates),
        "duplicates_found": copies,
        "duplicate_checks": len(duplicates),
        "index_note_ms": percentiles(indexing),
        "sizes_bytes": measured_sizes,
    }


def sqlite_child() -> None:
    """In the child process: DATABASE_URL is an SQLite file."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    users = seed(SQLITE_NOTES, SQLITE_OWNERS)
    texts = queries(random.Random(5), SEARCHES)  # noqa: S311
    time_searches(users, texts[:20])
    search, _near, hits = time_searches(users, texts)  # no fallback on SQLite
    baseline = time_substring_scan(users, texts[:BASELINE_SEARCHES])
    print(
        "RESULT"
        + json.dumps(
            {
                "notes": SQLITE_NOTES,
                "owners": SQLITE_OWNERS,
                "search_ms": percentiles(search),
                "search_hits": hits,
                "substring_scan_ms": percentiles(baseline),
            }
        )
    )


def sqlite_run() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
        env["DATABASE_URL"] = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
        child = subprocess.run(  # noqa: S603 - this very script, in a child process
            [sys.executable, __file__, "--sqlite-child"],
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
    if child.returncode != 0:
        sys.exit(f"The SQLite run failed:\n{child.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(child.stdout.split("RESULT", 1)[1])
    return result


def main() -> None:
    if "--sqlite-child" in sys.argv:
        sqlite_child()
        return
    sqlite = sqlite_run()
    postgres = postgres_run()
    print(
        f"PostgreSQL, {postgres['notes']} notes of {postgres['owners']} owners: search p50/p95 "
        f"{postgres['search_ms']['p50']}/{postgres['search_ms']['p95']} ms "
        f"(substring scan p95 {postgres['substring_scan_ms']['p95']} ms); GIN index "
        f"{postgres['sizes_bytes']['gin_index'] / 2**20:.1f} MiB; duplicate check p95 "
        f"{postgres['duplicate_check_ms']['p95']} ms"
    )
    print(
        f"SQLite, {sqlite['notes']} notes: search p50/p95 {sqlite['search_ms']['p50']}/"
        f"{sqlite['search_ms']['p95']} ms (substring scan p95 {sqlite['substring_scan_ms']['p95']})"
    )
    write_result(
        "search",
        "make bench (or: BENCH_DATABASE_URL=… .venv/bin/python bench/search.py)",
        {
            "targets": TARGETS,
            # Other work shares the machine: the load average says how much.
            "load_average": [round(load, 1) for load in os.getloadavg()],
            "postgres": postgres,
            "sqlite": sqlite,
        },
    )


if __name__ == "__main__":
    main()
