"""Topic format templates: Django template syntax, autoescaped, Telegram-safe output.

Variables: ``title``, ``body`` (the note's HTML, formatting kept), ``tags``
(``#a #b``; ``tag_list`` for loops), ``summary``, ``link`` (the first link's
URL, empty when the body shows it already; ``link_url`` always, ``link_title``,
``link_description``, ``link_site`` from its page), ``links`` (every link, each
with ``url``, ``title``, ``description``, ``site``), ``source`` (where a forward
came from), ``date``, ``topic``, ``kind`` and ``text`` (the plain original). Whatever
the owner typed is escaped; the result passes ``telegram_html.sanitize``.

Templates run in the bounded engine of ``topics.templating`` (no loaders, no
``{% load %}``, ``{% include %}``, ``{% extends %}`` or ``{% debug %}``; output,
loops, values and work bounded while it renders), so a template can only format the
note it is given, cheaply; ``topics.formats`` checks them when they are saved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from notes.ai.types import LinkInfo
from notes.telegram_html import sanitize
from topics.formats import format_render
from topics.formats import validate_format_template as validate_format_template

_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


@dataclass(frozen=True)
class FormattedNote:
    """A note through its topic's format; ``refusal`` says why the default was used instead."""

    html: str
    refusal: str = ""


def render_template(source: str, **note: Any) -> str:
    """The note through the template, as Telegram-safe HTML (see ``format_note``)."""
    return format_note(source, **note).html


def format_note(
    source: str,
    *,
    title: str,
    body: str,
    tags: tuple[str, ...] = (),
    summary: str = "",
    link: LinkInfo | None = None,
    links: tuple[LinkInfo, ...] = (),
    source_html: str = "",
    date: datetime | None = None,
    topic: str = "",
    kind: str = "text",
    text: str = "",
) -> FormattedNote:
    """The note through the template, as Telegram-safe HTML. ``body``/``source_html`` are HTML.

    A template that hits a bound of the engine (or fails) on this note gives way to the
    default format, and ``refusal`` says why."""
    clean_body = sanitize(body)
    variables = {
        "title": title,
        "body": mark_safe(clean_body),  # noqa: S308 - sanitized just now
        "tags": " ".join(f"#{tag}" for tag in tags),
        "tag_list": list(tags),
        "summary": summary,
        "link": link.url if link and not _shows_url(clean_body, link.url) else "",
        "link_url": link.url if link else "",
        "link_title": link.title if link else "",
        "link_description": link.description if link else "",
        "link_site": link.site_name if link else "",
        "links": [_link_variables(item) for item in links or ((link,) if link else ())],
        "source": mark_safe(sanitize(source_html)),  # noqa: S308 - sanitized just now
        "date": date,
        "topic": topic,
        "kind": kind,
        "text": text,
    }
    formatted = format_render(source, variables)
    # An empty section leaves its blank lines behind; two in a row are enough.
    html = _BLANK_RUNS.sub("\n\n", sanitize(formatted.markup)).strip()
    return FormattedNote(html, formatted.refusal)


def _link_variables(link: LinkInfo) -> dict[str, str]:
    return {
        "url": link.url,
        "title": link.title,
        "description": link.description,
        "site": link.site_name,
    }


def _shows_url(body_html: str, url: str) -> bool:
    """The body already carries the link (as its text or behind a word): not again."""
    return bool(url) and (url in body_html or str(escape(url)) in body_html)


def source_html(forward_origin: dict[str, Any] | None) -> SafeString:
    """Where a forwarded message came from, linked to the post when it is public."""
    name, url = _origin(forward_origin)
    if url:
        return SafeString(f'<a href="{escape(url)}">{escape(name)}</a>')
    return escape(name)


def forward_name(forward_origin: dict[str, Any] | None) -> str:
    """The plain name of a forward's origin (a channel, a chat, a person)."""
    return _origin(forward_origin)[0]


def forward_origin_link(forward_origin: dict[str, Any] | None) -> tuple[str, str]:
    """The name of a forward's origin and, for a public post, its link ("" if none)."""
    return _origin(forward_origin)


def _origin(forward_origin: dict[str, Any] | None) -> tuple[str, str]:
    """Telegram's ``forward_origin`` object as a name and, for public posts, a link."""
    if not isinstance(forward_origin, dict):
        return "", ""
    kind = forward_origin.get("type")
    chat = forward_origin.get("chat") or forward_origin.get("sender_chat")
    if kind in {"channel", "chat"} and isinstance(chat, dict):
        name = str(chat.get("title") or chat.get("username") or "")
        username, message_id = chat.get("username"), forward_origin.get("message_id")
        url = f"https://t.me/{username}/{message_id}" if username and message_id else ""
        return name, url
    user = forward_origin.get("sender_user")
    if kind == "user" and isinstance(user, dict):
        name = " ".join(str(user.get(key) or "") for key in ("first_name", "last_name"))
        return name.strip() or str(user.get("username") or ""), ""
    return str(forward_origin.get("sender_user_name") or ""), ""
