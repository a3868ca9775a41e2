""" "Already saved": the keys that make two notes the same thing, and the earlier copy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from notes.models import Note, NoteStatus
from notes.search.indexing import note_search_index
from notes.search.selectors import note_earlier_copy
from notes.search.text import forward_key, text_key, url_canonical
from tests.factories import NoteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://example.com/a", "https://example.com/a"),
        ("HTTPS://Example.COM/a", "https://example.com/a"),
        ("https://www.example.com/a", "https://example.com/a"),
        ("http://example.com/a", "https://example.com/a"),
        ("https://example.com/a/", "https://example.com/a"),
        ("https://example.com/", "https://example.com"),
        ("https://example.com", "https://example.com"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?utm_source=tg&utm_medium=social", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x", "https://example.com/a"),
        ("https://example.com/a?fbclid=IwAR0&gclid=Cj0&yclid=123", "https://example.com/a"),
        ("https://youtu.be/dQw4w9WgXcQ?si=abcDEF", "https://youtu.be/dQw4w9WgXcQ"),
        ("https://example.com/item?id=5&utm_source=x", "https://example.com/item?id=5"),
        ("https://example.com/s?q=a+b&page=2", "https://example.com/s?q=a+b&page=2"),
        ("https://example.com/s?page=2&q=a", "https://example.com/s?page=2&q=a"),
        ("https://example.com/Path/Case", "https://example.com/Path/Case"),
        ("https://www.example.com.", "https://example.com"),
        ("ftp://example.com/file", ""),
        ("mailto:someone@example.com", ""),
        ("not a url", ""),
        ("https://[::1", ""),
    ],
)
def test_urls_are_canonicalised(url, canonical):
    assert url_canonical(url) == canonical


def test_text_keys_ignore_whitespace_only():
    assert text_key("Купить  молоко\n\tи хлеб ") == text_key("Купить молоко и хлеб")
    assert text_key("Купить молоко и хлеб") != text_key("купить молоко и хлеб")
    assert text_key("   ") == ""


def test_a_forward_key_needs_the_origin_chat_and_message():
    channel = {"type": "channel", "chat": {"id": -1001, "title": "X"}, "message_id": 7}
    assert forward_key(channel) == "-1001:7"
    assert forward_key({"type": "user", "sender_user": {"id": 5}}) == ""
    assert forward_key({"type": "hidden_user", "sender_user_name": "Someone"}) == ""
    assert forward_key(None) == ""


@pytest.fixture
def alice():
    return UserFactory(telegram_id=8_880_001)


def note(owner, status=NoteStatus.AWAITING_CONFIRMATION, **fields) -> Note:
    created = NoteFactory(owner=owner, status=status, **fields)
    if status == NoteStatus.PUBLISHED:
        Note.objects.filter(pk=created.pk).update(published_at=timezone.now())
        created.refresh_from_db()
    note_search_index(note=created)
    return created


def link(url, **page) -> list[dict[str, str]]:
    return [{"url": url, "status": "ok" if page else "", **page}]


def test_the_same_link_with_tracking_and_www_is_the_same_note(alice):
    earlier = note(
        alice, NoteStatus.PUBLISHED, text="статья", link_metadata=link("https://example.com/a")
    )
    new = note(
        alice,
        text="https://WWW.example.com/a?utm_source=tg#top",
        link_metadata=link("https://WWW.example.com/a?utm_source=tg#top"),
    )

    assert note_earlier_copy(new) == earlier


def test_a_pages_canonical_url_makes_two_addresses_one(alice):
    earlier = note(
        alice,
        NoteStatus.PUBLISHED,
        text="m",
        link_metadata=link("https://m.example.com/a", canonical_url="https://example.com/a"),
    )
    new = note(
        alice,
        text="s",
        link_metadata=link("https://short.example/x", canonical_url="https://example.com/a"),
    )

    assert note_earlier_copy(new) == earlier


def test_the_same_forwarded_post_is_the_same_note(alice):
    origin = {"type": "channel", "chat": {"id": -1001, "title": "Канал"}, "message_id": 7}
    earlier = note(alice, NoteStatus.PUBLISHED, text="первый", forward_origin=origin)
    other_post = note(alice, text="x", forward_origin={**origin, "message_id": 8})
    new = note(alice, text="второй", forward_origin=origin)

    assert note_earlier_copy(new) == earlier
    assert note_earlier_copy(other_post) is None


def test_the_same_text_after_whitespace_is_the_same_note_and_the_latest_filing_is_named(alice):
    first = note(alice, NoteStatus.PUBLISHED, text="Купить молоко и хлеб")
    latest = note(alice, NoteStatus.PUBLISHED, text="Купить молоко\nи  хлеб")
    Note.objects.filter(pk=first.pk).update(published_at=timezone.now() - timedelta(days=3))
    new = note(alice, text=" Купить молоко и хлеб ")

    assert note_earlier_copy(new) == latest


def test_only_filed_notes_of_the_same_owner_count(alice):
    bob = UserFactory(telegram_id=8_880_002)
    note(bob, NoteStatus.PUBLISHED, text="Купить молоко и хлеб")
    note(alice, NoteStatus.CANCELLED, text="Купить молоко и хлеб")
    new = note(alice, text="Купить молоко и хлеб")

    assert note_earlier_copy(new) is None


def test_a_different_note_is_not_a_copy(alice):
    note(alice, NoteStatus.PUBLISHED, text="Купить молоко", link_metadata=link("https://a.org/1"))
    new = note(alice, text="Купить хлеб", link_metadata=link("https://a.org/2"))

    assert note_earlier_copy(new) is None


def test_a_photo_without_a_caption_has_no_text_to_compare(alice):
    note(alice, NoteStatus.PUBLISHED, text="", kind="photo")
    new = note(alice, text="", kind="photo")

    assert note_earlier_copy(new) is None
