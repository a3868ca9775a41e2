"""Telegram's HTML: only the tags the Bot API accepts, balanced, everything else escaped.

``sanitize`` is the last step before anything we built from a template, a
model or a user's entities goes to Telegram: tags Telegram does not know are
dropped (their text kept, escaped), ``<script>``/``<style>`` lose their content
too, attributes are whitelisted, links keep only safe schemes, and unclosed
tags are closed.
"""

from __future__ import annotations

import html
import logging
from html.parser import HTMLParser
from typing import Any

logger = logging.getLogger(__name__)

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
