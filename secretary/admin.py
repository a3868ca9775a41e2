from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from notes.archive.admin_actions import export_json, export_markdown, forget_owners
from secretary.models import Preferences, User


class PreferencesInline(admin.StackedInline):
    model = Preferences
    can_delete = False
    autocomplete_fields = ["default_group"]
    readonly_fields = ["updated_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "id",
        "telegram_id",
        "telegram_username",
        "first_name",
        "last_name",
        "language",
        "has_blocked_bot",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["language", "has_blocked_bot", "is_staff", "is_superuser", "is_active"]
    search_fields = ["=telegram_id", "telegram_username", "username", "first_name", "last_name"]
    ordering = ["-date_joined"]
    readonly_fields = ["date_joined", "last_login", "blocked_bot_at"]
    inlines = [PreferencesInline]
    actions = [export_markdown, export_json, forget_owners]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,  # type: ignore[misc]
        (
            _("Telegram"),
            {
                "fields": [
                    "telegram_id",
                    "telegram_username",
                    "language",
                    "has_blocked_bot",
                    "blocked_bot_at",
                ]
            },
        ),
    ]

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        # The preferences row is created with the user; no inline on the add page.
        return self.inlines if obj is not None else []


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "confirm_mode", "auto_file_threshold", "ai_providers"]
    list_filter = ["confirm_mode", "language"]
    search_fields = ["=user__telegram_id", "user__telegram_username", "user__username"]
    autocomplete_fields = ["user", "default_group"]
    readonly_fields = ["updated_at"]
    list_select_related = ["user"]
