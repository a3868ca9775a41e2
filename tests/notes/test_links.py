"""Link previews: which links a message has, what their pages say, and the cache."""

import pytest

from notes.links import (
    LinkPreview,
    LinkStatus,
    link_preview,
    link_urls,
    links_initial,
    links_pending,
    note_link_previews,
    page_metadata,
)
from notes.services.links import note_fetch_link_previews
from tests.factories import NoteFactory
from tests.fakes.website import FakeWebsite

ARTICLE = """<!doctype html><html><head>
<meta charset="utf-8">
<title>Как вести заметки | Хабр</title>
<meta property="og:title" content="Как вести заметки, которые перечитываешь">
<meta property="og:description" content="Короткое эссе о заметках.">
<meta property="og:site_name" content="Хабр">
<meta name="twitter:title" content="Twitter title">
<meta name="description" content="Plain description">
<link rel="canonical" href="/ru/articles/700000/">
</head><body><h1>Заметки</h1></body></html>"""


@pytest.fixture
def site(settings):
    with FakeWebsite() as website:
        settings.LINK_FETCH_ALLOWED_HOSTS = [website.host_port]
        yield website


# -- which links -------------------------------------------------------------------------


def test_url_entities_are_cut_by_utf16_offsets_and_text_links_kept():
    text = "😀 смотри habr.com/ru/1 и это"
    entities = [
        {"type": "url", "offset": 10, "length": 13},  # the emoji counts two UTF-16 units
        {"type": "text_link", "offset": 26, "length": 3, "url": "https://example.org/x"},
        {"type": "bold", "offset": 0, "length": 2},
    ]

    assert link_urls(text, entities) == ["https://habr.com/ru/1", "https://example.org/x"]


def test_links_are_listed_once_in_order_and_found_in_plain_text_without_entities():
    text = "https://a.example/1, потом (https://b.example/2). И снова https://a.example/1!"

    assert link_urls(text, None) == ["https://a.example/1", "https://b.example/2"]


def test_a_message_without_links_stores_none():
    assert links_initial("просто текст", []) is None
    assert links_initial("see https://a.example", None) == [{"url": "https://a.example"}]


def test_stored_entries_are_read_back_and_pending_ones_are_owed():
    stored = [{"url": "https://a.example"}, {"url": "https://b.example", "status": "ok"}, {"x": 1}]

    previews = note_link_previews(stored)

    assert [preview.url for preview in previews] == ["https://a.example", "https://b.example"]
    assert links_pending(stored)
    assert not links_pending([{"url": "https://a.example", "status": "failed"}])
    assert note_link_previews({"url": "a legacy dict"}) == []


# -- what a page says --------------------------------------------------------------------


def test_opengraph_comes_first_then_twitter_then_meta_then_title():
    metadata = page_metadata(ARTICLE, "https://habr.com/ru/articles/700000/?utm=1")

    assert metadata == {
        "title": "Как вести заметки, которые перечитываешь",
        "description": "Короткое эссе о заметках.",
        "site_name": "Хабр",
        "canonical_url": "https://habr.com/ru/articles/700000/",
    }


def test_a_bare_page_gives_its_title_and_its_host_as_the_site():
    html = "<html><head><title>  Just   a page </title></head><body>x</body></html>"

    metadata = page_metadata(html, "https://www.example.org/page")

    assert metadata == {
        "title": "Just a page",
        "description": "",
        "site_name": "example.org",
        "canonical_url": "https://www.example.org/page",
    }


def test_twitter_cards_and_meta_description_fill_in():
    html = """<head><meta name="twitter:title" content="T title">
    <meta name="twitter:site" content="@example"><meta name="description" content="D">
    <meta property="og:url" content="https://example.org/canonical"></head>"""

    metadata = page_metadata(html, "https://example.org/a")

    assert metadata["title"] == "T title"
    assert metadata["description"] == "D"
    assert metadata["site_name"] == "example"
    assert metadata["canonical_url"] == "https://example.org/canonical"


def test_a_canonical_that_is_not_a_web_address_is_ignored():
    html = '<head><link rel="canonical" href="javascript:alert(1)"><title>x</title></head>'

    assert page_metadata(html, "https://example.org/a")["canonical_url"] == (
        "https://example.org/a"
    )


def test_long_values_are_cut():
    html = f'<head><meta property="og:title" content="{"т" * 1000}"></head>'

    assert len(page_metadata(html, "https://example.org/")["title"]) == 300


# -- fetching and the cache --------------------------------------------------------------


def test_a_page_is_read_once_then_served_from_the_cache(site):
    site.page("/article", ARTICLE)

    first = link_preview(site.url("/article"))
    second = link_preview(site.url("/article"))

    assert first == second
    assert first.status == LinkStatus.OK
    assert first.title == "Как вести заметки, которые перечитываешь"
    assert len(site.requests_to("/article")) == 1


def test_an_unreadable_page_keeps_the_bare_url(site):
    site.page("/missing", "<h1>Not here</h1>", status=404)
    site.page("/image", b"\x89PNG", content_type="image/png")

    assert link_preview(site.url("/missing")) == LinkPreview(
        site.url("/missing"), status=LinkStatus.FAILED
    )
    assert link_preview(site.url("/image")).status == LinkStatus.REFUSED
    assert link_preview("http://127.0.0.1/admin").status == LinkStatus.REFUSED


@pytest.mark.django_db
def test_the_notes_links_are_fetched_together_and_stored(site, alice):
    site.page("/a", ARTICLE)
    site.page("/b", "<title>Second</title>")
    urls = [site.url("/a"), site.url("/b"), site.url("/gone")]
    note = NoteFactory(owner=alice, kind="link", link_metadata=[{"url": url} for url in urls])

    previews = note_fetch_link_previews(note_id=note.pk)

    assert [(preview.title, preview.status) for preview in previews] == [
        ("Как вести заметки, которые перечитываешь", "ok"),
        ("Second", "ok"),
        ("", "failed"),
    ]
    note.refresh_from_db()
    assert note_link_previews(note.link_metadata) == previews
    assert not links_pending(note.link_metadata)
