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

TARGETS = {
    "ratio": 0.5,
    "ack_p99_at_200_ms": 50,
    "pipeline_p50_ms": 50,
    "model_calls": 1,
    "local_20_ms": 2,
    "web_rss_mb": 200,
    "worker_rss_mb": 250,
}


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
    lines = [f"### {title}", ""]
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
    target_rows = []
    if webhook:
        at_200 = next(r for r in webhook["rates"] if r["rate"] == 200)["ours"]["latency_ms"]["p99"]
        pipeline_p50 = min(row["latency_ms"]["p50"] for row in webhook["pipeline"])
        web_rss = webhook["memory"]["web_mb"]["rss"]
        worker_rss = max(p["rss"] for p in webhook["memory"]["worker_mb"]["pool_processes"])
        calls = webhook["model_calls_per_text_note"]
        target_rows += [
            [
                "webhook throughput ÷ bare aiogram's (full concurrency)",
                "≥ 0.5",
                webhook["ratio_full_concurrency"],
                verdict(webhook["ratio_full_concurrency"] >= TARGETS["ratio"]),
            ],
            [
                "webhook ack p99 at 200 updates/s, one uvicorn worker",
                "< 50 ms",
                f"{at_200} ms",
                verdict(at_200 < TARGETS["ack_p99_at_200_ms"]),
            ],
            [
                "pipeline p50, webhook in → preview sent (10 notes/s)",
                "< 50 ms",
                f"{pipeline_p50} ms",
                verdict(pipeline_p50 < TARGETS["pipeline_p50_ms"]),
            ],
            ["model calls per text note", "1", calls, verdict(calls == TARGETS["model_calls"])],
            [
                "RSS of the web process",
                "< 200 MB",
                f"{web_rss} MB",
                verdict(web_rss < TARGETS["web_rss_mb"]),
            ],
            [
                "RSS of a worker pool process",
                "< 250 MB",
                f"{worker_rss} MB",
                verdict(worker_rss < TARGETS["worker_rss_mb"]),
            ],
        ]
    if classifier:
        at_20 = next(r for r in classifier["rows"] if r["topics"] == 20)["alone_ms"]["p50"]
        target_rows.append(
            [
                "local classifier per note, 20 topics (p50)",
                "≤ 2 ms",
                f"{at_20} ms",
                verdict(at_20 <= TARGETS["local_20_ms"]),
            ]
        )
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
                "Measured with `make bench-before` (the same load, the server from the commit",
                "before the async endpoint; the benchmark from this one).",
                "",
            ]
        lines += [
            "## Pipeline",
            "",
            "Webhook in → the preview's `sendMessage` at the fake Bot API; text notes from",
            "owners with nothing pending, once the worker has caught up:",
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
        memory = webhook["memory"]
        lines += [
            "",
            "## Memory",
            "",
            f"After {memory['updates_taken']} updates taken and processed (MB):",
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
