from django.contrib import admin

from telegram_bot.models import TelegramUpdate


@admin.register(TelegramUpdate)
class TelegramUpdateAdmin(admin.ModelAdmin):
    list_display = ["update_id", "kind", "status", "attempts", "received_at", "processed_at"]
    list_filter = ["status", "kind"]
    search_fields = ["=update_id", "error"]
    readonly_fields = ["received_at", "processed_at"]
    date_hierarchy = "received_at"
