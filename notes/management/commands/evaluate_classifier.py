"""Measure a classifier on a labelled data set: top-1, top-3, calibration, errors, latency."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from notes.ai.eval_report import DEFAULT_REPORT, write
from notes.ai.evaluation import (
    DEFAULT_DATASET,
    DEFAULT_WORKSPACES,
    Case,
    Report,
    Workspace,
    evaluate,
    load_cases,
    load_workspaces,
)

# The auto-filing threshold the calibration line checks (the owners' default).
THRESHOLD = 0.85


class Command(BaseCommand):
    help = (
        "Classify a labelled data set with one provider and print its accuracy (cold and with "
        "the owner's filings), the calibration of its confidence, and its latency."
    )

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
        parser.add_argument(
            "--history",
            type=Path,
            help="Another data set whose notes count as the owner's earlier filings",
        )
        parser.add_argument(
            "--report",
            type=Path,
            nargs="?",
            const=DEFAULT_REPORT,
            help="Measure every built-in set (cold, --learn, --history, learning curve, "
            "targets) with the local provider and write the Markdown report "
            "(default docs/classifier.md)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["report"] is not None:
            try:
                write(options["report"])
            except OSError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"wrote {options['report']}")
            return
        dataset: Path = options["dataset"]
        workspaces_path: Path = options["workspaces"] or _beside(dataset)
        history_path: Path | None = options["history"]
        learn: bool = options["learn"]
        try:
            workspaces = load_workspaces(workspaces_path)
            cases = _checked(load_cases(dataset), workspaces, workspaces_path)
            history = (
                _checked(load_cases(history_path), workspaces, workspaces_path)
                if history_path
                else None
            )
            if history_path and history_path.resolve() == dataset.resolve():
                raise ValueError("--history is the data set itself: use --learn instead")
            provider = options["provider"]
            report = evaluate(cases, workspaces, provider, learn=learn, history=history)
            cold = evaluate(cases, workspaces, provider) if learn or history else None
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        mode = []
        if learn:
            mode.append("learning from the other notes")
        if history_path:
            mode.append(f"history {history_path}")
        self._print(report, dataset, mode, cold)

    def _print(self, report: Report, dataset: Path, mode: list[str], cold: Report | None) -> None:
        write = self.stdout.write
        shown = "".join(f" · {part}" for part in mode) or " · cold"
        write(f"provider {report.provider} · {report.total} notes · {dataset}{shown}")
        write(f"top-1: {report.top1}/{report.total} = {report.top1_share:.1%}")
        write(f"top-3: {report.top3}/{report.total} = {report.top3_share:.1%}")
        if cold is not None:
            write(
                f"cold (no filings): top-1 {cold.top1_share:.1%}, top-3 {cold.top3_share:.1%}; "
                f"change {report.top1_share - cold.top1_share:+.1%}"
            )
        write("calibration (confidence band: notes, right):")
        for band in report.calibration():
            share = f"{band.share:.0%}" if band.total else "–"
            write(f"  {band.low:.2f}–{band.high:.2f}: {band.total:3d} notes, {share} right")
        auto = report.above(THRESHOLD)
        share = f"{auto.share:.0%}" if auto.total else "–"
        write(f"  auto-filed at ≥ {THRESHOLD:.2f}: {auto.total} notes, {share} right")
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


def _checked(cases: list[Case], workspaces: dict[str, Workspace], path: Path) -> list[Case]:
    unknown = sorted({case.workspace for case in cases} - set(workspaces))
    if unknown:
        raise ValueError(f"{path} has no workspace {', '.join(unknown)}")
    return cases


def _beside(dataset: Path) -> Path:
    candidate = dataset.with_name("workspaces.json")
    return candidate if candidate.exists() else DEFAULT_WORKSPACES
