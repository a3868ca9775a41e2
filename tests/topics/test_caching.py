"""Topics and preferences are read from the cache on the hot path and forgotten on change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from secretary.services import preferences_for, preferences_update
from tests.factories import ForumGroupFactory, TopicFactory
from topics.models import Topic
from topics.selectors import topics_selectable
from topics.services import topics_reorder

pytestmark = pytest.mark.django_db


def queries(operation):
    with CaptureQueriesContext(connection) as captured:
        result = operation()
    return result, len(captured)


def test_a_groups_topics_are_read_once_then_from_the_cache(alice):
    group = ForumGroupFactory(owner=alice)
    TopicFactory(group=group, name="Книги", position=1)

    first, asked = queries(lambda: topics_selectable(group=group))
    again, asked_again = queries(lambda: topics_selectable(group=group))

    assert [topic.name for topic in again] == [topic.name for topic in first] == ["Книги"]
    assert asked >= 1
    assert asked_again == 0


def test_a_new_renamed_or_reordered_topic_is_seen_at_once(alice):
    group = ForumGroupFactory(owner=alice)
    books = TopicFactory(group=group, name="Книги", position=1)
    topics_selectable(group=group)

    films = TopicFactory(group=group, name="Фильмы", position=2)
    assert [topic.name for topic in topics_selectable(group=group)] == ["Книги", "Фильмы"]

    renamed = Topic.objects.get(pk=books.pk)
    renamed.name = "📚 Книги"
    renamed.save(update_fields=["name"])
    assert topics_selectable(group=group)[0].name == "📚 Книги"

    topics_reorder(group=group, topic_ids=[films.pk, books.pk])
    assert [topic.name for topic in topics_selectable(group=group)] == ["Фильмы", "📚 Книги"]

    films.delete()
    assert [topic.name for topic in topics_selectable(group=group)] == ["📚 Книги"]


def test_preferences_are_cached_and_a_change_is_seen_at_once(alice):
    preferences_for(user=alice)
    _, asked = queries(lambda: preferences_for(user=alice))
    assert asked == 0

    preferences_update(user=alice, language="en")

    assert preferences_for(user=alice).language == "en"
