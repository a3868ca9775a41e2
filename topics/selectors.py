"""Reads of groups and topics. Writes live in ``topics.services``."""

from __future__ import annotations

from django.db.models import QuerySet

from secretary.models import User
from topics.models import ForumGroup, Topic


def group_for_owner(*, owner: User) -> ForumGroup | None:
    """The group the owner's notes are filed into.

    The group chosen in preferences if it is still theirs and the bot is still
    in it, else the one linked most recently, else none.
    """
    groups = ForumGroup.objects.filter(owner=owner, bot_is_member=True)
    default_id = getattr(getattr(owner, "preferences", None), "default_group_id", None)
    if default_id is not None:
        chosen = groups.filter(pk=default_id).first()
        if chosen is not None:
            return chosen
    return groups.order_by("-linked_at", "-pk").first()


def topic_list_for_group(*, group: ForumGroup, include_archived: bool = False) -> QuerySet[Topic]:
    """Topics notes may be filed into, in the owner's order. Deleted topics never show."""
    topics = Topic.objects.filter(group=group, is_gone=False)
    if not include_archived:
        topics = topics.filter(is_archived=False)
    return topics.order_by("position", "name", "pk")
