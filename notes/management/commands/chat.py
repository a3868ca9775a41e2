"""``manage.py chat``: talk to the secretary in the terminal, through the same pipeline.

The terminal is one more surface (like ``rasa shell`` for Rasa bots): a note typed
here is stored, classified, previewed and filed by the very services the bot calls,
with the terminal as the display and a local archive in place of the forum group.
Tasks run inline, so each answer appears before the next prompt. No token and no
network are needed: the AI chain is whatever ``AI_PROVIDERS`` says (``local`` by
default without keys).
"""

from __future__ import annotations

import codecs
import contextlib
import logging
import os
import select
import sys
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol, TextIO

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from notes.archive.terminal import ARCHIVE_COMMANDS, archive_command
from notes.ports import Ports, ports_using
from notes.reminders.inline import DueChecks
from notes.reminders.terminal import reminder_toggle_for_note
from notes.search.terminal import FIND_COMMANDS, MORE_COMMAND, TerminalSearch, find_help_line
from notes.services import pending, pipeline
from notes.services.pending import NoteActionRefused
from notes.terminal import (
    Choice,
    LocalArchive,
    Output,
    TerminalDisplay,
    os_user_name,
    terminal_archive_ensure,
    terminal_last_message_id,
    terminal_note_add,
    terminal_note_send,
    terminal_owner_get_or_create,
)
from secretary.celery import app
from secretary.models import ConfirmMode, Language, User
from topics.models import ForumGroup, Topic
from topics.selectors import topic_list_for_group
from topics.services import TopicCreateFailed

# Lines of a paste reach a terminal within a few milliseconds of each other; a person
# pressing Enter twice takes far longer.
PASTE_GAP_SECONDS = 0.05
QUIT_COMMANDS = ("/quit", "/exit")


def language_from_locale(environ: Mapping[str, str] = os.environ) -> str:
    """The language of the terminal's locale: Russian for ``ru_*``, else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            return Language.RUSSIAN if value.lower().startswith("ru") else Language.ENGLISH
    return Language.ENGLISH


def is_answer(line: str) -> bool:
    """A number (a choice) or a command: never part of a note."""
    stripped = line.strip()
    return stripped.isdigit() or stripped.startswith("/")


# -- reading what the owner types -----------------------------------------------------------


class Reader(Protocol):
    def read(self) -> str | None:
        """The next message (one note may span lines), or None at the end of input."""
        ...


class PipedReader:
    """Input from a pipe or a file: consecutive lines of text are one note, up to an empty
    line or a number or command line."""

    def __init__(self, stream: TextIO) -> None:
        self._lines: Iterator[str] = (line.rstrip("\r\n") for line in stream)
        self._held: str | None = None

    def _next(self) -> str | None:
        if self._held is not None:
            line, self._held = self._held, None
            return line
        return next(self._lines, None)

    def read(self) -> str | None:
        line = self._next()
        while line is not None and not line.strip():
            line = self._next()
        if line is None or is_answer(line):
            return line.strip() if line is not None else None
        block = [line]
        while (line := self._next()) is not None and line.strip():
            if is_answer(line):
                self._held = line  # it answers what this note's preview is about to ask
                break
            block.append(line)
        return "\n".join(block).strip()


class TerminalReader:
    """Input from a person at a terminal: lines that arrive together are one paste, one note.

    Reads the file descriptor itself: Python's buffered stdin would swallow the rest of a
    paste on the first line, and ``select`` would no longer see it coming.
    """

    def __init__(self, stream: TextIO, prompt: Callable[[], None]) -> None:
        self._fd = stream.fileno()
        self._prompt = prompt
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._buffer = ""
        self._ended = False

    def _line(self) -> str | None:
        while "\n" not in self._buffer:
            data = b"" if self._ended else os.read(self._fd, 65536)
            if not data:
                self._ended = True
                rest, self._buffer = self._buffer, ""
                return rest or None
            self._buffer += self._decoder.decode(data)
        line, self._buffer = self._buffer.split("\n", 1)
        return line

    def _more_coming(self) -> bool:
        if "\n" in self._buffer:
            return True
        if self._ended:
            return False
        readable, _w, _x = select.select([self._fd], [], [], PASTE_GAP_SECONDS)
        return bool(readable)

    def read(self) -> str | None:
        while True:
            self._prompt()
            first = self._line()
            if first is None:
                return None
            lines = [first]
            while self._more_coming() and (line := self._line()) is not None:
                lines.append(line)
            message = "\n".join(lines).strip()
            if message:
                return message


# -- the conversation -----------------------------------------------------------------------


class ChatSession:
    """One conversation: each message is a note, a choice for the note shown last, or a
    command. Bad input gets one short line, never a traceback."""

    def __init__(
        self,
        *,
        owner: User,
        group: ForumGroup,
        display: TerminalDisplay,
        reader: Reader,
        out: Output,
    ) -> None:
        self.owner, self.group, self.display = owner, group, display
        self.reader, self.out = reader, out
        self.leaving = False
        self.search = TerminalSearch(owner)

    def say(self, text: str) -> None:
        self.out.write(text + "\n")

    def run(self) -> None:
        while not self.leaving and (message := self.reader.read()) is not None:
            self.handle(message)

    def handle(self, message: str) -> None:
        """Answer one message: a command, a choice or a new note."""
        command = message.split()[0].lower() if message.startswith("/") else ""
        if command in QUIT_COMMANDS:
            self.leaving = True
        elif command == "/add":
            self.add_to_last(message[len(command) :].strip())
        elif command in (*FIND_COMMANDS, MORE_COMMAND):
            self.say(self.search.more() if command == MORE_COMMAND else self.search.find(message))
        elif command in ARCHIVE_COMMANDS:
            self.say(archive_command(owner=self.owner, line=message))
        elif command:
            self.command(command)
        elif message.isdigit():
            self.choose(int(message))
        else:
            self.send_note(message)

    def command(self, command: str) -> None:
        actions: dict[str, Callable[[], None]] = {
            "/help": self.show_help,
            "/start": self.show_help,
            "/topics": self.show_topics,
            "/settings": self.show_settings,
            "/cancel": lambda: self.say(_("There is nothing to stop.")),
            "/remind": self.toggle_reminder,
        }
        action = actions.get(command)
        if action is None:
            self.say(_("Unknown command %(command)s: /help lists them.") % {"command": command})
            return
        action()

    def add_to_last(self, text: str) -> None:
        """/add: the text joins the last note (as a reply to it would); its preview again."""
        if not text:
            self.say(_("Write the words after /add, for example: /add and bread"))
        elif terminal_note_add(owner=self.owner, text=text) is None:
            self.say(_("There is no note to add to yet: type one first."))

    def toggle_reminder(self) -> None:
        current = self.display.current
        note_id = current.note_id if current else None
        self.say(reminder_toggle_for_note(owner=self.owner, note_id=note_id))

    def send_note(self, text: str) -> None:
        note = terminal_note_send(owner=self.owner, text=text)
        current = self.display.current
        if current is None or current.note_id != note.pk:
            # Inline processing ends with the preview; without one the note is still kept,
            # and numbers typed next must not answer the note shown before it.
            self.display.current = None
            self.say(_("The note is saved, but its preview could not be prepared."))

    # -- choices --

    def choose(self, number: int) -> None:
        current = self.display.current
        if current is None or not current.choices:
            self.say(_("There is nothing to choose now: send a note first."))
            return
        if number not in current.choices:
            numbers = ", ".join(str(int(choice)) for choice in current.choices)
            self.say(
                _("There is no choice %(number)d here; choose one of %(numbers)s.")
                % {"number": number, "numbers": numbers}
            )
            return
        try:
            self.act(Choice(number), current.note_id)
        except NoteActionRefused as refused:
            self.say(refused_line(refused.reason))

    def act(self, choice: Choice, note_id: int) -> None:
        owner = self.owner
        match choice:
            case Choice.CONFIRM:
                pending.note_confirm(owner=owner, note_id=note_id)
            case Choice.PICK:
                self.pick_topic(note_id)
            case Choice.NEW_TOPIC:
                self.create_topic(note_id)
            case Choice.EDIT:
                self.edit(note_id)
            case Choice.CANCEL:
                pipeline.note_dismiss(owner=owner, note_id=note_id)
            case Choice.UNDO:
                pipeline.note_undo(owner=owner, note_id=note_id)

    def ask(self, question: str) -> str | None:
        """The owner's answer to ``question``; None when they stop (a command, end of input).

        A command stops the question and is then carried out as usual.
        """
        self.say(question)
        answer = self.reader.read()
        if answer is None:
            return None
        if answer.startswith("/"):
            self.say(_("Stopped. Send me a new note any time."))
            if answer.split()[0].lower() != "/cancel":
                self.handle(answer)
            return None
        return answer

    def pick_topic(self, note_id: int) -> None:
        pending.note_check_awaiting(owner=self.owner, note_id=note_id)
        topics = self.topics()
        self.say(topics_text(topics))
        if not topics:
            return
        answer = self.ask(_("Send the topic's number (or /cancel)."))
        if answer is None:
            return
        chosen = int(answer) if answer.isdigit() else 0
        if not 1 <= chosen <= len(topics):
            self.say(_("There is no topic number %(number)s.") % {"number": answer[:20]})
            return
        pending.note_choose_topic(owner=self.owner, note_id=note_id, topic_id=topics[chosen - 1].pk)

    def create_topic(self, note_id: int) -> None:
        pending.note_check_awaiting(owner=self.owner, note_id=note_id)
        name = self.ask(_("Send the name of the new topic (or /cancel)."))
        if name is None:
            return
        try:
            pipeline.note_create_topic(owner=self.owner, note_id=note_id, name=name)
        except ValueError:
            self.say(_("A topic name is 1 to 128 characters of text."))
        except TopicCreateFailed as error:
            self.say(_("The topic was not created: %(reason)s") % {"reason": error})

    def edit(self, note_id: int) -> None:
        pending.note_check_awaiting(owner=self.owner, note_id=note_id)
        text = self.ask(_("Send the new text of the note (or /cancel)."))
        if text is None:
            return
        pending.note_replace_text(owner=self.owner, note_id=note_id, text=text, entities=[])

    # -- commands --

    def topics(self) -> list[Topic]:
        return list(topic_list_for_group(group=self.group))

    def show_topics(self) -> None:
        self.say(topics_text(self.topics()))

    def show_settings(self) -> None:
        preferences = self.owner.preferences
        self.say(
            _("Language: %(language)s\nConfirmation: %(mode)s\n(--language changes the language)")
            % {
                "language": Language(preferences.effective_language).label,
                "mode": ConfirmMode(preferences.confirm_mode).label,
            }
        )

    def show_help(self) -> None:
        self.say(f"{help_text()}\n{find_help_line()}")
        self.say(_("/add <text> — add to the last note and show its preview again"))


def topics_text(topics: list[Topic]) -> str:
    if not topics:
        return _("There are no topics yet: 3 ➕ under a preview creates one.")
    lines = [_("Topics:")]
    for number, topic in enumerate(topics, start=1):
        description = f" — {topic.description[:120]}" if topic.description else ""
        lines.append(f"  {number}. {topic.name}{description}")
    return "\n".join(lines)


def help_text() -> str:
    return _(
        "Type a note and press Enter: I suggest a topic and show a preview. A pasted text of "
        "several lines is one note.\n"
        "Answer the preview with the number of a choice: 1 files it, 2 picks another topic, "
        "3 creates a topic, 4 replaces the text, 5 cancels; after filing, 6 undoes it.\n"
        "/topics — the topics of your archive\n"
        "/settings — language and confirmation mode\n"
        "/help — this help\n"
        "/quit — leave (so does Ctrl-D)"
    )


def refused_line(reason: str) -> str:
    """Why a choice cannot be taken now."""
    lines: dict[str, Callable[[], str]] = {
        NoteActionRefused.FOREIGN: lambda: _("This is not your note."),
        NoteActionRefused.FILED: lambda: _("This note is already filed."),
        NoteActionRefused.CANCELLED: lambda: _("This note was cancelled."),
        NoteActionRefused.EXPIRED: lambda: _(
            "This preview has expired; the note waits in history."
        ),
        NoteActionRefused.BUSY: lambda: _("This note is being handled, a moment please."),
        NoteActionRefused.NO_TOPIC: lambda: _("Pick a topic first."),
        NoteActionRefused.TOPIC_GONE: lambda: _("That topic is no longer available."),
        NoteActionRefused.TOO_LATE: lambda: _("Too late to undo."),
    }
    return lines.get(reason, lambda: _("This cannot be done now."))()


# -- the command ----------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Talk to the secretary in the terminal: notes go through the real pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--language",
            choices=[Language.RUSSIAN.value, Language.ENGLISH.value],
            default=None,
            help="ru or en (default: from LANG / LC_ALL)",
        )
        parser.add_argument(
            "--user", default=None, help="whose notes these are (default: the OS user name)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        language = options["language"] or language_from_locale()
        owner = terminal_owner_get_or_create(
            name=options["user"] or os_user_name(), language=language
        )
        group, created = terminal_archive_ensure(owner=owner)
        self._quiet_logs()
        # The whole session in this process, each task finished before the next prompt;
        # a task's failure is logged and the note kept, never raised into the chat.
        app.conf.task_always_eager = True
        app.conf.task_eager_propagates = False
        display = TerminalDisplay(self.stdout)
        archive = LocalArchive(last_message_id=terminal_last_message_id(group=group))
        interactive = sys.stdin.isatty()
        reader: Reader = (
            TerminalReader(sys.stdin, prompt=self._prompt)
            if interactive
            else PipedReader(sys.stdin)
        )
        session = ChatSession(
            owner=owner, group=group, display=display, reader=reader, out=self.stdout
        )
        with translation.override(language), ports_using(Ports(display, archive)):
            self._greet(group, created=created)
            due = DueChecks(Ports(display, archive)).start()  # no beat here: reminders due
            with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C leaves like /quit
                session.run()
            due.stop()
            if interactive and not session.leaving:
                session.say("")  # Ctrl-C or Ctrl-D left the cursor after the prompt
            session.say(_("Bye!"))

    def _greet(self, group: ForumGroup, *, created: bool) -> None:
        self.stdout.write(_("Personal Secretary in the terminal. /help for help, /quit to leave."))
        if created:
            self.stdout.write(
                _("A local archive «%(title)s» with demo topics was created: /topics lists them.")
                % {"title": group.title}
            )

    def _prompt(self) -> None:
        self.stdout.write("› ", ending="")
        self.stdout.flush()

    @staticmethod
    def _quiet_logs() -> None:
        """The chat is for a person: the pipeline's routine log lines would bury it."""
        if "LOG_LEVEL" not in os.environ:
            logging.getLogger().setLevel(logging.WARNING)
