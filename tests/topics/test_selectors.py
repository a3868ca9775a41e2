from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ForumGroupFactory, TopicFactory
from topics.selectors import group_for_owner, topic_list_for_group

pytestmark = pytest.mark.django_db


def test_an_owner_without_groups_has_none(alice):
    assert group_for_owner(owner=alice) is None


def test_the_most_recently_linked_group_is_used(alice):
    ForumGroupFactory(owner=alice, linked_at=timezone.now() - timedelta(days=2))
    recent = ForumGroupFactory(owner=alice, linked_at=timezone.now())

    assert group_for_owner(owner=alice) == recent


def test_the_default_group_from_preferences_wins(alice):
    chosen = ForumGroupFactory(owner=alice, linked_at=timezone.now() - timedelta(days=2))
    ForumGroupFactory(owner=alice, linked_at=timezone.now())
    alice.preferences.default_group = chosen
    alice.preferences.save()

    assert group_for_owner(owner=alice) == chosen


def test_a_group_the_bot_left_is_not_used(alice):
    ForumGroupFactory(owner=alice, bot_is_member=False)

    assert group_for_owner(owner=alice) is None


def test_someone_elses_default_group_is_ignored(alice, bob):
    bobs = ForumGroupFactory(owner=bob)
    own = ForumGroupFactory(owner=alice)
    alice.preferences.default_group = bobs
    alice.preferences.save()

    assert group_for_owner(owner=alice) == own


def test_topics_come_in_the_owners_order_without_archived_or_deleted(alice):
    group = ForumGroupFactory(owner=alice)
    second = TopicFactory(group=group, name="B", position=2)
    first = TopicFactory(group=group, name="A", position=1)
    archived = TopicFactory(group=group, name="C", is_archived=True)
    TopicFactory(group=group, name="D", is_gone=True)

    assert list(topic_list_for_group(group=group)) == [first, second]
    assert list(topic_list_for_group(group=group, include_archived=True)) == [
        archived,
        first,
        second,
    ]
