"""File names that are safe on Windows, macOS and Linux, whatever a note's title holds."""

from __future__ import annotations

import re
import unicodedata

# What Windows refuses in a name (and "/" everywhere), and control characters.
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_SPACES = re.compile(r"\s+")
# Windows' reserved device names, with or without an extension ("con.md" is refused too).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{n}" for n in "0123456789¹²³"}
    | {f"lpt{n}" for n in "0123456789¹²³"}
)
# Room for the folder and the suffix within every file system's 255-byte limit.
MAX_NAME_BYTES = 120


def safe_name(title: str, *, fallback: str) -> str:
    """``title`` as one path component: no separators, no ``..``, no reserved device names,
    no leading dots (hidden files), no trailing dots or spaces, at most MAX_NAME_BYTES."""
    name = unicodedata.normalize("NFC", title)
    name = _FORBIDDEN.sub(" ", name)
    # Format characters (bidi overrides, zero-width joiners alone) make names lie.
    name = "".join(char for char in name if unicodedata.category(char) not in {"Cf", "Cs", "Co"})
    name = _SPACES.sub(" ", name).strip(" .")
    name = _clip(name, MAX_NAME_BYTES).strip(" .")
    if not name or name.split(".")[0].strip().lower() in _RESERVED:
        name = f"{fallback} {name}".strip(" .") if name else fallback
    return name


def _clip(name: str, limit: int) -> str:
    encoded = name.encode()
    if len(encoded) <= limit:
        return name
    return encoded[:limit].decode(errors="ignore")


class NameBook:
    """Names given in one folder so far: the same title twice gets " (2)", " (3)"…

    Compared without case, as Windows and macOS do."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def claim(self, name: str, extension: str = "") -> str:
        candidate, number = name, 1
        while (candidate + extension).casefold() in self._taken:
            number += 1
            candidate = f"{name} ({number})"
        self._taken.add((candidate + extension).casefold())
        return candidate + extension
