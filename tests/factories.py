"""factory_boy factories for every model. Named people: alice (ru) and bob (en)."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from notes.models import FilingExample, Note, NoteKind, NoteStatus, PendingConfirmation
from secretary.models import Language, Preferences, User
from telegram_bot.models import TelegramUpdate
from topics.models import ForumGroup, Topic


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("telegram_id",)
        skip_postgeneration_save = True

    telegram_id = factory.Sequence(lambda n: 5_550_000 + n)
    username = factory.LazyAttribute(lambda u: f"tg{u.telegram_id}")
    telegram_username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    language = Language.ENGLISH
    preferences = factory.RelatedFactory("tests.factories.PreferencesFactory", "user")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = "support"
    telegram_id = None
    is_staff = True
    is_superuser = True
    password = factory.django.Password("support-password")


class PreferencesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Preferences
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory, preferences=None)


class ForumGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumGroup

    chat_id = factory.Sequence(lambda n: -1_002_000_000_000 - n)
    title = factory.Sequence(lambda n: f"Archive {n}")
    owner = factory.SubFactory(UserFactory)
    is_forum = True
    bot_can_manage_topics = True
    bot_can_post = True
    linked_at = factory.LazyFunction(timezone.now)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    group = factory.SubFactory(ForumGroupFactory)
    thread_id = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"Topic {n}")
    description = "Everything about this topic."


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    owner = factory.SubFactory(UserFactory)
    source_chat_id = factory.LazyAttribute(lambda n: n.owner.telegram_id or 1)
    source_message_id = factory.Sequence(lambda n: n + 1)
    kind = NoteKind.TEXT
    text = factory.Faker("sentence")
    status = NoteStatus.RECEIVED


class PendingConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PendingConfirmation

    note = factory.SubFactory(NoteFactory, status=NoteStatus.AWAITING_CONFIRMATION)
    preview_chat_id = factory.LazyAttribute(lambda p: p.note.source_chat_id)
    preview_message_id = factory.Sequence(lambda n: 10_000 + n)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=24))


class FilingExampleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FilingExample

    note = factory.SubFactory(NoteFactory, status=NoteStatus.PUBLISHED)
    owner = factory.LazyAttribute(lambda e: e.note.owner)
    topic = factory.SubFactory(TopicFactory, group__owner=factory.SelfAttribute("...owner"))
    text = factory.LazyAttribute(lambda e: e.note.text)


class TelegramUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TelegramUpdate

    update_id = factory.Sequence(lambda n: 900_000 + n)
    kind = "message"
    payload = factory.LazyAttribute(lambda u: {"update_id": u.update_id})
