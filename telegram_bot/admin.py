from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from telegram_bot.models import ConversationState, TelegramUpdate
from telegram_bot.services.updates import telegram_updates_retry


@admin.register(TelegramUpdate)
class TelegramUpdateAdmin(admin.ModelAdmin):
    list_display = ["update_id", "kind", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["=update_id", "error"]
    readonly_fields = ["received_at", "processed_at", "claimed_by", "claimed_until"]
    date_hierarchy = "received_at"
    actions = ["process_again"]

    @admin.action(description=_("Process the selected failed updates again"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[TelegramUpdate]) -> None:
        count = telegram_updates_retry(
            update_ids=list(queryset.values_list("update_id", flat=True))
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d update queued for processing.",
                "%(count)d updates queued for processing.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ConversationState)
class ConversationStateAdmin(admin.ModelAdmin):
    """Where each conversation stands; deleting a row frees a person stuck in a step."""

    list_display = ["key", "state", "updated_at"]
    list_filter = ["state"]
    search_fields = ["key"]
    readonly_fields = ["updated_at"]
