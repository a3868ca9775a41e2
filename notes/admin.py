from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notes.models import FilingExample, Note, NotePart, PendingConfirmation
from notes.services.expiry import notes_expire
from notes.services.recovery import notes_retry_failed


class PendingConfirmationInline(admin.StackedInline):
    model = PendingConfirmation
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "resolved_at", "resolution"]


PART_FIELDS = ("message_id", "kind", "text", "sent_at", "created_at", "published_message_ids")


class NotePartInline(admin.TabularInline):
    """The messages a note is made of (a burst, replies added to it), read-only: they are
    what the owner sent."""

    model = NotePart
    extra = 0
    can_delete = False
    ordering = ["message_id"]
    fields = PART_FIELDS
    readonly_fields = PART_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Note | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Note | None = None) -> bool:
        return False


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "owner",
        "kind",
        "status",
        "topic",
        "ai_provider",
        "confidence",
        "short_text",
        "created_at",
    ]
    list_filter = ["status", "kind", "ai_provider", "topic__group", "created_at"]
    search_fields = [
        "=owner__telegram_id",
        "owner__telegram_username",
        "text",
        "transcript",
        "title",
    ]
    autocomplete_fields = ["owner", "topic"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "published_at",
        "claimed_by",
        "claimed_until",
        "attempts",
        "failed_from",
        "failure_reported_at",
    ]
    list_select_related = ["owner", "topic"]
    date_hierarchy = "created_at"
    inlines = [PendingConfirmationInline, NotePartInline]
    actions = ["retry_failed"]

    @admin.action(description=_("Retry the selected failed notes"))
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[Note]) -> None:
        retried = notes_retry_failed(note_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext(
                "%(count)d failed note sent back to work.",
                "%(count)d failed notes sent back to work.",
                len(retried),
            )
            % {"count": len(retried)},
            messages.SUCCESS if retried else messages.WARNING,
        )

    @admin.display(description=_("text"))
    def short_text(self, note: Note) -> str:
        content = note.content
        return content[:80] + ("…" if len(content) > 80 else "")


@admin.register(PendingConfirmation)
class PendingConfirmationAdmin(admin.ModelAdmin):
    list_display = ["note", "owner", "expires_at", "resolved_at", "resolution", "created_at"]
    list_filter = ["resolution", ("resolved_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["=note__owner__telegram_id", "note__owner__telegram_username", "note__text"]
    autocomplete_fields = ["note"]
    readonly_fields = ["created_at", "resolved_at", "resolution"]
    list_select_related = ["note", "note__owner"]
    actions = ["expire_now"]

    @admin.display(description=_("owner"))
    def owner(self, pending: PendingConfirmation) -> str:
        return str(pending.note.owner)

    @admin.action(description=_("Expire selected pending confirmations now"))
    def expire_now(self, request: HttpRequest, queryset: QuerySet[PendingConfirmation]) -> None:
        expired = notes_expire(pending_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d pending confirmation expired.",
                "%(count)d pending confirmations expired.",
                len(expired),
            )
            % {"count": len(expired)},
            messages.SUCCESS,
        )


@admin.register(FilingExample)
class FilingExampleAdmin(admin.ModelAdmin):
    """What the classifier learns from: the owner's filings and corrections."""

    list_display = ["short_text", "owner", "topic", "suggested_topic", "correction", "updated_at"]
    list_filter = [("suggested_topic", admin.EmptyFieldListFilter), "updated_at"]
    search_fields = ["=owner__telegram_id", "owner__telegram_username", "text", "topic__name"]
    autocomplete_fields = ["owner", "note", "topic", "suggested_topic"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["owner", "topic", "suggested_topic"]

    @admin.display(description=_("text"))
    def short_text(self, example: FilingExample) -> str:
        return example.text[:80] + ("…" if len(example.text) > 80 else "")

    @admin.display(description=_("correction"), boolean=True)
    def correction(self, example: FilingExample) -> bool:
        return example.is_correction


from notes.reminders import admin as reminders_admin  # noqa: E402, F401  (its own room)
