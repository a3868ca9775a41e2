"""Measure a classifier on a labelled data set: top-1, top-3, errors per topic, latency."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notes.ai.evaluation import (
    DEFAULT_DATASET,
    DEFAULT_WORKSPACES,
    Report,
    evaluate,
    load_cases,
    load_workspaces,
)


class Command(BaseCommand):
    help = "Classify a labelled data set with one provider and print its accuracy and latency."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dataset", type=Path, default=DEFAULT_DATASET)
        parser.add_argument(
            "--workspaces",
            type=Path,
            help="Topic sets (default: workspaces.json beside the data set, else the built-in one)",
        )
        parser.add_argument("--provider", choices=settings.AI_PROVIDER_NAMES, default="local")
        parser.add_argument(
            "--learn",
            action="store_true",
            help="Classify each note as if the other notes of its workspace had been filed",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dataset: Path = options["dataset"]
        workspaces_path: Path = options["workspaces"] or _beside(dataset)
        try:
            cases = load_cases(dataset)
            workspaces = load_workspaces(workspaces_path)
            unknown = sorted({case.workspace for case in cases} - set(workspaces))
            if unknown:
                raise ValueError(f"{workspaces_path} has no workspace {', '.join(unknown)}")
            report = evaluate(cases, workspaces, options["provider"], learn=options["learn"])
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self._print(report, dataset, learn=options["learn"])

    def _print(self, report: Report, dataset: Path, *, learn: bool) -> None:
        write = self.stdout.write
        mode = " · learning from the other notes" if learn else ""
        write(f"provider {report.provider} · {report.total} notes · {dataset}{mode}")
        write(f"top-1: {report.top1}/{report.total} = {report.top1_share:.1%}")
        write(f"top-3: {report.top3}/{report.total} = {report.top3_share:.1%}")
        write(
            f"latency per note: median {report.median_ms:.2f} ms, "
            f"p95 {report.latency(0.95):.2f} ms, max {max(report.latencies_ms, default=0):.2f} ms"
        )
        misses = report.misses_by_topic()
        write("errors by expected topic:" if misses else "errors by expected topic: none")
        for topic, topic_misses in misses.items():
            write(f"  {topic}: {len(topic_misses)}")
            for miss in topic_misses:
                got = miss.got or miss.why or "none"
                write(f"    → {got}: {miss.case.text[:70]}")


def _beside(dataset: Path) -> Path:
    candidate = dataset.with_name("workspaces.json")
    return candidate if candidate.exists() else DEFAULT_WORKSPACES
