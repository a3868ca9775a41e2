"""The terminal as the note pipeline's two ports, for ``manage.py chat``.

``TerminalDisplay`` prints what Telegram would show in the private chat: the
preview as plain text with numbered choices instead of buttons, and what became
of the note. ``LocalArchive`` stands in for the forum group: posting "files" the
note under made-up message ids; the pipeline records it exactly as it records a
note filed in Telegram. The owner of a terminal session and their local archive
(a forum group that exists only in the database, with demo topics) are set up
here too, so that the command stays a thin loop over input.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notes.links import MAX_LINKS, link_urls, note_link_previews
from notes.models import Note, NoteKind, NotePart
from notes.ports import CreatedTopic, DeliveryError, Publication, View
from notes.reminders.models import Reminder
from notes.reminders.terminal import reminder_lines, reminder_text
from notes.search.messages import already_saved_lines
from notes.services.intake import IncomingNote, note_receive, note_schedule_processing
from notes.services.processing import note_format_notice, note_topic_chosen_by_owner
from secretary.models import User
from secretary.services import preferences_for
from topics.models import ForumGroup, Topic
from topics.selectors import group_for_owner

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from notes.services.publishing import PublicationPlan

# Ids a terminal owner's notes and archive use in place of Telegram's chat ids: far
# outside the range of real ones, and one pair per owner.
TERMINAL_ID_BASE = 10**12


class Output(Protocol):
    """Where the terminal writes: a text stream (a management command's stdout wraps one)."""

    def write(self, text: str, /) -> object: ...

    def flush(self) -> object: ...


# -- Telegram HTML as plain text -----------------------------------------------------------


class _PlainText(HTMLParser):
    """Telegram HTML without its tags; entities unescaped; a link keeps its address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._links: list[tuple[str, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag != "a" or not self._links:
            return
        href, start = self._links.pop()
        label = "".join(self.parts[start:])
        # In a terminal nothing is clickable: the address is shown unless the text is it.
        if href and href not in label and not href.startswith("tg://"):
            self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Telegram HTML (a rendered note) as the plain text a terminal shows."""
    parser = _PlainText()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip()


# -- the display ---------------------------------------------------------------------------


class Choice(IntEnum):
    """The numbered answers to a note shown in the terminal (Telegram's buttons)."""

    CONFIRM = 1
    PICK = 2
    NEW_TOPIC = 3
    EDIT = 4
    CANCEL = 5
    UNDO = 6


@dataclass(frozen=True)
class Shown:
    """What the terminal showed last: the note, how, and which numbers answer it."""

    note_id: int
    view: View
    choices: tuple[Choice, ...]


def choices_for(note: Note, view: View) -> tuple[Choice, ...]:
    if view == View.AWAITING:
        confirm = (Choice.CONFIRM,) if note.topic is not None and note.topic.is_selectable else ()
        return (*confirm, Choice.PICK, Choice.NEW_TOPIC, Choice.EDIT, Choice.CANCEL)
    if view == View.FILED:
        return (Choice.UNDO,)
    return ()


def choice_label(choice: Choice, note: Note) -> str:
    topic_name = note.topic.name if note.topic is not None else ""
    labels: dict[Choice, Callable[[], str]] = {
        Choice.CONFIRM: lambda: _("✅ file to «%(topic)s»") % {"topic": topic_name},
        Choice.PICK: lambda: _("📂 another topic"),
        Choice.NEW_TOPIC: lambda: _("➕ new topic"),
        Choice.EDIT: lambda: _("✏️ edit"),
        Choice.CANCEL: lambda: _("❌ cancel"),
        Choice.UNDO: lambda: _("↩️ undo"),
    }
    return labels[choice]()


def note_text(note: Note) -> str:
    """The note as it will look in its topic, as plain text (its own words if not rendered)."""
    if note.rendered_text:
        return html_to_text(note.rendered_text)
    return note.content.strip()


def link_lines(note: Note) -> list[str]:
    """What the note's links' pages say (those that could be read), a line each."""
    lines = []
    for link in note_link_previews(note.link_metadata)[:MAX_LINKS]:
        if link.title:
            site = f" · {link.site_name}" if link.site_name else ""
            lines.append(f"🔗 {link.title}{site}")
    return lines


def topic_lines(note: Note) -> list[str]:
    """Where the note goes and why, or that no topic was chosen (and what could be created)."""
    classification = note.classification or {}
    if note.topic is None:
        lines = [_("No topic was chosen.")]
        suggested = str(classification.get("suggested_topic_name") or "").strip()
        if suggested:
            lines.append(_("Suggested new topic: «%(name)s»") % {"name": suggested[:128]})
    elif note_topic_chosen_by_owner(note):
        # The owner picked this topic: the AI's confidence and reason were about another.
        return [_("Topic: %(topic)s (your choice)") % {"topic": note.topic.name}]
    else:
        line = _("Topic: %(topic)s") % {"topic": note.topic.name}
        if note.confidence is not None:
            line += f" · {round(note.confidence * 100)}%"
        lines = [line]
    if note.reason:
        lines.append(_("Why: %(reason)s") % {"reason": note.reason})
    return lines


def problem_line(problem: DeliveryError) -> str:
    """Why publishing did not finish, in one short line."""
    reasons = {
        DeliveryError.TEMPORARY: lambda: _("a temporary failure, try again"),
        DeliveryError.TOPIC_GONE: lambda: _("the topic is gone, pick another one"),
        DeliveryError.TOPIC_CLOSED: lambda: _("the topic is closed, pick another one"),
        DeliveryError.ARCHIVE_GONE: lambda: _("the archive is not available"),
        DeliveryError.NO_RIGHTS: lambda: _("the archive does not allow it"),
    }
    reason = reasons.get(problem.reason, lambda: _("the archive refused it, try again"))()
    return _("⚠️ Not filed: %(reason)s") % {"reason": reason}


def status_line(note: Note, view: View) -> str:
    topic_name = note.topic.name if note.topic is not None else "—"
    lines: dict[View, Callable[[], str]] = {
        View.FILED: lambda: _("✅ Filed to «%(topic)s»") % {"topic": topic_name},
        View.CANCELLED: lambda: _("❌ Cancelled. The note stays in your history."),
        View.EXPIRED: lambda: _("⌛ Not confirmed in time. The note waits in your history."),
        View.FAILED: lambda: _("⚠️ I could not finish this note. It is saved in your history."),
        View.TRANSCRIBING: lambda: _("🎙 Transcribing…"),
        View.FILING: lambda: _("⏳ Filing to «%(topic)s»…") % {"topic": topic_name},
        View.DELETED: lambda: _("🗑 Deleted from your history."),
        View.EDIT_REFUSED: lambda: _("✏️ The filed message could not be edited."),
    }
    return lines[view]()


def screen_lines(note: Note, view: View, *, problem: DeliveryError | None = None) -> list[str]:
    """Everything the terminal prints for ``view`` of ``note``, in the active language."""
    if view == View.AWAITING:
        lines = [note_text(note), *link_lines(note), "", *topic_lines(note), *reminder_lines(note)]
        lines[:0] = already_saved_lines(note)
    else:
        lines = [status_line(note, view)]
    if problem is not None:
        lines.append(problem_line(problem))
    notice = note_format_notice(note)
    if notice:
        lines.append(notice)
    lines += [f"  {int(choice)} {choice_label(choice, note)}" for choice in choices_for(note, view)]
    return lines


class TerminalDisplay:
    """The terminal as the place where the owner sees their notes."""

    def __init__(self, out: Output) -> None:
        self._out = out
        self._count = 0
        # What the numbers typed next answer: the note shown last, as it was shown.
        self.current: Shown | None = None

    def show(
        self,
        note: Note,
        view: View,
        *,
        shown_at: int | None = None,
        problem: DeliveryError | None = None,
        link: str = "",
        resend: bool = False,
        only_edit: bool = False,
    ) -> int | None:
        if only_edit and shown_at is None:
            return None  # nothing on screen to change, and nothing new may be shown
        with translation.override(note.owner.preferences.effective_language):
            lines = screen_lines(note, view, problem=problem)
        self.current = Shown(note.pk, view, choices_for(note, view))
        # A terminal cannot edit what it printed: every view is printed anew, below.
        self._out.write("\n" + "\n".join(lines) + "\n")
        self._out.flush()
        self._count += 1
        return self._count

    def remind(self, reminder: Reminder, *, late: bool) -> int | None:
        """A reminder fell due while the chat runs: printed at once, between prompts."""
        self._out.write("\n" + reminder_text(reminder, late=late) + "\n")
        self._out.flush()
        self._count += 1
        return self._count


# -- the archive ---------------------------------------------------------------------------


class LocalArchive:
    """A forum group that lives only in the database: filing is giving out message ids."""

    def __init__(self, *, last_message_id: int = 0) -> None:
        self._last_message_id = last_message_id

    def post(self, plan: PublicationPlan, on_sent: Callable[[list[int]], None]) -> Publication:
        sent = list(plan.sent)  # an interrupted attempt's parts are not filed twice
        for _part in range(len(sent), max(len(plan.parts), 1)):
            self._last_message_id += 1
            sent.append(self._last_message_id)
            on_sent(list(sent))
        return Publication(message_ids=sent, link=f"local:{plan.topic_name}")

    def pace(self, plan: PublicationPlan) -> float:
        return 0.0  # nothing limits a local archive

    def delete(self, *, chat_id: int, message_ids: list[int]) -> None:
        """Nothing was posted anywhere, so there is nothing to take back."""

    def edit(self, *, chat_id: int, message_id: int, html: str, caption: bool = False) -> None:
        """The filed words live only in the database, which already has the new ones."""

    def create_topic(self, *, chat_id: int, name: str) -> CreatedTopic:
        last = Topic.objects.filter(group__chat_id=chat_id).aggregate(last=Max("thread_id"))
        return CreatedTopic(thread_id=(last["last"] or 1) + 1, name=name)

    def rename_topic(self, *, chat_id: int, thread_id: int, name: str) -> None:
        """The topic's name lives only in the database."""

    def download(self, file: dict[str, Any]) -> bytes:
        raise DeliveryError(DeliveryError.REFUSED, "files are not available in the terminal")


# -- the terminal's owner and archive -------------------------------------------------------

DEMO_TOPICS: list[tuple[_StrPromise, _StrPromise]] = [
    (
        gettext_lazy("🛒 Shopping"),
        gettext_lazy(
            "Shopping list: buy groceries, milk, bread, food from the shop, things for the home"
        ),
    ),
    (
        gettext_lazy("📚 Books & articles"),
        gettext_lazy("Books and articles: what to read, read later, quotes, authors"),
    ),
    (
        gettext_lazy("💡 Ideas"),
        gettext_lazy("Project ideas, plans, things to invent or try one day"),
    ),
    (
        gettext_lazy("✅ Tasks"),
        gettext_lazy("To-dos: things to do, call, book an appointment, not forget, deadlines"),
    ),
    (
        gettext_lazy("✈️ Travel"),
        gettext_lazy("Trips, flights, tickets, hotels, passport, visas, routes"),
    ),
    (
        gettext_lazy("💰 Finance"),
        gettext_lazy("Money: expenses, bills, payments, budget, taxes, subscriptions, salary"),
    ),
]


def os_user_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        return "me"


@transaction.atomic
def terminal_owner_get_or_create(*, name: str, language: str) -> User:
    """The owner behind ``manage.py chat --user name``, speaking ``language`` from now on."""
    user, created = User.objects.get_or_create(
        username=f"terminal-{name}"[:150], defaults={"language": language}
    )
    if created:
        user.set_unusable_password()  # a terminal owner never logs in anywhere
        user.save(update_fields=["password"])
    elif user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    preferences = preferences_for(user=user)
    if preferences.language != language:
        preferences.language = language
        preferences.save(update_fields=["language", "updated_at"])
    return User.objects.select_related("preferences").get(pk=user.pk)


def terminal_chat_id(owner: User) -> int:
    """The owner's "private chat" with the secretary: where their terminal notes come from."""
    return TERMINAL_ID_BASE + owner.pk


@transaction.atomic
def terminal_archive_ensure(*, owner: User) -> tuple[ForumGroup, bool]:
    """The owner's archive; on first run a local one with demo topics in their language.

    Returns the group and whether it was created now.
    """
    group = group_for_owner(owner=owner)  # the one the pipeline files into
    if group is not None:
        return group, False
    now = timezone.now()
    with translation.override(owner.preferences.effective_language):
        group = ForumGroup.objects.create(
            chat_id=-TERMINAL_ID_BASE - owner.pk,
            title=_("Terminal archive"),
            owner=owner,
            is_forum=True,
            bot_is_member=True,
            bot_can_manage_topics=True,
            bot_can_post=True,
            rights_checked_at=now,
            linked_at=now,
        )
        for position, (name, description) in enumerate(DEMO_TOPICS, start=1):
            Topic.objects.create(
                group=group,
                # 1 is the General topic; the demo topics are the ones after it.
                thread_id=position + 1,
                name=str(name),
                description=str(description),
                position=position,
                created_by_bot=True,
            )
    return group, True


def terminal_last_message_id(*, group: ForumGroup) -> int:
    """The highest message id filed into the archive so far: the local archive goes on
    from it, so ids stay unique across sessions."""
    published = Note.objects.filter(published_chat_id=group.chat_id).values_list(
        "published_message_ids", flat=True
    )
    return max((int(message_id) for ids in published for message_id in ids or []), default=0)


def _next_message_id(chat_id: int) -> int:
    """The terminal's next message id: after every note's and every part's (``/add``)."""
    notes = Note.objects.filter(source_chat_id=chat_id).aggregate(last=Max("source_message_id"))
    parts = NotePart.objects.filter(chat_id=chat_id).aggregate(last=Max("message_id"))
    return max(notes["last"] or 0, parts["last"] or 0) + 1


def terminal_note_add(*, owner: User, text: str) -> Note | None:
    """``/add``: the text answers the owner's last note, as a reply to it does in Telegram
    (joins it while open, goes under it once filed, else a new note that follows it).
    None when there is no note yet."""
    chat_id = terminal_chat_id(owner)
    last = Note.objects.filter(owner=owner, source_chat_id=chat_id).order_by("-pk").first()
    if last is None:
        return None
    incoming = IncomingNote(
        chat_id=chat_id,
        message_id=_next_message_id(chat_id),
        kind=NoteKind.LINK if link_urls(text, None) else NoteKind.TEXT,
        text=text,
        reply_to_message_id=last.source_message_id,
    )
    receipt = note_receive(owner=owner, incoming=incoming)
    if not receipt.added:
        note_schedule_processing(note=receipt.note, parts=receipt.parts)
    return receipt.note


def terminal_note_send(*, owner: User, text: str) -> Note:
    """Store what the owner typed as a note and prepare it (inline: the preview follows)."""
    chat_id = terminal_chat_id(owner)
    incoming = IncomingNote(
        chat_id=chat_id,
        message_id=_next_message_id(chat_id),
        kind=NoteKind.LINK if link_urls(text, None) else NoteKind.TEXT,
        text=text,
    )
    receipt = note_receive(owner=owner, incoming=incoming)
    note_schedule_processing(note=receipt.note)
    return receipt.note
