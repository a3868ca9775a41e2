import pytest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from secretary.celery import PERIODIC_JOBS
from secretary.models import Language, Preferences, User
from secretary.services import periodic_tasks_sync, user_get_or_create_from_telegram

pytestmark = pytest.mark.django_db


def test_first_contact_creates_the_user_with_preferences():
    user = user_get_or_create_from_telegram(
        telegram_id=5550001,
        username="anna_k",
        first_name="Анна",
        last_name="К.",
        language_code="ru",
    )

    assert user.username == "tg5550001"
    assert user.language == Language.RUSSIAN
    assert not user.has_usable_password()
    assert Preferences.objects.filter(user=user).exists()


def test_later_contact_refreshes_names_but_keeps_the_chosen_language():
    user = user_get_or_create_from_telegram(
        telegram_id=5550001, first_name="Анна", language_code="ru"
    )
    User.objects.filter(pk=user.pk).update(language=Language.ENGLISH, has_blocked_bot=True)

    again = user_get_or_create_from_telegram(
        telegram_id=5550001, username="anna_new", first_name="Аня", language_code="ru"
    )

    assert again.pk == user.pk
    assert again.telegram_username == "anna_new"
    assert again.first_name == "Аня"
    assert again.language == Language.ENGLISH
    assert again.has_blocked_bot is False


def test_migrate_declared_every_periodic_job():
    names = set(PeriodicTask.objects.values_list("name", flat=True))

    assert {job.name for job in PERIODIC_JOBS} <= names


def test_periodic_sync_is_idempotent_and_keeps_staff_edits():
    task = PeriodicTask.objects.get(name="Expire pending confirmations")
    slower, _ = IntervalSchedule.objects.get_or_create(every=300, period=IntervalSchedule.SECONDS)
    task.interval = slower
    task.enabled = False
    task.save()

    assert periodic_tasks_sync() == []
    assert periodic_tasks_sync() == []

    task.refresh_from_db()
    assert task.interval == slower
    assert task.enabled is False
    assert PeriodicTask.objects.filter(name="Expire pending confirmations").count() == 1


def test_periodic_sync_recreates_a_deleted_job():
    PeriodicTask.objects.filter(name="Expire pending confirmations").delete()

    assert periodic_tasks_sync() == ["Expire pending confirmations"]
    task = PeriodicTask.objects.get(name="Expire pending confirmations")
    assert task.task == "notes.tasks.expire_pending_confirmations"
    assert task.interval.every == 60
