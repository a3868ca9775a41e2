"""Every user-visible string of the Mini App, keyed as the JavaScript asks for them.

Both languages are embedded in the page (``webapp_strings``), so switching the
language re-renders at once. Placeholders are ``{name}``, filled in by ``i18n.js``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notes.models import NoteKind, NoteStatus

STRINGS: dict[str, str | Promise] = {
    # The shell
    "app_title": _("Personal Secretary"),
    "header_no_group": _("No group connected"),
    "language_switch": _("Language"),
    "language_ru": _("Russian"),
    "language_en": _("English"),
    "tabs_label": _("Sections"),
    "tab_topics": _("Topics"),
    "tab_pending": _("Pending"),
    "tab_history": _("History"),
    "tab_usage": _("Usage"),
    "tab_settings": _("Settings"),
    "pending_count_label": _("Waiting for you: {count}"),
    "back": _("Back"),
    "loading": _("Loading…"),
    "try_again": _("Try again"),
    "outside_title": _("Open this page from the bot in Telegram"),
    "outside_text": _(
        "This app works inside Telegram: open the bot and tap the “📱 Open the app” button."
    ),
    # Shared words
    "save": _("Save"),
    "saved": _("Saved"),
    "nothing_changed": _("Nothing has changed."),
    "close": _("Close"),
    "move_up": _("Move «{name}» up"),
    "move_down": _("Move «{name}» down"),
    "choose_topic_label": _("Topic"),
    "choose_topic_placeholder": _("Choose a topic…"),
    "filed_to": _("Filed to «{topic}»"),
    "confidence_value": _("confidence {value}"),
    "error_network": _("No connection, try again."),
    "error_generic": _("Something went wrong, try again."),
    # Topics
    "topics_title": _("Topics"),
    "topics_group": _("Group"),
    "topics_show_archived": _("Show archived topics"),
    "topics_empty": _("No topics yet. Add the first one: notes are filed by its description."),
    "topics_no_group": _(
        "No forum group is connected yet. Add the bot to a group with topics: "
        "the bot's /start explains how."
    ),
    "badge_general": _("General"),
    "badge_private": _("private"),
    "badge_archived": _("archived"),
    "badge_closed": _("closed"),
    "topic_add": _("Add topic"),
    "topic_new_title": _("New topic"),
    "topic_created": _("Topic «{name}» created"),
    "topic_edit_title": _("Edit topic"),
    "topic_name": _("Name"),
    "topic_description": _("Description"),
    "topic_description_hint": _(
        "What belongs here, in plain words: the AI files notes by this description."
    ),
    "topic_format": _("Format template"),
    "topic_format_hint": _(
        "How notes look in this topic, in Django template syntax. Tap a variable to insert it."
    ),
    "format_variables": _("Template variables"),
    "format_reset": _("Restore the default format"),
    "topic_style": _("Style instructions"),
    "topic_style_hint": _("Extra instructions for the AI on how to write notes here."),
    "topic_private": _("Private"),
    "topic_private_hint": _("Never sent to any AI provider."),
    "topic_archived": _("Archived"),
    "topic_archived_hint": _("The bot no longer files new notes here."),
    "preview_title": _("Preview"),
    "preview_with": _("Preview with"),
    "preview_sample": _("a sample note"),
    "preview_length": _("{length} characters"),
    # Pending
    "pending_title": _("Waiting for confirmation"),
    "pending_intro": _("Notes the bot wants you to look at before filing them."),
    "pending_empty": _("Nothing is waiting for you."),
    "pending_no_topic": _("No topic chosen yet"),
    "pending_why": _("Why: {reason}"),
    "pending_expires": _("Waits until {time}"),
    "pending_confirm": _("Confirm"),
    "pending_choose": _("Choose topic"),
    "pending_cancel": _("Cancel"),
    "pending_file_here": _("File here"),
    "pending_pick_first": _("Pick a topic first."),
    "pending_confirmed": _("Filed"),
    "pending_cancelled": _("Cancelled. The note stays in your history."),
    "pending_details": _("Details"),
    # History
    "history_title": _("History"),
    "history_search": _("Search"),
    "history_search_placeholder": _("Words from the note"),
    "history_topic": _("Topic"),
    "history_any_topic": _("Any topic"),
    "history_status": _("Status"),
    "history_any_status": _("Any status"),
    "history_kind": _("Kind"),
    "history_any_kind": _("Any kind"),
    "history_since": _("From"),
    "history_until": _("To"),
    "history_count": _("Notes found: {count}"),
    "history_empty": _("No notes match."),
    "history_more": _("Show more"),
    # One note
    "note_untitled": _("Untitled note"),
    "note_created": _("Received"),
    "note_published": _("Filed"),
    "note_expires": _("Waits until"),
    "note_open_in_telegram": _("Open in Telegram"),
    "note_rendered": _("As filed"),
    "note_text": _("Text"),
    "note_transcript": _("Transcript"),
    "note_source": _("Source"),
    "note_link": _("Link"),
    "note_classification": _("Classification"),
    "note_provider": _("AI provider"),
    "note_confidence": _("Confidence"),
    "note_reason": _("Reason"),
    "note_suggested_topic": _("Suggested new topic"),
    "note_chosen_by": _("Topic chosen"),
    "note_chosen_by_you": _("by you"),
    "note_alternatives": _("Other candidates"),
    "note_stages": _("Processing"),
    "note_parts": _("Messages in this note"),
    "note_part_after_filing": _("Added after filing, as a reply in the topic"),
    "stage_done": _("done"),
    "stage_failed": _("failed"),
    "stage_skipped": _("skipped"),
    "stage_waiting": _("waiting"),
    "note_usage": _("Cost"),
    "note_refile": _("Move to another topic"),
    "note_refile_apply": _("Move here"),
    "note_retry": _("Try again"),
    "note_retrying": _("Trying again…"),
    "note_delete": _("Delete"),
    "note_delete_confirm": _("Delete this note? It cannot be undone."),
    "note_deleted": _("Note deleted"),
    # Usage
    "usage_title": _("Usage"),
    "usage_notes": _("Notes"),
    "usage_filed": _("Filed"),
    "usage_cost": _("Cost"),
    "usage_tokens": _("Tokens"),
    "usage_input_tokens": _("Input tokens"),
    "usage_output_tokens": _("Output tokens"),
    "usage_days": _("Last {days} days"),
    "usage_months": _("By month"),
    "usage_month": _("Month"),
    "usage_empty": _("Nothing yet."),
    "usage_chart_label": _("Notes per day"),
    "usage_day_summary": _("{date}: notes {notes}, filed {filed}, cost {cost}"),
    # Settings
    "settings_title": _("Settings"),
    "settings_language": _("Language"),
    "settings_confirm_mode": _("Before filing a note"),
    "settings_threshold": _("Confidence threshold"),
    "settings_threshold_hint": _(
        "From 0 to 1: above it the note is filed without asking, below it you confirm."
    ),
    "settings_pending_ttl": _("Confirmation waits, minutes"),
    "settings_pending_ttl_hint": _("Empty: the server default ({minutes} min)."),
    "settings_providers": _("AI providers, in order"),
    "settings_providers_hint": _("The first one answers; if it fails, the next one steps in."),
    "settings_providers_default": _("None checked: the server's chain ({chain})."),
    "settings_provider_not_configured": _("not configured on the server"),
    "settings_time_zone": _("Time zone"),
    "settings_time_zone_hint": _("For example Europe/Moscow."),
    "settings_default_group": _("Default group"),
    "settings_no_default_group": _("Not chosen"),
    "settings_groups": _("Groups"),
    "settings_group_default": _("default"),
    "settings_group_ok": _("all set"),
    # Signing in, actions answered later, truthful wording
    "signin_expired_title": _("The sign-in has expired"),
    "signin_expired_text": _(
        "For your safety the app signs in for a limited time. Close it and open it again "
        "from the bot: the “📱 Open the app” button in the chat, or the bot's menu button."
    ),
    "action_sending": _("Sending to Telegram…"),
    "action_still_running": _("Telegram is taking long; the result will show here later."),
    "pending_cancel_confirm": _("Do not file this note? It stays in your history."),
    "pending_filing": _("Being filed into «{topic}»"),
    "note_rendered_preview": _("How it will be filed"),
    "note_text_original": _("The text as sent"),
    "history_filters": _("Filters"),
    "usage_month_summary": _("notes {notes} · filed {filed} · tokens {tokens}"),
    "stage_name_received": _("Received"),
    "stage_name_transcription": _("Transcription"),
    "stage_name_links": _("Reading the links"),
    "stage_name_classification": _("Choosing the topic"),
    "stage_name_rendering": _("Formatting"),
    "stage_name_publishing": _("Filing"),
    "reminders_title": _("Reminders"),
    "reminders_empty": _("No reminders set. A date in a note is offered as one in its preview."),
    "reminders_time": _("Remind at"),
    "reminders_save": _("Save"),
    "reminders_cancel": _("Cancel reminder"),
    "reminders_saved": _("Reminder moved"),
    "reminders_cancelled": _("Reminder cancelled"),
    "reminders_undelivered": _("not delivered"),
    "reminders_open": _("Reminders"),
    "note_reminder": _("Reminder"),
    "note_reminder_sent": _("sent"),
    "note_reminder_cancelled": _("cancelled"),
    "note_reminder_change": _("Change or cancel"),
    "settings_reminder_mode": _("A date in an auto-filed note"),
    "settings_time_zone_device": _("Use this device's zone: {zone}"),
    # The filters of History show the product's own names of statuses and kinds.
    **{f"status_{value}": label for value, label in NoteStatus.choices},
    **{f"kind_{value}": label for value, label in NoteKind.choices},
}


def webapp_strings() -> dict[str, dict[str, str]]:
    """The UI strings in every language of the product: ``{"en": {...}, "ru": {...}}``."""
    catalogs: dict[str, dict[str, str]] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            catalogs[language] = {key: str(text) for key, text in STRINGS.items()}
    return catalogs
