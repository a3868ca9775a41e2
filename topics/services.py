"""Writes to groups and topics: linking a group, learning and creating its topics.

The Bot API cannot list a forum's topics, so they are learned from what the
group shows the bot: service messages (created, edited, closed, reopened) and
messages posted inside topics, whose ``reply_to_message`` is the topic's
creation message. Topics the bot creates itself are recorded from
``createForumTopic``'s answer.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from secretary.models import User
from topics.models import GENERAL_THREAD_ID, ForumGroup, Topic
from topics.selectors import topics_forget

logger = logging.getLogger(__name__)

# Telegram's limit on a forum topic's name.
TOPIC_NAME_MAX = 128


@dataclass(frozen=True)
class BotRights:
    """What the bot may do in a group, as Telegram reported it."""

    is_member: bool
    can_manage_topics: bool
    can_post: bool


class ConnectProblem(StrEnum):
    """Why a group cannot be linked yet; each is told to the owner exactly."""

    NOT_ADMIN = "not_admin"
    TOPICS_OFF = "topics_off"
    BOT_NOT_MEMBER = "bot_not_member"
    CANNOT_MANAGE_TOPICS = "cannot_manage_topics"
    CANNOT_POST = "cannot_post"


class TopicCreateFailed(Exception):
    """The archive did not create (or rename) the topic; ``reason`` says why (a
    DeliveryError reason, or ``UNLINKED``)."""

    UNLINKED = "unlinked"  # the group was unlinked while the archive was answering

    def __init__(self, reason: str, group_title: str = "", *, renaming: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.group_title = group_title
        self.renaming = renaming


def group_connect_problems(
    *, user_is_admin: bool, is_forum: bool, rights: BotRights
) -> list[ConnectProblem]:
    """Everything that stands between this group and filing notes into it."""
    problems = []
    if not user_is_admin:
        problems.append(ConnectProblem.NOT_ADMIN)
    if not is_forum:
        problems.append(ConnectProblem.TOPICS_OFF)
    if not rights.is_member:
        problems.append(ConnectProblem.BOT_NOT_MEMBER)
    else:
        if not rights.can_manage_topics:
            problems.append(ConnectProblem.CANNOT_MANAGE_TOPICS)
        if not rights.can_post:
            problems.append(ConnectProblem.CANNOT_POST)
    return problems


def _apply_rights(group: ForumGroup, *, title: str, is_forum: bool, rights: BotRights) -> None:
    group.title = title or group.title
    group.is_forum = is_forum
    group.bot_is_member = rights.is_member
    group.bot_can_manage_topics = rights.can_manage_topics
    group.bot_can_post = rights.can_post
    group.rights_checked_at = timezone.now()


@transaction.atomic
def group_link(
    *, chat_id: int, title: str, owner: User, is_forum: bool, rights: BotRights
) -> ForumGroup:
    """The group becomes the owner's archive (an admin of it linked it)."""
    group, _created = ForumGroup.objects.select_for_update().get_or_create(chat_id=chat_id)
    _apply_rights(group, title=title, is_forum=is_forum, rights=rights)
    group.owner = owner
    group.linked_at = timezone.now()
    group.save()
    return group


@transaction.atomic
def group_rights_update(
    *, chat_id: int, title: str, is_forum: bool, rights: BotRights
) -> tuple[ForumGroup | None, bool]:
    """Telegram changed the bot's membership or rights in a known group.

    Returns the group (None if unknown) and whether the bot was a member before,
    so the caller can tell the owner when the bot was removed or came back.
    """
    group = ForumGroup.objects.select_for_update().filter(chat_id=chat_id).first()
    if group is None:
        if not rights.is_member:
            return None, False
        # Recorded from the moment the bot joins, so that topics created before
        # anyone sends /connect are learned too.
        group, _created = ForumGroup.objects.get_or_create(chat_id=chat_id)
        group.bot_is_member = False
    was_member = group.bot_is_member
    _apply_rights(group, title=title, is_forum=is_forum, rights=rights)
    group.save()
    return group, was_member


@transaction.atomic
def group_mark_bot_removed(*, chat_id: int) -> ForumGroup | None:
    """Posting failed because the bot is no longer in the group."""
    group = ForumGroup.objects.select_for_update().filter(chat_id=chat_id).first()
    if group is not None and group.bot_is_member:
        group.bot_is_member = False
        group.bot_can_post = group.bot_can_manage_topics = False
        group.rights_checked_at = timezone.now()
        group.save()
    return group


@transaction.atomic
def group_migrate(*, old_chat_id: int, new_chat_id: int) -> ForumGroup | None:
    """A group upgraded to a supergroup gets a new chat id; its link and topics follow.

    Telegram sends both ``migrate_to_chat_id`` (in the old chat) and
    ``migrate_from_chat_id`` (in the new one); either may come first, and the new
    chat may already be known from another update: all of it ends in one group.
    """
    groups = ForumGroup.objects.select_for_update()
    old = groups.filter(chat_id=old_chat_id).first()
    new = groups.filter(chat_id=new_chat_id).first()
    if old is None:
        return new
    if new is None:
        old.chat_id = new_chat_id
        old.save(update_fields=["chat_id", "updated_at"])
        return old
    if new.owner_id is None and old.owner_id is not None:
        new.owner_id, new.linked_at = old.owner_id, old.linked_at
        new.save(update_fields=["owner", "linked_at", "updated_at"])
    known = set(new.topics.values_list("thread_id", flat=True))
    old.topics.exclude(thread_id__in=known).update(group=new)
    topics_forget(group_id=new.pk)
    old.delete()
    return new


@transaction.atomic
def topic_learn(
    *,
    chat_id: int,
    thread_id: int,
    name: str = "",
    icon_color: int | None = None,
    icon_custom_emoji_id: str | None = None,
    is_closed: bool | None = None,
    rename: bool = True,
    created_by_bot: bool = False,
    group_title: str = "",
) -> Topic | None:
    """Record what the group showed about one of its topics.

    Any group the bot is in counts, linked or not yet: updates are processed in
    no particular order, and a topic created before /connect must not be lost.
    ``rename=False`` when the name comes from a topic's creation message quoted by
    a later message: the topic may have been renamed since.
    """
    group, _created = ForumGroup.objects.get_or_create(
        chat_id=chat_id, defaults={"title": group_title[:255], "is_forum": True}
    )
    topic = Topic.objects.select_for_update().filter(group=group, thread_id=thread_id).first()
    if topic is None:
        if not name:
            return None  # closed or reopened before we knew its name: nothing to file into
        position = (group.topics.aggregate(last=Max("position"))["last"] or 0) + 1
        topic = Topic(group=group, thread_id=thread_id, position=position)
        topic.created_by_bot = created_by_bot
    elif not rename:
        name = ""
    if name:
        topic.name = name[:TOPIC_NAME_MAX]
    if icon_color is not None:
        topic.icon_color = icon_color
    if icon_custom_emoji_id is not None:
        topic.icon_custom_emoji_id = icon_custom_emoji_id
    if is_closed is not None:
        topic.is_closed = is_closed
    topic.is_gone = False  # the group just showed it to us
    topic.save()
    return topic


@transaction.atomic
def topic_mark_gone(*, topic_id: int) -> Topic | None:
    """Telegram says the topic no longer exists: nothing is filed there any more."""
    topic = Topic.objects.select_for_update().filter(pk=topic_id).first()
    if topic is not None and not topic.is_gone:
        topic.is_gone = True
        topic.save(update_fields=["is_gone", "updated_at"])
    return topic


def topic_name_clean(name: str) -> str:
    """A topic name as Telegram accepts it: 1–128 characters. ValueError otherwise."""
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > TOPIC_NAME_MAX:
        raise ValueError(name)
    return cleaned


def topic_create(*, group: ForumGroup, name: str) -> Topic:
    """Create a forum topic in the group (through the archive port) and record it.

    Talks to the archive (Telegram's createForumTopic), so call it outside a transaction.
    Raises ValueError for a name Telegram would refuse, TopicCreateFailed when it refuses.
    """
    from notes.ports import DeliveryError, ports

    cleaned = topic_name_clean(name)
    try:
        created = ports().archive.create_topic(chat_id=group.chat_id, name=cleaned)
    except DeliveryError as error:
        logger.warning("Topic %r not created in %s: %s", cleaned, group.chat_id, error)
        raise TopicCreateFailed(error.reason, group.title) from error
    topic = topic_learn(
        chat_id=group.chat_id,
        thread_id=created.thread_id,
        name=created.name,
        icon_color=created.icon_color,
        created_by_bot=True,
    )
    if topic is None:  # the group was unlinked while Telegram was answering
        raise TopicCreateFailed(TopicCreateFailed.UNLINKED, group.title)
    return topic


# What an owner may change about a topic (its name goes through the archive).
TOPIC_FIELDS = (
    "name",
    "description",
    "format_template",
    "style_instructions",
    "is_private",
    "is_archived",
    "position",
)


def topic_check_changes(*, topic: Topic, changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` as they will be saved, checked: ``ValidationError`` per field, nothing
    touched. The name is cleaned the way Telegram takes it."""
    unknown = set(changes) - set(TOPIC_FIELDS)
    if unknown:
        raise ValueError(f"not a topic field: {', '.join(sorted(unknown))}")
    checked = dict(changes)
    if "name" in checked:
        try:
            checked["name"] = topic_name_clean(str(checked["name"]))
        except ValueError:
            raise ValidationError(
                {"name": _("A topic name has 1 to %(max)d characters.") % {"max": TOPIC_NAME_MAX}}
            ) from None
    draft = copy.copy(topic)
    for field, value in checked.items():
        setattr(draft, field, value)
    draft.full_clean(exclude=["group", "thread_id"], validate_unique=False)
    return checked


def topic_update(*, topic: Topic, **changes: Any) -> Topic:
    """Change the owner's topic; a new name is given to the forum topic first.

    Talks to the archive when the name changes, so call it outside a transaction.
    ``ValidationError`` (per field) or ``TopicCreateFailed`` (the archive refused)
    leave the topic as it was.
    """
    from notes.ports import DeliveryError, ports

    checked = topic_check_changes(topic=topic, changes=changes)
    new_name = checked.get("name")
    if new_name is not None and new_name != topic.name:
        try:
            ports().archive.rename_topic(
                chat_id=topic.group.chat_id, thread_id=topic.thread_id, name=new_name
            )
        except DeliveryError as error:
            logger.warning("Topic %s not renamed: %s", topic.pk, error)
            if error.reason == DeliveryError.TOPIC_GONE:
                topic_mark_gone(topic_id=topic.pk)
            raise TopicCreateFailed(error.reason, topic.group.title, renaming=True) from error
    return _topic_save(topic_id=topic.pk, changes=checked)


@transaction.atomic
def _topic_save(*, topic_id: int, changes: dict[str, Any]) -> Topic:
    topic = Topic.objects.select_for_update().select_related("group").get(pk=topic_id)
    for field, value in changes.items():
        setattr(topic, field, value)
    topic.save()
    return topic


def topic_create_for_owner(*, group: ForumGroup, name: str, **details: Any) -> Topic:
    """➕ from the Mini App: the forum topic is created, then described as asked.

    The details are checked before Telegram is asked, so that a bad template does not
    leave a topic behind. Raises ``ValidationError``, ``TopicCreateFailed``.
    """
    draft = Topic(group=group, thread_id=GENERAL_THREAD_ID + 1)
    checked = topic_check_changes(topic=draft, changes={"name": name, **details})
    topic = topic_create(group=group, name=checked.pop("name"))
    return _topic_save(topic_id=topic.pk, changes=checked) if checked else topic


@transaction.atomic
def topics_reorder(*, group: ForumGroup, topic_ids: list[int]) -> list[Topic]:
    """The group's topics in the order of ``topic_ids`` (others keep theirs, after them).

    ``ValueError`` when an id is not a topic of the group or appears twice.
    """
    topics = {topic.pk: topic for topic in Topic.objects.select_for_update().filter(group=group)}
    if len(set(topic_ids)) != len(topic_ids) or not set(topic_ids) <= set(topics):
        raise ValueError(topic_ids)
    rest = sorted(
        (topic for pk, topic in topics.items() if pk not in set(topic_ids)),
        key=lambda topic: (topic.position, topic.name, topic.pk),
    )
    ordered = [topics[pk] for pk in topic_ids] + rest
    for position, topic in enumerate(ordered, start=1):
        topic.position = position
    Topic.objects.bulk_update(ordered, ["position"])
    topics_forget(group_id=group.pk)
    return ordered


def topic_format_fallback_record(*, topic_id: int, template: str) -> bool:
    """The topic's format ``template`` gave way to the default on a note: True the first
    time for this template (the owner is to be told), False after. One conditional
    update, so two notes at once do not both tell."""
    digest = hashlib.sha256(template.encode()).hexdigest()
    told = (
        Topic.objects.filter(pk=topic_id)
        .exclude(format_fallback_reported=digest)
        .update(format_fallback_reported=digest)
    )
    return told == 1
