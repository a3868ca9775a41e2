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
from bench.search_report import search_section, search_targets

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


def miniapp_section(result: dict[str, Any] | None) -> list[str]:
    """The Mini App's first screens on a throttled phone, before and now."""
    if not result:
        return []
    phone = result["profile"]
    lines = [
        "## Mini App: first screen on a phone",
        "",
        f"Measured by `{MINIAPP_COMMAND}` in headless chromium slowed down through CDP "
        f"({phone['latency_ms']} ms round trip, {phone['download_kbit'] / 1000:g} Mbit/s down, "
        f"CPU {phone['cpu_slowdown']}×), each screen opened cold, the better of "
        f"{result['runs']} runs; usable = its content drawn, nothing loading. Before: the "
        f"page, modules and styles of `{result['before_commit']}` against the same server. "
        f"Static files {result['static']}; measured {result['measured_at']}.",
        "",
    ]
    rows = [
        [name, figures.get("before_ms") or "—", figures["now_ms"]]
        for name, figures in result["screens"].items()
    ]
    return [
        *lines,
        *table(["screen", "before, ms", "now, ms"], rows),
        "",
        "Where the time goes now (the waterfall of one cold Topics load): the page with both",
        "languages' strings (~31 KB) arrives at ~0.4 s; the preloaded core modules and the",
        "styles (~60 KB uncompressed here: the test server does not gzip, production's",
        "hashed, compressed files would be about a quarter) arrive together by ~1.1 s;",
        "evaluating them at a quarter of the CPU takes until ~1.5 s, when /me/ and the",
        "screen's module and calls go out together, one round trip plus the server's time.",
        "The runs share a busy 2-core machine, so the figures move by a few hundred ms.",
        "",
    ]


def reminders_section(result: dict[str, Any] | None) -> list[str]:
    """10,000 reminders due in one minute: once each, in order, at pace, the first on time."""
    if not result:
        return []
    delay = result["delay_s"]
    first_ok = (result["first_delay_s"] or 0) <= 2
    pace_ok = result["peak_per_second"] <= 30
    return [
        "## Reminders",
        "",
        f"Command: `{result['command']}`. {result['reminders']} reminders of "
        f"{result['owners']} owners due within one minute (beside {result['history_rows']} "
        f"sent ones), {result['senders']} senders running the due pass, the fake Bot API on "
        f"loopback, REMINDERS_RATE={result['rate_setting']}; {result['wall_s']} s in all.",
        "",
        *table(
            ["target", "measured", "met"],
            [
                [
                    "each sent once",
                    f"{result['sent']} sent, {result['send_calls']} sendMessage calls",
                    verdict(bool(result["sent_once_each"])),
                ],
                [
                    "in order of due time",
                    f"{result['order_inversions']} sent before an earlier one",
                    verdict(result["order_inversions"] == 0),
                ],
                [
                    "≤ ~30 messages a second",
                    f"peak {result['peak_per_second']}/s",
                    verdict(pace_ok),
                ],
                [
                    f"at the configured pace ({result['rate_setting']}/s)",
                    f"{result.get('sustained_per_second')}/s from the first send to the last",
                    verdict(
                        (result.get("sustained_per_second") or 0) >= 0.9 * result["rate_setting"]
                    ),
                ],
                ["first within 2 s of due", f"{result['first_delay_s']} s", verdict(first_ok)],
            ],
        ),
        "",
        f"Delay (sent − due), s: p50 {delay['p50']}, p95 {delay['p95']}, p99 {delay['p99']}, "
        f"max {delay['max']} (a minute's reminders at the pace take "
        f"{result['reminders'] / result['rate_setting']:.0f} s to send: the last wait longest).",
        "",
        f"The due query with its partial index `reminder_due_idx`: {result['due_query_ms']} ms; "
        f"the baseline, the same query with the index dropped: "
        f"{result['baseline_due_query_ms_without_index']} ms.",
        "",
        "```",
        str(result["due_query_plan"]).rstrip(),
        "```",
        "",
    ]


MINIAPP_COMMAND = "make bench (MINIAPP_BENCH=1 DEBUG=1 pytest tests/webapp/test_browser_speed.py)"


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
    search = load("search")
    machine = next(r for r in (webhook, classifier, expiry, search) if r)["machine"]
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
    miniapp = load("miniapp")
    if miniapp:
        slowest = max(figures["now_ms"] for figures in miniapp["screens"].values())
        name = "Mini App first screen usable, throttled phone (slowest screen)"
        targets.append((name, "≤ 1000 ms", slowest, " ms", slowest <= 1000))
    targets += search_targets(search)
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
    lines += miniapp_section(miniapp)
    lines += search_section(search, table)
    lines += reminders_section(load("reminders"))
    lines += archive_section(load("archive"))
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text("\n".join(lines).rstrip() + "\n")
    print(f"wrote {DOC.relative_to(ROOT)}")


def archive_section(result: dict[str, Any] | None) -> list[str]:
    """Export and import (bench/archive.py): each a child process, its own wall time and RSS."""
    if not result:
        return []
    r = result
    machine = r["machine"]
    return [
        "## Your data: export and import",
        "",
        f"Command: `{r['command']}` ({machine['cores']} cores, {machine['measured_at']}). "
        "Each figure is a `manage.py` child process: its wall time, start-up included, and "
        "its peak RSS (VmHWM). The Markdown vault misses both targets: per note, YAML front "
        "matter and markdownify's HTML parse of formatted text cost about 1.5 ms, and the zip "
        "keeps an entry record per file; the JSON export, with the same chunked reading, "
        "meets them.",
        "",
        *table(
            ["measure", "count", "seconds", "peak RSS, MB", "target"],
            [
                [
                    "export, Markdown vault",
                    r["notes"],
                    r["export_markdown_s"],
                    r["export_markdown_rss_mb"],
                    "100,000 notes < 60 s, < 150 MB: "
                    + verdict(
                        r["notes"] >= 100_000
                        and r["export_markdown_s"] < 60
                        and r["export_markdown_rss_mb"] < 150
                    ),
                ],
                ["export, JSON", r["notes"], r["export_json_s"], r["export_json_rss_mb"], ""],
                [
                    "baseline: all notes loaded at once, one json.dumps",
                    r["notes"],
                    r["export_naive_s"],
                    r["export_naive_rss_mb"],
                    "",
                ],
                [
                    f"import (local provider), {r['import_notes_per_s']} notes/s",
                    f"{r['imported']} of {r['messages']}",
                    r["import_s"],
                    r["import_rss_mb"],
                    (
                        "10,000 messages < 300 s, < 150 MB: "
                        + verdict(r["import_s"] < 300 and r["import_rss_mb"] < 150)
                    )
                    if r["messages"] >= 10_000
                    else f"10,000 messages < 300 s: not measured at 10,000 (about "
                    f"{round(10_000 / r['import_notes_per_s'])} s at this rate)",
                ],
                [
                    "baseline: json.load of the same file",
                    r["messages"],
                    r["import_json_load_s"],
                    r["import_json_load_rss_mb"],
                    "",
                ],
            ],
        ),
        "",
    ]


if __name__ == "__main__":
    main()
