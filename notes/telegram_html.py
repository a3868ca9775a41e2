"""Telegram HTML, the product's format: escaping, sanitising, entities, lengths and splitting.

Everything the product shows or files is Telegram HTML. ``sanitize`` is the last
step before anything built from a template, a model or a user's entities goes
out: tags Telegram does not know are dropped (their text kept, escaped),
``<script>``/``<style>`` lose their content too, attributes are whitelisted, links
keep only safe schemes, and unclosed tags are closed.

Telegram counts a message's length after parsing its entities, in UTF-16 code
units: 4096 for a text, 1024 for a caption. Long notes are split at the latest
good boundary that leaves a part at least half full: a paragraph break, else a
line break, else the end of a sentence, else a space, and only then anywhere —
never inside a tag, an ``&entity;`` or an emoji. A leading bold title line never
makes a part on its own: it stays with the start of the body. A tag open across a
cut is closed at the end of one part and opened again at the start of the next,
so each part is valid HTML on its own.

Of aiogram only its text utilities are used here (entities to HTML).
"""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "a",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
        "tg-time",
    }
)
_DROP_WITH_CONTENT = frozenset({"script", "style", "head", "title", "iframe", "object"})
_LINE_BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")


def sanitize(markup: str) -> str:
    """Telegram-safe HTML from ``markup``."""
    return sanitize_report(markup)[0]


def sanitize_report(markup: str) -> tuple[str, set[str]]:
    """Telegram-safe HTML and the names of the tags that had to be dropped."""
    parser = _Sanitizer()
    parser.feed(markup)
    parser.close()
    return parser.result(), parser.dropped


def entities_to_html(text: str, entities: list[dict[str, Any]] | None) -> str:
    """The owner's text with their formatting (Telegram entities, UTF-16 offsets) as HTML."""
    if not entities:
        return html.escape(text, quote=False)
    from aiogram.types import MessageEntity
    from aiogram.utils.text_decorations import html_decoration

    try:
        parsed = [MessageEntity(**_attribute_safe(entity)) for entity in entities]
        markup = html_decoration.unparse(text, parsed)
    except Exception:  # malformed entities must not lose the note's text
        logger.warning("Could not apply %d entities; keeping the plain text", len(entities))
        return html.escape(text, quote=False)
    return sanitize(markup)


def _attribute_safe(entity: dict[str, Any]) -> dict[str, Any]:
    """aiogram writes a link's URL into ``href="…"`` as is: escape it first."""
    if isinstance(entity.get("url"), str):
        return {**entity, "url": html.escape(entity["url"], quote=True)}
    return entity


class _Sanitizer(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []
        self.dropped: set[str] = set()
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_WITH_CONTENT:
            self.dropped.add(tag)
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag not in ALLOWED_TAGS:
            self.dropped.add(tag)
            if tag in _LINE_BREAKS and tag not in {"p", "div"}:
                self.out.append("\n")
            return
        rendered = _attributes(tag, dict(attrs))
        if rendered is None:
            self.dropped.add(tag)
            return
        self.out.append(f"<{tag}{rendered}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _LINE_BREAKS and not self.skipping:
            self.out.append("\n")
            self.dropped.add(tag)
        elif tag in ALLOWED_TAGS:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)
        else:
            self.dropped.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag in {"p", "div"}:
            self.out.append("\n")
        if tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            self.out.append(f"</{open_tag}>")
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        closing = "".join(f"</{tag}>" for tag in reversed(self.stack))
        return "".join(self.out) + closing


def _attributes(tag: str, attrs: dict[str, str | None]) -> str | None:
    """The attributes Telegram accepts on ``tag``, rendered; None if the tag is unusable."""
    kept: dict[str, str | None] = {}
    if tag == "a":
        href = (attrs.get("href") or "").strip()
        if not href.lower().startswith(_LINK_SCHEMES):
            return None
        kept["href"] = href
    elif tag == "span":
        if attrs.get("class") != "tg-spoiler":
            return None
        kept["class"] = "tg-spoiler"
    elif tag == "tg-emoji":
        if not (attrs.get("emoji-id") or "").isdigit():
            return None
        kept["emoji-id"] = attrs["emoji-id"]
    elif tag == "code":
        language = attrs.get("class") or attrs.get("language") or ""
        if language.startswith("language-") and language[9:].replace("-", "").isalnum():
            kept["class"] = language
    elif tag == "blockquote" and "expandable" in attrs:
        kept["expandable"] = None
    elif tag == "tg-time":
        if not (attrs.get("unix") or "").isdigit():
            return None
        kept["unix"] = attrs["unix"]
        if attrs.get("format"):
            kept["format"] = attrs["format"]
    return "".join(
        f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"'
        for name, value in kept.items()
    )


# -- lengths and splitting --------------------------------------------------------------

_ATOM_RE = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^<>]*>|&#?\w+;|.", re.DOTALL)


def quote(text: str) -> str:
    """Escape what a person wrote for Telegram HTML."""
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class _Atom:
    text: str
    width: int  # UTF-16 code units once Telegram has parsed the HTML; 0 for a tag
    tag: str = ""
    closing: bool = False


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _atoms(markup: str) -> list[_Atom]:
    atoms = []
    for match in _ATOM_RE.finditer(markup):
        token = match.group(0)
        if match.group(2):
            atoms.append(_Atom(token, 0, match.group(2).lower(), bool(match.group(1))))
        else:
            atoms.append(_Atom(token, _utf16(html.unescape(token))))
    return atoms


def visible_length(markup: str) -> int:
    """The length Telegram checks against its limits."""
    return sum(atom.width for atom in _atoms(markup))


def character_count(markup: str) -> int:
    """How many characters a person sees in ``markup`` (an emoji is one, a tag none)."""
    return sum(len(_char(atom)) for atom in _atoms(markup) if atom.width)


def split_html(
    markup: str, *, limit: int = MESSAGE_LIMIT, first_limit: int | None = None
) -> list[str]:
    """Parts of ``markup`` that each fit Telegram's limit (the first may have its own)."""
    parts = list(_parts(_atoms(markup), limit, first_limit))
    return parts or ([markup] if markup.strip() else [])


def truncate_html(markup: str, limit: int, ellipsis: str = "…") -> str:
    """The beginning of ``markup`` that fits ``limit``, cut as ``split_html`` cuts, marked.

    After a whole sentence the mark stands apart (``end. …``), after a word it
    follows it (``word…``).
    """
    if visible_length(markup) <= limit:
        return markup
    first = next(_parts(_atoms(markup), limit - _utf16(ellipsis) - 1, None), "")
    tail = "".join(_char(atom) for atom in _atoms(first) if atom.width).rstrip()
    if tail.rstrip("".join(_CLOSERS)).endswith(tuple(_SENTENCE_ENDS)):
        ellipsis = " " + ellipsis
    return first + ellipsis


def _parts(atoms: list[_Atom], limit: int, first_limit: int | None) -> Iterator[str]:
    heading = _heading(atoms)
    open_tags: list[_Atom] = []
    first = True
    start = 0
    while start < len(atoms):
        budget = first_limit if (first_limit is not None and first) else limit
        end, resume = _cut(atoms, start, budget, heading if start == 0 else None)
        reopened = "".join(atom.text for atom in open_tags)
        body = atoms[start:end]
        _track(open_tags, body)
        closed = "".join(f"</{atom.tag}>" for atom in reversed(open_tags))
        if any(atom.width and not atom.text.isspace() for atom in body):
            yield reopened + "".join(atom.text for atom in body) + closed
            first = False
        # Tags between the cut and where the next part resumes (none are visible) still count.
        _track(open_tags, atoms[end:resume])
        start = resume


def _track(open_tags: list[_Atom], atoms: list[_Atom]) -> None:
    for atom in atoms:
        if not atom.tag:
            continue
        if atom.closing:
            for index in range(len(open_tags) - 1, -1, -1):
                if open_tags[index].tag == atom.tag:
                    del open_tags[index]
                    break
        else:
            open_tags.append(atom)


# Where a part may end, best first. A paragraph break, a line break or a sentence end is
# taken only when the part up to it is at least half the budget, then a space is; when no
# boundary reaches half, the latest one is taken; only without any is a part cut anywhere.
_PARAGRAPH, _LINE, _SENTENCE, _SPACE = range(4)
_SENTENCE_ENDS = frozenset(".!?…‼⁇⁈⁉。！？｡؟")
_CLOSERS = frozenset("\"'»”’)]›")  # may stand between a sentence's end and the space after it
_BOLD = frozenset({"b", "strong"})


def _char(atom: _Atom) -> str:
    return html.unescape(atom.text) if atom.text.startswith("&") else atom.text


def _heading(atoms: list[_Atom]) -> int | None:
    """Where the body starts after a leading title line (its words all bold), if there is one.

    A part must not end before that: a title alone in a message says nothing.
    """
    bold = 0
    titled = False
    line_end = None
    for index, atom in enumerate(atoms):
        if atom.tag:
            if atom.tag in _BOLD:
                bold = max(0, bold - 1) if atom.closing else bold + 1
            continue
        char = _char(atom)
        if char == "\n":
            if titled:
                line_end = index
                break
        elif char.isalnum():
            if not bold:
                return None
            titled = True
    if line_end is None:
        return None
    return next(
        (
            i
            for i in range(line_end, len(atoms))
            if atoms[i].width and not _char(atoms[i]).isspace()
        ),
        None,
    )


def _cut(
    atoms: list[_Atom], start: int, budget: int, heading: int | None = None
) -> tuple[int, int]:
    """Where this part ends and where the next one resumes (separators are dropped).

    ``heading``: the index where the body begins after a title; the part goes past it.
    """
    used = 0
    found: dict[int, tuple[int, int]] = {}  # kind of boundary -> (index, width up to it)
    line_break: tuple[int, int] | None = None  # the run of line breaks being read
    after_sentence = False
    index = start
    while index < len(atoms):
        atom = atoms[index]
        if used + atom.width > budget:
            break
        if atom.width:
            char = _char(atom)
            if char == "\n":
                if line_break is None:
                    line_break = (index, used)
                    if used:
                        found[_LINE] = line_break
                elif line_break[1]:
                    found[_PARAGRAPH] = line_break
            else:
                line_break = None
            if char in ("\n", " ", "\t") and used:
                if after_sentence:
                    found[_SENTENCE] = (index, used)
                if char != "\n":
                    found[_SPACE] = (index, used)
            if char in _SENTENCE_ENDS:
                after_sentence = True
            elif char not in _CLOSERS:
                after_sentence = False
        used += atom.width
        index += 1
    else:
        return len(atoms), len(atoms)
    if heading is not None and index > heading:
        found = {kind: place for kind, place in found.items() if place[0] > heading}
    for kind in (_PARAGRAPH, _LINE, _SENTENCE, _SPACE):
        if kind in found and found[kind][1] * 2 >= budget:
            return found[kind][0], _skip_blank(atoms, found[kind][0])
    if found:
        end = max(place[0] for place in found.values())
        return end, _skip_blank(atoms, end)
    end = max(_grapheme_start(atoms, start, index), start + 1)
    return end, end


def _grapheme_start(atoms: list[_Atom], start: int, index: int) -> int:
    """``index``, or earlier so that a cut there does not break an emoji or a letter apart."""
    while index > start + 1 and index < len(atoms) and _joined(atoms, index):
        index -= 1
    return index


def _joined(atoms: list[_Atom], index: int) -> bool:
    """The character at ``index`` belongs with the one before it."""
    char, before = _char(atoms[index]), _char(atoms[index - 1])
    if len(char) != 1 or len(before) != 1:
        return False
    if before == "\u200d" or char == "\u200d":  # zero-width joiner
        return True
    if unicodedata.category(char) in ("Mn", "Me", "Mc") or "\ufe00" <= char <= "\ufe0f":
        return True
    if "\U0001f3fb" <= char <= "\U0001f3ff" or "\U000e0020" <= char <= "\U000e007f":
        return True  # a skin tone, a tag of a subdivision flag
    if _regional(char) and _regional(before):  # a flag is a pair of regional indicators
        run = 0
        while index - run - 1 >= 0 and _regional(_char(atoms[index - run - 1])):
            run += 1
        return run % 2 == 1
    return False


def _regional(char: str) -> bool:
    return len(char) == 1 and "\U0001f1e6" <= char <= "\U0001f1ff"


def _skip_blank(atoms: list[_Atom], index: int) -> int:
    while index < len(atoms) and atoms[index].text in ("\n", " "):
        index += 1
    return index
