from django.contrib import admin

from topics.models import ForumGroup, Topic


class TopicInline(admin.TabularInline):
    model = Topic
    extra = 0
    fields = ["thread_id", "name", "is_private", "is_archived", "is_closed", "is_gone", "position"]
    show_change_link = True


@admin.register(ForumGroup)
class ForumGroupAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "chat_id",
        "owner",
        "is_forum",
        "bot_is_member",
        "bot_can_manage_topics",
        "bot_can_post",
        "linked_at",
    ]
    list_filter = ["is_forum", "bot_is_member", "bot_can_manage_topics", "bot_can_post"]
    search_fields = ["title", "=chat_id", "=owner__telegram_id", "owner__telegram_username"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "rights_checked_at"]
    list_select_related = ["owner"]
    inlines = [TopicInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "group",
        "thread_id",
        "is_private",
        "is_archived",
        "is_closed",
        "is_gone",
        "created_by_bot",
        "position",
    ]
    list_filter = ["is_private", "is_archived", "is_closed", "is_gone", "created_by_bot", "group"]
    search_fields = ["name", "description", "group__title", "=group__chat_id"]
    autocomplete_fields = ["group"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["group"]
