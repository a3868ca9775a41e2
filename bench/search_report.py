"""The search benchmark's rows of docs/performance.md (``bench/report.py`` calls these)."""

from __future__ import annotations

from typing import Any

Target = tuple[str, str, float, str, bool]


def search_targets(result: dict[str, Any] | None) -> list[Target]:
    if not result:
        return []
    postgres, sqlite, wanted = result["postgres"], result["sqlite"], result["targets"]
    pg95, lite95 = postgres["search_ms"]["p95"], sqlite["search_ms"]["p95"]
    duplicate = postgres["duplicate_check_ms"]["p95"]
    return [
        (
            f"search p95, 1–3 words, PostgreSQL, {postgres['notes']:,} notes",
            f"< {wanted['postgres_p95_ms']} ms",
            pg95,
            " ms",
            pg95 < wanted["postgres_p95_ms"],
        ),
        (
            f"search p95, 1–3 words, SQLite, {sqlite['notes']:,} notes",
            f"< {wanted['sqlite_p95_ms']} ms",
            lite95,
            " ms",
            lite95 < wanted["sqlite_p95_ms"],
        ),
        (
            "duplicate check per note (p95)",
            f"< {wanted['duplicate_check_ms']} ms",
            duplicate,
            " ms",
            duplicate < wanted["duplicate_check_ms"],
        ),
    ]


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def search_section(result: dict[str, Any] | None, table: Any) -> list[str]:
    if not result:
        return []
    postgres, sqlite = result["postgres"], result["sqlite"]
    sizes = postgres["sizes_bytes"]
    rows = [
        [
            f"PostgreSQL, {postgres['notes']:,} notes / {postgres['owners']} owners",
            postgres["search_ms"]["p50"],
            postgres["search_ms"]["p95"],
            postgres["search_ms"]["p99"],
            postgres["substring_scan_ms"]["p50"],
            postgres["substring_scan_ms"]["p95"],
        ],
        [
            f"SQLite (FTS5), {sqlite['notes']:,} notes / {sqlite['owners']} owners",
            sqlite["search_ms"]["p50"],
            sqlite["search_ms"]["p95"],
            sqlite["search_ms"]["p99"],
            sqlite["substring_scan_ms"]["p50"],
            sqlite["substring_scan_ms"]["p95"],
        ],
    ]
    return [
        "## Search",
        "",
        f"Command: `{result['command']}`. {postgres['search_ms']['count']} searches of one to "
        "three random words by random owners (the count and the first page of five, what /find "
        f"shows; {postgres['search_hits']} found something on PostgreSQL), beside the baseline: "
        "the substring scan (`icontains` over four fields) the history used before, on the same "
        "rows. Milliseconds.",
        "",
        *table(
            ["engine", "search p50", "p95", "p99", "substring scan p50", "p95"],
            rows,
        ),
        "",
        f"Searches that full-text search found nothing for and that were tried again allowing "
        f"a typo (pg_trgm, {postgres['typo_fallback_ms']['count']} of them; not in the rows "
        f"above): p50 {postgres['typo_fallback_ms']['p50']} ms, p95 "
        f"{postgres['typo_fallback_ms']['p95']} ms. The words come from a vocabulary of about "
        "150 forms, so every word is in about one note in eight: a harder case for the index "
        "than real notes. Each word is indexed as its owner's (`<owner>:<lemma>`), so a "
        "search reads only the owner's posting lists, ranks ids (the count comes with the first "
        "page's) and loads only the page's notes. Load average of the machine at the end "
        "(shared with other work): "
        f"{', '.join(str(load) for load in result.get('load_average', []))}.",
        "",
        f"PostgreSQL sizes: the GIN index {_mib(sizes['gin_index'])}, the search table with its "
        f"indexes {_mib(sizes['search_table'])}, link keys {_mib(sizes['link_keys'])} (the notes "
        f"themselves {_mib(sizes['notes'])}). Duplicate check (`note_earlier_copy`, "
        f"{postgres['duplicate_checks']} new notes, half of them copies, "
        f"{postgres['duplicates_found']} named; one statement over the (owner, key) indexes, "
        "and the earlier note loaded only when there is one): "
        f"p50 {postgres['duplicate_check_ms']['p50']} ms, "
        f"p95 {postgres['duplicate_check_ms']['p95']} ms. Writing a note's search entry, as the "
        f"worker does once per prepared note: p50 {postgres['index_note_ms']['p50']} ms, p95 "
        f"{postgres['index_note_ms']['p95']} ms (never in the webhook).",
        "",
    ]
