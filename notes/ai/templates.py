"""Topic format templates: Django template syntax, autoescaped, Telegram-safe output.

Variables: ``title``, ``body`` (the note's HTML, formatting kept), ``tags``
(``#a #b``; ``tag_list`` for loops), ``summary``, ``link`` (the first link's
URL, empty when the body shows it already; ``link_url`` always, ``link_title``,
``link_description``, ``link_site`` from its page), ``links`` (every link, each
with ``url``, ``title``, ``description``, ``site``), ``source`` (where a forward
came from), ``date``, ``topic``, ``kind`` and ``text`` (the plain original). Whatever
the owner typed is escaped; the result passes ``telegram_html.sanitize``.

Templates run in their own engine: no file loaders, no ``{% load %}``,
``{% include %}``, ``{% extends %}`` or ``{% debug %}``, so a template can only
format the note it is given.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Template, TemplateSyntaxError
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from notes.ai.types import LinkInfo
from notes.telegram_html import ALLOWED_TAGS, sanitize, sanitize_report

_BLANK_RUNS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_FORBIDDEN_TAGS = re.compile(r"{%\s*(load|include|extends|debug|ssi|block)\b")
_ENGINE = Engine(autoescape=True, debug=False, loaders=[], libraries={}, string_if_invalid="")
# The same engine in debug mode only says where a template breaks (its errors carry the line).
_LOCATING_ENGINE = Engine(autoescape=True, debug=True, loaders=[], libraries={})


@lru_cache(maxsize=512)
def compile_template(source: str) -> Template:
    """The compiled template; raises ``TemplateSyntaxError`` with Django's message."""
    forbidden = _FORBIDDEN_TAGS.search(source)
    if forbidden:
        raise TemplateSyntaxError(
            _("The tag {%% %(tag)s %%} is not available in format templates.")
            % {"tag": forbidden.group(1)}
        )
    return _ENGINE.from_string(source)


def validate_format_template(source: str) -> None:
    """Raise ``ValidationError`` unless ``source`` compiles and yields Telegram's HTML only."""
    try:
        template = compile_template(source)
        markup = template.render(Context(_sample_variables(), autoescape=True))
    except TemplateSyntaxError as exc:
        line = template_error_line(source)
        if line is None:
            raise ValidationError(
                _("The format template does not compile: %(error)s"),
                params={"error": template_problem(exc)},
            ) from None
        raise ValidationError(
            _("The format template does not compile, line %(line)d: %(error)s"),
            params={"error": template_problem(exc), "line": line},
        ) from None
    except Exception as exc:  # a filter failing on the sample note
        raise ValidationError(
            _("The format template fails on a sample note: %(error)s"), params={"error": exc}
        ) from None
    dropped = sanitize_report(markup)[1]
    if dropped:
        raise ValidationError(
            _("Telegram does not support these tags: %(tags)s. Allowed: %(allowed)s."),
            params={
                "tags": ", ".join(f"<{tag}>" for tag in sorted(dropped)),
                "allowed": ", ".join(f"<{tag}>" for tag in sorted(ALLOWED_TAGS)),
            },
        )


# Django words its template errors in English only: the common ones, in the owner's words.
_UNCLOSED = re.compile(r"Unclosed tag on line \d+: '(\w+)'. Looking for one of: ([\w, ]+)")
_UNKNOWN_TAG = re.compile(r"Invalid block tag on line \d+: '([^']*)'")
_UNKNOWN_FILTER = re.compile(r"Invalid filter: '([^']*)'")
_UNPARSED = re.compile(r"Could not parse the remainder: '[^']*' from '([^']*)'")


def template_problem(exc: TemplateSyntaxError) -> str:
    """What is wrong, in the owner's language (Django's own text is English)."""
    message = str(exc)
    if match := _UNCLOSED.search(message):
        return _("{%% %(tag)s %%} is not closed: add {%% %(end)s %%}.") % {
            "tag": match.group(1),
            "end": match.group(2).split(",")[-1].strip(),
        }
    if match := _UNKNOWN_TAG.search(message):
        return _("there is no tag {%% %(tag)s %%} here.") % {"tag": match.group(1)}
    if match := _UNKNOWN_FILTER.search(message):
        return _("there is no filter «%(filter)s».") % {"filter": match.group(1)}
    if match := _UNPARSED.search(message):
        return _("«%(text)s» cannot be read.") % {"text": match.group(1)}
    if "end of expression" in message or "Not expecting" in message:
        return _("the condition of this tag is missing or incomplete.")
    if message.startswith("Empty variable tag"):
        return _("{{ }} is empty: put a variable's name inside.")
    if message.startswith("Empty block tag"):
        return _("{% %} is empty: put a tag inside.")
    if "is not available in format templates" in message:
        return message  # our own words, already translated
    return _("the template's syntax is broken here.")


def template_error_line(source: str) -> int | None:
    """The line on which ``source`` stops compiling, if Django can tell."""
    try:
        _LOCATING_ENGINE.from_string(source)
    except TemplateSyntaxError as exc:
        debug = getattr(exc, "template_debug", None) or {}
        line = debug.get("line")
        return int(line) if line else None
    return None


def render_template(
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
) -> str:
    """The note through the template, as Telegram-safe HTML. ``body``/``source_html`` are HTML."""
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
    try:
        markup = compile_template(source).render(Context(variables, autoescape=True))
    except Exception:  # a broken template saved before validation existed
        from topics.models import DEFAULT_FORMAT_TEMPLATE

        markup = compile_template(DEFAULT_FORMAT_TEMPLATE).render(Context(variables))
    # An empty section leaves its blank lines behind; two in a row are enough.
    return _BLANK_RUNS.sub("\n\n", sanitize(markup)).strip()


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


def _sample_variables() -> dict[str, Any]:
    return {
        "title": "Sample <title> & co",
        "body": mark_safe("<b>Sample</b> body &amp; text"),
        "tags": "#sample #note",
        "tag_list": ["sample", "note"],
        "summary": "A sample note.",
        "link": "https://example.org/a?b=1&c=2",
        "link_url": "https://example.org/a?b=1&c=2",
        "link_title": "Example",
        "link_description": "An example page",
        "link_site": "Example",
        "links": [
            {
                "url": "https://example.org/a?b=1&c=2",
                "title": "Example",
                "description": "An example page",
                "site": "Example",
            }
        ],
        "source": mark_safe('<a href="https://t.me/example/1">Example channel</a>'),
        "date": datetime(2026, 1, 31, 12, 0, tzinfo=UTC),
        "topic": "Sample topic",
        "kind": "text",
        "text": "Sample body & text",
    }
