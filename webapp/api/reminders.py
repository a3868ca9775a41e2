"""The Mini App's reminders: the list, another time, cancel (the same services as the bot)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from notes.reminders.models import Reminder, ReminderStatus
from notes.reminders.selectors import reminder_for_note, reminders_upcoming
from notes.reminders.services import ReminderRefused, reminder_cancel, reminder_reschedule
from webapp.api.views import OwnerApi


class ReminderSerializer(serializers.ModelSerializer[Reminder]):
    note_title = serializers.SerializerMethodField()

    class Meta:
        model = Reminder
        fields = ["id", "note", "note_title", "due_at", "status", "sent_at", "sent_late"]
        read_only_fields = fields

    def get_note_title(self, reminder: Reminder) -> str:
        note = reminder.note
        return note.title or (note.content or "")[:80]


class RescheduleSerializer(serializers.Serializer[Any]):
    due_at = serializers.DateTimeField()


def _refused(error: ReminderRefused) -> Exception:
    if error.reason == ReminderRefused.GONE:
        return Http404()
    if error.reason == ReminderRefused.TOO_FAR:
        return ValidationError({"due_at": [_("A reminder can be at most 5 years ahead.")]})
    return ValidationError({"due_at": [_("That time has passed. Pick a later one.")]})


class ReminderListApi(OwnerApi):
    @extend_schema(responses=ReminderSerializer(many=True), summary="Upcoming reminders")
    def get(self, request: Request) -> Response:
        reminders = reminders_upcoming(owner=self.owner)
        return Response(ReminderSerializer(reminders, many=True).data)


class ReminderDetailApi(OwnerApi):
    @extend_schema(
        request=RescheduleSerializer, responses=ReminderSerializer, summary="Another time"
    )
    def patch(self, request: Request, reminder_id: int) -> Response:
        due_at = self.parsed(RescheduleSerializer).validated_data["due_at"]
        try:
            reminder = reminder_reschedule(owner=self.owner, reminder_id=reminder_id, at=due_at)
        except ReminderRefused as error:
            raise _refused(error) from None
        return Response(ReminderSerializer(reminder).data)

    @extend_schema(request=None, responses=ReminderSerializer, summary="Cancel the reminder")
    def delete(self, request: Request, reminder_id: int) -> Response:
        try:
            reminder = reminder_cancel(owner=self.owner, reminder_id=reminder_id)
        except ReminderRefused as error:
            raise _refused(error) from None
        return Response(ReminderSerializer(reminder).data)


class NoteReminderApi(OwnerApi):
    @extend_schema(responses=ReminderSerializer, summary="A note's reminder (404: none)")
    def get(self, request: Request, note_id: int) -> Response:
        reminder = reminder_for_note(note=self.owned_note(note_id))
        if reminder is None or reminder.status == ReminderStatus.OFFERED:
            raise Http404
        return Response(ReminderSerializer(reminder).data)
