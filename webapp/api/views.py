"""The Mini App's API: each view parses, calls one service or selector, and presents.

The owner is whoever signed the request's init data (``webapp.auth``); everything
is looked up through them, so another owner's id is simply not found (404).
Services that reach Telegram (a topic's name, a note's preview in the chat) run
inside ``ports_opened()``: the same ports the bot and the worker use.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from notes.models import Note, NoteStatus
from notes.ports import ports_opened
from notes.search.messages import query_problem_text
from notes.search.text import QueryProblem
from notes.selectors import (
    NoteFilters,
    note_list_for_owner,
    note_of_owner,
    notes_pending_for_owner,
    usage_for_owner,
)
from notes.services.classification import note_format_preview
from notes.services.pending import NoteActionRefused, note_check_awaiting
from notes.services.pipeline import note_delete
from notes.services.publishing import note_check_refile
from notes.telegram_html import visible_length
from secretary.models import User
from secretary.services import preferences_for, preferences_update
from topics.models import GENERAL_THREAD_ID, Topic
from topics.selectors import group_for_owner, groups_of_owner, topic_list_for_owner, topic_of_owner
from topics.services import topic_check_changes, topic_update, topics_reorder
from webapp.actions import action_of_owner, action_start
from webapp.api import serializers as s
from webapp.api.errors import BodyTooLarge

ACTION_STARTED = {202: s.ActionSerializer}


class OwnerApi(APIView):
    """An API view for the signed-in owner, answering in their language."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        # The owner's language holds for this request only, not for whatever the thread
        # serves next.
        with translation.override(translation.get_language()):
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = request.META.get("CONTENT_LENGTH") or 0
        if str(length).isdigit() and int(length) > settings.API_MAX_BODY_BYTES:
            raise BodyTooLarge()
        super().initial(request, *args, **kwargs)
        translation.activate(preferences_for(user=self.owner).effective_language)
        request.LANGUAGE_CODE = translation.get_language()

    @property
    def owner(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    def parsed(self, serializer_class: type[Any], data: Any = None, **context: Any) -> Any:
        serializer = serializer_class(
            data=self.request.data if data is None else data, context=context
        )
        serializer.is_valid(raise_exception=True)
        return serializer

    def owned_note(self, note_id: int) -> Note:
        note = note_of_owner(owner=self.owner, note_id=note_id)
        if note is None:
            raise Http404
        return note

    def owned_topic(self, topic_id: int) -> Topic:
        topic = topic_of_owner(owner=self.owner, topic_id=topic_id)
        if topic is None:
            raise Http404
        return topic

    def started(self, kind: str, **params: Any) -> Response:
        """202: the action is on its way (Telegram is not waited for); poll actions/<id>/."""
        action = action_start(owner=self.owner, kind=kind, **params)
        data = s.ActionSerializer(action, context={"owner": self.owner}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)

    def awaiting_note(self, note_id: int) -> Note:
        """The owner's note whose preview still waits for a tap; else 404 or 409 at once."""
        note = self.owned_note(note_id)
        with transaction.atomic():
            note_check_awaiting(owner=self.owner, note_id=note.pk)
        return note


# -- me, preferences, groups -----------------------------------------------------------


class MeApi(OwnerApi):
    @extend_schema(responses=s.MeSerializer, summary="Who is signed in")
    def get(self, request: Request) -> Response:
        group = group_for_owner(owner=self.owner)
        return Response(s.MeSerializer(self.owner, context={"group": group}).data)


class PreferencesApi(OwnerApi):
    def _answer(self) -> Response:
        preferences = preferences_for(user=self.owner)
        return Response(s.PreferencesSerializer(preferences, context={"owner": self.owner}).data)

    @extend_schema(responses=s.PreferencesSerializer, summary="The owner's preferences")
    def get(self, request: Request) -> Response:
        return self._answer()

    @extend_schema(
        request=s.PreferencesSerializer,
        responses=s.PreferencesSerializer,
        summary="Change preferences",
    )
    def patch(self, request: Request) -> Response:
        serializer = s.PreferencesSerializer(
            preferences_for(user=self.owner),
            data=request.data,
            partial=True,
            context={"owner": self.owner},
        )
        serializer.is_valid(raise_exception=True)
        preferences_update(user=self.owner, **serializer.changes())
        translation.activate(preferences_for(user=self.owner).effective_language)
        return self._answer()


class GroupListApi(OwnerApi):
    @extend_schema(
        responses=s.GroupSerializer(many=True),
        summary="The owner's groups",
        operation_id="groups_list",
    )
    def get(self, request: Request) -> Response:
        context = {"group": group_for_owner(owner=self.owner)}
        groups = groups_of_owner(owner=self.owner)
        return Response(s.GroupSerializer(groups, many=True, context=context).data)


# -- topics ------------------------------------------------------------------------------


class TopicListApi(OwnerApi):
    @extend_schema(
        parameters=[
            OpenApiParameter("group", int, description="One of the owner's groups"),
            OpenApiParameter("archived", bool, description="Include archived topics"),
        ],
        responses=s.TopicSerializer(many=True),
        summary="The topics of a group",
        operation_id="topics_list",
    )
    def get(self, request: Request) -> Response:
        query = self.parsed(s.TopicListQuerySerializer, request.query_params).validated_data
        topics = topic_list_for_owner(
            owner=self.owner,
            group_id=query.get("group"),
            include_archived=query.get("archived", False),
        )
        return Response(s.TopicSerializer(topics, many=True).data)

    @extend_schema(
        request=s.TopicCreateSerializer,
        responses=ACTION_STARTED,
        summary="Create a topic (createForumTopic in the group), checked now, made by the worker",
    )
    def post(self, request: Request) -> Response:
        data = dict(self.parsed(s.TopicCreateSerializer, owner=self.owner).validated_data)
        group = data.pop("group", None) or group_for_owner(owner=self.owner)
        if group is None:
            raise s.serializers.ValidationError({"group": [s.no_group_text()]})
        draft = Topic(group=group, thread_id=GENERAL_THREAD_ID + 1)
        details = topic_check_changes(topic=draft, changes=data)
        return self.started("topic_create", group_id=group.pk, details=details)


class TopicDetailApi(OwnerApi):
    @extend_schema(responses=s.TopicSerializer, summary="One topic")
    def get(self, request: Request, topic_id: int) -> Response:
        return Response(s.TopicSerializer(self.owned_topic(topic_id)).data)

    @extend_schema(
        request=s.TopicSerializer,
        responses={200: s.TopicSerializer, 202: s.ActionSerializer},
        summary="Change a topic: 200 at once, or 202 when a new name goes to editForumTopic",
    )
    def patch(self, request: Request, topic_id: int) -> Response:
        topic = self.owned_topic(topic_id)
        serializer = s.TopicSerializer(topic, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = topic_check_changes(topic=topic, changes=dict(serializer.validated_data))
        if changes.get("name", topic.name) != topic.name:
            return self.started("topic_update", topic_id=topic.pk, changes=changes)
        topic = topic_update(topic=topic, **changes)
        return Response(s.TopicSerializer(topic).data)


class TopicOrderApi(OwnerApi):
    @extend_schema(
        request=s.TopicOrderSerializer,
        responses=s.TopicSerializer(many=True),
        summary="Put a group's topics in this order",
    )
    def post(self, request: Request) -> Response:
        data = self.parsed(s.TopicOrderSerializer).validated_data
        groups = groups_of_owner(owner=self.owner)
        group = (
            groups.filter(pk=data["group"]).first()
            if "group" in data
            else group_for_owner(owner=self.owner)
        )
        if group is None:
            raise Http404
        try:
            topics = topics_reorder(group=group, topic_ids=data["ids"])
        except ValueError:
            raise s.serializers.ValidationError({"ids": [s.order_invalid_text()]}) from None
        return Response(s.TopicSerializer(topics, many=True).data)


class FormatPreviewApi(OwnerApi):
    @extend_schema(
        request=s.FormatPreviewRequestSerializer,
        responses=s.FormatPreviewSerializer,
        summary="A draft format template over a sample or a real note; nothing is saved",
    )
    def post(self, request: Request) -> Response:
        data = self.parsed(s.FormatPreviewRequestSerializer).validated_data
        topic = self.owned_topic(data["topic"]) if data.get("topic") else None
        note = self.owned_note(data["note"]) if data.get("note") else None
        try:
            html = note_format_preview(
                owner=self.owner, template=data["format_template"], topic=topic, note=note
            )
        except DjangoValidationError as error:
            raise s.serializers.ValidationError({"format_template": error.messages}) from None
        return Response({"html": html, "length": visible_length(html)})


# -- notes: history and pending -------------------------------------------------------------


class NotePagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class NoteListApi(OwnerApi):
    @extend_schema(
        parameters=[s.NoteFiltersSerializer],
        responses=s.NotePageSerializer,
        operation_id="notes_list",
        summary="The delivery ledger: the owner's notes, newest first",
    )
    def get(self, request: Request) -> Response:
        query = self.parsed(s.NoteFiltersSerializer, request.query_params).validated_data
        filters = NoteFilters(
            query=query.get("q", "").strip(),
            topic_id=query.get("topic"),
            status=query.get("status", ""),
            kind=query.get("kind", ""),
            since=query.get("since"),
            until=query.get("until"),
        )
        try:
            notes = note_list_for_owner(owner=self.owner, filters=filters)
        except QueryProblem as problem:
            raise s.serializers.ValidationError({"q": [query_problem_text(problem)]}) from None
        paginator = NotePagination()
        page = paginator.paginate_queryset(notes, request, view=self)
        return paginator.get_paginated_response(s.NoteSummarySerializer(page, many=True).data)


class NoteDetailApi(OwnerApi):
    @extend_schema(responses=s.NoteDetailSerializer, summary="One note, stage by stage")
    def get(self, request: Request, note_id: int) -> Response:
        return Response(s.NoteDetailSerializer(self.owned_note(note_id)).data)

    @extend_schema(responses={204: None}, summary="Delete a note from history")
    def delete(self, request: Request, note_id: int) -> Response:
        note = self.owned_note(note_id)
        with ports_opened():
            note_delete(owner=self.owner, note_id=note.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteRefileApi(OwnerApi):
    @extend_schema(
        request=s.TopicChoiceSerializer,
        responses=ACTION_STARTED,
        summary="File a note from history into another topic",
    )
    def post(self, request: Request, note_id: int) -> Response:
        note = self.owned_note(note_id)
        topic = self.owned_topic(self.parsed(s.TopicChoiceSerializer).validated_data["topic"])
        with transaction.atomic():
            note_check_refile(owner=self.owner, note_id=note.pk, topic_id=topic.pk)
        return self.started("refile", note_id=note.pk, topic_id=topic.pk)


class NoteRetryApi(OwnerApi):
    @extend_schema(
        request=None, responses=ACTION_STARTED, summary="Send a failed note back to work"
    )
    def post(self, request: Request, note_id: int) -> Response:
        note = self.owned_note(note_id)
        if note.status != NoteStatus.FAILED:
            filed = note.status == NoteStatus.PUBLISHED
            raise NoteActionRefused(NoteActionRefused.FILED if filed else NoteActionRefused.BUSY)
        return self.started("retry", note_id=note.pk)


class PendingListApi(OwnerApi):
    @extend_schema(
        responses=s.PendingNoteSerializer(many=True),
        summary="Notes waiting for confirmation",
        operation_id="pending_list",
    )
    def get(self, request: Request) -> Response:
        notes = notes_pending_for_owner(owner=self.owner)
        return Response(s.PendingNoteSerializer(notes, many=True).data)


class PendingConfirmApi(OwnerApi):
    @extend_schema(
        request=None, responses=ACTION_STARTED, summary="✅ File the note into its topic"
    )
    def post(self, request: Request, note_id: int) -> Response:
        note = self.awaiting_note(note_id)
        return self.started("confirm", note_id=note.pk)


class PendingTopicApi(OwnerApi):
    @extend_schema(
        request=s.TopicChoiceSerializer,
        responses=ACTION_STARTED,
        summary="📂 Choose another topic for the note",
    )
    def post(self, request: Request, note_id: int) -> Response:
        note = self.owned_note(note_id)
        topic = self.owned_topic(self.parsed(s.TopicChoiceSerializer).validated_data["topic"])
        self.awaiting_note(note.pk)
        return self.started("choose_topic", note_id=note.pk, topic_id=topic.pk)


class PendingCancelApi(OwnerApi):
    @extend_schema(request=None, responses=ACTION_STARTED, summary="❌ Do not file the note")
    def post(self, request: Request, note_id: int) -> Response:
        note = self.awaiting_note(note_id)
        return self.started("cancel", note_id=note.pk)


class ActionApi(OwnerApi):
    @extend_schema(
        responses=s.ActionSerializer,
        summary="How an action answered 202 is going: running, done or failed (with why)",
    )
    def get(self, request: Request, action_id: str) -> Response:
        action = action_of_owner(owner=self.owner, action_id=action_id)
        if action is None:
            raise Http404
        return Response(s.ActionSerializer(action, context={"owner": self.owner}).data)


# -- usage --------------------------------------------------------------------------------


class UsageApi(OwnerApi):
    @extend_schema(
        parameters=[s.UsageQuerySerializer],
        responses=s.UsageSerializer,
        summary="Notes and AI cost per day and per month",
    )
    def get(self, request: Request) -> Response:
        query = self.parsed(s.UsageQuerySerializer, request.query_params).validated_data
        usage = usage_for_owner(owner=self.owner, days=query["days"], months=query["months"])
        return Response(s.UsageSerializer(usage).data)
