"""``manage.py stats`` and ``notes_stats``: what the notes came to, for operators."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from notes.models import Note, NoteKind, NoteStatus
from notes.selectors import failure_reason, notes_stats
from tests.factories import ForumGroupFactory, NoteFactory, TopicFactory

pytestmark = pytest.mark.django_db

COST = (Decimal("0.000228"), Decimal("0.000192"), Decimal("0.000450"))
PRIVATE = "what the server said, with the note's words"


@pytest.fixture
def filed(alice, bob):
    """Alice's notes of this week in several states, one of last month; one of bob's."""
    group = ForumGroupFactory(owner=alice, title="Мой архив")
    books = TopicFactory(group=group, name="📚 Книги")
    shopping = TopicFactory(group=group, name="🛒 Покупки")
    published = {"owner": alice, "status": NoteStatus.PUBLISHED}
    openai = {"ai_provider": "openai", "topic": books}
    NoteFactory(**published, **openai, input_tokens=1200, output_tokens=80, cost_usd=COST[0])
    NoteFactory(
        **published, **openai, input_tokens=1000, output_tokens=70, cost_usd=COST[1], kind="link"
    )
    NoteFactory(**published, topic=shopping, ai_provider="local", kind=NoteKind.VOICE)
    NoteFactory(
        owner=alice,
        status=NoteStatus.AWAITING_CONFIRMATION,
        topic=shopping,
        ai_provider="gemini",
        input_tokens=900,
        output_tokens=60,
        cost_usd=COST[2],
    )
    failed = {"owner": alice, "status": NoteStatus.FAILED}
    NoteFactory(**failed, kind=NoteKind.VOICE, last_error=f"transcription: boom, {PRIVATE}")
    NoteFactory(**failed, last_error="TimeoutError: read timed out after 30 s")
    old = NoteFactory(**published, topic=books, ai_provider="openai", cost_usd=Decimal("1.5"))
    Note.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    NoteFactory(owner=bob, status=NoteStatus.CANCELLED)
    return {"books": books, "shopping": shopping}


def stats_output(*arguments: str) -> str:
    out = StringIO()
    call_command("stats", *arguments, stdout=out)
    return out.getvalue()


def test_it_counts_every_note_by_status_kind_provider_and_topic(filed):
    stats = notes_stats()

    assert stats.notes == 8
    assert stats.by_status == {
        "published": 4,
        "failed": 2,
        "awaiting_confirmation": 1,
        "cancelled": 1,
    }
    assert stats.by_kind == {"text": 5, "voice": 2, "link": 1}
    assert stats.by_provider == {"openai": 3, "(none)": 3, "gemini": 1, "local": 1}
    assert [(t.topic, t.group, t.notes) for t in stats.by_topic] == [
        ("📚 Книги", "Мой архив", 3),
        ("🛒 Покупки", "Мой архив", 2),
    ]
    assert stats.without_topic == 3
    assert (stats.input_tokens, stats.output_tokens) == (3100, 210)
    assert stats.cost_usd == Decimal("1.500870")
    assert stats.failures == {"TimeoutError": 1, "transcription": 1}


def test_since_and_owner_narrow_the_notes(filed, alice):
    week = notes_stats(timezone.now() - timedelta(days=7), owner=alice)

    assert week.notes == 6
    assert week.by_status["published"] == 3
    assert "cancelled" not in week.by_status  # bob's
    assert week.cost_usd == Decimal("0.000870")  # last month's 1.5 USD is out

    output = stats_output("--since", "7d", "--owner", str(alice.telegram_id))
    assert output.splitlines()[0] == f"Notes: 6 (the last 7d, owner {alice.telegram_id})"


def test_the_tables_are_aligned_and_show_tokens_cost_and_failure_reasons(filed):
    output = stats_output()

    assert output.splitlines()[0] == "Notes: 8 (all time, every owner)"
    assert "status                 notes\npublished                  4\n" in output
    # An emoji takes two columns in a terminal: the group column starts in one place.
    assert "topic       group      notes\n📚 Книги    Мой архив      3\n" in output
    assert "(no topic)                 3" in output
    assert "input tokens    3,100\noutput tokens     210\ncost, USD      1.5009\n" in output
    assert "transcription       1" in output
    assert "boom" not in output  # a failure's kind, never its text
    assert PRIVATE not in output


def test_json_output_parses(filed, alice):
    data = json.loads(stats_output("--json", "--since", "24h"))

    assert data["notes"] == 7
    assert data["by_status"]["failed"] == 2
    assert data["by_topic"][0] == {
        "topic_id": filed["books"].pk,
        "topic": "📚 Книги",
        "group": "Мой архив",
        "notes": 2,
    }
    assert data["cost_usd"] == "0.000870"
    assert data["failures"] == {"TimeoutError": 1, "transcription": 1}
    assert data["owner"] is None
    assert "owner_id" not in data
    assert data["since"].endswith("+00:00")


@pytest.mark.parametrize("value", ["7x", "-1d", "soon", "0m"])
def test_a_bad_since_is_a_one_line_error(value):
    with pytest.raises(CommandError) as error:
        call_command("stats", f"--since={value}")

    assert str(error.value) == (
        f"--since must be a duration like 90s, 15m, 24h or 7d, got {value!r}"
    )


def test_an_unknown_owner_is_a_one_line_error():
    with pytest.raises(CommandError, match=r"^no user with Telegram id 999$"):
        call_command("stats", "--owner", "999")


def test_no_notes_at_all_is_said_plainly():
    output = stats_output("--since", "90s")

    assert output.splitlines()[0] == "Notes: 0 (the last 90s, every owner)"
    assert "status: none" in output
    assert "failure reason: none" in output


@pytest.mark.parametrize(
    ("last_error", "reason"),
    [
        ("transcription: boom", "transcription"),
        ("classification: openai: ServerError: HTTP 500", "classification"),
        ("DeliveryError: refused: Bad Request: not enough rights", "DeliveryError"),
        ("", "(no reason recorded)"),
        ("x" * 100, "x" * 59 + "…"),
        ("first line\nsecond: line", "first line"),
    ],
)
def test_a_failure_reason_is_the_kind_before_the_colon(last_error, reason):
    assert failure_reason(last_error) == reason
