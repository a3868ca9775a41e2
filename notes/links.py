"""Link previews: the links of a note, and what their pages say about themselves.

A note keeps one entry per link (``Note.link_metadata``, a list): the URL from the
moment it arrives, then the page's title, description, site name and canonical URL
once the worker has fetched it (``status`` says how that went). The page is read
through ``secretary.safefetch`` (public addresses only, bounded in size and time) and
parsed with BeautifulSoup; what a URL's page says is cached for a day, failures for
less, so a link forwarded ten times is fetched once.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup, SoupStrainer
from django.conf import settings
from django.core.cache import cache

from secretary.safefetch import FetchError, FetchRefused, fetch_page

logger = logging.getLogger(__name__)

# A note with more links than this gets previews for the first ones only.
MAX_LINKS = 5
TITLE_CHARS = 300
DESCRIPTION_CHARS = 500
SITE_CHARS = 100
# A page that could not be read is tried again after this long, not a day.
FAILURE_CACHE_SECONDS = 15 * 60
CACHE_VERSION = "v1"

URL_PATTERN = re.compile(r"https?://\S+", re.IGNORECASE)
# Punctuation that ends the sentence around a link rather than the link itself.
URL_TRAILING = ".,;:!?)»\"'"


class LinkStatus:
    PENDING = ""  # not fetched yet
    OK = "ok"
    FAILED = "failed"  # the site did not answer in time, or with an error
    REFUSED = "refused"  # not a public web page (an internal address, not HTML…)


@dataclass(frozen=True)
class LinkPreview:
    url: str
    title: str = ""
    description: str = ""
    site_name: str = ""
    canonical_url: str = ""
    status: str = LinkStatus.PENDING

    @classmethod
    def from_dict(cls, data: Any) -> LinkPreview | None:
        if not isinstance(data, dict) or not str(data.get("url") or "").strip():
            return None
        return cls(**{key: str(data.get(key) or "") for key in _FIELDS})

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value or key == "url"}

    @property
    def fetched(self) -> bool:
        return self.status != LinkStatus.PENDING


_FIELDS = ("url", "title", "description", "site_name", "canonical_url", "status")


# -- the links of a message --------------------------------------------------------------


def link_urls(text: str, entities: list[dict[str, Any]] | None) -> list[str]:
    """The links of a message, in order, each once: Telegram's ``url`` and ``text_link``
    entities, or (a message without entities, from the terminal) the URLs in its text."""
    found: list[str] = []
    if entities:
        for entity in entities:
            if entity.get("type") == "text_link" and entity.get("url"):
                found.append(str(entity["url"]))
            elif entity.get("type") == "url":
                url = _utf16_slice(text, int(entity.get("offset", 0)), int(entity.get("length", 0)))
                found.append(url if "://" in url else f"https://{url}")
    else:
        found = [match.group(0).rstrip(URL_TRAILING) for match in URL_PATTERN.finditer(text)]
    return list(dict.fromkeys(url.strip() for url in found if url.strip()))


def _utf16_slice(text: str, offset: int, length: int) -> str:
    """Telegram counts offsets in UTF-16 code units."""
    encoded = text.encode("utf-16-le")
    return encoded[offset * 2 : (offset + length) * 2].decode("utf-16-le", errors="ignore")


def links_initial(text: str, entities: list[dict[str, Any]] | None) -> list[dict[str, str]] | None:
    """What a new (or edited) note stores about its links before any is fetched."""
    urls = link_urls(text, entities)
    return [LinkPreview(url).as_dict() for url in urls] or None


def note_link_previews(link_metadata: Any) -> list[LinkPreview]:
    """The stored entries of a note's links (``Note.link_metadata``)."""
    if not isinstance(link_metadata, list):
        return []
    return [preview for item in link_metadata if (preview := LinkPreview.from_dict(item))]


def links_pending(link_metadata: Any) -> bool:
    """Some link of the note has not been fetched yet."""
    return any(not preview.fetched for preview in note_link_previews(link_metadata)[:MAX_LINKS])


# -- reading a page ----------------------------------------------------------------------


def link_preview(url: str, *, timeout: float | None = None) -> LinkPreview:
    """What the page at ``url`` says about itself (cached). Never raises: a page that
    cannot be read gives a preview with only its URL and the status that says why."""
    key = f"link-preview:{CACHE_VERSION}:{hashlib.sha256(url.encode()).hexdigest()}"
    cached = LinkPreview.from_dict(cache.get(key))
    if cached is not None:
        return cached
    preview = _fetch(url, timeout)
    seconds = (
        settings.LINK_PREVIEW_CACHE.total_seconds()
        if preview.status == LinkStatus.OK
        else FAILURE_CACHE_SECONDS
    )
    try:
        cache.set(key, preview.as_dict(), int(seconds))
    except Exception as error:  # the cache being down costs a fetch next time, nothing more
        logger.warning("Link preview not cached: %s", error)  # the URL is the owner's text
    return preview


def _fetch(url: str, timeout: float | None) -> LinkPreview:
    try:
        page = fetch_page(url, timeout=timeout)
    except FetchRefused as error:
        logger.info("Link not fetched: %s", error)  # the URL is the owner's text
        return LinkPreview(url, status=LinkStatus.REFUSED)
    except FetchError as error:
        logger.info("Link could not be read: %s", error)
        return LinkPreview(url, status=LinkStatus.FAILED)
    metadata = page_metadata(page.text, page.url)
    return LinkPreview(url, status=LinkStatus.OK, **metadata)


def page_metadata(html: str, url: str) -> dict[str, str]:
    """Title, description, site name and canonical URL of a page, from OpenGraph, Twitter
    cards, ``<meta>``, ``<link rel=canonical>`` and ``<title>``, in that order of trust."""
    soup = BeautifulSoup(html, "lxml", parse_only=SoupStrainer(["title", "meta", "link"]))
    meta: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        name = str(tag.get("property") or tag.get("name") or "").strip().lower()
        content = _clean(str(tag.get("content") or ""))
        if name and content and name not in meta:
            meta[name] = content
    title_tag = soup.find("title")
    page_title = _clean(title_tag.get_text()) if title_tag else ""
    canonical = ""
    for tag in soup.find_all("link"):
        rel: Any = tag.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in (str(value).lower() for value in rels) and tag.get("href"):
            canonical = _web_url(urljoin(url, str(tag["href"]).strip()))
            break
    canonical = canonical or _web_url(urljoin(url, meta.get("og:url", ""))) or url
    site = meta.get("og:site_name") or meta.get("application-name") or ""
    if not site and meta.get("twitter:site"):
        site = meta["twitter:site"].lstrip("@")
    return {
        "title": _first(meta, "og:title", "twitter:title", default=page_title)[:TITLE_CHARS],
        "description": _first(meta, "og:description", "twitter:description", "description")[
            :DESCRIPTION_CHARS
        ],
        "site_name": (site or _host(canonical))[:SITE_CHARS],
        "canonical_url": canonical,
    }


def _first(meta: dict[str, str], *names: str, default: str = "") -> str:
    return next((meta[name] for name in names if meta.get(name)), default)


def _clean(value: str) -> str:
    return " ".join(value.split())


def _web_url(url: str) -> str:
    """``url`` if it is an http(s) address, else nothing (no ``javascript:`` canonicals)."""
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else ""


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
