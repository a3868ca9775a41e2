"""Groups as the bot sees them: checking and linking, membership changes, topics overview."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import Bot
from aiogram.enums import ChatMemberStatus
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    Chat,
    ChatMember,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
)
from django.conf import settings
from django.utils import translation

from secretary.models import User
from secretary.services import preferences_for
from telegram_bot import gateway, texts
from telegram_bot.client import with_bot
from topics.models import ForumGroup
from topics.selectors import group_for_owner, topic_list_for_group
from topics.services import (
    BotRights,
    ConnectProblem,
    group_connect_problems,
    group_link,
    group_rights_update,
)

ADMIN_STATUSES = (ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR)


@dataclass(frozen=True)
class GroupEvaluation:
    """What Telegram says about a group, a person in it and the bot in it."""

    chat_id: int
    title: str
    is_forum: bool
    user_is_admin: bool
    rights: BotRights


def bot_rights(member: ChatMember) -> BotRights:
    """The bot's rights from its chat member object."""
    if isinstance(member, ChatMemberAdministrator):
        return BotRights(
            is_member=True, can_manage_topics=bool(member.can_manage_topics), can_post=True
        )
    if isinstance(member, ChatMemberRestricted):
        return BotRights(
            is_member=member.is_member, can_manage_topics=False, can_post=member.can_send_messages
        )
    is_member = isinstance(member, ChatMemberMember | ChatMemberOwner)
    return BotRights(is_member=is_member, can_manage_topics=False, can_post=is_member)


async def group_evaluate(
    bot: Bot, *, chat_id: int, user_id: int, chat: Chat | None = None
) -> GroupEvaluation:
    """Ask Telegram about the group (unless its chat object is at hand), the person and the bot."""
    if chat is None:
        chat_info = await gateway.chat_info(bot, chat_id)
        title, is_forum = chat_info.title or "", bool(chat_info.is_forum)
    else:
        title, is_forum = chat.title or "", bool(chat.is_forum)
    user = await gateway.chat_member(bot, chat_id, user_id)
    me = await gateway.chat_member(bot, chat_id, bot.id)
    return GroupEvaluation(
        chat_id=chat_id,
        title=title,
        is_forum=is_forum,
        user_is_admin=user.status in ADMIN_STATUSES,
        rights=bot_rights(me),
    )


def group_other_owner(*, chat_id: int, user: User) -> User | None:
    """Who else owns this group's archive, if anybody does."""
    group = ForumGroup.objects.select_related("owner").filter(chat_id=chat_id).first()
    if group is None or group.owner is None or group.owner_id == user.pk:
        return None
    return group.owner


async def owner_still_admin(bot: Bot, *, chat_id: int, owner: User) -> bool:
    """Whether the group's current owner is still one of its admins (then it stays theirs)."""
    if owner.telegram_id is None:
        return False
    try:
        member = await gateway.chat_member(bot, chat_id, owner.telegram_id)
    except TelegramBadRequest:  # not in the group any more
        return False
    return member.status in ADMIN_STATUSES


def _link_evaluated(
    *, owner: User, evaluation: GroupEvaluation
) -> tuple[ForumGroup | None, list[ConnectProblem]]:
    """Link the group to the owner if nothing is missing; else what is missing."""
    problems = group_connect_problems(
        user_is_admin=evaluation.user_is_admin,
        is_forum=evaluation.is_forum,
        rights=evaluation.rights,
    )
    if problems:
        return None, problems
    group = group_link(
        chat_id=evaluation.chat_id,
        title=evaluation.title,
        owner=owner,
        is_forum=evaluation.is_forum,
        rights=evaluation.rights,
    )
    return group, []


def group_connect(*, owner: User, evaluation: GroupEvaluation) -> str:
    """/connect: link the group if nothing is missing; the answer says what happened."""
    group, problems = _link_evaluated(owner=owner, evaluation=evaluation)
    if group is None:
        return texts.connect_refused_text(problems)
    return texts.connected_text(
        title=group.title or str(group.chat_id), owner_name=owner.display_name
    )


def group_membership_changed(
    *, chat_id: int, title: str, is_forum: bool, rights: BotRights
) -> bool:
    """The bot's membership or rights changed in a group. Returns whether the group is known.

    The rights are stored; when the bot was removed, or came back, the owner
    is told in private, in their language.
    """
    group, was_member = group_rights_update(
        chat_id=chat_id, title=title, is_forum=is_forum, rights=rights
    )
    if group is None:
        return False
    owner = group.owner
    if owner is None and rights.is_member and not was_member and rights.can_post:
        # Just added, nobody's archive yet: say how to make it one (in the
        # language of whoever added the bot, which the middleware activated).
        hint = texts.group_joined_text()
        with_bot(lambda bot: gateway.say(bot, chat_id, hint))
        return True
    if owner is None or owner.has_blocked_bot or was_member == rights.is_member:
        return True
    with translation.override(preferences_for(user=owner).effective_language):
        name = group.title or str(group.chat_id)
        text = texts.group_back_text(name) if rights.is_member else texts.group_removed_text(name)
    owner_chat = owner.telegram_id
    if owner_chat is not None:
        with_bot(lambda bot: gateway.say(bot, owner_chat, text))
    return True


def topics_overview(*, owner: User) -> str:
    group = group_for_owner(owner=owner)
    if group is None:
        return texts.topics_text(None, [])
    topics = list(topic_list_for_group(group=group))
    return texts.topics_text(group.title or str(group.chat_id), topics)


def preconfigured_group_unclaimed() -> bool:
    """TELEGRAM_GROUP_ID names a group that nobody owns yet."""
    chat_id = settings.TELEGRAM_GROUP_ID
    if not chat_id:
        return False
    return not ForumGroup.objects.filter(chat_id=chat_id, owner__isnull=False).exists()


def preconfigured_group_claim(*, owner: User, evaluation: GroupEvaluation) -> str | None:
    """The first admin of TELEGRAM_GROUP_ID who starts the bot becomes its owner.

    Returns what to tell them, or None when they are not an admin there.
    """
    if not evaluation.user_is_admin or not preconfigured_group_unclaimed():
        return None
    group, problems = _link_evaluated(owner=owner, evaluation=evaluation)
    if group is None:
        return texts.connect_refused_text(problems)
    return texts.preconfigured_group_text(group.title or str(group.chat_id))
