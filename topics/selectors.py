"""Reads of groups and topics. Writes live in ``topics.services``."""

from __future__ import annotations

from django.db.models import QuerySet

from secretary.caching import cached, forget
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


TOPICS_CACHE_SECONDS = 300


def _topics_key(group_id: int) -> str:
    return f"topics:v1:{group_id}"


def topics_selectable(*, group: ForumGroup) -> list[Topic]:
    """``topic_list_for_group`` as a list, from the cache (Redis in production): every
    note's classification and topic picker reads it. Any change to a group's topics
    forgets it (``topics_forget``)."""
    return cached(
        _topics_key(group.pk),
        TOPICS_CACHE_SECONDS,
        lambda: list(topic_list_for_group(group=group)),
        kind=list,
    )


def topics_forget(*, group_id: int | None) -> None:
    """The group's topics changed: the next read goes to the database."""
    if group_id is not None:
        forget(_topics_key(group_id))


def groups_of_owner(*, owner: User) -> QuerySet[ForumGroup]:
    """Every group linked to the owner, the bot still in it or not (to say what is missing)."""
    return ForumGroup.objects.filter(owner=owner).order_by("-linked_at", "-pk")


def topic_list_for_owner(
    *, owner: User, group_id: int | None = None, include_archived: bool = False
) -> QuerySet[Topic]:
    """The topics of one of the owner's groups (their filing group by default)."""
    group = (
        groups_of_owner(owner=owner).filter(pk=group_id).first()
        if group_id is not None
        else group_for_owner(owner=owner)
    )
    if group is None:
        return Topic.objects.none()
    return topic_list_for_group(group=group, include_archived=include_archived).select_related(
        "group"
    )


def topic_of_owner(*, owner: User, topic_id: int) -> Topic | None:
    """One of the owner's topics (deleted ones too: history points at them), else None."""
    return Topic.objects.select_related("group").filter(pk=topic_id, group__owner=owner).first()
