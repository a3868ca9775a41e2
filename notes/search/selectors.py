"""Finding an owner's notes, for every surface (the chat's /find, inline mode, the Mini
App's history, the terminal), and naming the earlier copy of a note.

Every read is one owner's: a search never reaches another owner's notes. Results are
ranked by relevance (a word in the title and tags counts most, then the text and
transcript, then the links and the forward's source), then recency.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, overload

from django.contrib.postgres.search import SearchQueryField, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Count, F, Func, QuerySet, TextField, Value, Window
from django.db.models.functions import Cast, Concat

from notes.ai.templates import forward_name
from notes.links import note_link_previews
from notes.models import Note, NoteStatus
from notes.search.indexing import link_keys
from notes.search.text import (
    SearchQuery,
    Snippet,
    forward_key,
    fts5_query,
    query_parse,
    snippet,
    text_key,
    tsquery,
)
from secretary.models import User

# What a search shows unless asked for more: filed notes and those waiting for a tap.
DEFAULT_STATUSES: tuple[str, ...] = (
    NoteStatus.PUBLISHED,
    NoteStatus.PUBLISHING,
    NoteStatus.AWAITING_CONFIRMATION,
)
# pg_trgm's word_similarity a typed word must reach when full-text finds nothing
# (one typo in a six-letter word is about 0.57).
TYPO_SIMILARITY = 0.5
# SQLite: the FTS5 table the migration keeps over the entries; bm25 weights its columns
# (title and tags, text and transcript, links and source) and is lower for a better match.
FTS5_HITS = (
    "WITH hits(id, rank) AS MATERIALIZED (SELECT rowid, bm25(notes_search_fts, 10.0, 4.0, 2.0) "
    "FROM notes_search_fts WHERE notes_search_fts MATCH %s) "
)
# The rows fetched with the count (the first page of the history; /find shows five).
FIRST_PAGE = 20


@dataclass(frozen=True)
class SearchScope:
    """Which of the owner's notes a search looks at. ``statuses`` None: every status."""

    statuses: tuple[str, ...] | None = DEFAULT_STATUSES
    topic_id: int | None = None
    kind: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def _scoped(owner: User, scope: SearchScope) -> QuerySet[Note]:
    notes = Note.objects.filter(owner=owner)
    if scope.statuses is not None:
        notes = notes.filter(status__in=scope.statuses)
    if scope.topic_id is not None:
        notes = notes.filter(topic_id=scope.topic_id)
    if scope.kind:
        notes = notes.filter(kind=scope.kind)
    if scope.since is not None:
        notes = notes.filter(created_at__gte=scope.since)
    if scope.until is not None:
        notes = notes.filter(created_at__lt=scope.until)
    return notes.select_related("topic__group", "pending")


class _Matches(Func):
    """``vector @@ query``: the tsquery is a literal of the owner's lexemes, cast rather
    than parsed (``to_tsquery`` would split "<owner>:<word>" in two)."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _postgres_matches(notes: QuerySet[Note], query: SearchQuery, owner_id: int) -> QuerySet[Note]:
    # The words are the owner's lexemes (``tsvector``): the GIN index reads only the
    # owner's posting lists.
    wanted = Cast(Value(tsquery(query, owner_id=owner_id)), SearchQueryField())
    vector = F("search_entry__vector")
    return (
        notes.filter(_Matches(vector, wanted))
        .annotate(rank=SearchRank(vector, wanted))
        .order_by("-rank", "-created_at", "-id")
    )


def _postgres_near_misses(notes: QuerySet[Note], query: SearchQuery) -> QuerySet[Note]:
    """Notes with a word like each typed word (pg_trgm): one typo still finds it."""
    words = Concat(
        "search_entry__title_terms",
        Value(" "),
        "search_entry__body_terms",
        Value(" "),
        "search_entry__extra_terms",
        output_field=TextField(),
    )
    similarity: Any = Value(0.0)
    for number, word in enumerate(query.words):
        name = f"typo_{number}"
        notes = notes.annotate(**{name: TrigramWordSimilarity(word.word, words)})
        notes = notes.filter(**{f"{name}__gte": TYPO_SIMILARITY})
        similarity = similarity + F(name)
    return notes.annotate(rank=similarity).order_by("-rank", "-created_at", "-id")


class _Found(ABC):
    """The found notes of one engine: how many, and a page of them, best first."""

    @abstractmethod
    def count(self) -> int: ...

    @abstractmethod
    def page(self, start: int, stop: int) -> list[Note]: ...


class _Ranked(_Found):
    """PostgreSQL: a queryset that ranks itself. The ranking reads ids only; counting
    fetches the first page's ids too (with the total as a window), so /find and the first
    page of the history rank once; a page's notes are then loaded by primary key."""

    def __init__(self, ranked: QuerySet[Note], notes: QuerySet[Note]) -> None:
        self.ranked = ranked
        self.notes = notes
        self._first: list[int] | None = None

    def count(self) -> int:
        counted = self.ranked.annotate(total=Window(Count("id"))).values_list("id", "total")
        rows = list(counted[:FIRST_PAGE])
        self._first = [pk for pk, _total in rows]
        return int(rows[0][1]) if rows else 0

    def page(self, start: int, stop: int) -> list[Note]:
        first = self._first
        if first is not None and (stop <= FIRST_PAGE or len(first) < FIRST_PAGE):
            ids = first[start:stop]
        else:
            ids = list(self.ranked.values_list("id", flat=True)[start:stop])
        return _loaded(self.notes, ids)


def _loaded(notes: QuerySet[Note], ids: list[int]) -> list[Note]:
    """The notes of ``ids``, in their order."""
    if not ids:
        return []
    found = notes.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


class _Fts5(_Found):
    """SQLite: FTS5 finds and ranks the ids once (a materialised CTE), the scope narrows
    them, the ORM loads the page's notes."""

    def __init__(self, notes: QuerySet[Note], query: SearchQuery) -> None:
        self.notes = notes
        scope, params = notes.order_by().values("id").query.sql_with_params()
        self.hits = FTS5_HITS
        self.scope = f"hits.id IN ({scope})"
        self.params = [fts5_query(query), *params]

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"{self.hits} SELECT count(*) FROM hits WHERE {self.scope}",  # noqa: S608
                self.params,
            )
            return int(cursor.fetchone()[0])

    def page(self, start: int, stop: int) -> list[Note]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"{self.hits} SELECT hits.id FROM hits "  # noqa: S608
                f"JOIN notes_note ON notes_note.id = hits.id WHERE {self.scope} "
                "ORDER BY hits.rank, notes_note.created_at DESC, notes_note.id DESC "
                "LIMIT %s OFFSET %s",
                [*self.params, max(stop - start, 0), start],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return _loaded(self.notes, ids)


class SearchResults(Sequence[Note]):
    """The notes found, best first, fetched a page at a time (a Django Paginator and
    DRF's pagination take it as they take a QuerySet)."""

    def __init__(self, found: _Found | None, query: SearchQuery, *, near: bool = False) -> None:
        self._found = found
        self.query = query
        # Found by similar words (a typo allowed), not by the words themselves.
        self.near = near
        self._count: int | None = None

    def count(self, value: Any = None) -> int:
        if self._found is None:
            return 0
        if self._count is None:
            self._count = self._found.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> Note: ...

    @overload
    def __getitem__(self, index: slice) -> list[Note]: ...

    def __getitem__(self, index: int | slice) -> Note | list[Note]:
        if isinstance(index, slice):
            start, stop, _step = index.indices(len(self))
            return self._found.page(start, stop) if self._found is not None else []
        found = self._found.page(index, index + 1) if self._found is not None else []
        if not found:
            raise IndexError(index)
        return found[0]


def note_search(*, owner: User, text: str, scope: SearchScope | None = None) -> SearchResults:
    """The owner's notes that have every word of ``text`` (in any of its forms), best first.

    ``text`` is cut to 256 characters; one without letters or digits raises
    ``QueryProblem``. On PostgreSQL a search that finds nothing is tried again allowing a
    typo in each word (pg_trgm).
    """
    query = query_parse(text)
    if not query.words:
        return SearchResults(None, query)
    notes = _scoped(owner, scope or SearchScope())
    if connection.vendor == "postgresql":
        results = SearchResults(_Ranked(_postgres_matches(notes, query, owner.pk), notes), query)
        if results.count() == 0:
            near = _Ranked(_postgres_near_misses(notes, query), notes)
            results = SearchResults(near, query, near=True)
        return results
    return SearchResults(_Fts5(notes, query), query)


# Words of a /find that widen it to other statuses (in either language) rather than
# being searched for.
STATUS_WORDS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "все": None,
    "всё": None,
    "cancelled": (NoteStatus.CANCELLED,),
    "canceled": (NoteStatus.CANCELLED,),
    "отменённые": (NoteStatus.CANCELLED,),
    "отмененные": (NoteStatus.CANCELLED,),
    "expired": (NoteStatus.EXPIRED,),
    "истёкшие": (NoteStatus.EXPIRED,),
    "истекшие": (NoteStatus.EXPIRED,),
    "failed": (NoteStatus.FAILED,),
    "сбойные": (NoteStatus.FAILED,),
}


def find_request(text: str) -> tuple[str, SearchScope]:
    """What a /find asks: its words, and the statuses its status words ("all", "все",
    "cancelled", "отменённые", "expired", "истёкшие", "failed", "сбойные") add to the
    default ones (filed and pending)."""
    kept, statuses = [], set(DEFAULT_STATUSES)
    everything = False
    for word in (text or "").split():
        if word.lower() not in STATUS_WORDS:
            kept.append(word)
            continue
        extra = STATUS_WORDS[word.lower()]
        if extra is None:
            everything = True
        else:
            statuses.update(extra)
    scope = SearchScope(statuses=None if everything else tuple(sorted(statuses)))
    return " ".join(kept), scope


def scope_dates(since: date | None, until: date | None, zone: Any) -> dict[str, datetime | None]:
    """Whole days in the owner's zone as the scope's moments (``until`` inclusive)."""
    start = datetime.combine(since, datetime.min.time(), tzinfo=zone) if since else None
    end = (
        datetime.combine(until + timedelta(days=1), datetime.min.time(), tzinfo=zone)
        if until
        else None
    )
    return {"since": start, "until": end}


# -- what a result shows -------------------------------------------------------------------


def note_snippet(note: Note, query: SearchQuery) -> Snippet:
    """The note's words around what matched: its text or transcript, else what its links'
    pages or its forward's source say."""
    candidates = [note.text, note.transcript]
    for preview in note_link_previews(note.link_metadata):
        candidates += [preview.title, preview.description]
    candidates += [forward_name(note.forward_origin), note.title]
    shown = [text for text in candidates if text and text.strip()]
    for text in shown:
        found = snippet(text, query)
        if any(matched for _text, matched in found.pieces):
            return found
    return snippet(shown[0], query) if shown else Snippet(())


def note_message_link(note: Note) -> str:
    """The t.me link of a filed note's first message ("" when there is none to link)."""
    if note.status != NoteStatus.PUBLISHED or not note.published_message_ids:
        return ""
    chat = str(note.published_chat_id or "")
    if not chat.startswith("-100"):
        return ""
    thread = note.topic.thread_id if note.topic is not None else None
    base = f"https://t.me/c/{chat[4:]}"
    message = note.published_message_ids[0]
    return f"{base}/{thread}/{message}" if thread and thread > 1 else f"{base}/{message}"


# -- "already saved" -----------------------------------------------------------------------


def note_earlier_copy(note: Note) -> Note | None:
    """The most recently filed earlier note of the same owner that is the same thing: the
    same link (canonicalised), the same forwarded post, or the same text (whitespace
    aside). None if there is none.

    One statement finds its id (each key by its own (owner, key) index, the notes they
    name by primary key); only a note that has a copy loads it, with its topic and the
    fields its "already saved" line and link show (others load if read).
    """
    found = _earlier_copy_id(
        owner_id=note.owner_id,
        note_id=note.pk,
        text=text_key(note.text),
        forward=forward_key(note.forward_origin),
        links=list(link_keys(note)),
    )
    if found is None:
        return None
    copies = Note.objects.select_related("topic").only(*_COPY_FIELDS).filter(pk=found)
    return next(iter(copies), None)


# What the line naming an earlier copy shows (``already_saved_text``, ``day_text``,
# ``note_message_link``).
_COPY_FIELDS = (
    "owner_id",
    "status",
    "created_at",
    "published_at",
    "published_chat_id",
    "published_message_ids",
    "topic__name",
    "topic__thread_id",
)


# The look-ups of "already saved", each by its (owner, key) index; and the latest filed
# note among those they name. SQL: the ORM spends more on composing this statement (a
# union inside ``IN``) than the database does on answering it.
_BY_TEXT = "SELECT note_id FROM notes_notesearchentry WHERE owner_id = %s AND text_key = %s"
_BY_FORWARD = "SELECT note_id FROM notes_notesearchentry WHERE owner_id = %s AND forward_key = %s"
_BY_LINK = 'SELECT note_id FROM notes_notelinkkey WHERE owner_id = %s AND "key" IN ({marks})'
_LATEST_FILED = (
    "SELECT id FROM notes_note WHERE id IN ({lookups}) AND owner_id = %s AND status = %s "
    "AND id <> %s ORDER BY published_at DESC, id DESC LIMIT 1"
)


def _earlier_copy_id(
    *, owner_id: int, note_id: int | None, text: str, forward: str, links: list[str]
) -> int | None:
    """The id of the latest filed note of the owner with one of the keys, other than
    ``note_id`` (None: a note not saved yet)."""
    lookups: list[str] = []
    params: list[Any] = []
    if text:
        lookups.append(_BY_TEXT)
        params += [owner_id, text]
    if forward:
        lookups.append(_BY_FORWARD)
        params += [owner_id, forward]
    if links:
        lookups.append(_BY_LINK.format(marks=", ".join(["%s"] * len(links))))
        params += [owner_id, *links]
    if not lookups:
        return None
    sql = _LATEST_FILED.format(lookups=" UNION ALL ".join(lookups))
    params += [owner_id, NoteStatus.PUBLISHED, note_id if note_id is not None else 0]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None
