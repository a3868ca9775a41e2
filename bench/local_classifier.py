"""How fast the local classifier is: per-note latency for 20 topics.

    DEBUG=1 .venv/bin/python bench/local_classifier.py

Topics: the first 20 of the evaluation workspaces' topics, in one set; notes:
the evaluation notes, classified many times. "warm" is the usual case (the
topic index is cached between notes); "cold" rebuilds the index for every note,
as happens once after each new filing, here with 200 filed examples.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from notes.ai.evaluation import DEFAULT_DATASET, DEFAULT_WORKSPACES, load_cases, load_workspaces  # noqa: E402
from notes.ai.providers import local  # noqa: E402
from notes.ai.types import Example, NoteContext  # noqa: E402

ROUNDS = 20


def main() -> None:
    workspaces = load_workspaces(DEFAULT_WORKSPACES)
    topics = tuple(topic for ws in workspaces.values() for topic in ws.topics)[:20]
    topics = tuple(t.__class__(f"{i}-{t.key}", t.name, t.description) for i, t in enumerate(topics))
    cases = load_cases(DEFAULT_DATASET)
    examples = tuple(
        Example(text=cases[i % len(cases)].text, topic_key=topics[i % len(topics)].key)
        for i in range(200)
    )
    contexts = [
        NoteContext(text=case.text, language="ru", topics=topics, examples=examples)
        for case in cases
    ]
    warm = _timed(contexts, clear=False)
    cold = _timed(contexts[:10], clear=True, rounds=3)
    print(f"local classifier, {len(topics)} topics, {len(examples)} examples, {len(cases)} notes")
    print(
        f"warm (index cached): median {statistics.median(warm):.3f} ms, "
        f"p95 {_p95(warm):.3f} ms per note"
    )
    print(
        f"cold (index rebuilt): median {statistics.median(cold):.3f} ms, "
        f"p95 {_p95(cold):.3f} ms per note"
    )


def _timed(contexts: list[NoteContext], *, clear: bool, rounds: int = ROUNDS) -> list[float]:
    provider = local.LocalProvider()
    provider.classify(contexts[0])  # imports, translations
    timings = []
    for _ in range(rounds):
        for context in contexts:
            if clear:
                local._index.cache_clear()
            started = time.perf_counter()
            provider.classify(context)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p95(values: list[float]) -> float:
    return sorted(values)[int(0.95 * (len(values) - 1))]


if __name__ == "__main__":
    main()
