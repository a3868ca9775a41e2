"""Support staff can open every admin page, search and filter."""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from notes.models import FilingExample, Note, NoteStatus, PendingConfirmation, Reminder
from telegram_bot.models import ConversationState
from tests.factories import (
    FilingExampleFactory,
    ForumGroupFactory,
    NoteFactory,
    PendingConfirmationFactory,
    TelegramUpdateFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_of_everything(alice, bob):
    group = ForumGroupFactory(owner=alice, title="Мой архив")
    topic = TopicFactory(group=group, name="📚 Книги")
    NoteFactory(owner=alice, topic=topic, text="Прочитать Мастера и Маргариту")
    PendingConfirmationFactory(note__owner=bob, note__text="Send the roadmap to Maria")
    other_topic = TopicFactory(group=ForumGroupFactory(owner=bob, title="Work"), name="Tasks")
    NoteFactory(owner=bob, topic=other_topic, text="Ship the release", kind="link")
    TelegramUpdateFactory()
    return group


def admin_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def model_id(model):
    return model._meta.label


@pytest.mark.parametrize("model", admin_models(), ids=model_id)
def test_every_changelist_opens(staff_client, some_of_everything, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("model", admin_models(), ids=model_id)
def test_every_add_page_opens(staff_client, some_of_everything, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")

    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("model", admin_models(), ids=model_id)
def test_every_change_page_opens(staff_client, some_of_everything, model):
    obj = model._default_manager.first()
    if obj is None:
        obj = _make(model)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])

    assert staff_client.get(url).status_code == 200


def _make(model):
    """Rows for models the fixture does not create (django-celery-beat's, auth's)."""
    from django.contrib.auth.models import Group
    from django_celery_beat.models import ClockedSchedule, CrontabSchedule, SolarSchedule

    makers = {
        FilingExample: lambda: FilingExampleFactory(),
        Reminder: lambda: Reminder.objects.create(
            owner=(note := Note.objects.get(text="Прочитать Мастера и Маргариту")).owner,
            note=note,
            due_at=timezone.now() + timedelta(days=1),
        ),
        ConversationState: lambda: ConversationState.objects.create(
            key="7000001:5550001:5550001", state="NoteFlow:editing", data={"note_id": 1}
        ),
        Group: lambda: Group.objects.create(name="support"),
        ClockedSchedule: lambda: ClockedSchedule.objects.create(clocked_time=timezone.now()),
        CrontabSchedule: lambda: CrontabSchedule.objects.create(),
        SolarSchedule: lambda: SolarSchedule.objects.create(
            event="sunrise", latitude=55.75, longitude=37.62
        ),
    }
    return makers[model]()


def test_notes_are_found_by_text(staff_client, some_of_everything):
    response = staff_client.get(reverse("admin:notes_note_changelist"), {"q": "Маргариту"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_notes_are_found_by_owner_telegram_id(staff_client, some_of_everything, bob):
    response = staff_client.get(reverse("admin:notes_note_changelist"), {"q": bob.telegram_id})

    assert response.context["cl"].result_count == 2


def test_users_are_found_by_username(staff_client, some_of_everything):
    response = staff_client.get(reverse("admin:secretary_user_changelist"), {"q": "anna_k"})

    assert response.context["cl"].result_count == 1


def test_notes_are_filtered_by_status_and_kind(staff_client, some_of_everything):
    url = reverse("admin:notes_note_changelist")

    waiting = staff_client.get(url, {"status__exact": NoteStatus.AWAITING_CONFIRMATION})
    links = staff_client.get(url, {"kind__exact": "link"})

    assert waiting.context["cl"].result_count == 1
    assert links.context["cl"].result_count == 1


def test_notes_are_filtered_by_group(staff_client, some_of_everything):
    response = staff_client.get(
        reverse("admin:notes_note_changelist"), {"topic__group__id__exact": some_of_everything.pk}
    )

    assert response.context["cl"].result_count == 1


def test_the_group_page_lists_its_topics(staff_client, some_of_everything):
    url = reverse("admin:topics_forumgroup_change", args=[some_of_everything.pk])

    assert "📚 Книги" in staff_client.get(url).content.decode()


def test_the_note_page_shows_its_pending_confirmation(staff_client, bob):
    pending = PendingConfirmationFactory(note__owner=bob)
    url = reverse("admin:notes_note_change", args=[pending.note_id])

    content = staff_client.get(url).content.decode()

    assert "pending-0" in content or "pending" in content.lower()
    assert str(pending.preview_message_id) in content


def test_staff_expire_selected_pending_confirmations_now(staff_client, alice):
    chosen = PendingConfirmationFactory(note__owner=alice)
    untouched = PendingConfirmationFactory(
        note__owner=alice, expires_at=timezone.now() + timedelta(hours=1)
    )

    response = staff_client.post(
        reverse("admin:notes_pendingconfirmation_changelist"),
        {"action": "expire_now", "_selected_action": [chosen.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "1 pending confirmation expired." in response.content.decode()
    chosen.refresh_from_db()
    untouched.refresh_from_db()
    assert chosen.resolution == PendingConfirmation.Resolution.EXPIRED
    assert Note.objects.get(pk=chosen.note_id).status == NoteStatus.EXPIRED
    assert untouched.is_open


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(reverse("admin:notes_note_changelist"))

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_see_when_they_are_on_a_development_deployment(staff_client, settings):
    settings.DEBUG = True
    assert "development" in staff_client.get(reverse("admin:index")).content.decode()

    settings.DEBUG = False
    assert "development" not in staff_client.get(reverse("admin:index")).content.decode()
