"""docs/performance.md from bench/results/*.json (what ``make bench`` just measured).

.venv/bin/python bench/report.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import RESULTS, ROOT

DOC = ROOT / "docs" / "performance.md"


MISSES = [
    "## Where targets are missed, and why",
    "",
    "- **Pipeline p50.** A worker pool process spends roughly 100 ms of its own on a text note,",
    "  in two tasks (the update: parse, store the note, react; then preparing it: classify,",
    "  render, send the preview), each a broker round trip. Sampled with py-spy and",
    "  cProfile: about 45 database statements a note, about ten of them UPDATEs, each",
    "  its own commit; aiogram's synchronous filters run through `asyncio.to_thread`",
    "  and every update gets a fresh event loop (`async_to_sync`), whose end joins those",
    "  threads. Building a TLS context for every Bot session and OpenAI client was half of",
    "  the worker's time; one context per process now serves them all (`secretary/tls.py`),",
    "  which took the pipeline at 10 notes/s from about 600 ms to about 160 ms here. Under",
    "  50 ms needs fewer commits per note and one event loop per worker process.",
    "- **Web RSS.** Importing aiogram (737 modules of pydantic models) costs the web process",
    "  about 145 MB: the Mini App's sign-in check (`webapp/auth.py`) and the Telegram ports",
    "  need it; without it the web process starts at about 95 MB. The webhook does not use it.",
    "- **Worker RSS.** A pool process's RSS counts the pages it shares with the worker's",
    "  main process (aiogram, the AI SDKs and the Russian dictionary are loaded before the",
    "  fork); its own (private) memory is in the last column of the table above.",
    "",
]


def load(name: str) -> dict[str, Any] | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def latency(row: dict[str, Any]) -> list[Any]:
    ms = row["latency_ms"]
    return [row["throughput_per_s"], ms["p50"], ms["p95"], ms["p99"], row["errors"]]


def webhook_section(result: dict[str, Any], title: str) -> list[str]:
    load = result["load"]
    lines = [
        f"### {title}",
        "",
        f"{load['rate_seconds']} s at each rate, {load['full_concurrency_requests']} updates at "
        "full concurrency.",
        "",
    ]
    header = ["load", "server", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"]
    rows = []
    for row in result["rates"]:
        for name in ("ours", "bare_aiogram"):
            rows.append([f"{row['rate']}/s", name.replace("_", " "), *latency(row[name])])
    full = result["full_concurrency"]
    for name in ("ours", "bare_aiogram"):
        rows.append(
            [f"full ({full['connections']} conn.)", name.replace("_", " "), *latency(full[name])]
        )
    lines += table(header, rows)
    stored = result["stored"]
    lines += [
        "",
        "Throughput at full concurrency, ours ÷ bare aiogram: "
        f"**{result['ratio_full_concurrency']}**. "
        f"Updates sent to ours: {stored['distinct_sent']} distinct, {stored['stored']} stored, "
        f"{stored['missing']} missing.",
        "",
    ]
    return lines


def profile_section(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    lines = ["## Profile of the web process under full concurrency", ""]
    if not after and not before:
        return [*lines, "Not sampled in this run (`bench/webhook.py --profile`).", ""]
    lines += [
        "py-spy samples of the uvicorn process during the full-concurrency run (idle time",
        "excluded). Share of samples with the area anywhere on the stack:",
        "",
    ]
    shown = [("before", before), ("after", after)]
    areas = next(p for _, p in shown if p)["areas_percent"].keys()
    header = ["area", *[f"{name} (%)" for name, p in shown if p]]
    rows = [[area, *[p["areas_percent"].get(area, 0) for _, p in shown if p]] for area in areas]
    lines += [*table(header, rows), ""]
    for name, profile in shown:
        if profile:
            top = ", ".join(
                f"`{fn}` {share} %" for fn, share in profile["top_of_stack_percent"][:6]
            )
            lines += [
                f"Most often on top of the stack, {name} ({profile['samples']} samples): {top}.",
                "",
            ]
    return lines


def learning_section(result: dict[str, Any] | None) -> list[str]:
    """Learning by meaning (notes/ai/neighbours.py): latency beside words only, memory, size."""
    if not result:
        return []
    memory = result["private_memory_mb"]
    given = result["with_meaning_given_the_notes_embedding_ms"]
    lines = [
        "## Learning from filings by meaning",
        "",
        f"Command: `{result['command']}`. {result['topics']} topics, {result['filings']} "
        "filings with stored vectors, every note a new text; load average while measuring "
        f"{result.get('load_average', '?')} on {result['machine']['cores']} cores (the "
        "machine is shared). Per note, ms:",
        "",
    ]
    lines += table(
        ["", "p50", "p95", "p99"],
        [
            ["baseline: words only (CLASSIFIER_EMBEDDINGS off)"]
            + [result["baseline_words_only_ms"][q] for q in ("p50", "p95", "p99")],
            ["words + k-NN vote, the note's vector given"]
            + [given[q] for q in ("p50", "p95", "p99")],
            ["the note's own embedding (once per note)"]
            + [result["note_embedding_ms"][q] for q in ("p50", "p95", "p99")],
            ["total with meaning"]
            + [result["with_meaning_total_ms"][q] for q in ("p50", "p95", "p99")],
        ],
    )
    lines += [
        "",
        f"Target < 10 ms a note: {verdict(given['p50'] < 10)} for words and vote over stored "
        f"filings (p50 {given['p50']} ms; the vote's own share, beside the baseline in the "
        f"same run: {round(given['p50'] - result['baseline_words_only_ms']['p50'], 2)} ms); "
        f"{verdict(result['with_meaning_total_ms']['p50'] < 10)} once the note's own embedding "
        "is counted (a transformer pass over its tokens). On a busy machine every row is "
        "slower, the baseline included.",
        "",
        "Memory of a fresh process (MB, private = Private_Clean + Private_Dirty). The model "
        "file is mapped read-only: its pages (the RSS growth) are shared by every process "
        "that maps it, here this benchmark's parent; a process mapping it alone counts them "
        "as clean private pages, which the kernel may drop and read again:",
        "",
    ]
    lines += table(
        ["", "private", "RSS"],
        [[name.replace("_", " "), v["private"], v["rss"]] for name, v in memory.items()],
    )
    sizes = ", ".join(f"{name} {mb} MB" for name, mb in result["installed_mb"].items())
    lines += ["", f"Installed on disk: {sizes}.", ""]
    return lines


def main() -> None:
    webhook = load("webhook")
    baseline = load("webhook-baseline")
    classifier = load("local_classifier")
    expiry = load("expiry")
    machine = next(r for r in (webhook, classifier, expiry) if r)["machine"]
    lines = [
        "# Performance",
        "",
        "Written by `make bench` (`bench/report.py` over `bench/results/*.json`); every figure",
        "below is from one run on one machine, loopback only, so compare rows within it rather",
        "than with another machine's.",
        "",
        f"Machine: {machine['cores']} cores, Python {machine['python']}, {machine['platform']}; "
        f"measured {machine['measured_at']}.",
        "",
        "## Targets",
        "",
    ]
    # (target, wanted, measured, unit, met)
    targets: list[tuple[str, str, float, str, bool]] = []
    if webhook:
        at_200 = next(r for r in webhook["rates"] if r["rate"] == 200)["ours"]["latency_ms"]["p99"]
        pipeline_p50 = min(row["latency_ms"]["p50"] for row in webhook["pipeline"])
        web_rss = webhook["memory"]["web_mb"]["rss"]
        worker_rss = max(p["rss"] for p in webhook["memory"]["worker_mb"]["pool_processes"])
        calls = webhook["model_calls_per_text_note"]
        ratio = webhook["ratio_full_concurrency"]
        targets += [
            (
                "webhook throughput ÷ bare aiogram's (full concurrency)",
                "≥ 0.5",
                ratio,
                "",
                ratio >= 0.5,
            ),
            (
                "webhook ack p99 at 200 updates/s, one uvicorn worker",
                "< 50 ms",
                at_200,
                " ms",
                at_200 < 50,
            ),
            (
                "pipeline p50, webhook in → preview sent (10 notes/s)",
                "< 50 ms",
                pipeline_p50,
                " ms",
                pipeline_p50 < 50,
            ),
            ("model calls per text note", "1", calls, "", calls == 1),
            ("RSS of the web process", "< 200 MB", web_rss, " MB", web_rss < 200),
            ("RSS of a worker pool process", "< 250 MB", worker_rss, " MB", worker_rss < 250),
        ]
    if classifier:
        at_20 = next(r for r in classifier["rows"] if r["topics"] == 20)["alone_ms"]["p50"]
        targets.append(
            ("local classifier per note, 20 topics (p50)", "≤ 2 ms", at_20, " ms", at_20 <= 2)
        )
    target_rows = [
        [name, wanted, f"{value}{unit}", verdict(ok)] for name, wanted, value, unit, ok in targets
    ]
    lines += [*table(["target", "wanted", "measured", ""], target_rows), ""]
    if webhook:
        lines += [
            "## Webhook",
            "",
            f"Command: `{webhook['command']}`. Load: {webhook['load']['mix']}, from "
            f"{webhook['load']['owners']} owners; fixed rates open loop for "
            f"{webhook['load']['rate_seconds']} s each (latency counted from when a request was "
            f"due), then {webhook['load']['full_concurrency_requests']} updates over 40 "
            "connections. Ours: uvicorn (one worker), PostgreSQL, Redis, a Celery worker (2 "
            f"processes), the fake Bot API, {webhook['load']['ai']}. Bare aiogram: aiohttp "
            "`SimpleRequestHandler`, a handler that replies, nothing stored.",
            "",
        ]
        lines += webhook_section(webhook, "This code")
        if baseline:
            lines += webhook_section(
                baseline, f"Before (the sync view, `{baseline.get('app_root')}`)"
            )
            lines += [
                "Measured with `make bench-before`: the server from the commit before the async",
                "endpoint, the benchmark from this one, the same mix and rates, shortened",
                "(its worker takes many minutes to drain a full run).",
                "",
            ]
        lines += [
            "## Pipeline",
            "",
            "Webhook in → the preview's `sendMessage` at the fake Bot API; text notes from",
            "owners with none being prepared, on a worker with nothing queued (before the load):",
            "",
        ]
        lines += table(
            ["notes/s", "notes", "previewed", "p50 ms", "p95 ms", "p99 ms"],
            [
                [
                    r["rate"],
                    r["notes"],
                    r["previewed"],
                    r["latency_ms"]["p50"],
                    r["latency_ms"]["p95"],
                    r["latency_ms"]["p99"],
                ]
                for r in webhook["pipeline"]
            ],
        )
        lines += [
            "",
            "## AI cost",
            "",
            "Model calls per text note through the pipeline: "
            f"**{webhook['model_calls_per_text_note']}**. Prompt tokens: "
            f"{webhook['ai']['tokenizer']}, {webhook['ai']['counting']}; the JSON schema sent "
            "beside the prompt is not counted. Notes from owners with no filings yet (no "
            "few-shot examples).",
            "",
        ]
        lines += table(
            [
                "topics",
                "notes",
                "model calls",
                "prompt tokens / note",
                "stable prefix (tokens)",
                "stable prefix (%)",
            ],
            [
                [
                    r["topics"],
                    r["notes"],
                    r["model_calls"],
                    r["prompt_tokens_per_note"],
                    r["stable_prefix_tokens"],
                    r["stable_prefix_percent"],
                ]
                for r in webhook["ai"]["rows"]
            ],
        )
        rates = webhook.get("worker_tasks_per_s") or []
        if rates:
            lines += [
                "",
                "Catching up, the worker (2 processes) cleared the queues it found at "
                f"{' and '.join(str(r) for r in rates)} messages a second (each update it "
                "processes queues one more task, preparing the note, so it ran more tasks than "
                "that); notes arriving faster queue, which is what the 50 notes/s row shows.",
            ]
        memory = webhook["memory"]
        lines += [
            "",
            "## Memory",
            "",
            f"After {memory.get('requests_sent', '?')} updates sent ({memory['updates_taken']} "
            "distinct, stored and processed), MB:",
            "",
        ]
        rows = [
            ["web (uvicorn)", *memory["web_mb"].values()],
            ["worker, main", *memory["worker_mb"]["main"].values()],
        ]
        rows += [
            [f"worker, pool process {i}", *p.values()]
            for i, p in enumerate(memory["worker_mb"]["pool_processes"], 1)
        ]
        lines += table(["process", "RSS", "PSS", "private"], rows)
        lines += [""]
        lines += profile_section(
            baseline.get("profile") if baseline else None, webhook.get("profile")
        )
    if webhook:
        lines += MISSES
    if classifier:
        cores = classifier["cores_used"]
        lines += [
            "## Local classifier",
            "",
            f"Command: `{classifier['command']}`. Per note, ms:",
            "",
        ]
        lines += table(
            [
                "topics",
                "alone p50",
                "alone p99",
                f"{cores} processes at once p50",
                f"{cores} processes p99",
                "baseline: index rebuilt, p50",
            ],
            [
                [
                    r["topics"],
                    r["alone_ms"]["p50"],
                    r["alone_ms"]["p99"],
                    r[f"concurrent_{cores}_processes_ms"]["p50"],
                    r[f"concurrent_{cores}_processes_ms"]["p99"],
                    r["baseline_index_rebuilt_ms"]["p50"],
                ]
                for r in classifier["rows"]
            ],
        )
        lines += [""]
    lines += learning_section(load("learning_classifier"))
    if expiry:
        lines += [
            "## Expiry",
            "",
            f"Command: `{expiry['command']}`. One beat pass over {expiry['rows']} overdue "
            f"confirmations while {expiry['tappers']} owners tap ✅: {expiry['set_based_ms']} ms "
            f"({expiry['expired']} expired, {expiry['filed_by_taps']} filed by taps); the "
            f"baseline, row by row: {expiry['row_by_row_ms']} ms for {expiry['row_by_row_rows']} "
            f"rows, about {expiry['row_by_row_estimate_s']} s for all.",
            "",
        ]
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines).rstrip() + "\n")
    print(f"wrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
