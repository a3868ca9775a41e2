"""Reads of notes for the owner: the delivery ledger, one note's stages, pending, usage.

Writes live in ``notes.services``. Every read here is scoped to one owner: a
note of someone else is simply not there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from notes.ai.templates import forward_name
from notes.links import MAX_LINKS, LinkStatus, note_link_previews
from notes.models import WORKING_STATUSES, Note, NotePart, NoteStatus
from notes.search.selectors import (
    DEFAULT_STATUSES,
    SearchResults,
    SearchScope,
    note_search,
    scope_dates,
)
from notes.services.processing import SPOKEN_KINDS, note_topic_chosen_by_owner
from secretary.models import User
from topics.models import Topic


@dataclass(frozen=True)
class NoteFilters:
    """What the history is narrowed to; empty fields do not narrow."""

    query: str = ""
    topic_id: int | None = None
    status: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None


def _owner_zone(owner: User) -> ZoneInfo:
    name = getattr(getattr(owner, "preferences", None), "time_zone", "") or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def note_list_for_owner(
    *, owner: User, filters: NoteFilters | None = None
) -> QuerySet[Note] | SearchResults:
    """The owner's notes, newest first, narrowed by ``filters`` (dates in the owner's zone).

    With a query, the search's results instead (best first; filed and pending notes unless
    a status is asked for); a query without a word raises ``QueryProblem``.
    """
    filters = filters or NoteFilters()
    zone = _owner_zone(owner)
    if filters.query:
        scope = SearchScope(
            statuses=(filters.status,) if filters.status else DEFAULT_STATUSES,
            topic_id=filters.topic_id,
            kind=filters.kind,
            **scope_dates(filters.since, filters.until, zone),
        )
        return note_search(owner=owner, text=filters.query, scope=scope)
    notes = Note.objects.filter(owner=owner).select_related("topic", "pending")
    if filters.topic_id is not None:
        notes = notes.filter(topic_id=filters.topic_id)
    if filters.status:
        notes = notes.filter(status=filters.status)
    if filters.kind:
        notes = notes.filter(kind=filters.kind)
    moments = scope_dates(filters.since, filters.until, zone)
    if moments["since"]:
        notes = notes.filter(created_at__gte=moments["since"])
    if moments["until"]:
        notes = notes.filter(created_at__lt=moments["until"])
    return notes.order_by("-created_at", "-id")


def note_of_owner(*, owner: User, note_id: int) -> Note | None:
    return (
        Note.objects.filter(owner=owner, pk=note_id)
        .select_related("topic__group", "pending", "owner__preferences")
        .first()
    )


def note_parts(note: Note) -> list[NotePart]:
    """The messages a note is made of (a burst, replies added to it), in the order sent;
    empty for a note of one message."""
    return list(NotePart.objects.filter(note=note).order_by("message_id", "pk"))


def note_part_after_filing(note: Note, part: NotePart) -> bool:
    """The part is a reply added once the note was filed (posted into its topic on its own).

    The note's first message becomes a part only when a second one joins it, so it may be
    stored after filing too: it never counts as added."""
    if part.message_id == note.source_message_id and part.chat_id == note.source_chat_id:
        return False
    return bool(part.published_message_ids) or (
        note.published_at is not None and part.created_at > note.published_at
    )


def notes_pending_for_owner(*, owner: User) -> QuerySet[Note]:
    """Notes whose preview waits for the owner's tap, the soonest to expire first."""
    return (
        Note.objects.filter(
            owner=owner,
            status=NoteStatus.AWAITING_CONFIRMATION,
            pending__resolved_at__isnull=True,
        )
        .select_related("topic", "pending")
        .order_by("pending__expires_at", "pk")
    )


# -- one note's way through the pipeline ------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One step of the pipeline as the owner may read it (no raw errors)."""

    stage: str
    label: str
    outcome: str  # done, failed, skipped, waiting
    detail: str = ""
    at: datetime | None = None  # when it happened, for the reader to show in their zone


DONE, FAILED, SKIPPED, WAITING = "done", "failed", "skipped", "waiting"
_BEFORE = {
    "transcription": (NoteStatus.RECEIVED, NoteStatus.ENRICHING),
    "classification": (NoteStatus.RECEIVED, NoteStatus.ENRICHING, NoteStatus.CLASSIFYING),
}


def _reached(note: Note, stage: str) -> bool:
    status = note.failed_from if note.status == NoteStatus.FAILED else note.status
    return status not in _BEFORE.get(stage, ())


def note_stages(note: Note) -> list[Stage]:
    """What happened to the note at each stage, in the owner's language."""
    stages = [Stage("received", _("Received"), DONE, at=note.created_at)]
    if note.kind in SPOKEN_KINDS:
        stages.append(_transcription(note))
    if note_link_previews(note.link_metadata):
        stages.append(_link_previews(note))
    stages += [_classification(note), _rendering(note), _publishing(note)]
    if note.status == NoteStatus.FAILED:
        stages = [_failed_at(stage, note) for stage in stages]
    return stages


def _failed_at(stage: Stage, note: Note) -> Stage:
    if stage.outcome != WAITING:
        return stage
    return Stage(stage.stage, stage.label, FAILED, _("Stopped here; it can be tried again."))


def _transcription(note: Note) -> Stage:
    label = _("Transcription")
    if note.transcript:
        return Stage("transcription", label, DONE, note.transcript[:200])
    if note.text:
        return Stage("transcription", label, SKIPPED, _("The note came with its own words."))
    if not _reached(note, "transcription"):
        return Stage("transcription", label, WAITING)
    if note.last_error.startswith("transcription"):
        return Stage("transcription", label, FAILED, _("Speech could not be turned into text."))
    return Stage("transcription", label, SKIPPED, _("No speech-to-text provider is set up."))


def _link_previews(note: Note) -> Stage:
    label = _("Reading the links")
    previews = note_link_previews(note.link_metadata)[:MAX_LINKS]
    if any(not preview.fetched for preview in previews):
        return Stage("links", label, WAITING)
    read = sum(1 for preview in previews if preview.status == LinkStatus.OK)
    if not read:
        return Stage("links", label, SKIPPED, _("The pages could not be read; the links stay."))
    return Stage(
        "links",
        label,
        DONE,
        "; ".join(preview.title or preview.url for preview in previews if preview.title),
    )


def _classification(note: Note) -> Stage:
    label = _("Choosing the topic")
    if not _reached(note, "classification"):
        return Stage("classification", label, WAITING)
    if note_topic_chosen_by_owner(note) and note.topic is not None:
        return Stage("classification", label, DONE, _("You chose «%s».") % note.topic.name)
    if note.ai_provider and note.topic is not None:
        detail = _("%(provider)s chose «%(topic)s» (%(confidence)d%%).") % {
            "provider": note.ai_provider,
            "topic": note.topic.name,
            "confidence": round((note.confidence or 0) * 100),
        }
        return Stage("classification", label, DONE, detail)
    if (note.classification or {}).get("failures") and not note.ai_provider:
        return Stage("classification", label, FAILED, _("No AI provider answered."))
    if note.status in (NoteStatus.EXPIRED, NoteStatus.CANCELLED):
        return Stage("classification", label, SKIPPED, _("No topic fitted."))
    if note.status != NoteStatus.AWAITING_CONFIRMATION and note.topic is not None:
        return Stage("classification", label, DONE, _("Filed into «%s».") % note.topic.name)
    return Stage("classification", label, SKIPPED, _("No topic fitted; it waits for your choice."))


def _rendering(note: Note) -> Stage:
    label = _("Formatting")
    if note.rendered_text:
        return Stage("rendering", label, DONE)
    if note.status in (NoteStatus.CANCELLED, NoteStatus.EXPIRED) and note.topic is None:
        return Stage("rendering", label, SKIPPED)
    return Stage("rendering", label, WAITING)


def _publishing(note: Note) -> Stage:
    label = _("Filing")
    match note.status:
        case NoteStatus.PUBLISHED:
            return Stage("publishing", label, DONE, at=note.published_at)
        case NoteStatus.PUBLISHING if note.publish_after and note.publish_after > timezone.now():
            return Stage(
                "publishing", label, WAITING, _("Waits its turn: the group takes so many a minute.")
            )
        case NoteStatus.PUBLISHING:
            return Stage("publishing", label, WAITING, _("Being filed now."))
        case NoteStatus.CANCELLED:
            return Stage("publishing", label, SKIPPED, _("You cancelled it."))
        case NoteStatus.EXPIRED:
            return Stage("publishing", label, SKIPPED, _("Not confirmed in time."))
        case NoteStatus.AWAITING_CONFIRMATION if note.last_error and not note.last_error.startswith(
            ("classification", "transcription")
        ):
            return Stage(
                "publishing", label, FAILED, _("Telegram did not take it; it waits for you again.")
            )
        case NoteStatus.AWAITING_CONFIRMATION:
            return Stage("publishing", label, WAITING, _("Waits for your confirmation."))
    return Stage("publishing", label, WAITING)


def note_problem(note: Note) -> str:
    """What went wrong with the note, in the owner's words ("" when nothing did)."""
    if note.status == NoteStatus.FAILED:
        return _("I could not finish this note. It is saved; you can try again.")
    failed = next((stage for stage in note_stages(note) if stage.outcome == FAILED), None)
    return failed.detail if failed else ""


def note_source_name(note: Note) -> str:
    return forward_name(note.forward_origin)


def note_alternatives(note: Note) -> list[tuple[Topic, float]]:
    """The other topics the AI considered, with its confidence in each."""
    wanted = [alt for alt in note.alternatives or [] if isinstance(alt, dict)]
    topics = Topic.objects.in_bulk([alt.get("topic_id") for alt in wanted])
    return [
        (topics[alt["topic_id"]], float(alt.get("confidence") or 0))
        for alt in wanted
        if alt.get("topic_id") in topics
    ]


@dataclass(frozen=True)
class NoteActions:
    """What the owner may do with a note now."""

    refile: bool
    retry: bool
    delete: bool
    confirm: bool
    choose_topic: bool
    cancel: bool


def note_actions(note: Note) -> NoteActions:
    awaiting = note.status == NoteStatus.AWAITING_CONFIRMATION
    return NoteActions(
        refile=note.status in (NoteStatus.PUBLISHED, NoteStatus.EXPIRED, NoteStatus.CANCELLED),
        retry=note.status == NoteStatus.FAILED,
        delete=note.status not in WORKING_STATUSES,
        confirm=awaiting and note.topic is not None and note.topic.is_selectable,
        choose_topic=awaiting,
        cancel=awaiting,
    )


# -- usage ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class UsageRow:
    period: date
    notes: int
    filed: int
    cost_usd: Decimal
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class Usage:
    days: list[UsageRow]
    months: list[UsageRow]
    totals: UsageRow


def usage_for_owner(*, owner: User, days: int = 30, months: int = 12) -> Usage:
    """Notes and AI cost per day (the last ``days``) and per month (the last ``months``),
    in the owner's time zone; periods without notes are there with zeros."""
    zone = _owner_zone(owner)
    today = timezone.localtime(timezone.now(), zone).date()
    first_day = today - timedelta(days=days - 1)
    first_month = _months_back(today.replace(day=1), months - 1)
    start = datetime.combine(min(first_day, first_month), datetime.min.time(), tzinfo=zone)
    notes = Note.objects.filter(owner=owner, created_at__gte=start)
    by_day = _grouped(notes, TruncDay("created_at", tzinfo=zone))
    by_month = _grouped(notes, TruncMonth("created_at", tzinfo=zone))
    day_rows = [_row(by_day, first_day + timedelta(days=n)) for n in range(days)]
    month_rows = [_row(by_month, _months_back(today.replace(day=1), n)) for n in range(months)]
    month_rows.reverse()
    return Usage(days=day_rows, months=month_rows, totals=_total(month_rows, first_month))


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _grouped(notes: QuerySet[Note], period: Any) -> dict[date, dict[str, Any]]:
    rows = (
        notes.annotate(period=period)
        .values("period")
        .annotate(
            notes=Count("id"),
            filed=Count("id", filter=Q(status=NoteStatus.PUBLISHED)),
            cost_usd=Sum("cost_usd"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
        )
    )
    return {_as_date(row["period"]): dict(row) for row in rows}


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _row(grouped: dict[date, dict[str, Any]], period: date) -> UsageRow:
    row = grouped.get(period, {})
    return UsageRow(
        period=period,
        notes=row.get("notes") or 0,
        filed=row.get("filed") or 0,
        cost_usd=Decimal(row.get("cost_usd") or 0),
        input_tokens=row.get("input_tokens") or 0,
        output_tokens=row.get("output_tokens") or 0,
    )


def _total(rows: list[UsageRow], since: date) -> UsageRow:
    return UsageRow(
        period=since,
        notes=sum(row.notes for row in rows),
        filed=sum(row.filed for row in rows),
        cost_usd=sum((row.cost_usd for row in rows), Decimal(0)),
        input_tokens=sum(row.input_tokens for row in rows),
        output_tokens=sum(row.output_tokens for row in rows),
    )


# How far back the usage screen may look.
USAGE_MAX_DAYS = 366
USAGE_MAX_MONTHS = 36


# -- operators' statistics ---------------------------------------------------------------

# How many topics the statistics name; how much of a failure's reason they show.
STATS_TOP_TOPICS = 20
FAILURE_REASON_MAX = 60
NO_PROVIDER = "(none)"
COST_PLACES = Decimal("0.000001")  # Note.cost_usd's decimal places


@dataclass(frozen=True)
class TopicCount:
    topic_id: int
    topic: str
    group: str
    notes: int


@dataclass(frozen=True)
class NotesStats:
    """What the notes of a period came to: counts, AI usage and cost, why some failed.

    The ``by_*`` and ``failures`` maps are ordered most first.
    """

    since: datetime | None
    owner_id: int | None
    notes: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    by_provider: dict[str, int]
    by_topic: list[TopicCount]
    without_topic: int
    input_tokens: int
    output_tokens: int
    cost_usd: Decimal
    failures: dict[str, int]


def notes_stats(since: datetime | None = None, *, owner: User | None = None) -> NotesStats:
    """The statistics of the notes created since ``since`` (all when None), of one owner
    or of everyone: for operators (``manage.py stats``), unlike the owner's reads above."""
    notes = Note.objects.all()
    if since is not None:
        notes = notes.filter(created_at__gte=since)
    if owner is not None:
        notes = notes.filter(owner=owner)
    totals = notes.aggregate(
        notes=Count("id"),
        without_topic=Count("id", filter=Q(topic__isnull=True)),
        input_tokens=Sum("input_tokens"),
        output_tokens=Sum("output_tokens"),
        cost_usd=Sum("cost_usd"),
    )
    return NotesStats(
        since=since,
        owner_id=owner.pk if owner is not None else None,
        notes=totals["notes"],
        by_status=_counted(notes, "status"),
        by_kind=_counted(notes, "kind"),
        by_provider={
            (name or NO_PROVIDER): count for name, count in _counted(notes, "ai_provider").items()
        },
        by_topic=_top_topics(notes),
        without_topic=totals["without_topic"],
        input_tokens=totals["input_tokens"] or 0,
        output_tokens=totals["output_tokens"] or 0,
        cost_usd=_usd(totals["cost_usd"]),
        failures=_failures_by_reason(notes.filter(status=NoteStatus.FAILED)),
    )


def _usd(total: Decimal | None) -> Decimal:
    """A sum of costs to the field's six places (SQLite sums decimals as floats)."""
    return Decimal(total or 0).quantize(COST_PLACES)


def _counted(notes: QuerySet[Note], field: str) -> dict[str, int]:
    rows = notes.order_by().values(field).annotate(n=Count("id")).order_by("-n", field)
    return {row[field]: row["n"] for row in rows}


def _top_topics(notes: QuerySet[Note]) -> list[TopicCount]:
    rows = (
        notes.filter(topic__isnull=False)
        .order_by()
        .values("topic_id", "topic__name", "topic__group__title")
        .annotate(n=Count("id"))
        .order_by("-n", "topic__name", "topic_id")[:STATS_TOP_TOPICS]
    )
    return [
        TopicCount(row["topic_id"], row["topic__name"], row["topic__group__title"], row["n"])
        for row in rows
    ]


def _failures_by_reason(failed: QuerySet[Note]) -> dict[str, int]:
    counts: dict[str, int] = {}
    rows = failed.order_by().values("last_error").annotate(n=Count("id"))
    for row in rows:
        reason = failure_reason(row["last_error"])
        counts[reason] = counts.get(reason, 0) + row["n"]
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def failure_reason(last_error: str) -> str:
    """A failure's kind, not its text: what comes before the first ':' ("transcription",
    "classification", an exception's class name), cut short. The rest may hold
    what a server said, or the note's words."""
    head = last_error.split(":", 1)[0].strip().splitlines()
    if not head or not head[0].strip():
        return "(no reason recorded)"
    reason = head[0].strip()
    return reason if len(reason) <= FAILURE_REASON_MAX else reason[: FAILURE_REASON_MAX - 1] + "…"
