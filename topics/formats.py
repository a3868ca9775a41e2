"""A topic's format template: the default, checking one when it is saved, rendering with a fallback.

Django template syntax over the note's variables (see ``notes.ai.templates``),
autoescaped, run by the bounded engine of ``topics.templating``. A template is
checked when it is saved against a sample note and against the longest note
Telegram sends; one that still hits a bound on a note when it is filed falls
back to ``DEFAULT_FORMAT_TEMPLATE`` for that note (``format_render``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Template, TemplateSyntaxError
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from notes.telegram_html import ALLOWED_TAGS, sanitize_report
from topics.templating import (
    MAX_LOOP_ITEMS,
    MAX_LOOP_NESTING,
    MAX_SOURCE,
    OUTPUT_MARGIN,
    Bound,
    FormatEngine,
    TemplateTooCostly,
    render_bounded,
    unavailable_tag,
    value_size,
)

DEFAULT_FORMAT_TEMPLATE = (
    "{% if title %}<b>{{ title }}</b>\n\n{% endif %}{{ body }}"
    "{% if link %}\n\n🔗 {{ link }}{% endif %}"
    "{% if source %}\n\n↪️ {{ source }}{% endif %}"
    "{% if tags %}\n\n{{ tags }}{% endif %}"
)
# A reason of ``Formatted.refusal`` for a template that fails otherwise (saved before it
# was checked, or a filter failing on this one note).
FAILED = "failed"

_ENGINE = FormatEngine()
# The same engine in debug mode only says where a template breaks (its errors carry the line).
_LOCATING_ENGINE = FormatEngine(debug=True)


@lru_cache(maxsize=512)
def compile_template(source: str) -> Template:
    """The compiled template; raises ``TemplateSyntaxError`` or ``TemplateTooCostly``."""
    try:
        return _ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        tag = unavailable_tag(error)
        if tag is None:
            raise
        raise TemplateSyntaxError(
            _("The tag {%% %(tag)s %%} is not available in format templates.") % {"tag": tag}
        ) from None


def output_limit(variables: dict[str, Any]) -> int:
    """How long a note's rendering may be: the note itself and ``OUTPUT_MARGIN`` more."""
    return OUTPUT_MARGIN + sum(value_size(value, OUTPUT_MARGIN) for value in variables.values())


@dataclass(frozen=True)
class Formatted:
    """A rendering; ``refusal`` says why the default format was used instead ("" if not)."""

    markup: str
    refusal: str = ""


def format_render(source: str, variables: dict[str, Any]) -> Formatted:
    """``source`` over a note's ``variables``; the default format if it cannot be applied."""
    limit = output_limit(variables)
    try:
        return Formatted(render_bounded(compile_template(source), variables, limit=limit))
    except TemplateTooCostly as error:
        refusal = error.reason
    except Exception:  # a broken template saved before it was checked, a filter failing
        refusal = FAILED
    default = compile_template(DEFAULT_FORMAT_TEMPLATE)
    return Formatted(render_bounded(default, variables, limit=limit), refusal)


def validate_format_template(source: str) -> None:
    """Raise ``ValidationError`` unless ``source`` compiles, stays within the bounds of the
    engine on the longest note Telegram sends, and yields Telegram's HTML only."""
    try:
        template = compile_template(source)
        sample = sample_variables()
        markup = render_bounded(template, sample, limit=output_limit(sample))
        longest = longest_variables()
        render_bounded(template, longest, limit=output_limit(longest))
    except TemplateTooCostly as error:
        raise ValidationError(refusal_text(error.reason)) from None
    except TemplateSyntaxError as error:
        raise _syntax_error(source, error) from None
    except Exception as error:  # a filter failing on the sample note
        raise ValidationError(
            _("The format template fails on a sample note: %(error)s"), params={"error": error}
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


def _syntax_error(source: str, error: TemplateSyntaxError) -> ValidationError:
    line = template_error_line(source)
    if line is None:
        return ValidationError(
            _("The format template does not compile: %(error)s"),
            params={"error": template_problem(error)},
        )
    return ValidationError(
        _("The format template does not compile, line %(line)d: %(error)s"),
        params={"error": template_problem(error), "line": line},
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
    except (TemplateSyntaxError, TemplateTooCostly) as exc:
        debug = getattr(exc, "template_debug", None) or {}
        line = debug.get("line")
        return int(line) if line else None
    return None


def refusal_text(reason: str) -> str:
    """Why a format template cannot be used, in the owner's words."""
    texts = {
        Bound.SOURCE: lambda: (
            _("The format template is too long: at most %(count)d characters.")
            % {"count": MAX_SOURCE}
        ),
        Bound.OUTPUT: lambda: (
            _(
                "The format template makes notes too long: at most %(count)d characters more "
                "than the note itself."
            )
            % {"count": OUTPUT_MARGIN}
        ),
        Bound.VALUE: lambda: _(
            "The format template builds text that is too long (a filter such as join, "
            "make_list or add repeats the note)."
        ),
        Bound.WIDTH: lambda: _(
            "A width or precision in the format template is too large (ljust, rjust, center, "
            "stringformat, floatformat)."
        ),
        Bound.LOOP_OVER_TEXT: lambda: _(
            "A loop in the format template goes over text letter by letter; loop over "
            "tag_list or links instead."
        ),
        Bound.LOOP_ITEMS: lambda: (
            _("A loop in the format template goes round more than %(count)d times.")
            % {"count": MAX_LOOP_ITEMS}
        ),
        Bound.LOOP_NESTING: lambda: (
            _("Loops in the format template are nested too deep: at most %(count)d.")
            % {"count": MAX_LOOP_NESTING}
        ),
        Bound.NESTING: lambda: _("Blocks in the format template are nested too deep."),
        Bound.METHOD: lambda: _(
            "The format template calls a method of a value; use a filter instead."
        ),
        Bound.STEPS: lambda: _("The format template takes too much work to render."),
    }
    text = texts.get(reason)
    return text() if text else _("The format template fails on this note.")


def format_fallback_notice(*, topic: str, reason: str) -> str:
    """What the owner is told, once, when their topic's format could not be applied."""
    return _(
        "⚠️ The format of «%(topic)s» was not applied: %(why)s This note has the default "
        "format; change the topic's format in the app."
    ) % {"topic": topic, "why": refusal_text(reason)}


def sample_variables() -> dict[str, Any]:
    """A short note: what a template is shown on when it is checked."""
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


LONGEST_TEXT = 4096  # Telegram's limit of one message
LONGEST_TAGS = 10
LONGEST_LINKS = 5


def longest_variables() -> dict[str, Any]:
    """The longest note Telegram sends, its links and tags: a template must stay within
    bounds on it too (a loop over ``text|make_list`` passes a short sample)."""
    sentence = "A long note & its <words>, written to the limit. "
    text = (sentence * (LONGEST_TEXT // len(sentence) + 1))[:LONGEST_TEXT]
    url = "https://example.org/" + "a" * 200
    link = {"url": url, "title": "T" * 200, "description": "D" * 300, "site": "example.org"}
    tags = [f"tag{number}" for number in range(LONGEST_TAGS)]
    return {
        **sample_variables(),
        "title": text[:255],
        "body": escape(text),
        "tags": " ".join(f"#{tag}" for tag in tags),
        "tag_list": tags,
        "summary": text[:1000],
        "link": url,
        "link_url": url,
        "link_title": link["title"],
        "link_description": link["description"],
        "links": [dict(link) for _number in range(LONGEST_LINKS)],
        "text": text,
    }
