"""Measuring a provider on a labelled data set (``manage.py evaluate_classifier``).

A data set is JSON lines (``workspace``, ``kind``, ``text``, optional ``link``
and ``forward_from``, and the ``expected`` topic key) plus a workspaces file
naming each workspace's language and topics. Each note is classified by one
provider, alone (no chain), so a provider's failures count as misses.

Three ways to measure: *cold* (the owner has filed nothing), *learning*
(each note as if the owner had filed all the other notes of its workspace,
leave-one-out) and *with history* (another data set's notes as the owner's
earlier filings). Every answer's confidence is kept, for the calibration table:
how often notes given a confidence in each band were right.

The learning curve (``learning_curve``) classifies each note with ``k`` filings
per topic drawn at random from the *other* notes of its set (topped up from a
pool of other sets when the set has fewer), for k = 0, 1, 3, 5, 10, averaged
over a few draws.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from notes.ai.embeddings import embed
from notes.ai.errors import ProviderError
from notes.ai.providers import get_provider
from notes.ai.types import Example, LinkInfo, NoteContext, TopicInfo

EVAL_DIR = Path(__file__).resolve().parent / "eval"
DEFAULT_DATASET = EVAL_DIR / "dev.jsonl"
DEFAULT_WORKSPACES = EVAL_DIR / "workspaces.json"


@dataclass(frozen=True)
class Workspace:
    language: str
    topics: tuple[TopicInfo, ...]


@dataclass(frozen=True)
class Case:
    workspace: str
    kind: str
    text: str
    expected: str
    link: LinkInfo | None = None
    forward_from: str = ""


@dataclass
class Miss:
    case: Case
    got: str | None
    why: str = ""


# Confidence bands of the calibration table: [low, high), the last one closed.
BANDS: tuple[tuple[float, float], ...] = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.85), (0.85, 1.0))


@dataclass(frozen=True)
class Band:
    low: float
    high: float
    total: int
    right: int

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass
class Report:
    provider: str
    total: int = 0
    top1: int = 0
    top3: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    # (confidence, right) of every answer
    answers: list[tuple[float, bool]] = field(default_factory=list)

    @property
    def top1_share(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_share(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    def latency(self, quantile: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else 0.0

    def calibration(self, bands: tuple[tuple[float, float], ...] = BANDS) -> list[Band]:
        """How many answers fell in each confidence band and how many of them were right."""
        table = []
        for number, (low, high) in enumerate(bands):
            last = number == len(bands) - 1
            inside = [
                right
                for confidence, right in self.answers
                if low <= confidence < high or (last and confidence == high)
            ]
            table.append(Band(low, high, len(inside), sum(inside)))
        return table

    def above(self, threshold: float) -> Band:
        """The answers at or above ``threshold``: what auto-filing there would file."""
        inside = [right for confidence, right in self.answers if confidence >= threshold]
        return Band(threshold, 1.0, len(inside), sum(inside))

    def misses_by_topic(self) -> dict[str, list[Miss]]:
        grouped: dict[str, list[Miss]] = defaultdict(list)
        for miss in self.misses:
            grouped[f"{miss.case.workspace}/{miss.case.expected}"].append(miss)
        return dict(sorted(grouped.items()))


def load_workspaces(path: Path) -> dict[str, Workspace]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Workspace(
            language=str(data.get("language", "en")),
            topics=tuple(
                TopicInfo(key=t["key"], name=t["name"], description=t.get("description", ""))
                for t in data["topics"]
            ),
        )
        for name, data in raw.items()
    }


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            link = row.get("link")
            cases.append(
                Case(
                    workspace=row["workspace"],
                    kind=row.get("kind", "text"),
                    text=row["text"],
                    expected=row["expected"],
                    link=LinkInfo(**link) if link else None,
                    forward_from=row.get("forward_from", ""),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    return cases


def evaluate(
    cases: list[Case],
    workspaces: dict[str, Workspace],
    provider_name: str,
    *,
    learn: bool = False,
    history: list[Case] | None = None,
    per_topic: int | None = None,
    pool: list[Case] | None = None,
    seed: int = 0,
) -> Report:
    """Classify every case with one provider.

    With ``learn`` each note is classified as if the owner had filed all the
    *other* notes of its workspace (leave-one-out); with ``history`` as if the
    owner had filed those notes (of the same workspace) before: what learning adds.
    With ``per_topic`` as if the owner had filed that many notes in each topic,
    drawn (by ``seed``) from the other notes of the set, then from ``pool``.
    """
    provider = get_provider(provider_name)
    reason = provider.unavailable_reason()
    if reason:
        raise ValueError(f"{provider_name} cannot be evaluated: {reason}")
    report = Report(provider=provider_name)
    earlier = _history(history or [])
    for case in cases:
        workspace = workspaces[case.workspace]
        examples = earlier.get(case.workspace, ())
        if learn:
            examples = _examples(case, cases) + examples
        if per_topic:
            examples = _drawn(case, cases, pool or [], workspace, per_topic, seed) + examples
        context = NoteContext(
            text=case.text,
            language=workspace.language,
            topics=workspace.topics,
            kind=case.kind,
            link=case.link,
            links=(case.link,) if case.link else (),
            forward_from=case.forward_from,
            examples=examples,
            providers=(provider_name,),
        )
        started = time.perf_counter()
        try:
            result = provider.classify(context)
        except ProviderError as exc:
            report.latencies_ms.append((time.perf_counter() - started) * 1000)
            report.total += 1
            report.misses.append(Miss(case, None, f"{type(exc).__name__}: {exc}"))
            report.answers.append((0.0, False))
            continue
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        ranked = [result.topic_key, *(alt.topic_key for alt in result.alternatives)]
        report.total += 1
        report.top1 += ranked[0] == case.expected
        report.top3 += case.expected in ranked[:3]
        report.answers.append((result.confidence, ranked[0] == case.expected))
        if ranked[0] != case.expected:
            report.misses.append(Miss(case, ranked[0]))
    return report


def example_of(case: Case) -> Example:
    """A case as the owner's filing: its text as ``note_filing_record`` keeps it."""
    parts = [case.text]
    if case.link:
        if case.link.url not in case.text:
            parts.insert(0, case.link.url)
        parts += [case.link.title, case.link.description]
    parts.append(case.forward_from)
    text = "\n".join(part for part in parts if part)
    return Example(text=text, topic_key=case.expected, kind=case.kind, embedding=embed(text))


def _examples(case: Case, cases: list[Case]) -> tuple[Example, ...]:
    """The other notes of the case's workspace, the latest (last in the file) first."""
    return tuple(
        example_of(other)
        for other in reversed(cases)
        if other.workspace == case.workspace and other is not case
    )


def _history(cases: list[Case]) -> dict[str, tuple[Example, ...]]:
    grouped: dict[str, list[Example]] = defaultdict(list)
    for case in reversed(cases):
        grouped[case.workspace].append(example_of(case))
    return {workspace: tuple(examples) for workspace, examples in grouped.items()}


def _drawn(
    case: Case, cases: list[Case], pool: list[Case], workspace: Workspace, count: int, seed: int
) -> tuple[Example, ...]:
    """``count`` filings per topic: other notes of the set first, then of the pool."""
    draw = random.Random(f"{seed}:{case.workspace}:{case.text}")  # noqa: S311 (a reproducible draw)
    chosen: list[Case] = []
    for topic in workspace.topics:
        for source in (cases, pool):
            candidates = [
                other
                for other in source
                if other.workspace == case.workspace
                and other.expected == topic.key
                and other is not case
                and other.text != case.text
            ]
            draw.shuffle(candidates)
            chosen += candidates[: count - sum(c.expected == topic.key for c in chosen)]
    draw.shuffle(chosen)  # no topic is always the most recent
    return tuple(example_of(other) for other in chosen)


@dataclass(frozen=True)
class CurvePoint:
    per_topic: int
    top1_share: float
    top3_share: float
    # filings per topic actually drawn, on average (a set may have fewer)
    filed_per_topic: float


def learning_curve(
    cases: list[Case],
    workspaces: dict[str, Workspace],
    provider_name: str,
    *,
    pool: list[Case],
    points: tuple[int, ...] = (0, 1, 3, 5, 10),
    draws: int = 3,
) -> list[CurvePoint]:
    """Top-1 and top-3 after ``k`` filings per topic, for each ``k`` in ``points``."""
    curve = []
    for count in points:
        reports = [
            evaluate(cases, workspaces, provider_name, per_topic=count, pool=pool, seed=seed)
            for seed in range(draws if count else 1)
        ]
        filed = [
            len(_drawn(case, cases, pool, workspaces[case.workspace], count, 0))
            / len(workspaces[case.workspace].topics)
            for case in cases
        ]
        curve.append(
            CurvePoint(
                count,
                statistics.mean(report.top1_share for report in reports),
                statistics.mean(report.top3_share for report in reports),
                statistics.mean(filed) if count else 0.0,
            )
        )
    return curve
