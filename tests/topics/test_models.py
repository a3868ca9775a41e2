import pytest
from django.db import IntegrityError, transaction

from tests.factories import ForumGroupFactory, TopicFactory
from topics.models import GENERAL_THREAD_ID, ForumGroup

pytestmark = pytest.mark.django_db


def test_a_thread_id_is_unique_within_a_group(alice):
    group = ForumGroupFactory(owner=alice)
    TopicFactory(group=group, thread_id=11)

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(group=group, thread_id=11)


def test_the_same_thread_id_may_exist_in_another_group(alice):
    TopicFactory(group=ForumGroupFactory(owner=alice), thread_id=11)
    TopicFactory(group=ForumGroupFactory(owner=alice), thread_id=11)


def test_the_general_topic_is_stored_like_any_other(alice):
    general = TopicFactory(group=ForumGroupFactory(owner=alice), thread_id=GENERAL_THREAD_ID)

    assert general.is_general


def test_a_chat_id_belongs_to_one_group(alice):
    ForumGroupFactory(owner=alice, chat_id=-1002000000001)

    with pytest.raises(IntegrityError), transaction.atomic():
        ForumGroup.objects.create(chat_id=-1002000000001)


def test_archived_or_deleted_topics_are_not_selectable(alice):
    topic = TopicFactory(group=ForumGroupFactory(owner=alice))
    assert topic.is_selectable
    topic.is_archived = True
    assert not topic.is_selectable
