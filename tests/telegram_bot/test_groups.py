"""The forum group: /connect, the bot's membership, upgrades, and how topics are learned."""

import pytest

from tests.factories import ForumGroupFactory, TopicFactory
from tests.fakes.telegram import BOT_ID
from tests.telegram_bot.conftest import ALICE_CHAT, BOB_CHAT, GROUP_CHAT, update
from topics.models import ForumGroup, Topic

pytestmark = pytest.mark.django_db


def connect(deliver, **changes):
    return deliver(update("group_connect_command", **changes))


def test_connect_by_an_admin_who_started_the_bot_links_the_group(telegram, deliver, alice):
    connect(deliver)

    assert telegram.methods() == ["getMe", "getChatMember", "getChatMember", "sendMessage"]
    member_of_alice, member_of_bot = telegram.calls("getChatMember")
    assert member_of_alice.params == {"chat_id": GROUP_CHAT, "user_id": ALICE_CHAT}
    assert member_of_bot.params == {"chat_id": GROUP_CHAT, "user_id": BOT_ID}
    [answer] = telegram.calls("sendMessage")
    assert answer["chat_id"] == GROUP_CHAT
    assert answer["reply_parameters"]["message_id"] == 100
    assert answer["text"] == (
        "Готово: группа «Мой архив» подключена, владелец — Анна. Заметки буду подшивать в её темы."
    )
    group = ForumGroup.objects.get(chat_id=GROUP_CHAT)
    assert group.owner == alice
    assert (group.is_forum, group.bot_can_manage_topics, group.bot_can_post) == (True, True, True)
    assert group.linked_at is not None


def test_connect_in_a_group_without_topics_says_to_turn_them_on(telegram, deliver, alice):
    telegram.add_group(GROUP_CHAT, is_forum=False)
    chat = {"id": GROUP_CHAT, "title": "Мой архив", "type": "supergroup"}

    connect(deliver, chat=chat)

    [answer] = telegram.calls("sendMessage")
    assert answer["text"] == (
        "Пока не могу подшивать заметки в эту группу:\n"
        "• темы выключены: включите их в настройках группы"
    )
    assert not ForumGroup.objects.exists()


def test_connect_says_exactly_which_rights_the_bot_is_missing(telegram, deliver, alice):
    telegram.set_member(GROUP_CHAT, BOT_ID, "restricted", can_send_messages=False)

    connect(deliver)

    [answer] = telegram.calls("sendMessage")
    assert answer["text"].splitlines()[1:] == [
        "• мне нельзя управлять темами: сделайте меня админом с правом «Управление темами»",
        "• мне нельзя писать сообщения в этой группе",
    ]
    assert not ForumGroup.objects.exists()


def test_connect_by_someone_who_is_not_an_admin_is_refused(telegram, deliver, alice):
    telegram.set_member(GROUP_CHAT, ALICE_CHAT, "member")

    connect(deliver)

    [answer] = telegram.calls("sendMessage")
    assert answer["text"].splitlines()[1] == "• подключить группу может только её админ"
    assert not ForumGroup.objects.exists()


def test_connect_by_someone_who_never_started_the_bot_points_them_to_it(telegram, deliver):
    connect(deliver)

    assert telegram.methods() == ["getMe", "sendMessage"]
    [answer] = telegram.calls("sendMessage")
    assert answer["text"].startswith("Сначала начните со мной личный чат")
    [[button]] = answer["reply_markup"]["inline_keyboard"]
    assert button["url"] == "https://t.me/my_secretary_bot?start=connect"
    assert not ForumGroup.objects.exists()


def test_the_bots_rights_are_stored_when_they_change(telegram, deliver, alice):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT, bot_can_manage_topics=False)

    deliver(update("group_bot_added_as_admin"))

    group.refresh_from_db()
    assert (group.bot_is_member, group.bot_can_manage_topics, group.bot_can_post) == (
        True,
        True,
        True,
    )
    assert telegram.requests == []  # nothing changed for the owner to hear about


def test_the_owner_is_told_when_the_bot_is_removed_and_when_it_is_back(telegram, deliver, alice):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT, title="Мой архив")
    removed = update("group_bot_added_as_admin", update_id=1)
    removed["my_chat_member"]["new_chat_member"] = {
        "status": "kicked",
        "user": removed["my_chat_member"]["new_chat_member"]["user"],
        "until_date": 0,
    }

    deliver(removed)
    group.refresh_from_db()
    assert not group.bot_is_member
    deliver(update("group_bot_added_as_admin", update_id=2))

    gone, back = telegram.calls("sendMessage")
    assert gone["chat_id"] == back["chat_id"] == ALICE_CHAT
    assert gone["text"].startswith("Меня удалили из «Мой архив».")
    assert back["text"].startswith("Я снова в «Мой архив».")
    group.refresh_from_db()
    assert group.bot_is_member


def test_an_upgrade_to_a_supergroup_keeps_the_link_and_the_topics(telegram, deliver, alice):
    old = ForumGroupFactory(owner=alice, chat_id=-4000000001, title="Архив")

    deliver(update("group_migrated_to_supergroup"))

    old.refresh_from_db()
    assert old.chat_id == -1002000000002
    assert old.owner == alice


def test_an_upgrade_whose_new_chat_is_already_known_merges_into_it(telegram, deliver, alice):
    old = ForumGroupFactory(owner=alice, chat_id=-4000000001)
    TopicFactory(group=old, thread_id=7, name="Старая")
    new = ForumGroupFactory(owner=None, chat_id=-1002000000002, linked_at=None)
    migrated_here = update("group_migrated_to_supergroup", update_id=5)
    message = migrated_here["message"]
    message["chat"] = {"id": -1002000000002, "title": "Архив", "type": "supergroup"}
    del message["migrate_to_chat_id"]
    message["migrate_from_chat_id"] = -4000000001

    deliver(migrated_here)

    new.refresh_from_db()
    assert new.owner == alice
    assert list(new.topics.values_list("name", flat=True)) == ["Старая"]
    assert not ForumGroup.objects.filter(chat_id=-4000000001).exists()


def test_a_topic_is_learned_from_its_service_messages(telegram, deliver, alice):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT)

    deliver(update("group_forum_topic_created"))
    topic = Topic.objects.get(group=group)
    assert (topic.thread_id, topic.name, topic.icon_color) == (11, "📚 Книги", 7322096)

    deliver(update("group_forum_topic_edited"))
    topic.refresh_from_db()
    assert topic.name == "📚 Книги и статьи"

    deliver(update("group_forum_topic_closed"))
    topic.refresh_from_db()
    assert topic.is_closed

    reopened = update("group_forum_topic_closed", update_id=1)
    del reopened["message"]["forum_topic_closed"]
    reopened["message"]["forum_topic_reopened"] = {}
    deliver(reopened)
    topic.refresh_from_db()
    assert not topic.is_closed
    assert telegram.requests == []  # the bot learns silently


def test_a_topic_is_learned_from_a_message_posted_inside_it(telegram, deliver, alice):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT)

    deliver(update("group_message_in_topic"))

    topic = Topic.objects.get(group=group)
    assert (topic.thread_id, topic.name) == (14, "💡 Идеи")


def test_a_message_in_a_renamed_topic_does_not_bring_back_the_old_name(telegram, deliver, alice):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT)
    topic = TopicFactory(group=group, thread_id=14, name="💡 Идеи и планы", is_gone=True)

    deliver(update("group_message_in_topic"))

    topic.refresh_from_db()
    assert topic.name == "💡 Идеи и планы"
    assert not topic.is_gone  # a message was just posted in it


def test_topics_created_before_connect_are_kept_for_the_owner(telegram, deliver, alice):
    # Updates are processed in no particular order: a topic may be seen before /connect.
    deliver(update("group_forum_topic_created"))
    deliver(update("group_message_in_topic"))
    telegram.set_member(GROUP_CHAT, ALICE_CHAT, "creator")
    telegram.set_member(GROUP_CHAT, BOT_ID, "administrator", can_manage_topics=True)

    deliver(update("group_connect_command"))

    group = ForumGroup.objects.get(chat_id=GROUP_CHAT)
    assert group.owner == alice
    assert group.title == "Мой архив"
    assert sorted(group.topics.values_list("thread_id", "name")) == [
        (11, "📚 Книги"),
        (14, "💡 Идеи"),
    ]


def test_a_group_the_bot_joins_is_recorded_and_told_how_to_connect(telegram, deliver):
    deliver(update("group_bot_added_as_admin"))

    group = ForumGroup.objects.get(chat_id=GROUP_CHAT)
    assert group.owner is None
    assert (group.is_forum, group.bot_is_member, group.bot_can_manage_topics) == (True, True, True)
    [hint] = telegram.calls("sendMessage")
    assert hint["chat_id"] == GROUP_CHAT
    assert "/connect" in hint["text"]
    assert hint["text"].startswith("Привет!")  # the language of whoever added the bot


def test_a_group_the_bot_leaves_before_anyone_knew_it_is_not_recorded(telegram, deliver):
    removed = update("group_bot_added_as_admin")
    removed["my_chat_member"]["new_chat_member"] = {
        "status": "left",
        "user": removed["my_chat_member"]["new_chat_member"]["user"],
    }

    deliver(removed)

    assert not ForumGroup.objects.exists()
    assert telegram.requests == []


def bob_connects(deliver):
    bob = {"id": BOB_CHAT, "is_bot": False, "first_name": "Ben", "language_code": "en"}
    return connect(deliver, **{"from": bob, "message_id": 101})


def test_another_admin_cannot_take_over_a_group_whose_owner_is_still_its_admin(
    telegram, deliver, alice, bob
):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT, title="Мой архив")
    telegram.set_member(GROUP_CHAT, BOB_CHAT, "administrator")

    bob_connects(deliver)

    [answer] = telegram.calls("sendMessage")
    assert answer["text"] == (
        "This group is already the archive of Анна, who is still its admin. "
        "Notes of only one person are filed here: use a group of your own."
    )
    group.refresh_from_db()
    assert group.owner == alice


def test_an_admin_may_take_over_a_group_its_owner_has_left(telegram, deliver, alice, bob):
    group = ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT, title="Мой архив")
    telegram.set_member(GROUP_CHAT, BOB_CHAT, "creator")
    telegram.set_member(GROUP_CHAT, ALICE_CHAT, "left")

    bob_connects(deliver)

    [answer] = telegram.calls("sendMessage")
    assert answer["text"].startswith("Done: «Мой архив» is connected, owner: Ben.")
    group.refresh_from_db()
    assert group.owner == bob


def test_the_owner_connecting_again_just_refreshes_the_link(telegram, deliver, alice):
    ForumGroupFactory(owner=alice, chat_id=GROUP_CHAT, title="Мой архив")

    connect(deliver)

    assert telegram.methods() == ["getMe", "getChatMember", "getChatMember", "sendMessage"]
    assert ForumGroup.objects.get(chat_id=GROUP_CHAT).owner == alice
