"""The note pipeline without Telegram: its services through a fake of each port.

What the owner is shown (``FakeDisplay``) and what reaches the archive
(``FakeArchive``) are recorded; the archive can be told to refuse the next post.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from notes.models import FilingExample, Note, NoteStatus, PendingConfirmation
from notes.ports import CreatedTopic, DeliveryError, Ports, Publication, View, ports_using
from notes.services import pipeline
from notes.services.intake import IncomingNote, note_receive, note_schedule_processing
from notes.services.pending import note_choose_topic, note_confirm, note_replace_text
from secretary.models import ConfirmMode
from secretary.pacing import MARGIN_SECONDS
from tests.factories import ForumGroupFactory, TopicFactory
from topics.models import Topic

pytestmark = pytest.mark.django_db

CHAT = 5550001


@dataclass
class Shown:
    note_id: int
    view: View
    shown_at: int | None
    problem: DeliveryError | None
    link: str
    topic: str


@dataclass
class FakeDisplay:
    shown: list[Shown] = field(default_factory=list)

    def show(self, note, view, *, shown_at=None, problem=None, link="", resend=False, **_):
        topic = note.topic.name if note.topic else ""
        self.shown.append(Shown(note.pk, view, shown_at, problem, link, topic))
        return shown_at or 700 + len(self.shown)

    def views(self) -> list[View]:
        return [item.view for item in self.shown]


@dataclass
class FakeArchive:
    posts: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[list[int]] = field(default_factory=list)
    refusals: list[DeliveryError] = field(default_factory=list)
    renamed: list[tuple[int, str]] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)  # what pace() answers, in turn
    next_id: int = 9000

    def post(self, plan, on_sent):
        if self.refusals:
            raise self.refusals.pop(0)
        sent = list(plan.sent)
        for _part in plan.parts[len(sent) :] or [""]:
            self.next_id += 1
            sent.append(self.next_id)
            on_sent(list(sent))
        self.posts.append({"thread_id": plan.thread_id, "parts": plan.parts, "ids": sent})
        return Publication(message_ids=sent, link=f"archive://{plan.thread_id}/{sent[0]}")

    def delete(self, *, chat_id, message_ids):
        self.deleted.append(list(message_ids))

    def pace(self, plan):
        return self.waits.pop(0) if self.waits else 0.0

    def create_topic(self, *, chat_id, name):
        self.next_id += 1
        return CreatedTopic(thread_id=self.next_id, name=name)

    def rename_topic(self, *, chat_id, thread_id, name):
        self.renamed.append((thread_id, name))

    def download(self, file):
        raise DeliveryError(DeliveryError.REFUSED, "no files here")


@pytest.fixture
def display():
    return FakeDisplay()


@pytest.fixture
def archive():
    return FakeArchive()


@pytest.fixture(autouse=True)
def _ports(display, archive, monkeypatch):
    monkeypatch.setattr("secretary.retry.INLINE_WAIT_MAX", 0)
    with ports_using(Ports(display=display, archive=archive)):
        yield


@pytest.fixture
def topics(alice):
    group = ForumGroupFactory(owner=alice, chat_id=-1002000000001)
    return {
        "shopping": TopicFactory(
            group=group, thread_id=12, name="🛒 Покупки", description="Купить молоко, хлеб"
        ),
        "books": TopicFactory(
            group=group, thread_id=11, name="📚 Книги", description="Книги и статьи"
        ),
    }


def send(owner, committed, text="Купить молоко и хлеб", message_id=70):
    incoming = IncomingNote(chat_id=CHAT, message_id=message_id, kind="text", text=text)

    def receive():
        receipt = note_receive(owner=owner, incoming=incoming)
        note_schedule_processing(note=receipt.note)
        return receipt.note

    return Note.objects.get(pk=committed(receive).pk)


def test_prepare_shows_one_preview_with_the_suggested_topic(alice, topics, committed, display):
    note = send(alice, committed)

    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    [preview] = display.shown
    assert (preview.view, preview.topic) == (View.AWAITING, "🛒 Покупки")
    assert PendingConfirmation.objects.get(note=note).preview_message_id == 701


def test_confirm_posts_into_the_topic_and_shows_where_it_went(
    alice, topics, committed, display, archive
):
    note = send(alice, committed)

    committed(note_confirm, owner=alice, note_id=note.pk)

    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED
    assert note.published_message_ids == [9001]
    [post] = archive.posts
    assert post["thread_id"] == 12
    filed = display.shown[-1]
    assert (filed.view, filed.link, filed.shown_at) == (View.FILED, "archive://12/9001", 701)


def test_another_topic_shows_the_preview_for_it(alice, topics, committed, display):
    note = send(alice, committed)

    committed(note_choose_topic, owner=alice, note_id=note.pk, topic_id=topics["books"].pk)

    assert (display.shown[-1].view, display.shown[-1].topic) == (View.AWAITING, "📚 Книги")


def test_an_edit_replaces_the_text_in_the_preview(alice, topics, committed, display):
    note = send(alice, committed)

    committed(note_replace_text, owner=alice, note_id=note.pk, text="Купить сыр", entities=[])

    note.refresh_from_db()
    assert "Купить сыр" in note.rendered_text
    assert display.views() == [View.AWAITING, View.AWAITING]


def test_cancel_keeps_the_note_and_says_so(alice, topics, committed, display, archive):
    note = send(alice, committed)

    committed(pipeline.note_dismiss, owner=alice, note_id=note.pk)

    assert Note.objects.get(pk=note.pk).status == NoteStatus.CANCELLED
    assert display.views()[-1] == View.CANCELLED
    assert archive.posts == []


def test_never_ask_files_at_once(alice, topics, committed, display, archive):
    alice.preferences.confirm_mode = ConfirmMode.NEVER_ASK
    alice.preferences.save()

    note = send(alice, committed)

    assert Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED
    assert display.views() == [View.FILED]
    assert len(archive.posts) == 1


def test_undo_takes_the_publication_back(alice, topics, committed, display, archive):
    note = send(alice, committed)
    committed(note_confirm, owner=alice, note_id=note.pk)

    committed(pipeline.note_undo, owner=alice, note_id=note.pk)

    note.refresh_from_db()
    assert (note.status, note.published_message_ids) == (NoteStatus.AWAITING_CONFIRMATION, [])
    assert archive.deleted == [[9001]]
    assert display.views()[-1] == View.AWAITING


def test_a_filed_note_is_refiled_into_another_topic(alice, topics, committed, display, archive):
    note = send(alice, committed)
    committed(note_confirm, owner=alice, note_id=note.pk)

    committed(pipeline.note_refile, owner=alice, note_id=note.pk, topic_id=topics["books"].pk)

    note.refresh_from_db()
    assert (note.status, note.topic_id) == (NoteStatus.PUBLISHED, topics["books"].pk)
    assert archive.deleted == [[9001]]
    assert [post["thread_id"] for post in archive.posts] == [12, 11]
    assert FilingExample.objects.get(note=note).topic_id == topics["books"].pk
    assert (display.shown[-1].view, display.shown[-1].topic) == (View.FILED, "📚 Книги")


@pytest.mark.parametrize("status", [NoteStatus.EXPIRED, NoteStatus.CANCELLED])
def test_a_note_from_history_is_filed(alice, topics, committed, archive, status):
    note = send(alice, committed)
    Note.objects.filter(pk=note.pk).update(status=status)

    committed(pipeline.note_refile, owner=alice, note_id=note.pk, topic_id=topics["books"].pk)

    assert Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED
    assert archive.deleted == []
    assert archive.posts[-1]["thread_id"] == 11


def test_a_waiting_note_is_not_refiled(alice, topics, committed):
    from notes.services.pending import NoteActionRefused

    note = send(alice, committed)
    with pytest.raises(NoteActionRefused):
        pipeline.note_refile(owner=alice, note_id=note.pk, topic_id=topics["books"].pk)


def test_the_beat_job_shows_expired_previews(alice, topics, committed, display):
    from notes.tasks import expire_pending_confirmations

    note = send(alice, committed)
    PendingConfirmation.objects.filter(note=note).update(expires_at="2000-01-01T00:00Z")

    assert committed(expire_pending_confirmations) == 1

    assert display.views()[-1] == View.EXPIRED
    assert display.shown[-1].shown_at == 701


def test_the_admins_expire_now_shows_expired_previews_too(
    alice, topics, committed, display, staff_client
):
    note = send(alice, committed)
    pending = PendingConfirmation.objects.get(note=note)

    committed(
        staff_client.post,
        reverse("admin:notes_pendingconfirmation_changelist"),
        {"action": "expire_now", "_selected_action": [pending.pk]},
    )

    assert Note.objects.get(pk=note.pk).status == NoteStatus.EXPIRED
    assert display.views()[-1] == View.EXPIRED


@pytest.mark.parametrize(
    ("reason", "topic_selectable", "bot_in_group"),
    [
        (DeliveryError.TOPIC_GONE, False, True),
        (DeliveryError.ARCHIVE_GONE, True, False),
        (DeliveryError.REFUSED, True, True),
    ],
)
def test_a_refused_publication_goes_back_to_pending_and_says_why(
    alice, topics, committed, display, archive, reason, topic_selectable, bot_in_group
):
    note = send(alice, committed)
    archive.refusals.append(DeliveryError(reason, "no"))

    committed(note_confirm, owner=alice, note_id=note.pk)

    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert PendingConfirmation.objects.get(note=note).is_open
    shown = display.shown[-1]
    assert (shown.view, shown.problem.reason) == (View.AWAITING, reason)
    topic = Topic.objects.select_related("group").get(pk=topics["shopping"].pk)
    assert (topic.is_selectable, topic.group.bot_is_member) == (topic_selectable, bot_in_group)


def test_a_temporary_failure_is_waited_out(alice, topics, committed, display, archive):
    note = send(alice, committed)
    archive.refusals.append(DeliveryError(DeliveryError.TEMPORARY, "429", retry_after=0))

    committed(note_confirm, owner=alice, note_id=note.pk)

    assert Note.objects.get(pk=note.pk).status == NoteStatus.PUBLISHED
    assert display.views()[-1] == View.FILED


def test_waits_that_never_end_send_the_note_back_to_pending(
    alice, topics, committed, display, archive, settings
):
    settings.TEMPORARY_RETRIES = 2
    note = send(alice, committed)
    archive.refusals.extend(
        DeliveryError(DeliveryError.TEMPORARY, "429", retry_after=0) for _ in range(5)
    )

    committed(note_confirm, owner=alice, note_id=note.pk)

    note.refresh_from_db()
    assert note.status == NoteStatus.AWAITING_CONFIRMATION
    assert display.shown[-1].problem is not None


def test_an_owner_who_blocked_the_display_is_marked_and_the_note_waits(
    alice, topics, committed, display, monkeypatch
):
    def blocked(*args, **kwargs):
        raise DeliveryError(DeliveryError.OWNER_GONE, "blocked")

    monkeypatch.setattr(display, "show", blocked)

    note = send(alice, committed)

    alice.refresh_from_db()
    assert alice.has_blocked_bot
    assert Note.objects.get(pk=note.pk).status == NoteStatus.AWAITING_CONFIRMATION


def test_a_new_topic_is_created_through_the_archive(alice, topics, committed, display):
    note = send(alice, committed)

    topic = committed(pipeline.note_create_topic, owner=alice, note_id=note.pk, name="  Кино ")

    assert (topic.name, topic.thread_id) == ("Кино", 9001)
    assert Note.objects.get(pk=note.pk).topic_id == topic.pk
    assert display.shown[-1].topic == "Кино"


def test_a_note_whose_turn_is_later_says_filing_then_is_filed(
    alice, topics, committed, display, archive, monkeypatch
):
    """The archive's pace gives the note a turn in 30 s: its preview says "filing…" and
    the run comes back at its turn (inline: the retry waits, here not at all), keeping
    the turn instead of asking for another."""
    monkeypatch.setattr("secretary.retry.time.sleep", lambda seconds: None)
    archive.waits = [30.0]
    note = send(alice, committed)
    turns = []
    real_plan = pipeline.note_publication_plan

    def plan_then_pass_the_turn(**kwargs):
        plan = real_plan(**kwargs)
        if plan is not None and plan.publish_after is not None:
            turns.append(plan.publish_after)
            Note.objects.filter(pk=plan.note_id).update(publish_after="2000-01-01T00:00Z")
            return real_plan(**kwargs)
        return plan

    monkeypatch.setattr(pipeline, "note_publication_plan", plan_then_pass_the_turn)

    committed(note_confirm, owner=alice, note_id=note.pk)

    assert display.views()[-2:] == [View.FILING, View.FILED]
    assert len(turns) == 1  # one turn given, then kept
    assert archive.waits == []  # and the pace was asked once
    assert len(archive.posts) == 1
    note.refresh_from_db()
    assert note.status == NoteStatus.PUBLISHED


def test_a_moments_wait_is_simply_waited(alice, topics, committed, display, archive, monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr("notes.services.pipeline.time.sleep", slept.append)
    archive.waits = [0.4]
    note = send(alice, committed)

    committed(note_confirm, owner=alice, note_id=note.pk)

    assert slept == [0.4]
    assert display.views()[-1] == View.FILED
    assert View.FILING not in display.views()


def test_expired_previews_go_out_at_the_bulk_pace(
    alice, topics, committed, display, settings, monkeypatch
):
    from notes.tasks import show_expired_previews

    settings.TELEGRAM_BULK_RATE = 4
    settings.REDIS_URL = None  # the in-memory bucket (fresh for each test)
    slept: list[float] = []
    monkeypatch.setattr("notes.tasks.time.sleep", slept.append)
    notes = [send(alice, committed, text=f"Купить {n}", message_id=100 + n) for n in range(10)]
    PendingConfirmation.objects.filter(note__in=notes).update(expires_at="2000-01-01T00:00Z")
    Note.objects.filter(pk__in=[n.pk for n in notes]).update(status=NoteStatus.EXPIRED)
    display.shown.clear()

    assert show_expired_previews.apply(args=([n.pk for n in notes],)).get() == 10

    assert display.views() == [View.EXPIRED] * 10
    # 10 previews at 4 a second (and the margin): 4 at once, 4 when their tokens are
    # back, then 2 (here the sleeps are only recorded, so no time passes between them).
    turn = 1.0 + MARGIN_SECONDS
    assert slept == pytest.approx([0.0] * 4 + [turn] * 4 + [2 * turn] * 2, abs=0.1)
