from django.urls import path

from webapp.api import reminders, views

app_name = "api"

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("preferences/", views.PreferencesApi.as_view(), name="preferences"),
    path("groups/", views.GroupListApi.as_view(), name="groups"),
    path("topics/", views.TopicListApi.as_view(), name="topics"),
    path("topics/order/", views.TopicOrderApi.as_view(), name="topic-order"),
    path("topics/<int:topic_id>/", views.TopicDetailApi.as_view(), name="topic"),
    path("format-preview/", views.FormatPreviewApi.as_view(), name="format-preview"),
    path("notes/", views.NoteListApi.as_view(), name="notes"),
    path("notes/<int:note_id>/", views.NoteDetailApi.as_view(), name="note"),
    path("notes/<int:note_id>/refile/", views.NoteRefileApi.as_view(), name="note-refile"),
    path("notes/<int:note_id>/retry/", views.NoteRetryApi.as_view(), name="note-retry"),
    path("pending/", views.PendingListApi.as_view(), name="pending"),
    path("pending/<int:note_id>/confirm/", views.PendingConfirmApi.as_view(), name="confirm"),
    path("pending/<int:note_id>/topic/", views.PendingTopicApi.as_view(), name="choose-topic"),
    path("pending/<int:note_id>/cancel/", views.PendingCancelApi.as_view(), name="cancel"),
    path("usage/", views.UsageApi.as_view(), name="usage"),
    path("actions/<str:action_id>/", views.ActionApi.as_view(), name="action"),
    path("reminders/", reminders.ReminderListApi.as_view(), name="reminders"),
    path("reminders/<int:reminder_id>/", reminders.ReminderDetailApi.as_view(), name="reminder"),
    path(
        "notes/<int:note_id>/reminder/", reminders.NoteReminderApi.as_view(), name="note-reminder"
    ),
]
