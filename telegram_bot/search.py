"""Finding notes in Telegram: the /find screen with its pages, inline mode's answers, and
the "already saved" line at the top of a preview.

Synchronous, built from the database by ``notes.search``; the handlers in
``telegram_bot.handlers.search`` call it through ``sync_to_async``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from django.core.cache import cache
from django.utils.translation import gettext as _

from notes.models import Note, NoteKind
from notes.search.messages import (
    day_text,
    found_text,
    nothing_found_text,
    query_problem_text,
    status_text,
)
from notes.search.selectors import (
    SearchResults,
    find_request,
    note_message_link,
    note_search,
    note_snippet,
)
from notes.search.text import QueryProblem, SearchQuery, Snippet
from notes.services.processing import note_plain_html
from notes.telegram_html import MESSAGE_LIMIT, quote, truncate_html, visible_length
from secretary.models import User
from telegram_bot.screens import Screen

RESULTS_PER_PAGE = 5
INLINE_RESULTS = 20  # a page of inline results (Telegram takes up to 50)
TITLE_CHARS = 100
# How long the words of a /find are remembered for its ◀ ▶ buttons.
FIND_MEMORY_SECONDS = 7 * 24 * 3600


class FindPageCallback(CallbackData, prefix="fp"):
    """A page of a /find's results; the words are remembered under ``key``."""

    key: str
    page: int


def find_key_remember(*, owner: User, text: str) -> str:
    """A short key for the words of a search (buttons carry 64 bytes; words may not fit)."""
    key = hashlib.sha256(f"{owner.pk}:{text}".encode()).hexdigest()[:16]
    cache.set(f"find:{owner.pk}:{key}", text, FIND_MEMORY_SECONDS)
    return key


def find_key_recall(*, owner: User, key: str) -> str | None:
    text = cache.get(f"find:{owner.pk}:{key}")
    return text if isinstance(text, str) else None


# -- one result ----------------------------------------------------------------------------


def note_heading(note: Note) -> str:
    """What names a note in a list: its title, else its first words, else its kind."""
    words = " ".join((note.title or note.content).split())
    if not words:
        words = str(NoteKind(note.kind).label)
    return words if len(words) <= TITLE_CHARS else words[: TITLE_CHARS - 1] + "…"


def snippet_html(found: Snippet) -> str:
    return "".join(f"<b>{quote(text)}</b>" if bold else quote(text) for text, bold in found.pieces)


def note_facts(note: Note) -> str:
    """Topic · day · status, as plain text."""
    topic = note.topic.name if note.topic is not None else _("no topic")
    return f"{topic} · {day_text(note)} · {status_text(note)}"


def result_html(number: int, note: Note, query: SearchQuery) -> str:
    lines = [f"<b>{number}. {quote(note_heading(note))}</b>", f"📂 {quote(note_facts(note))}"]
    found = snippet_html(note_snippet(note, query))
    if found and found != quote(note_heading(note)):
        lines.append(found)
    link = note_message_link(note)
    if link:
        lines.append(open_link(link))
    return "\n".join(lines)


def open_link(link: str) -> str:
    return _('<a href="%(link)s">Open the filed message</a>') % {"link": quote(link)}


# -- /find ---------------------------------------------------------------------------------


def find_screen(*, owner: User, text: str, page: int = 0) -> Screen:
    """The page of a /find's results, or why there are none."""
    words, scope = find_request(text)
    try:
        results = note_search(owner=owner, text=words, scope=scope)
    except QueryProblem as problem:
        return Screen(_usage(problem))
    count = results.count()
    if not count:
        return Screen(quote(nothing_found_text(results.query.text)))
    pages = -(-count // RESULTS_PER_PAGE)
    page = min(max(page, 0), pages - 1)
    first = page * RESULTS_PER_PAGE
    blocks = [
        result_html(first + number, note, results.query)
        for number, note in enumerate(results[first : first + RESULTS_PER_PAGE], start=1)
    ]
    header = quote(found_text(count, page + 1, pages, near=results.near))
    markup = _pages(find_key_remember(owner=owner, text=text), page, pages)
    return Screen("\n\n".join([header, *blocks]), markup)


def _usage(problem: QueryProblem) -> str:
    text = quote(query_problem_text(problem))
    if problem.reason == QueryProblem.EMPTY:
        text += "\n" + quote(find_inline_hint())
    return text


def find_inline_hint() -> str:
    return _("In any chat, type the bot's @name and the words to send one of your notes there.")


def _pages(key: str, page: int, pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if page > 0:
        data = FindPageCallback(key=key, page=page - 1).pack()
        buttons.append(InlineKeyboardButton(text="◀️", callback_data=data))
    if page < pages - 1:
        data = FindPageCallback(key=key, page=page + 1).pack()
        buttons.append(InlineKeyboardButton(text="▶️", callback_data=data))
    return InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None


def find_expired_notice() -> str:
    return _("This search is too old: send /find again.")


# -- inline mode ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InlineAnswer:
    results: list[InlineQueryResultArticle]
    next_offset: str


def inline_answer(*, owner: User, text: str, offset: str) -> InlineAnswer:
    """The owner's notes for ``@bot words``, a page at a time (``offset``: where it starts)."""
    start = int(offset) if offset.isdigit() else 0
    try:
        results: SearchResults = note_search(owner=owner, text=text)
    except QueryProblem:
        return InlineAnswer([], "")
    notes = results[start : start + INLINE_RESULTS]
    more = start + INLINE_RESULTS < results.count()
    articles = [inline_article(note, results.query) for note in notes]
    return InlineAnswer(articles, str(start + INLINE_RESULTS) if more else "")


def inline_article(note: Note, query: SearchQuery) -> InlineQueryResultArticle:
    found = note_snippet(note, query).plain
    return InlineQueryResultArticle(
        id=str(note.pk),
        title=note_heading(note),
        description=f"{note_facts(note)}\n{found}"[:256],
        input_message_content=InputTextMessageContent(
            message_text=inline_message(note), parse_mode="HTML"
        ),
    )


def inline_message(note: Note) -> str:
    """What choosing a note sends: the note as filed, and its link, within one message."""
    content = note.rendered_text or note_plain_html(note) or quote(note_heading(note))
    link = note_message_link(note)
    tail = open_link(link) if link else ""
    budget = MESSAGE_LIMIT - visible_length(tail) - 2
    content = truncate_html(content, budget)
    return f"{content}\n\n{tail}" if tail else content


def inline_start_text() -> str:
    return _("Start the bot to search your notes")
