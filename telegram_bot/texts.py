"""What the bot says, in the owner's language (Django gettext), as Telegram HTML.

Everything a person wrote (names, topic names, reasons, file names) is escaped
with ``quote`` before it goes into a message.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notes.links import LinkPreview
from notes.models import Note, NoteKind
from notes.refusals import note_refused_text, topic_refused_text
from notes.services.processing import note_topic_chosen_by_owner
from notes.telegram_html import quote
from topics.services import ConnectProblem, TopicCreateFailed


def start_text(first_name: str) -> str:
    return _(
        "Hello, %(name)s! I am your secretary.\n\n"
        "Send me anything — a thought, a voice message, a link, a forwarded post, a photo or a "
        "file — and I will file it, neatly formatted, into the right topic of your forum group. "
        "You confirm with one tap.\n\n"
        "To begin, add me to a group with Topics turned on (the button below asks for the "
        "rights I need) and send /connect there."
    ) % {"name": quote(first_name)}


def help_text() -> str:
    return _(
        "<b>How it works</b>\n"
        "Send me a note: text, voice, a link, a forward, a photo or a file. I suggest a topic "
        "and show a preview: ✅ files it, 📂 picks another topic, ✏️ replaces the text, "
        "❌ cancels.\n\n"
        "<b>Commands</b>\n"
        "/start — greeting and the button to add me to a group\n"
        "/topics — the topics of your group\n"
        "/settings — language and confirmation mode\n"
        "/cancel — stop what I am waiting for\n"
        "/find — find a note by its words (also @bot words in any chat)\n"
        "/reminders — your upcoming reminders\n"
        "/export — all your notes as a file\n"
        "/import — bring notes over from a Telegram Desktop export\n"
        "/forget — delete everything I keep about you\n"
        "/connect — in a group: file my notes here"
    )


def commands(language: str) -> list[tuple[str, str]]:
    """The command menu (setMyCommands) of private chats, in one language."""
    from django.utils import translation

    with translation.override(language):
        return [
            ("start", _("Greeting and setup")),
            ("help", _("How to use the bot")),
            ("topics", _("Topics of your group")),
            ("settings", _("Language and confirmation")),
            ("cancel", _("Stop the current action")),
            ("find", _("Find your notes")),
            ("reminders", _("Your upcoming reminders")),
            ("export", _("All your notes as a file")),
        ]


def group_commands(language: str) -> list[tuple[str, str]]:
    from django.utils import translation

    with translation.override(language):
        return [("connect", _("File my notes into this group"))]


def add_to_group_button() -> str:
    return _("➕ Add me to a group")


def open_app_button() -> str:
    return _("📱 Open the app")


def menu_button_text() -> str:
    return _("App")


def start_bot_button() -> str:
    return _("Start the bot")


# -- groups ------------------------------------------------------------------------------


def connect_problem_text(problem: ConnectProblem) -> str:
    return {
        ConnectProblem.NOT_ADMIN: _("only an admin of this group can connect it"),
        ConnectProblem.TOPICS_OFF: _("Topics are off: turn them on in the group's settings"),
        ConnectProblem.BOT_NOT_MEMBER: _("I am not a member of this group"),
        ConnectProblem.CANNOT_MANAGE_TOPICS: _(
            "I may not manage topics: make me an admin with the “Manage topics” right"
        ),
        ConnectProblem.CANNOT_POST: _("I may not post messages here"),
    }[problem]


def connect_refused_text(problems: list[ConnectProblem]) -> str:
    lines = "\n".join(f"• {connect_problem_text(problem)}" for problem in problems)
    return _("I cannot file notes into this group yet:\n%(problems)s") % {"problems": lines}


def connect_needs_start_text() -> str:
    return _("First start a chat with me in private (the button below), then send /connect again.")


def connected_text(*, title: str, owner_name: str) -> str:
    return _(
        "Done: «%(title)s» is connected, owner: %(owner)s. I will file notes into its topics."
    ) % {
        "owner": quote(owner_name),
        "title": quote(title),
    }


def connected_to_someone_else_text(owner_name: str) -> str:
    return _(
        "This group is already the archive of %(owner)s, who is still its admin. Notes of only "
        "one person are filed here: use a group of your own."
    ) % {"owner": quote(owner_name)}


def group_joined_text() -> str:
    return _(
        "Hello! I file notes into this group's topics. Until it is connected: an admin who has "
        "started me in a private chat sends /connect here."
    )


def group_removed_text(title: str) -> str:
    return _(
        "I was removed from «%(title)s». Your notes wait here until you add me back "
        "(with the “Manage topics” right)."
    ) % {"title": quote(title)}


def group_back_text(title: str) -> str:
    return _("I am back in «%(title)s». Notes can be filed there again.") % {"title": quote(title)}


def preconfigured_group_text(title: str) -> str:
    return _("Your group «%(title)s» is connected: I file your notes into its topics.") % {
        "title": quote(title)
    }


# -- topics ------------------------------------------------------------------------------


def topics_text(group_title: str | None, topics: list[Any]) -> str:
    if group_title is None:
        return no_group_text()
    if not topics:
        return _(
            "«%(title)s» has no topics I know of yet. Create one with ➕ under a preview, "
            "or post a message in an existing topic so that I learn it."
        ) % {"title": quote(group_title)}
    lines = []
    for topic in topics:
        description = f" — {quote(topic.description[:120])}" if topic.description else ""
        lines.append(f"• <b>{quote(topic.name)}</b>{description}")
    return _("Topics of «%(title)s»:\n%(topics)s") % {
        "title": quote(group_title),
        "topics": "\n".join(lines),
    }


def no_group_text() -> str:
    return _(
        "No group is connected yet: add me to a forum group with Topics turned on "
        "and send /connect there."
    )


def topic_name_prompt(suggested: str = "") -> str:
    text = _("Send the name of the new topic (or /cancel).")
    if suggested:
        text += "\n" + _("Suggestion: %(name)s") % {"name": f"<code>{quote(suggested)}</code>"}
    return text


def topic_name_invalid_text() -> str:
    return _("A topic name is 1 to 128 characters of text. Send another name (or /cancel).")


def topic_name_invalid_notice() -> str:
    return _("That name does not work for a topic: pick another topic or make one with ➕.")


def topic_create_failed_text(failed: TopicCreateFailed) -> str:
    return quote(topic_create_failed_notice(failed))


def topic_created_notice(name: str) -> str:
    """Plain text: callback notices are not parsed as HTML."""
    return _("Topic «%(name)s» created.") % {"name": name}


def topic_create_failed_notice(failed: TopicCreateFailed) -> str:
    """Why the topic was not created, and what to do (plain text)."""
    return topic_refused_text(failed.reason, failed.group_title)


# -- conversation ------------------------------------------------------------------------


def edit_prompt() -> str:
    return _("Send the new text of the note (or /cancel).")


def cancelled_action_text() -> str:
    return _("Stopped. Send me a new note any time.")


def nothing_to_cancel_text() -> str:
    return _("There is nothing to stop.")


def text_expected_text() -> str:
    return _("Please send text (or /cancel).")


# -- intake ------------------------------------------------------------------------------


def refusal_text(kind: str) -> str:
    return {
        "sticker": _("Stickers are not notes: send me text, voice, a link, a photo or a file."),
        "empty": _("The message is empty: there is nothing to file."),
        "unsupported": _(
            "I cannot file this kind of message. Send text, voice, a link, a forward, "
            "a photo, a video or a file."
        ),
    }[kind]


def transcribing_text() -> str:
    return _("🎙 Transcribing…")


def something_went_wrong_notice() -> str:
    """Plain text: callback notices are not parsed as HTML."""
    return _("Something went wrong on my side; please try again in a moment.")


def outdated_button_notice() -> str:
    return _("This button is from an older message; send /start to begin again.")


def something_went_wrong_text() -> str:
    return _("Something went wrong on my side. Your message is saved; please try again later.")


# -- notes -------------------------------------------------------------------------------


def refused_notice(reason: str) -> str:
    """Short answer to a tap the note cannot take (shown as a callback notice)."""
    return note_refused_text(reason)


def media_line(note: Note) -> str:
    files = note.files or [{}]
    first = files[0]
    if len(files) > 1:
        count = len(files)
        return ngettext("📎 Album: %(count)d file", "📎 Album: %(count)d files", count) % {
            "count": count
        }
    name = quote(str(first.get("file_name") or first.get("title") or ""))
    duration = first.get("duration")
    lines: dict[str, str] = {
        NoteKind.PHOTO: _("📎 Photo"),
        NoteKind.VIDEO: _("📎 Video"),
        NoteKind.DOCUMENT: _("📎 Document: %(name)s") % {"name": name}
        if name
        else _("📎 Document"),
        NoteKind.AUDIO: _("🎵 Audio: %(name)s") % {"name": name} if name else _("🎵 Audio"),
        NoteKind.VOICE: _("🎙 Voice message, %(seconds)s s") % {"seconds": duration or "?"},
        NoteKind.VIDEO_NOTE: _("📹 Video message, %(seconds)s s") % {"seconds": duration or "?"},
    }
    return lines.get(note.kind, "")


def link_line(preview: LinkPreview, shown: str = "") -> str:
    """What a link's page says about itself, under the preview: its title, the site and
    the start of its description, less what the note (``shown``) says already. A page
    that could not be read shows nothing."""
    if not preview.title:
        return ""
    title_shown = quote(preview.title) in shown
    description = preview.description
    if len(description) > LINK_DESCRIPTION_CHARS:
        description = description[: LINK_DESCRIPTION_CHARS - 1].rstrip() + "…"
    description = "" if quote(description) in shown else description
    if title_shown and not description:
        return ""
    site = preview.site_name
    label = site if title_shown and site else preview.title
    line = f'🔗 <a href="{quote(preview.url)}">{quote(label)}</a>'
    if site and site.casefold() not in label.casefold():
        line += f" · {quote(site)}"
    if description:
        line += f"\n<i>{quote(description)}</i>"
    return line


# How much of a page's description the preview shows.
LINK_DESCRIPTION_CHARS = 160


def forward_line(source: str) -> str:
    """Where a forward came from; ``source`` is HTML already (``source_html``)."""
    return _("↪️ Forwarded from %(source)s") % {"source": source or _("unknown")}


def transcript_notice(outcome: str) -> str:
    return {
        "unavailable": _(
            "🎙 Speech recognition is not configured, so there is no transcript. "
            "You can still file the message as it is."
        ),
        "failed": _("🎙 Could not transcribe the message. You can still file it as it is."),
        "too_big": _("🎙 The file is too big to transcribe (over %(limit)s). You can still file it.")
        % {"limit": filesizeformat(settings.TELEGRAM_DOWNLOAD_LIMIT)},
    }[outcome]


def topic_line(note: Note) -> str:
    topic = note.topic
    if topic is None:
        return _("📂 No topic fits this note.")
    line = _("📂 Topic: «%(topic)s»") % {"topic": quote(topic.name)}
    if note_topic_chosen_by_owner(note):
        return line + " · " + _("chosen by you")
    if note.confidence is not None and note.ai_provider:
        line += f" · {round(note.confidence * 100)}%"
    return line


def suggested_topic_line(name: str) -> str:
    return _("💡 A new topic could fit: «%(name)s»") % {"name": quote(name)}


def reason_line(reason: str) -> str:
    return f"💬 {quote(reason)}"


def filed_line(topic_name: str, link: str) -> str:
    return _('✅ Filed to «%(topic)s»: <a href="%(link)s">open</a>') % {
        "topic": quote(topic_name),
        "link": quote(link),
    }


def cancelled_line() -> str:
    return _("❌ Cancelled. The note stays in your history.")


def deleted_line() -> str:
    return _("🗑 Deleted from your history.")


def expired_line() -> str:
    return _("⌛ Not confirmed in time. The note waits in your history.")


def topic_gone_line(topic_name: str) -> str:
    return _("⚠️ The topic «%(topic)s» no longer exists in the group. Pick another one.") % {
        "topic": quote(topic_name)
    }


def bot_removed_line(group_title: str) -> str:
    return _(
        "⚠️ I am not in «%(title)s» any more, so the note was not filed. "
        "Add me back and tap ✅ again."
    ) % {"title": quote(group_title)}


def failed_line() -> str:
    return _(
        "⚠️ I could not finish this note, even after several tries. It is saved: "
        "tap 🔁 to try again."
    )


def retry_button() -> str:
    return _("🔁 Try again")


def retrying_notice() -> str:
    return _("Trying again…")


def publish_refused_line() -> str:
    return _("⚠️ Telegram did not accept the note. Try again or pick another topic.")


def publish_busy_line() -> str:
    return _("⚠️ Telegram did not accept the note: it is busy right now. Tap ✅ again in a minute.")


def publish_no_rights_line(group_title: str) -> str:
    return _(
        "⚠️ Telegram did not accept the note: I may not post in «%(group)s». Give me the right "
        "to send messages there, then tap ✅ again."
    ) % {"group": quote(group_title)}


def topic_closed_line(topic_name: str) -> str:
    return _(
        "⚠️ The topic «%(topic)s» is closed in the group. Reopen it, or pick another topic."
    ) % {"topic": quote(topic_name)}


# -- buttons -----------------------------------------------------------------------------


def confirm_button(topic_name: str) -> str:
    return _("✅ File to «%(topic)s»") % {"topic": topic_name}


def pick_button() -> str:
    return _("📂 Another topic")


def edit_button() -> str:
    return _("✏️ Edit")


def cancel_button() -> str:
    return _("❌ Cancel")


def new_topic_button() -> str:
    return _("➕ New topic")


def suggested_topic_button(name: str) -> str:
    return _("➕ Create «%(name)s»") % {"name": name}


def back_button() -> str:
    return _("↩️ Back")


def undo_button() -> str:
    return _("↩️ Undo")


def slow_down_text(seconds: float) -> str:
    """Past the owner's rate: the note is saved and comes a little later."""
    wait = max(1, round(seconds))
    return ngettext(
        "That is a lot of notes at once. This one is saved; its preview comes in about "
        "%(seconds)d second.",
        "That is a lot of notes at once. This one is saved; its preview comes in about "
        "%(seconds)d seconds.",
        wait,
    ) % {"seconds": wait}


def filing_notice() -> str:
    return _("Filing…")


def filing_line(topic_name: str) -> str:
    """A confirmed note waiting for its turn: Telegram takes only so many posts a minute."""
    return _(
        "⏳ Filing to «%(topic)s»… Telegram takes %(rate)s messages a minute into a group, "
        "so this one waits its turn."
    ) % {
        "topic": quote(topic_name),
        "rate": settings.TELEGRAM_GROUP_RATE,
    }


def undone_notice() -> str:
    return _("Taken back. The note waits for your choice again.")


# -- settings ----------------------------------------------------------------------------


def settings_text(*, language: str, confirm_mode_label: str, threshold: float, group: str) -> str:
    return _(
        "<b>Settings</b>\n"
        "Language: %(language)s\n"
        "Confirmation: %(mode)s (threshold %(threshold)d%%)\n"
        "Group: %(group)s\n\n"
        "Topics, formatting and the rest are in the app."
    ) % {
        "language": quote(language),
        "mode": quote(confirm_mode_label),
        "threshold": round(threshold * 100),
        "group": quote(group) if group else _("not connected"),
    }


def language_auto_label() -> str:
    return _("as in Telegram")


def settings_saved_notice() -> str:
    return _("Saved.")


def whole_note_line(count: int, *, when_filed: bool = True) -> str:
    """Under content shortened to fit a message: how long the whole note is."""
    number = f"{count:,}".replace(",", "\u00a0")
    if when_filed:
        return ngettext(
            "📏 The whole note: %(count)s character, shown in full when filed.",
            "📏 The whole note: %(count)s characters, shown in full when filed.",
            count,
        ) % {"count": number}
    return ngettext(
        "📏 The whole note: %(count)s character.",
        "📏 The whole note: %(count)s characters.",
        count,
    ) % {"count": number}
