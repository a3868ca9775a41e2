"""What the API reads and answers. Serializers parse and present; services decide."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from notes.links import note_link_previews
from notes.models import Note, NoteKind, NoteStatus
from notes.selectors import (
    USAGE_MAX_DAYS,
    USAGE_MAX_MONTHS,
    UsageRow,
    note_actions,
    note_alternatives,
    note_part_after_filing,
    note_parts,
    note_problem,
    note_source_name,
    note_stages,
)
from secretary.models import (
    ConfirmMode,
    Language,
    Preferences,
    ReminderMode,
    User,
    validate_time_zone,
)
from topics.models import ForumGroup, Topic
from topics.services import TOPIC_FIELDS, TOPIC_NAME_MAX, group_connect_problems

# -- the owner and their preferences ----------------------------------------------------


class GroupRefSerializer(serializers.Serializer[ForumGroup]):
    id = serializers.IntegerField()
    title = serializers.CharField()


class MeSerializer(serializers.Serializer[User]):
    telegram_id = serializers.IntegerField()
    first_name = serializers.CharField()
    username = serializers.CharField(source="telegram_username")
    language = serializers.SerializerMethodField(help_text="The language the app speaks.")
    language_setting = serializers.SerializerMethodField(
        help_text='The owner\'s choice: "ru", "en", or "" for as in Telegram.'
    )
    time_zone = serializers.SerializerMethodField(help_text="Every time is shown in this zone.")
    group = serializers.SerializerMethodField()

    def get_language(self, user: User) -> str:
        return user.preferences.effective_language

    def get_language_setting(self, user: User) -> str:
        return user.preferences.language

    def get_time_zone(self, user: User) -> str:
        return user.preferences.time_zone or "UTC"

    @extend_schema_field(GroupRefSerializer(allow_null=True))
    def get_group(self, user: User) -> dict[str, Any] | None:
        group = self.context.get("group")
        return {"id": group.pk, "title": group.title or str(group.chat_id)} if group else None


class ChoiceSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label


class ProviderChoiceSerializer(ChoiceSerializer):
    configured = serializers.BooleanField()


class PreferenceChoicesSerializer(serializers.Serializer[Any]):
    language = ChoiceSerializer(many=True)
    confirm_mode = ChoiceSerializer(many=True)
    ai_providers = ProviderChoiceSerializer(many=True)
    groups = ChoiceSerializer(many=True)


class EffectivePreferencesSerializer(serializers.Serializer[Any]):
    language = serializers.CharField()
    pending_ttl_minutes = serializers.IntegerField()
    ai_providers = serializers.ListField(child=serializers.CharField())


PENDING_TTL_MAX_MINUTES = 30 * 24 * 60


class PreferencesSerializer(serializers.ModelSerializer[Preferences]):
    """The owner's preferences; PATCH any of the writable fields."""

    language = serializers.ChoiceField(choices=[("", ""), *Language.choices], required=False)
    confirm_mode = serializers.ChoiceField(choices=ConfirmMode.choices, required=False)
    auto_file_threshold = serializers.FloatField(min_value=0, max_value=1, required=False)
    pending_ttl_minutes = serializers.IntegerField(
        min_value=1, max_value=PENDING_TTL_MAX_MINUTES, allow_null=True, required=False
    )
    ai_providers = serializers.ListField(
        child=serializers.ChoiceField(choices=list(settings.AI_PROVIDER_NAMES)),
        max_length=len(settings.AI_PROVIDER_NAMES),
        required=False,
    )
    time_zone = serializers.CharField(
        max_length=64, required=False, validators=[validate_time_zone]
    )
    default_group = serializers.PrimaryKeyRelatedField(
        queryset=ForumGroup.objects.none(), allow_null=True, required=False
    )
    reminder_mode = serializers.ChoiceField(choices=ReminderMode.choices, required=False)
    effective = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField()

    class Meta:
        model = Preferences
        fields = [
            "language",
            "confirm_mode",
            "auto_file_threshold",
            "pending_ttl_minutes",
            "ai_providers",
            "time_zone",
            "default_group",
            "reminder_mode",
            "effective",
            "choices",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.context.get("owner")
        if owner is not None:
            self.fields["default_group"].queryset = ForumGroup.objects.filter(owner=owner)  # type: ignore[attr-defined]

    def to_representation(self, instance: Preferences) -> dict[str, Any]:
        data = super().to_representation(instance)
        ttl = instance.pending_ttl
        data["pending_ttl_minutes"] = int(ttl.total_seconds() // 60) if ttl else None
        data["ai_providers"] = [p.strip() for p in instance.ai_providers.split(",") if p.strip()]
        return data

    def validate_ai_providers(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("Each AI provider may appear only once."))
        return value

    def changes(self) -> dict[str, Any]:
        """The validated fields as the preferences service takes them."""
        changes = dict(self.validated_data)
        if "pending_ttl_minutes" in changes:
            minutes = changes.pop("pending_ttl_minutes")
            changes["pending_ttl"] = timedelta(minutes=minutes) if minutes else None
        if "ai_providers" in changes:
            changes["ai_providers"] = ",".join(changes["ai_providers"])
        return changes

    @extend_schema_field(EffectivePreferencesSerializer)
    def get_effective(self, instance: Preferences) -> dict[str, Any]:
        return {
            "language": instance.effective_language,
            "pending_ttl_minutes": int(instance.effective_pending_ttl.total_seconds() // 60),
            "ai_providers": instance.provider_chain,
        }

    @extend_schema_field(PreferenceChoicesSerializer)
    def get_choices(self, instance: Preferences) -> dict[str, Any]:
        configured = {
            "openai": bool(settings.OPENAI_API_KEY),
            "gemini": bool(settings.GEMINI_API_KEY),
            "local": True,
        }
        labels = {"openai": "OpenAI", "gemini": "Google Gemini", "local": _("Local (no key)")}
        groups = ForumGroup.objects.filter(owner_id=instance.user_id)
        return {
            "language": [
                {"value": "", "label": _("As in Telegram")},
                *({"value": v, "label": str(label)} for v, label in Language.choices),
            ],
            "confirm_mode": [{"value": v, "label": str(lbl)} for v, lbl in ConfirmMode.choices],
            "reminder_mode": [{"value": v, "label": str(lbl)} for v, lbl in ReminderMode.choices],
            "ai_providers": [
                {"value": name, "label": labels[name], "configured": configured[name]}
                for name in settings.AI_PROVIDER_NAMES
            ],
            "groups": [{"value": g.pk, "label": g.title or str(g.chat_id)} for g in groups],
        }


# -- groups and topics --------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()


def _problem_text(code: str) -> str:
    return {
        "topics_off": _("Topics are off: turn them on in the group's settings."),
        "bot_not_member": _("The bot is not in the group: add it back."),
        "cannot_manage_topics": _("The bot may not manage topics: give it that admin right."),
        "cannot_post": _("The bot may not post: give it the right to send messages."),
        "not_admin": _("You are not an admin of the group."),
    }.get(code, code)


class GroupSerializer(serializers.ModelSerializer[ForumGroup]):
    is_default = serializers.SerializerMethodField()
    problems = serializers.SerializerMethodField()

    class Meta:
        model = ForumGroup
        fields = [
            "id",
            "chat_id",
            "title",
            "is_forum",
            "bot_is_member",
            "bot_can_manage_topics",
            "bot_can_post",
            "rights_checked_at",
            "is_default",
            "problems",
        ]

    def get_is_default(self, group: ForumGroup) -> bool:
        filing = self.context.get("group")
        return filing is not None and filing.pk == group.pk

    @extend_schema_field(ProblemSerializer(many=True))
    def get_problems(self, group: ForumGroup) -> list[dict[str, str]]:
        from topics.services import BotRights

        rights = BotRights(group.bot_is_member, group.bot_can_manage_topics, group.bot_can_post)
        problems = group_connect_problems(
            user_is_admin=True, is_forum=group.is_forum, rights=rights
        )
        return [{"code": str(code), "message": _problem_text(code)} for code in problems]


READ_ONLY_TOPIC_FIELDS = ["id", "group", "thread_id", "is_closed", "is_general", "created_by_bot"]


class TopicSerializer(serializers.ModelSerializer[Topic]):
    """A topic; on PATCH any of name, description, format_template, style_instructions,
    is_private, is_archived, position."""

    name = serializers.CharField(max_length=TOPIC_NAME_MAX, required=False)

    class Meta:
        model = Topic
        fields = [*READ_ONLY_TOPIC_FIELDS, *TOPIC_FIELDS]
        read_only_fields = READ_ONLY_TOPIC_FIELDS
        extra_kwargs = {
            "description": {"required": False, "max_length": 2000},
            "format_template": {"required": False, "max_length": 8000},
            "style_instructions": {"required": False, "max_length": 2000},
            "position": {"required": False, "max_value": 100_000},
        }


class TopicCreateSerializer(serializers.ModelSerializer[Topic]):
    group = serializers.PrimaryKeyRelatedField(
        queryset=ForumGroup.objects.none(), required=False, allow_null=True
    )
    name = serializers.CharField(max_length=TOPIC_NAME_MAX)

    class Meta:
        model = Topic
        fields = ["group", "name", "description", "format_template", "style_instructions"]
        fields += ["is_private"]
        extra_kwargs = {
            "description": {"required": False, "max_length": 2000},
            "format_template": {"required": False, "max_length": 8000},
            "style_instructions": {"required": False, "max_length": 2000},
            "is_private": {"required": False},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.context.get("owner")
        if owner is not None:
            self.fields["group"].queryset = ForumGroup.objects.filter(owner=owner)  # type: ignore[attr-defined]


class TopicOrderSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=500)
    group = serializers.IntegerField(required=False)


class FormatPreviewRequestSerializer(serializers.Serializer[Any]):
    format_template = serializers.CharField(max_length=8000, trim_whitespace=False)
    topic = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.IntegerField(required=False, allow_null=True)


class FormatPreviewSerializer(serializers.Serializer[Any]):
    html = serializers.CharField()
    length = serializers.IntegerField()


# -- notes ---------------------------------------------------------------------------------


class TopicRefSerializer(serializers.Serializer[Topic]):
    id = serializers.IntegerField()
    name = serializers.CharField()


EXCERPT_CHARS = 160


class NoteSummarySerializer(serializers.ModelSerializer[Note]):
    kind_label = serializers.CharField(source="get_kind_display")
    status_label = serializers.CharField(source="get_status_display")
    topic = TopicRefSerializer(allow_null=True)
    excerpt = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Note
        fields = [
            "id",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "topic",
            "title",
            "excerpt",
            "created_at",
            "published_at",
            "link",
        ]

    def get_excerpt(self, note: Note) -> str:
        return _excerpt(note.content)

    def get_link(self, note: Note) -> str:
        """Where the filed note is in the group (t.me link), when Telegram can link it."""
        if note.status != NoteStatus.PUBLISHED or not note.published_message_ids:
            return ""
        chat_id = str(note.published_chat_id or "")
        if not chat_id.startswith("-100"):
            return ""
        return f"https://t.me/c/{chat_id[4:]}/{note.published_message_ids[0]}"


def _excerpt(text: str) -> str:
    words = " ".join(text.split())
    return words if len(words) <= EXCERPT_CHARS else words[: EXCERPT_CHARS - 1] + "…"


class AlternativeSerializer(serializers.Serializer[Any]):
    topic = TopicRefSerializer()
    confidence = serializers.FloatField()


class ClassificationSerializer(serializers.Serializer[Any]):
    provider = serializers.CharField()
    confidence = serializers.FloatField(allow_null=True)
    reason = serializers.CharField()
    alternatives = AlternativeSerializer(many=True)
    suggested_topic_name = serializers.CharField()
    chosen_by_owner = serializers.BooleanField()


class UsageOfNoteSerializer(serializers.Serializer[Any]):
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()
    cost_usd = serializers.DecimalField(max_digits=10, decimal_places=6)


class StageSerializer(serializers.Serializer[Any]):
    stage = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    outcome = serializers.ChoiceField(choices=["done", "failed", "skipped", "waiting"])
    detail = serializers.CharField()
    at = serializers.DateTimeField(allow_null=True, help_text="When it happened, if known.")


class ActionsSerializer(serializers.Serializer[Any]):
    refile = serializers.BooleanField()
    retry = serializers.BooleanField()
    delete = serializers.BooleanField()
    confirm = serializers.BooleanField()
    choose_topic = serializers.BooleanField()
    cancel = serializers.BooleanField()


class LinkPreviewSerializer(serializers.Serializer[Any]):
    url = serializers.CharField()
    title = serializers.CharField()
    description = serializers.CharField()
    site_name = serializers.CharField()
    canonical_url = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["pending", "ok", "failed", "refused"],
        help_text="Whether the page was read: not yet, yes, it did not answer, not a public page.",
    )


class NotePartSerializer(serializers.Serializer[Any]):
    message_id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=NoteKind.choices)
    excerpt = serializers.CharField(help_text="The start of what the message said.")
    sent_at = serializers.DateTimeField(allow_null=True, help_text="When the owner sent it.")
    added_at = serializers.DateTimeField(help_text="When it was added to the note.")
    after_filing = serializers.BooleanField(
        help_text="A reply added once the note was filed, posted into its topic as a reply."
    )


class NoteDetailSerializer(NoteSummarySerializer):
    rendered_html = serializers.CharField(source="rendered_text")
    source = serializers.SerializerMethodField()  # type: ignore[assignment]
    links = serializers.SerializerMethodField()
    classification = serializers.SerializerMethodField()
    usage = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    parts = serializers.SerializerMethodField()

    class Meta(NoteSummarySerializer.Meta):
        fields = [
            *NoteSummarySerializer.Meta.fields,
            "text",
            "transcript",
            "rendered_html",
            "source",
            "links",
            "classification",
            "usage",
            "stages",
            "error",
            "expires_at",
            "actions",
            "parts",
        ]

    def get_source(self, note: Note) -> str:
        return note_source_name(note)

    @extend_schema_field(NotePartSerializer(many=True))
    def get_parts(self, note: Note) -> list[dict[str, Any]]:
        """The messages the note is made of, in the order sent (none for one message)."""
        rows = [
            {
                "message_id": part.message_id,
                "kind": part.kind,
                "excerpt": _excerpt(part.text),
                "sent_at": part.sent_at,
                "added_at": part.created_at,
                "after_filing": note_part_after_filing(note, part),
            }
            for part in note_parts(note)
        ]
        return list(NotePartSerializer(rows, many=True).data)

    @extend_schema_field(LinkPreviewSerializer(many=True))
    def get_links(self, note: Note) -> list[dict[str, str]]:
        return [
            {**asdict(preview), "status": preview.status or "pending"}
            for preview in note_link_previews(note.link_metadata)
        ]

    @extend_schema_field(ClassificationSerializer)
    def get_classification(self, note: Note) -> dict[str, Any]:
        details = note.classification or {}
        return {
            "provider": note.ai_provider,
            "confidence": note.confidence,
            "reason": note.reason,
            "alternatives": [
                {"topic": {"id": topic.pk, "name": topic.name}, "confidence": confidence}
                for topic, confidence in note_alternatives(note)
            ],
            "suggested_topic_name": str(details.get("suggested_topic_name") or ""),
            "chosen_by_owner": bool(details.get("chosen_by_owner")),
        }

    @extend_schema_field(UsageOfNoteSerializer)
    def get_usage(self, note: Note) -> dict[str, Any]:
        return {
            "input_tokens": note.input_tokens,
            "output_tokens": note.output_tokens,
            "cost_usd": f"{note.cost_usd:.6f}",
        }

    @extend_schema_field(StageSerializer(many=True))
    def get_stages(self, note: Note) -> list[dict[str, str]]:
        return [StageSerializer(stage).data for stage in note_stages(note)]

    def get_error(self, note: Note) -> str:
        return note_problem(note)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, note: Note) -> str | None:
        pending = getattr(note, "pending", None)
        if pending is None or not pending.is_open:
            return None
        return serializers.DateTimeField().to_representation(pending.expires_at)

    @extend_schema_field(ActionsSerializer)
    def get_actions(self, note: Note) -> dict[str, bool]:
        return note_actions(note).__dict__


class PendingNoteSerializer(NoteSummarySerializer):
    rendered_html = serializers.CharField(source="rendered_text")
    expires_at = serializers.DateTimeField(source="pending.expires_at")

    class Meta(NoteSummarySerializer.Meta):
        fields = [
            *NoteSummarySerializer.Meta.fields,
            "rendered_html",
            "expires_at",
            "confidence",
            "reason",
        ]


# A longer query is refused; up to it, its first 256 characters are searched for.
QUERY_INPUT_MAX = 4096


class NoteFiltersSerializer(serializers.Serializer[Any]):
    # Searched for (the first 256 characters); words in any of their forms.
    q = serializers.CharField(
        required=False, max_length=QUERY_INPUT_MAX, allow_blank=True, trim_whitespace=True
    )
    topic = serializers.IntegerField(required=False)
    status = serializers.ChoiceField(choices=NoteStatus.choices, required=False)
    kind = serializers.ChoiceField(choices=NoteKind.choices, required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": _("The end is before the start.")})
        return attrs


class TopicChoiceSerializer(serializers.Serializer[Any]):
    topic = serializers.IntegerField()


# -- usage -----------------------------------------------------------------------------------


class UsageQuerySerializer(serializers.Serializer[Any]):
    days = serializers.IntegerField(min_value=1, max_value=USAGE_MAX_DAYS, default=30)
    months = serializers.IntegerField(min_value=1, max_value=USAGE_MAX_MONTHS, default=12)


class UsageRowSerializer(serializers.Serializer[UsageRow]):
    notes = serializers.IntegerField()
    filed = serializers.IntegerField()
    cost_usd = serializers.DecimalField(max_digits=12, decimal_places=6)
    input_tokens = serializers.IntegerField()
    output_tokens = serializers.IntegerField()


class UsageDaySerializer(UsageRowSerializer):
    date = serializers.DateField(source="period")


class UsageMonthSerializer(UsageRowSerializer):
    month = serializers.SerializerMethodField()

    def get_month(self, row: UsageRow) -> str:
        return row.period.strftime("%Y-%m")


class UsageSerializer(serializers.Serializer[Any]):
    days = UsageDaySerializer(many=True)
    months = UsageMonthSerializer(many=True)
    totals = UsageRowSerializer()


class TopicListQuerySerializer(serializers.Serializer[Any]):
    group = serializers.IntegerField(required=False)
    archived = serializers.BooleanField(required=False, default=False)


def no_group_text() -> str:
    return _("Link a forum group first: add the bot to it and send /connect there.")


def order_invalid_text() -> str:
    return _("List each topic of the group once.")


class NotePageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = NoteSummarySerializer(many=True)


# -- actions answered 202 -----------------------------------------------------------------


class ActionSerializer(serializers.Serializer[Any]):
    """An action that reaches Telegram: the worker does it; the page asks how it went."""

    id = serializers.CharField()
    kind = serializers.CharField(
        help_text="confirm, choose_topic, cancel, refile, retry, topic_create or topic_update."
    )
    state = serializers.ChoiceField(choices=["running", "done", "failed"])
    detail = serializers.CharField(help_text="Why it failed, in the owner's language.")
    reason = serializers.CharField(help_text="Why it failed, as a code.")
    field_errors = serializers.JSONField(source="fields", allow_null=True)
    note = serializers.SerializerMethodField()
    topic = serializers.SerializerMethodField()

    @extend_schema_field(NoteDetailSerializer(allow_null=True))
    def get_note(self, action: dict[str, Any]) -> dict[str, Any] | None:
        from notes.selectors import note_of_owner

        if not action.get("note_id"):
            return None
        note = note_of_owner(owner=self.context["owner"], note_id=action["note_id"])
        return NoteDetailSerializer(note).data if note else None

    @extend_schema_field(TopicSerializer(allow_null=True))
    def get_topic(self, action: dict[str, Any]) -> dict[str, Any] | None:
        from topics.selectors import topic_of_owner

        if not action.get("topic_id"):
            return None
        topic = topic_of_owner(owner=self.context["owner"], topic_id=action["topic_id"])
        return TopicSerializer(topic).data if topic else None
