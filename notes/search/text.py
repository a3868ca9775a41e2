"""Words, queries and keys: the pure functions under search and "already saved".

Documents and queries are cut into words the same way and each word is reduced to
its dictionary form with the project's morphology (pymorphy3 for Russian, Snowball
for English), so "аренда" meets "аренды" and "contracts" meets "contract". Only
letters and digits ever reach the engine: the syntax of tsquery and FTS5
(``& | ! ( ) : * ' "``, ``NEAR``, ``-``) is plain text here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from notes.ai.morphology import lemma

# A query longer than this is cut, not refused.
QUERY_MAX_CHARS = 256
# Words of a query that count (the rest of a very long query is ignored).
QUERY_MAX_WORDS = 12
# A word this long or longer also matches as the start of a longer word ("догов").
PREFIX_MIN_CHARS = 3

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPACE = re.compile(r"\s+", re.UNICODE)


def words(text: str) -> list[str]:
    """Lower-cased words (letters and digits), "ё" read as "е"."""
    return _WORD.findall(text.lower().replace("ё", "е"))


def term(word: str) -> str:
    """What a word is indexed as: its lemma; a number stays itself; "" for function words."""
    if word.isdigit():
        return word
    return lemma(word)


def terms(text: str) -> str:
    """The indexed form of a text: its words' lemmas, space-separated, in order."""
    return " ".join(found for word in words(text) if (found := term(word)))


# -- queries -------------------------------------------------------------------------------


class QueryProblem(ValueError):
    """A query that cannot be searched for; ``reason`` says why."""

    EMPTY = "empty"  # nothing typed
    NO_WORDS = "no_words"  # only punctuation, symbols or emoji

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class QueryWord:
    """One word the owner typed and its lemma; a note must match every word."""

    word: str
    lemma: str

    @property
    def prefix(self) -> bool:
        return len(self.word) >= PREFIX_MIN_CHARS


@dataclass(frozen=True)
class SearchQuery:
    text: str
    words: tuple[QueryWord, ...] = field(default_factory=tuple)

    @property
    def lemmas(self) -> frozenset[str]:
        return frozenset(word.lemma for word in self.words if word.lemma)


def query_parse(text: str) -> SearchQuery:
    """The words to look for in what the owner typed (cut to 256 characters).

    Raises ``QueryProblem`` for an empty query and for one without a single letter or
    digit. Function words ("в", "the") are not indexed, so they are not required; a
    query made only of them has no words and finds nothing.
    """
    text = (text or "").strip()[:QUERY_MAX_CHARS]
    if not text:
        raise QueryProblem(QueryProblem.EMPTY)
    found = words(text)
    if not found:
        raise QueryProblem(QueryProblem.NO_WORDS)
    chosen: dict[str, QueryWord] = {}
    for word in found:
        lemma_of = term(word)
        if lemma_of and word not in chosen:
            chosen[word] = QueryWord(word=word, lemma=lemma_of)
    return SearchQuery(text=text, words=tuple(chosen.values())[:QUERY_MAX_WORDS])


def _plain(word: str) -> str:
    """Letters and digits only: whatever morphology returns can never become syntax."""
    return "".join(_WORD.findall(word))


def lexeme(word: str, owner_id: int | None = None) -> str:
    """A word as a quoted tsvector/tsquery lexeme; with ``owner_id``, that owner's word
    ("<owner id>:<word>"): each owner's words are keys of their own in the GIN index, so a
    search reads only the owner's posting lists, never a common word's for every owner."""
    text = word if owner_id is None else f"{int(owner_id)}:{word}"
    return "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"


def tsquery(query: SearchQuery, owner_id: int | None = None) -> str:
    """The query as a ``tsquery`` literal: every word, as its lemma or (long enough) as
    the start of a word; only letters and digits, always quoted. With ``owner_id`` the
    words are that owner's lexemes (see ``tsvector``)."""
    parts = []
    for word in query.words:
        lemma_of, raw = _plain(word.lemma), _plain(word.word)
        options = [lexeme(lemma_of, owner_id)]
        if word.prefix and raw != lemma_of:
            options.append(f"{lexeme(raw, owner_id)}:*")
        elif word.prefix:
            options = [f"{lexeme(lemma_of, owner_id)}:*"]
        parts.append(f"({' | '.join(options)})")
    return " & ".join(parts)


# What a tsvector holds at most (PostgreSQL's to_tsvector keeps to the same): positions
# up to 16,383, 256 positions of a lexeme, lexemes under 2 KB.
POSITION_MAX = 16_383
POSITIONS_PER_LEXEME = 256
LEXEME_MAX_BYTES = 2_047


def tsvector(owner_id: int, columns: list[tuple[str, str]]) -> str:
    """A note's ``tsvector`` literal from its ``(lemmas, weight)`` columns: each lemma as
    the owner's lexeme with its positions and weight, as ``setweight(to_tsvector('simple',
    column), weight) || …`` numbers them (positions run on across the columns), so that
    ``ts_rank`` ranks as it would over the plain words."""
    found: dict[str, list[str]] = {}
    position = 0
    for text, weight in columns:
        for word in text.split():
            position += 1
            quoted = lexeme(word, owner_id)
            if len(quoted.encode()) - 2 > LEXEME_MAX_BYTES:
                continue
            positions = found.setdefault(quoted, [])
            if len(positions) < POSITIONS_PER_LEXEME:
                positions.append(f"{min(position, POSITION_MAX)}{weight}")
    return " ".join(f"{quoted}:{','.join(positions)}" for quoted, positions in found.items())


def fts5_query(query: SearchQuery) -> str:
    """The same query in SQLite FTS5's syntax: each word quoted (so ``NEAR``, ``-`` and
    ``*`` are text), prefixes as ``"word" *``."""
    parts = []
    for word in query.words:
        options = [f'"{_plain(word.lemma)}"']
        if word.prefix:
            options.append(f'"{_plain(word.word)}" *')
        parts.append(f"({' OR '.join(dict.fromkeys(options))})")
    return " AND ".join(parts)


# -- snippets ------------------------------------------------------------------------------

SNIPPET_CHARS = 160


@dataclass(frozen=True)
class Snippet:
    """A short stretch of a text around the first matched word, as (text, matched) pieces."""

    pieces: tuple[tuple[str, bool], ...]

    @property
    def plain(self) -> str:
        return "".join(text for text, _matched in self.pieces)


def _matches(word: str, query: SearchQuery) -> bool:
    lowered = word.lower().replace("ё", "е")
    for wanted in query.words:
        if term(lowered) == wanted.lemma and wanted.lemma:
            return True
        if wanted.prefix and lowered.startswith(wanted.word):
            return True
    return False


def snippet(text: str, query: SearchQuery, *, limit: int = SNIPPET_CHARS) -> Snippet:
    """The part of ``text`` around its first word that the query matched (the start of the
    text when none did), whitespace collapsed, cut at word boundaries, with an ellipsis
    where it was cut; matched words marked."""
    flat = _SPACE.sub(" ", text).strip()
    spans = [match.span() for match in _WORD.finditer(flat) if _matches(match.group(), query)]
    start = 0
    if spans and spans[0][0] > limit // 3:
        start = flat.rfind(" ", 0, spans[0][0] - limit // 3) + 1
    end = min(len(flat), start + limit)
    if end < len(flat):
        end = max(flat.rfind(" ", start, end), spans[0][1] if spans else start + 1)
    pieces: list[tuple[str, bool]] = [("…", False)] if start else []
    position = start
    for begin, finish in spans:
        if begin < start or finish > end:
            continue
        pieces += [(flat[position:begin], False), (flat[begin:finish], True)]
        position = finish
    pieces.append((flat[position:end], False))
    if end < len(flat):
        pieces.append(("…", False))
    return Snippet(tuple(piece for piece in pieces if piece[0]))


# -- "already saved": the keys of a note ----------------------------------------------------

# Query parameters that say where a click came from, not what the page is.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "yclid", "ysclid", "msclkid",
        "mc_cid", "mc_eid", "igshid", "igsh", "si", "ref_src", "ref_url", "_hsenc", "_hsmi",
        "mkt_tok", "vero_id", "oly_enc_id", "oly_anon_id", "rb_clickid", "s_cid", "twclid",
        "ttclid", "li_fat_id", "epik", "spm", "_openstat", "feature",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def url_canonical(url: str) -> str:
    """One spelling per page: scheme and host lower-cased, ``www.`` and the default port
    dropped, the fragment and tracking parameters (``utm_*``, ``fbclid``, ``gclid``,
    ``yclid``, ``si``, …) dropped, the rest of the query kept in its order; ``http``
    and ``https`` are one page. "" for what is not a web address."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    host = host.removeprefix("www.")
    if port and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name.lower() not in TRACKING_PARAMETERS
        and not name.lower().startswith(_TRACKING_PREFIXES)
    ]
    path = parts.path if parts.path not in ("", "/") else ""
    return urlunsplit(("https", host, path.rstrip("/") or path, urlencode(kept), ""))


def text_key(text: str) -> str:
    """The same text, whatever its spacing: a hash of its words separated by single spaces
    ("" for a note without text)."""
    flat = _SPACE.sub(" ", text).strip()
    return hashlib.sha256(flat.encode()).hexdigest() if flat else ""


def forward_key(forward_origin: object) -> str:
    """The forwarded post a note is: its origin chat and message id ("" when Telegram does
    not say both, as for a person's message)."""
    if not isinstance(forward_origin, dict):
        return ""
    chat = forward_origin.get("chat") or forward_origin.get("sender_chat")
    message_id = forward_origin.get("message_id")
    if not isinstance(chat, dict) or not chat.get("id") or not message_id:
        return ""
    return f"{int(chat['id'])}:{int(message_id)}"
