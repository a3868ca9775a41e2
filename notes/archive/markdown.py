"""One note as a Markdown file: YAML front matter, then the text, transcript and links."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import yaml
from markdownify import MarkdownConverter, markdownify

from notes.ai.templates import forward_name
from notes.links import note_link_previews
from notes.models import Note


def message_link(*, chat_id: int | None, message_ids: list[int], thread_id: int | None) -> str:
    """A t.me link to the first message of a filed note (a private supergroup, by id)."""
    if not chat_id or not message_ids or chat_id > 0:
        return ""  # nowhere in Telegram (the terminal's local archive, say)
    internal = str(chat_id).removeprefix("-100").lstrip("-")
    middle = f"/{thread_id}" if thread_id and thread_id != 1 else ""
    return f"https://t.me/c/{internal}{middle}/{message_ids[0]}"


def forward_link(origin: dict[str, Any] | None) -> str:
    """The public post a forward came from, when it has one."""
    if not isinstance(origin, dict):
        return ""
    chat = origin.get("chat") or origin.get("sender_chat")
    if not isinstance(chat, dict) or not chat.get("username") or not origin.get("message_id"):
        return ""
    return f"https://t.me/{chat['username']}/{origin['message_id']}"


def note_source(note: Note) -> str:
    """Where the note came from: the forwarded post, else its first link."""
    if link := forward_link(note.forward_origin):
        return link
    previews = note_link_previews(note.link_metadata)
    return previews[0].url if previews else ""


def note_filed_link(note: Note) -> str:
    thread = note.topic.thread_id if note.topic is not None else None
    ids = [int(i) for i in note.published_message_ids or []]
    return message_link(chat_id=note.published_chat_id, message_ids=ids, thread_id=thread)


def front_matter(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "title": note.title or None,
        "topic": note.topic.name if note.topic is not None else None,
        "status": note.status,
        "kind": note.kind,
        "created": _iso(note.created_at),
        "filed": _iso(note.published_at),
        "tags": [str(tag) for tag in note.tags or []],
        "source": note_source(note) or None,
        "forwarded_from": forward_name(note.forward_origin) or None,
        "filed_message": note_filed_link(note) or None,
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# libyaml's safe dumper when PyYAML was built with it (several times faster), else Python's.
_Dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


_CONVERTER = MarkdownConverter()
_SIMPLE_TAGS = {
    "bold": "b",
    "italic": "i",
    "underline": "u",
    "strikethrough": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "expandable_blockquote": "blockquote",
}


def text_to_markdown(text: str, entities: list[dict[str, Any]] | None) -> str:
    """The owner's text with its formatting (Telegram entities) as Markdown.

    Plain text is only escaped; formatted text goes through HTML (built here, without
    aiogram: an export of 100,000 notes cannot afford a model object per entity)."""
    markup = _entities_html(text, entities or [])
    if markup is None:
        lines = (_CONVERTER.escape(line, set()) for line in text.split("\n"))  # type: ignore[attr-defined]
        return "\n".join(lines).strip()
    return html_to_markdown(markup)


def _entities_html(text: str, entities: list[dict[str, Any]]) -> str | None:
    """``text`` as HTML with the entities that carry formatting; None when none do."""
    opens: dict[int, list[tuple[int, str]]] = {}
    closes: dict[int, list[str]] = {}
    for entity in entities:
        tag, attributes = _tag(entity)
        if tag is None:
            continue
        start, length = int(entity.get("offset") or 0), int(entity.get("length") or 0)
        opens.setdefault(start, []).append((-length, f"<{tag}{attributes}>"))
        closes.setdefault(start + length, []).insert(0, f"</{tag}>")
    if not opens:
        return None
    pieces, position = [], 0  # position in UTF-16 code units, as entities count
    for char in text:
        pieces += closes.pop(position, [])
        pieces += [tag for _length, tag in sorted(opens.pop(position, []), key=lambda o: o[0])]
        pieces.append(html.escape(char, quote=False))
        position += 2 if ord(char) > 0xFFFF else 1
    pieces += closes.pop(position, [])
    return "".join(pieces)


def _tag(entity: dict[str, Any]) -> tuple[str | None, str]:
    kind = entity.get("type")
    if kind == "text_link" and isinstance(entity.get("url"), str):
        return "a", f' href="{html.escape(entity["url"], quote=True)}"'
    return _SIMPLE_TAGS.get(str(kind)), ""


def html_to_markdown(markup: str) -> str:
    """Telegram HTML as Markdown (bold, italics, code, links, quotes)."""
    converted = markdownify(
        markup.replace("\n", "<br>"),
        heading_style="ATX",
        bullets="-",
        code_language="",
        strip=["tg-spoiler", "tg-emoji", "span"],
    )
    return converted.replace("  \n", "\n").strip()


def note_markdown(note: Note, *, media: Sequence[tuple[str, str]] = ()) -> str:
    """The whole file. ``media`` lists (label, relative path) of files saved beside it."""
    header = yaml.dump(
        front_matter(note),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    sections = [f"---\n{header}---\n"]
    if body := text_to_markdown(note.text, note.entities):
        sections.append(body + "\n")
    if note.transcript:
        sections.append("## Transcript\n\n" + html_to_markdown(html.escape(note.transcript)) + "\n")
    if links := _link_lines(note):
        sections.append("## Links\n\n" + "\n".join(links) + "\n")
    if files := _file_lines(note, media):
        sections.append("## Files\n\n" + "\n".join(files) + "\n")
    return "\n".join(sections)


def _link_lines(note: Note) -> list[str]:
    lines = []
    for preview in note_link_previews(note.link_metadata):
        title = _label(preview.title) or preview.url
        line = f"- [{title}](<{preview.url}>)"
        if preview.description:
            line += f" — {_plain(preview.description)}"
        lines.append(line)
    return lines


def _file_lines(note: Note, media: Sequence[tuple[str, str]]) -> list[str]:
    if media:
        return [f"- ![{_label(label)}](<{path}>)" for label, path in media]
    link = note_filed_link(note)
    lines = []
    for part in note.files or []:
        label = _plain(str(part.get("file_name") or part.get("title") or part.get("type") or ""))
        lines.append(f"- {label}: <{link}>" if link else f"- {label}")
    return lines


def _plain(text: str) -> str:
    """Text for a Markdown line: one line, with Markdown's own characters escaped."""
    one_line = " ".join(text.split())
    return html_to_markdown(html.escape(one_line)) if one_line else ""


def _label(text: str) -> str:
    """Text inside a link's brackets."""
    return _plain(text).replace("[", "\\[").replace("]", "\\]")
