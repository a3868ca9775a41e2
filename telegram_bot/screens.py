"""The messages that show a note in private: its preview and what became of it.

Each screen is the note's content (as it will look in its topic) with a footer
that says where it goes and why, or what happened to it, plus its buttons.
Synchronous: built from the database, called by services and handlers (via
``sync_to_async``) alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder
from django.conf import settings

from notes.ai.templates import source_html
from notes.links import MAX_LINKS, note_link_previews
from notes.models import OPEN_STATUSES, Note, NoteStatus
from notes.services.processing import (
    SPOKEN_KINDS,
    TranscriptOutcome,
    note_format_notice,
    note_plain_html,
    note_suggested_topic_name,
)
from notes.services.transcription import note_too_long_to_transcribe
from notes.telegram_html import (
    MESSAGE_LIMIT,
    character_count,
    quote,
    truncate_html,
    visible_length,
)
from telegram_bot import reminders, texts
from telegram_bot.bursts import (
    burst_line,
    file_size_line,
    follows_line,
    split_button,
    too_long_line,
)
from telegram_bot.callbacks import NoteAction, NoteCallback, TopicChoiceCallback, TopicPageCallback
from telegram_bot.duplicates import already_saved_line
from topics.models import Topic
from topics.selectors import group_for_owner, topics_selectable

TOPICS_PER_PAGE = 8


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None
    parse: bool = True  # Telegram HTML; False for plain text


def _content(note: Note) -> str:
    return note.rendered_text or note_plain_html(note)


def _compose(note: Note, footer: list[str], header: str = "") -> str:
    """Content first, footer after; the content gives way when the message would be too long
    (and then a line says how long the whole note is).

    The footer says what the note is (media, and where a forward came from,
    unless the topic's format already shows that) and what happens to it.
    """
    content = _content(note)
    lines = [burst_line(note), follows_line(note), texts.media_line(note)]
    source = str(source_html(note.forward_origin)) if note.forward_origin else ""
    if source and source not in content:
        lines.append(texts.forward_line(source))
    lines.append(quote(note_format_notice(note)))
    tail = "\n".join(line for line in [*lines, *footer] if line)
    head = f"{header}\n\n" if header else ""
    budget = MESSAGE_LIMIT - visible_length(tail) - visible_length(head) - 2
    if visible_length(content) > budget:
        # Shortened: say how long the whole note is, right under where it breaks off.
        filed_later = note.status in (*OPEN_STATUSES, NoteStatus.FAILED)
        whole = texts.whole_note_line(character_count(content), when_filed=filed_later)
        tail = "\n".join(line for line in [whole, *lines, *footer] if line)
        budget = MESSAGE_LIMIT - visible_length(tail) - visible_length(head) - 2
        content = truncate_html(content, budget)
    return head + (f"{content}\n\n{tail}" if content.strip() else tail)


def transcript_outcome(note: Note) -> str | None:
    """Why a spoken note has no words, from what is stored about it."""
    if note.kind not in SPOKEN_KINDS or note.transcript or note.text:
        return None
    size = max((part.get("file_size") or 0 for part in note.files), default=0)
    if size > settings.TELEGRAM_DOWNLOAD_LIMIT:
        return TranscriptOutcome.TOO_BIG
    if note_too_long_to_transcribe(note):
        return TranscriptOutcome.TOO_LONG
    if note.last_error.startswith("transcription"):
        return TranscriptOutcome.FAILED
    return TranscriptOutcome.UNAVAILABLE


def preview_screen(note: Note, *, notice: str = "") -> Screen:
    """The preview waiting for a tap: topic, why, and the buttons."""
    # What each link's page says, unless the topic's format shows it already.
    links = note_link_previews(note.link_metadata)[:MAX_LINKS]
    content = _content(note)
    footer = [texts.link_line(link, shown=content) for link in links]
    outcome = transcript_outcome(note)
    if outcome:
        too_long = outcome == TranscriptOutcome.TOO_LONG
        footer.append(too_long_line(note) if too_long else texts.transcript_notice(outcome))
        footer.append(file_size_line(note) if outcome == TranscriptOutcome.TOO_BIG else "")
    if note.topic is None and group_for_owner(owner=note.owner) is None:
        footer.append(texts.no_group_text())
    else:
        footer.append(texts.topic_line(note))
        if note.reason and note.topic is not None:
            footer.append(texts.reason_line(note.reason))
        suggested = suggested_name(note)
        if suggested:
            footer.append(texts.suggested_topic_line(suggested))
    footer += reminders.offer_lines(note)
    footer.append(notice)
    return Screen(_compose(note, footer, already_saved_line(note)), preview_keyboard(note))


def suggested_name(note: Note) -> str:
    return note_suggested_topic_name(note)


def preview_keyboard(note: Note) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if note.topic is not None and note.topic.is_selectable:
        builder.row(_button(texts.confirm_button(note.topic.name), note, NoteAction.CONFIRM))
    suggested = suggested_name(note)
    if suggested:
        builder.row(_button(texts.suggested_topic_button(suggested), note, NoteAction.SUGGESTED))
    builder.row(
        _button(texts.pick_button(), note, NoteAction.PICK),
        _button(texts.edit_button(), note, NoteAction.EDIT),
    )
    builder.row(_button(texts.cancel_button(), note, NoteAction.CANCEL))
    if split := split_button(note):
        builder.row(split)
    return reminders.with_offer(builder.as_markup(), note)


def _button(text: str, note: Note, action: NoteAction) -> InlineKeyboardButton:
    data = NoteCallback(note_id=note.pk, action=action).pack()
    return InlineKeyboardButton(text=text, callback_data=data)


def topic_picker_keyboard(note: Note, page: int) -> InlineKeyboardMarkup:
    """The owner's topics, a page at a time, then ➕ new topic and back."""
    group = group_for_owner(owner=note.owner)
    topics: list[Topic] = topics_selectable(group=group) if group else []
    pages = max(1, -(-len(topics) // TOPICS_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    builder = InlineKeyboardBuilder()
    for topic in topics[page * TOPICS_PER_PAGE : (page + 1) * TOPICS_PER_PAGE]:
        mark = "• " if topic.pk == note.topic_id else ""
        data = TopicChoiceCallback(note_id=note.pk, topic_id=topic.pk).pack()
        builder.row(InlineKeyboardButton(text=f"{mark}{topic.name}", callback_data=data))
    navigation = []
    if page > 0:
        data = TopicPageCallback(note_id=note.pk, page=page - 1).pack()
        navigation.append(InlineKeyboardButton(text="◀️", callback_data=data))
    if page < pages - 1:
        data = TopicPageCallback(note_id=note.pk, page=page + 1).pack()
        navigation.append(InlineKeyboardButton(text="▶️", callback_data=data))
    if navigation:
        builder.row(*navigation)
    if group is not None:
        builder.row(_button(texts.new_topic_button(), note, NoteAction.NEW_TOPIC))
    builder.row(_button(texts.back_button(), note, NoteAction.BACK))
    return builder.as_markup()


def filed_screen(note: Note, link: str, *, undo: bool = True) -> Screen:
    topic_name = note.topic.name if note.topic else ""
    markup = None
    if undo:
        builder = InlineKeyboardBuilder()
        builder.row(_button(texts.undo_button(), note, NoteAction.UNDO))
        markup = reminders.with_offer(builder.as_markup(), note)
    return Screen(_compose(note, [texts.filed_line(topic_name, link)]), markup)


def failed_screen(note: Note) -> Screen:
    """A note whose work kept failing: it is kept, and 🔁 sends it back to work."""
    builder = InlineKeyboardBuilder()
    builder.row(_button(texts.retry_button(), note, NoteAction.RETRY))
    return Screen(_compose(note, [texts.failed_line()]), builder.as_markup())


def cancelled_screen(note: Note) -> Screen:
    return Screen(_compose(note, [texts.cancelled_line()]))


def deleted_screen(note: Note) -> Screen:
    return Screen(_compose(note, [texts.deleted_line()]))


def expired_screen(note: Note) -> Screen:
    return Screen(_compose(note, [texts.expired_line()]))


def filing_screen(note: Note) -> Screen:
    """Confirmed and waiting for its turn in the group: nothing to tap meanwhile."""
    return Screen(_compose(note, [texts.filing_line(note.topic.name if note.topic else "")]))


def transcribing_screen(note: Note) -> Screen:
    return Screen(_compose(note, [texts.transcribing_text()]))
