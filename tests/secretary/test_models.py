from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from secretary.models import (
    ConfirmMode,
    Language,
    Preferences,
    User,
    language_from_telegram,
)
from tests.factories import PreferencesFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_threshold_above_one_is_rejected_by_the_database(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Preferences.objects.filter(user=alice).update(auto_file_threshold=1.5)


def test_a_negative_threshold_is_rejected_by_validation(alice):
    preferences = alice.preferences
    preferences.auto_file_threshold = -0.1

    with pytest.raises(ValidationError) as error:
        preferences.full_clean()

    assert "between 0 and 1" in str(error.value)


def test_a_zero_pending_ttl_is_rejected(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Preferences.objects.filter(user=alice).update(pending_ttl=timedelta(0))


def test_only_one_preferences_row_per_user(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Preferences.objects.create(user=alice)


def test_telegram_ids_are_unique(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="copy", telegram_id=alice.telegram_id)


def test_many_staff_users_may_have_no_telegram_id(db):
    UserFactory(telegram_id=None, username="staff1", preferences=None)
    UserFactory(telegram_id=None, username="staff2", preferences=None)


def test_an_unknown_provider_in_the_chain_is_rejected(alice):
    preferences = alice.preferences
    preferences.ai_providers = "openai,claude"

    with pytest.raises(ValidationError) as error:
        preferences.full_clean()

    assert "claude" in str(error.value)


def test_an_unknown_time_zone_is_rejected(alice):
    preferences = alice.preferences
    preferences.time_zone = "Mars/Olympus"

    with pytest.raises(ValidationError):
        preferences.full_clean()


def test_the_provider_chain_falls_back_to_the_server_default(alice, settings):
    settings.AI_PROVIDERS = ["gemini", "local"]
    preferences = PreferencesFactory(user=alice)

    assert preferences.provider_chain == ["gemini", "local"]
    preferences.ai_providers = "local"
    assert preferences.provider_chain == ["local"]


def test_effective_settings_follow_the_user_until_overridden(alice, settings):
    settings.PENDING_TTL = timedelta(hours=3)
    preferences = alice.preferences

    assert preferences.effective_language == Language.RUSSIAN
    assert preferences.effective_pending_ttl == timedelta(hours=3)
    assert preferences.confirm_mode == ConfirmMode.ALWAYS_ASK
    preferences.language = Language.ENGLISH
    preferences.pending_ttl = timedelta(minutes=30)
    assert preferences.effective_language == Language.ENGLISH
    assert preferences.effective_pending_ttl == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("code", "language"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("uk", "ru"),
        ("en", "en"),
        ("en-US", "en"),
        ("de", "en"),
        (None, "en"),
        ("", "en"),
    ],
)
def test_telegram_language_codes_map_to_the_languages_we_speak(code, language):
    assert language_from_telegram(code) == language
