"""Telegram HTML: escaping, measuring, splitting to Telegram's limits, message links.

Telegram counts a message's length after parsing its entities, in UTF-16 code
units: 4096 for a text, 1024 for a caption. Long notes are split on paragraph
boundaries, then lines, then spaces, and only then anywhere — never inside a tag
or an ``&entity;``; a tag open across a cut is closed at the end of one part and
opened again at the start of the next, so each part is valid HTML on its own.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

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


def split_html(
    markup: str, *, limit: int = MESSAGE_LIMIT, first_limit: int | None = None
) -> list[str]:
    """Parts of ``markup`` that each fit Telegram's limit (the first may have its own)."""
    atoms = _atoms(markup)
    parts: list[str] = []
    open_tags: list[_Atom] = []
    start = 0
    while start < len(atoms):
        budget = first_limit if (first_limit is not None and not parts) else limit
        end, resume = _cut(atoms, start, budget)
        reopened = "".join(atom.text for atom in open_tags)
        body = atoms[start:end]
        _track(open_tags, body)
        closed = "".join(f"</{atom.tag}>" for atom in reversed(open_tags))
        if any(atom.width and not atom.text.isspace() for atom in body):
            parts.append(reopened + "".join(atom.text for atom in body) + closed)
        # Tags between the cut and where the next part resumes (none are visible) still count.
        _track(open_tags, atoms[end:resume])
        start = resume
    return parts or ([markup] if markup.strip() else [])


def truncate_html(markup: str, limit: int, ellipsis: str = "…") -> str:
    """The first part of ``markup`` that fits ``limit``, marked when something was cut."""
    if visible_length(markup) <= limit:
        return markup
    first = split_html(markup, limit=limit - len(ellipsis))
    return (first[0] if first else "") + ellipsis


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


def _cut(atoms: list[_Atom], start: int, budget: int) -> tuple[int, int]:
    """Where this part ends and where the next one resumes (separators are dropped)."""
    used = 0
    paragraph = line = space = None
    index = start
    while index < len(atoms):
        atom = atoms[index]
        if used + atom.width > budget:
            break
        used += atom.width
        if atom.text == "\n" and index > start:
            if atoms[index - 1].text == "\n":
                paragraph = index - 1
            else:
                line = index
        elif atom.text == " " and index > start:
            space = index
        index += 1
    else:
        return len(atoms), len(atoms)
    for position in (paragraph, line, space):
        if position is not None and position > start:
            return position, _skip_blank(atoms, position)
    return max(index, start + 1), max(index, start + 1)


def _skip_blank(atoms: list[_Atom], index: int) -> int:
    while index < len(atoms) and atoms[index].text in ("\n", " "):
        index += 1
    return index


def message_link(
    *, chat_id: int, message_id: int, thread_id: int | None = None, username: str = ""
) -> str:
    """A t.me link to a message in a supergroup (public by username, private by id)."""
    if username:
        base = f"https://t.me/{username}"
    else:
        internal = str(chat_id).removeprefix("-100").lstrip("-")
        base = f"https://t.me/c/{internal}"
    if thread_id:
        return f"{base}/{thread_id}/{message_id}"
    return f"{base}/{message_id}"
