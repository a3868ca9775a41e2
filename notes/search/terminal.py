"""``/find`` in ``manage.py chat``: the same search as the bot's, as plain lines."""

from __future__ import annotations

from django.utils.translation import gettext as _

from notes.search.messages import (
    day_text,
    found_text,
    nothing_found_text,
    query_problem_text,
    status_text,
)
from notes.search.selectors import find_request, note_search, note_snippet
from notes.search.text import QueryProblem
from secretary.models import User

FIND_COMMANDS = ("/find", "/search")
MORE_COMMAND = "/more"
RESULTS_PER_PAGE = 5
HEADING_CHARS = 100


def find_help_line() -> str:
    return _("/find words — find your notes (/more — the next ones)")


class TerminalSearch:
    """The owner's last /find in the terminal, so that /more can turn its page."""

    def __init__(self, owner: User) -> None:
        self.owner = owner
        self.text: str | None = None
        self.page = 0

    def find(self, message: str) -> str:
        """Answer ``/find words``: the first page of what was found, or why nothing was."""
        parts = message.split(maxsplit=1)
        self.text, self.page = (parts[1] if len(parts) > 1 else ""), 0
        return self._page()

    def more(self) -> str:
        if self.text is None:
            return _("Search first: /find and the words.")
        self.page += 1
        return self._page()

    def _page(self) -> str:
        words, scope = find_request(self.text or "")
        try:
            results = note_search(owner=self.owner, text=words, scope=scope)
        except QueryProblem as problem:
            return query_problem_text(problem)
        count = results.count()
        if not count:
            return nothing_found_text(results.query.text)
        pages = -(-count // RESULTS_PER_PAGE)
        self.page = min(self.page, pages - 1)
        first = self.page * RESULTS_PER_PAGE
        lines = [found_text(count, self.page + 1, pages, near=results.near)]
        for number, note in enumerate(results[first : first + RESULTS_PER_PAGE], start=first + 1):
            heading = " ".join((note.title or note.content).split())[:HEADING_CHARS]
            topic = note.topic.name if note.topic is not None else "—"
            found = "".join(
                f"*{text}*" if matched else text
                for text, matched in note_snippet(note, results.query).pieces
            )
            lines += [
                f"{number}. {heading or note.kind}",
                f"   {topic} · {day_text(note)} · {status_text(note)}",
            ]
            if found and found != heading:
                lines.append(f"   {found}")
        if self.page < pages - 1:
            lines.append(_("/more — the next ones"))
        return "\n".join(lines)
