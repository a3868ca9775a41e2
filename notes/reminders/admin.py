"""Reminders in the admin: what is set, sent, late or kept undelivered, and why."""

from django.contrib import admin

from notes.reminders.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "note", "due_at", "status", "sent_at", "sent_late", "attempts"]
    list_filter = ["status", "sent_late", "due_at"]
    search_fields = ["=owner__telegram_id", "owner__telegram_username", "note__text", "phrase"]
    date_hierarchy = "due_at"
    raw_id_fields = ["owner", "note"]
    readonly_fields = [
        "phrase",
        "sent_at",
        "sent_message_id",
        "sent_late",
        "last_error",
        "claimed_by",
        "claimed_until",
        "attempts",
        "created_at",
        "updated_at",
    ]
