"""Classifying, rendering and learning: the AI layer applied to stored notes.

These services load what the AI layer needs from the database, call the pure
interface in ``notes.ai`` and store the outcome on the note. They never change
``note.status``: the pipeline decides what happens next.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notes.ai import (
    ClassificationResult,
    Example,
    LinkInfo,
    NoteContext,
    RenderContext,
    RenderedNote,
    TopicInfo,
    classify_note,
    preview_note,
    render_note,
)
from notes.ai.embeddings import embed
from notes.ai.embeddings import enabled as embeddings_enabled
from notes.ai.templates import forward_name, source_html
from notes.ai.textfeatures import first_line_title
from notes.links import MAX_LINKS, note_link_previews
from notes.models import FilingExample, Note, NoteKind
from notes.telegram_html import entities_to_html
from secretary.models import User
from secretary.services import preferences_for
from topics.formats import refusal_text, validate_format_template
from topics.models import Topic
from topics.selectors import group_for_owner, topics_selectable
from topics.services import topic_format_fallback_record

logger = logging.getLogger(__name__)

# How much of the owner's history the classifier sees (the prompt uses a few
# per topic; the local classifier uses them all).
EXAMPLES_LIMIT = 200
EXAMPLE_CHARS = 500
ERROR_PREFIX = "classification: "
CLASSIFICATION_FIELDS = [
    "topic",
    "ai_provider",
    "confidence",
    "reason",
    "alternatives",
    "title",
    "tags",
    "classification",
    "input_tokens",
    "output_tokens",
    "cost_usd",
    "last_error",
    "updated_at",
]
# In ``note.classification``: why this note has the default format instead of its
# topic's, on the note whose rendering told the owner (once per template).
FORMAT_REFUSAL = "format_refusal"


def note_classify(*, note: Note, providers: tuple[str, ...] | None = None) -> ClassificationResult:
    """Classify the note among its owner's topics and store the outcome on the note.

    Stores topic, ai_provider, confidence, reason, alternatives, title, tags,
    classification (the full answer, ``suggested_topic_id``,
    ``suggested_topic_name`` and ``failures``), token usage and cost; sets
    ``last_error`` when every provider failed. Never raises because a
    provider failed. With no group or no selectable topics no provider is
    called and the topic stays None.
    """
    topics = _selectable_topics(note)
    context = note_context(note=note, topics=topics)
    if providers is not None:  # a bulk import asks the local provider alone
        context = replace(context, providers=providers)
    result = classify_note(context)  # with no topics it asks no provider
    _store_classification(note, result, {str(topic.pk): topic for topic in topics})
    return result


def note_render(
    *, note: Note, topic: Topic, providers: tuple[str, ...] | None = None
) -> RenderedNote:
    """Render the note for ``topic`` and save ``note.rendered_text`` (and title/tags).

    The topic's format template is applied in code; a model rewrites the text
    only when the topic has style instructions (never for a private topic).
    The owner's formatting (``note.entities``) survives into the body.
    """
    context = _render_context(note, topic, topic.format_template)
    if providers is not None:
        context = replace(context, providers=providers)
    rendered = render_note(context)
    _store_rendering(note, rendered, _format_refusal_to_tell(note, topic, rendered))
    return rendered


def _format_refusal_to_tell(note: Note, topic: Topic, rendered: RenderedNote) -> str:
    """The topic's format gave way to the default: the reason, if this note is the one
    that tells the owner (the first for this template, or it told them already)."""
    if not rendered.format_refusal:
        return ""
    logger.warning(
        "The format of topic %s gave way to the default for note %s: %s",
        topic.pk,
        note.pk,
        rendered.format_refusal,
    )
    if topic.pk is None:
        return ""
    first = topic_format_fallback_record(topic_id=topic.pk, template=topic.format_template)
    if first or (note.classification or {}).get(FORMAT_REFUSAL):
        return rendered.format_refusal
    return ""


def note_format_preview(
    *, owner: User, template: str, topic: Topic | None = None, note: Note | None = None
) -> str:
    """``template`` over one of the owner's notes (or a sample one), as it would be filed.

    Nothing is saved and no model is asked: it is fast enough to follow typing.
    ``ValidationError`` names what is wrong with the template and where.
    """
    validate_format_template(template)
    if note is None:
        note = _sample_note(owner)
    shown_in = topic or note.topic or Topic(name=str(_("Sample topic")))
    formatted = preview_note(_render_context(note, shown_in, template))
    if formatted.refusal:  # within bounds on the samples, not on this note
        raise ValidationError(refusal_text(formatted.refusal))
    return formatted.html


def _sample_note(owner: User) -> Note:
    return Note(
        owner=owner,
        kind=NoteKind.LINK,
        text=str(_("Read later: how to keep notes that you actually reread.")),
        title=str(_("Notes you reread")),
        tags=["reading", "notes"],
        link_metadata=[
            {
                "url": "https://example.org/notes",
                "title": str(_("Notes you reread")),
                "description": str(_("A short essay on keeping notes.")),
                "site_name": "example.org",
                "status": "ok",
            }
        ],
        created_at=timezone.now(),
    )


def _render_context(note: Note, topic: Topic, template: str) -> RenderContext:
    preferences = preferences_for(user=note.owner)
    return RenderContext(
        topic=_topic_info(topic),
        template=template,
        language=preferences.effective_language,
        body_html=_body_html(note),
        text=note.content,
        title=note.title or _fallback_title(note),
        summary=str((note.classification or {}).get("summary") or ""),
        tags=tuple(str(tag) for tag in note.tags or ()),
        link=_link(note),
        links=_links(note),
        source_html=str(source_html(note.forward_origin)),
        date=timezone.localtime(note.created_at or timezone.now(), _zone(preferences.time_zone)),
        kind=note.kind,
        providers=tuple(preferences.provider_chain),
    )


@transaction.atomic
def note_filing_record(*, note: Note, topic: Topic) -> None:
    """Remember that the owner filed ``note`` into ``topic``, as an example or a correction.

    A correction is a filing into another topic than the one the AI suggested
    (``classification["suggested_topic_id"]``). One record per note: filing the
    note again replaces it. Its text is embedded here, once, and the vector kept
    with it (nothing when ``CLASSIFIER_EMBEDDINGS`` is off).
    """
    if topic.group.owner_id != note.owner_id:
        raise ValueError("A note can only be filed into its owner's own topics.")
    suggested_id = (note.classification or {}).get("suggested_topic_id")
    suggested = (
        Topic.objects.filter(pk=suggested_id, group=topic.group).first()
        if isinstance(suggested_id, int)
        else None
    )
    text = _example_text(note)
    FilingExample.objects.update_or_create(
        note=note,
        defaults={
            "owner_id": note.owner_id,
            "topic": topic,
            "suggested_topic": suggested,
            "text": text,
            "embedding": embed(text),
        },
    )


def filing_examples_embed(*, batch: int = 200) -> int:
    """Embed the filings that have no vector yet (made before embeddings, or while off).

    Returns how many were embedded; 0 when embeddings are off or unavailable. Each
    row is saved as soon as its vector is ready, so an interrupted run loses nothing.
    """
    if not embeddings_enabled():
        return 0
    done = 0
    while True:
        rows = list(
            FilingExample.objects.filter(embedding=b"")
            .exclude(text="")
            .order_by("id")
            .values_list("id", "text")[:batch]
        )
        for pk, text in rows:
            FilingExample.objects.filter(pk=pk).update(embedding=embed(text))
        done += len(rows)
        if len(rows) < batch:
            return done


def note_context(*, note: Note, topics: list[Topic]) -> NoteContext:
    """What the AI layer may know about ``note``, with ``topics`` as the choice."""
    preferences = preferences_for(user=note.owner)
    return NoteContext(
        text=note.content,
        language=preferences.effective_language,
        topics=tuple(_topic_info(topic) for topic in topics),
        kind=note.kind,
        link=_link(note),
        links=_links(note),
        forward_from=forward_name(note.forward_origin),
        examples=_examples(note, topics),
        providers=tuple(preferences.provider_chain),
    )


def _selectable_topics(note: Note) -> list[Topic]:
    group = group_for_owner(owner=note.owner)
    return topics_selectable(group=group) if group is not None else []


def _topic_info(topic: Topic) -> TopicInfo:
    return TopicInfo(
        key=str(topic.pk),
        name=topic.name,
        description=topic.description,
        style_instructions=topic.style_instructions,
        is_private=topic.is_private,
    )


def _examples(note: Note, topics: list[Topic]) -> tuple[Example, ...]:
    """The owner's most recent filings into these topics, newest first."""
    if not topics:
        return ()
    rows = (
        FilingExample.objects.filter(owner_id=note.owner_id, topic__in=topics)
        .exclude(note_id=note.pk)
        .order_by("-updated_at", "-id")
        .values_list("text", "topic_id", "suggested_topic_id", "note__kind", "embedding")[
            :EXAMPLES_LIMIT
        ]
    )
    return tuple(
        Example(
            text=text,
            topic_key=str(topic_id),
            suggested_key=_key(suggested_id),
            kind=kind,
            embedding=bytes(embedding or b""),
        )
        for text, topic_id, suggested_id, kind, embedding in rows
    )


def _key(pk: int | None) -> str | None:
    return None if pk is None else str(pk)


def _links(note: Note) -> tuple[LinkInfo, ...]:
    """The note's links with what their pages say (as far as they could be read)."""
    return tuple(
        LinkInfo(
            url=preview.url,
            title=preview.title,
            description=preview.description,
            site_name=preview.site_name,
        )
        for preview in note_link_previews(note.link_metadata)[:MAX_LINKS]
    )


def _link(note: Note) -> LinkInfo | None:
    return next(iter(_links(note)), None)


def _store_classification(
    note: Note, result: ClassificationResult, topics: dict[str, Topic]
) -> None:
    topic = topics.get(result.topic_key or "")
    details = result.as_dict()
    details["suggested_topic_id"] = topic.pk if topic else None
    note.topic = topic
    note.ai_provider = result.provider
    note.confidence = result.confidence
    note.reason = result.reason
    note.alternatives = [
        {"topic_id": topics[alt.topic_key].pk, "confidence": alt.confidence}
        for alt in result.alternatives
        if alt.topic_key in topics
    ]
    note.title = result.title[:255]
    note.tags = list(result.tags)
    note.classification = details
    note.input_tokens = result.usage.input_tokens
    note.output_tokens = result.usage.output_tokens
    note.cost_usd = result.cost_usd
    if result.failures and not result.provider:
        note.last_error = ERROR_PREFIX + "; ".join(
            f"{name}: {why}" for name, why in result.failures.items()
        )
    elif note.last_error.startswith(ERROR_PREFIX):
        note.last_error = ""
    # Only what classification owns: an album part or an edit may have landed on
    # the note while the model was thinking, and must not be written over.
    note.save(update_fields=CLASSIFICATION_FIELDS)


def _store_rendering(note: Note, rendered: RenderedNote, format_refusal: str) -> None:
    note.rendered_text = rendered.html
    fields = ["rendered_text", "updated_at"]
    details = dict(note.classification or {})
    if details.get(FORMAT_REFUSAL, "") != format_refusal:
        details.pop(FORMAT_REFUSAL, None)
        if format_refusal:
            details[FORMAT_REFUSAL] = format_refusal
        note.classification = details
        fields.append("classification")
    if rendered.title and rendered.title != note.title:
        note.title = rendered.title[:255]
        fields.append("title")
    if list(rendered.tags) != list(note.tags or []):
        note.tags = list(rendered.tags)
        fields.append("tags")
    if rendered.provider:
        note.input_tokens += rendered.usage.input_tokens
        note.output_tokens += rendered.usage.output_tokens
        note.cost_usd = Decimal(note.cost_usd) + rendered.cost_usd
        fields += ["input_tokens", "output_tokens", "cost_usd"]
    note.save(update_fields=fields)


def _body_html(note: Note) -> str:
    """The note's words as HTML; a bare link is left to the template's ``link``."""
    text = note.text
    link = _link(note)
    if note.kind == NoteKind.LINK and link is not None and text.strip() == link.url:
        return ""
    if text:
        return entities_to_html(text, note.entities or None)
    return entities_to_html(note.transcript, None)


def _fallback_title(note: Note) -> str:
    link = _link(note)
    return first_line_title(link.title if link and link.title else note.content)


def _example_text(note: Note) -> str:
    parts = [note.content]
    link = _link(note)
    if link:
        parts += [link.title, link.description]
    parts.append(forward_name(note.forward_origin))
    return "\n".join(part for part in parts if part)[:EXAMPLE_CHARS]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
