"""The two ports through which the note pipeline reaches the outside world.

*Where the owner sees a note* (``Display``: the Telegram chat, the terminal of
``manage.py chat``) and *where filed notes go* (``Archive``: the forum group, a
local archive). The pipeline (``notes.services``) calls them and never knows
which implementation answers; ``NOTE_PORTS`` names the factory that opens both
for one operation (a task, a handler, a chat session), as healthchecks resolves
its transports. Both raise one error type, ``DeliveryError``: temporary (try
again, maybe after ``retry_after`` seconds) or permanent, with a reason the
pipeline acts on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from notes.models import Note
    from notes.services.publishing import PublicationPlan


class DeliveryError(Exception):
    """A port could not do what it was asked. ``reason`` says what the pipeline does next."""

    TEMPORARY = "temporary"  # rate limited, down, a network error: try again
    TOPIC_GONE = "topic_gone"  # the forum topic was deleted
    ARCHIVE_GONE = "archive_gone"  # the bot is no longer in the group
    OWNER_GONE = "owner_gone"  # the owner blocked the bot
    MESSAGE_GONE = "message_gone"  # the message to edit or delete no longer exists
    NO_RIGHTS = "no_rights"  # the bot lacks a right in the group (post, manage topics)
    TOPIC_CLOSED = "topic_closed"  # the forum topic is closed
    REFUSED = "refused"  # anything else the other side will not do

    def __init__(self, reason: str, detail: str = "", *, retry_after: float | None = None):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
        self.retry_after = retry_after

    @property
    def temporary(self) -> bool:
        return self.reason == self.TEMPORARY


class View(StrEnum):
    """What the owner is shown about a note."""

    TRANSCRIBING = "transcribing"  # "🎙 transcribing…"
    AWAITING = "awaiting"  # the preview with its choices
    FILING = "filing"  # confirmed, waiting for its turn in the group ("⏳ filing…")
    FILED = "filed"  # where it went, with a link and ↩️ undo
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"  # could not be finished; 🔁 tries again
    DELETED = "deleted"  # the owner deleted it from history: no buttons any more
    EDIT_REFUSED = "edit_refused"  # an edit after filing could not reach the filed message


class Display(Protocol):
    """Where the owner sees a note."""

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
        """Show ``view`` of ``note`` in place of what is shown at ``shown_at`` (or anew).

        ``problem`` says why publishing did not finish; ``link`` is where a filed note is.
        ``resend`` moves it to the bottom; with ``only_edit`` nothing new is sent. Returns
        where the note is now shown (a message id), to be passed as ``shown_at`` next time.
        """
        ...


@dataclass(frozen=True)
class Publication:
    """What reached the archive: its messages in order, and a link to the first."""

    message_ids: list[int]
    link: str


@dataclass(frozen=True)
class CreatedTopic:
    thread_id: int
    name: str
    icon_color: int | None = None


class Archive(Protocol):
    """Where filed notes go."""

    def post(self, plan: PublicationPlan, on_sent: Callable[[list[int]], None]) -> Publication:
        """Post what ``plan`` has not sent yet; ``on_sent`` hears every message id so far
        each time one is accepted. Raises DeliveryError (what was sent is on record)."""
        ...

    def delete(self, *, chat_id: int, message_ids: list[int]) -> None:
        """Take a publication back; messages already gone do not matter."""
        ...

    def edit(self, *, chat_id: int, message_id: int, html: str, caption: bool = False) -> None:
        """Change the text (or the caption) of a message posted before; the same text again
        is no error. Raises DeliveryError (MESSAGE_GONE, NO_RIGHTS…) when it cannot."""
        ...

    def pace(self, plan: PublicationPlan) -> float:
        """Reserve the plan's turn to post (what is left of it); the seconds until then.

        A turn given is kept: the caller waits that long and posts, in order."""
        ...

    def create_topic(self, *, chat_id: int, name: str) -> CreatedTopic: ...

    def rename_topic(self, *, chat_id: int, thread_id: int, name: str) -> None:
        """Give the forum topic a new name; a name it already has is no error."""
        ...

    def download(self, file: dict[str, Any]) -> bytes:
        """The content of a file the owner sent (for transcription)."""
        ...


@dataclass(frozen=True)
class Ports:
    display: Display
    archive: Archive


_current: ContextVar[Ports | None] = ContextVar("note_ports", default=None)


def ports() -> Ports:
    """The ports of the operation under way (see ``ports_opened``)."""
    current = _current.get()
    if current is None:
        raise RuntimeError("no ports are open: run the operation inside ports_opened()")
    return current


@contextmanager
def ports_opened() -> Iterator[Ports]:
    """The ports for one operation: those already open around it, else new ones from
    ``NOTE_PORTS`` (closed when the operation ends)."""
    current = _current.get()
    if current is not None:
        yield current
        return
    factory: Callable[[], AbstractContextManager[Ports]] = import_string(settings.NOTE_PORTS)
    with factory() as opened, ports_using(opened):
        yield opened


@contextmanager
def ports_using(opened: Ports) -> Iterator[Ports]:
    """Make ``opened`` the ports of everything called inside the block."""
    token = _current.set(opened)
    try:
        yield opened
    finally:
        _current.reset(token)
