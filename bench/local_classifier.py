"""How fast the local classifier is: per-note latency at 20 and 200 topics.

    make bench   (or: DEBUG=1 .venv/bin/python bench/local_classifier.py)

Topics: the evaluation workspaces' topics (21), then numbered projects up to the count;
200 filed examples; notes: the evaluation notes, each classified as a new note (the
features of a note's text are not reused between rounds; the topic index is, as it is
between an owner's notes). Measured alone, then with one process per core classifying
at the same time (as a worker's pool does), and beside the baseline: the same notes
with the index rebuilt for every one (what the first note after a filing pays).
Writes ``bench/results/local_classifier.json``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from bench.common import percentiles, write_result  # noqa: E402
from notes.ai.evaluation import DEFAULT_DATASET, DEFAULT_WORKSPACES, load_cases, load_workspaces  # noqa: E402
from notes.ai.providers import local  # noqa: E402
from notes.ai.types import Example, NoteContext, TopicInfo  # noqa: E402

TOPIC_COUNTS = (20, 200)
EXAMPLES = 200
ROUNDS = 10


def contexts(count: int) -> list[NoteContext]:
    workspaces = load_workspaces(DEFAULT_WORKSPACES)
    known = [topic for workspace in workspaces.values() for topic in workspace.topics]
    topics = [TopicInfo(f"{i}-{t.key}", t.name, t.description) for i, t in enumerate(known)]
    topics += [
        TopicInfo(f"p{n}", f"Проект {n}", f"Проект {n}: задачи, встречи, ссылки и заметки")
        for n in range(len(topics), count)
    ]
    chosen = tuple(topics[:count])
    cases = load_cases(DEFAULT_DATASET)
    examples = tuple(
        Example(text=cases[i % len(cases)].text, topic_key=chosen[i % len(chosen)].key)
        for i in range(EXAMPLES)
    )
    return [
        NoteContext(text=case.text, language="ru", topics=chosen, examples=examples)
        for case in cases
    ]


def timed(notes: list[NoteContext], *, rebuild: bool, rounds: int = ROUNDS) -> list[float]:
    provider = local.LocalProvider()
    provider.classify(notes[0])  # imports, dictionaries, translations
    forget_text = getattr(local, "note_features", None)
    timings = []
    for _ in range(rounds):
        for context in notes:
            if forget_text is not None:
                forget_text.cache_clear()  # every note is a new text
            if rebuild:
                local._index.cache_clear()
            started = time.perf_counter()
            provider.classify(context)
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _in_process(count: int) -> list[float]:
    return timed(contexts(count), rebuild=False)


def main() -> None:
    cores = os.cpu_count() or 1
    rows = []
    for count in TOPIC_COUNTS:
        notes = contexts(count)
        alone = percentiles(timed(notes, rebuild=False))
        rebuilt = percentiles(timed(notes[:10], rebuild=True, rounds=3))
        with multiprocessing.get_context("fork").Pool(cores) as pool:
            together = [ms for run in pool.map(_in_process, [count] * cores) for ms in run]
        rows.append(
            {
                "topics": count,
                "examples": EXAMPLES,
                "alone_ms": alone,
                f"concurrent_{cores}_processes_ms": percentiles(together),
                "baseline_index_rebuilt_ms": rebuilt,
            }
        )
        print(
            f"local classifier, {count} topics: p50 {alone['p50']} ms alone, "
            f"{percentiles(together)['p50']} ms with {cores} processes at once; "
            f"index rebuilt every note: p50 {rebuilt['p50']} ms"
        )
    write_result(
        "local_classifier",
        "make bench (or: DEBUG=1 .venv/bin/python bench/local_classifier.py)",
        {"cores_used": cores, "rows": rows},
    )


if __name__ == "__main__":
    main()
