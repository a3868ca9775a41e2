"""Finding the moment a note speaks of: "завтра в 10", "next Monday at 9", "15.12".

dateparser (restricted to Russian and English) reads the dates; around it, filters of
our own keep what is not a date from becoming a reminder: prices, quantities, phone
numbers, versions, scores and years inside titles are masked before it reads, and a
fragment it returns counts only when it holds a date word (a day, a weekday, a month
with its day, "через"/"in" with a unit) or the shape of a date or time. The owner's
text is hostile input: only its first ``MAX_CHARS`` characters are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dateparser
from dateparser.search import search_dates

MAX_CHARS = 400
LANGUAGES = ["ru", "en"]
# A day named without a time: the morning of that day.
DEFAULT_TIME = time(9, 0)
PART_OF_DAY = {
    "утром": time(9, 0),
    "утра": time(9, 0),
    "morning": time(9, 0),
    "днём": time(13, 0),
    "днем": time(13, 0),
    "afternoon": time(14, 0),
    "вечером": time(19, 0),
    "evening": time(19, 0),
    "tonight": time(20, 0),
    "ночью": time(23, 0),
    "noon": time(12, 0),
    "полдень": time(12, 0),
}

_PHONE = r"(?:\+|\b)\d[\d\s().\-]{7,}\d\b"
_PRICE = (
    r"(?:[$€£₽]\s?\d[\d\s.,]*|\b\d[\d\s.,]*\s?(?:[$€£₽]|руб\w*|р\.|usd|eur|rub|dollars?|euros?"
    r"|баксов|евро|долл\w*|тыс\w*|k\b|к\b))"
)
_VERSION = r"(?:\b(?:v|version|версия|версии|release|релиз)\s?\d+(?:\.\d+)+|\b\d+\.\d+\.\d+\S*)"
_SCORE = r"\b\d{1,3}\s?/\s?\d{1,3}\b"
_URL = r"\b(?:https?://|www\.)\S+"
_GLUED = r"\b\w*[A-Za-zА-Яа-яЁё]\d+\w*\b|\b\d+[A-Za-zА-Яа-яЁё]{1,2}\d\w*\b"  # iPhone15, A4b2
# A number and a counted thing that is not a unit of time: "3 яйца", "2 kg", "5 этаж".
_TIME_UNITS = (
    r"(?:минут\w*|мин\b|час\w*|ч\b|сек\w*|дн\w*|день|недел\w*|месяц\w*|мес\b|год\w*|лет"
    r"|minutes?|mins?|hours?|hrs?|h\b|seconds?|secs?|days?|weeks?|months?|years?"
    r"|утра|дня|вечера|ночи|am|pm|a\.m\.|p\.m\.|января|февраля|марта|апреля|мая|июня|июля"
    r"|августа|сентября|октября|ноября|декабря|янв|фев|мар|апр|июн|июл|авг|сен|окт|ноя|дек"
    r"|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*"
    r"|st\b|nd\b|rd\b|th\b|числа|число|го\b)"
)
_QUANTITY = rf"(?<![\d:.,])\b\d+(?:,\d+)?(?![.\d])\s+(?!{_TIME_UNITS})[A-Za-zА-Яа-яЁё]+"
_BARE_YEAR = r"(?<![.\d])\b(?:1[5-9]|2\d)\d{2}\b(?![.:]\d)"
# What may stand before a number that is part of a date: a month, "в", "at", "on the".
_DATE_CONTEXT = re.compile(
    r"(?:январ\w*|феврал\w*|март\w*|апрел\w*|ма[йя]|июн\w*|июл\w*|август\w*|сентябр\w*"
    r"|октябр\w*|ноябр\w*|декабр\w*|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*"
    r"|sep\w*|oct\w*|nov\w*|dec\w*|\bв|\bво|\bк|\bat|\bby|\bon|\bthe)\.?\s*$",
    re.IGNORECASE,
)

_MASKS = re.compile(
    "|".join(f"(?:{p})" for p in (_URL, _PHONE, _PRICE, _VERSION, _SCORE, _GLUED)),
    re.IGNORECASE,
)
_QUANTITY_RE = re.compile(_QUANTITY, re.IGNORECASE)
_BARE_YEAR_RE = re.compile(_BARE_YEAR)

_RELATIVE = re.compile(
    r"\b(?:через|спустя|in|after)\b.*\b(?:минут\w*|час\w*|полчаса|дн\w*|день|недел\w*"
    r"|месяц\w*|minutes?|mins?|hours?|hour|days?|weeks?|months?)\b"
    r"|\blater\b|\bчерез\s+(?:час|неделю|месяц)\b",
    re.IGNORECASE,
)
_PAST = re.compile(r"\b(?:вчера|позавчера|назад|yesterday|ago|last)\b", re.IGNORECASE)
_DAY_WORD = re.compile(
    r"\b(?:сегодня|завтра|послезавтра|today|tomorrow|tonight"
    r"|понедельник\w*|вторник\w*|сред[уае]|четверг\w*|пятниц\w*|суббот\w*|воскресень\w*"
    r"|mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?"
    r"|sun(?:day)?)\b"
    r"|\d{1,2}\s*(?:-?го\s+)?(?:январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр"
    r"|ноябр|декабр|янв|фев|мар|апр|авг|сен|окт|ноя|дек)[а-яё]*\.?(?:\s+\d{4}\b)?"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b"
    r"|\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"|\bthe\s+\d{1,2}(?:st|nd|rd|th)\b",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{2}|\d{4}))?(?![\d.])")
_CLOCK = re.compile(
    r"(?<![\d.:])([01]?\d|2[0-3]):([0-5]\d)(?![\d:])\s*(am|pm|a\.m\.|p\.m\.)?", re.IGNORECASE
)
_HOUR_WITH_PART = re.compile(
    r"\b(1[0-2]|0?\d)\s*(am|pm|a\.m\.|p\.m\.|утра|дня|вечера|ночи)(?!\w)", re.IGNORECASE
)
_BARE_HOUR = re.compile(r"\b(?:в|во|к|at|by)\s+([01]?\d|2[0-3])\b(?![\d:.,]|\s*[%/])", re.I)
_PART_OF_DAY = re.compile(r"\b(" + "|".join(PART_OF_DAY) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    at: datetime  # aware, in the owner's zone
    phrase: str  # what in the note said so


def _masked(text: str) -> str:
    """The text with what is not a date blanked out (the same length, so spans stay)."""

    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group(0))

    def blank_unless_dated(match: re.Match[str]) -> str:
        before = match.string[max(0, match.start() - 12) : match.start()]
        return match.group(0) if _DATE_CONTEXT.search(before) else blank(match)

    text = _MASKS.sub(blank, text)
    text = _QUANTITY_RE.sub(blank_unless_dated, text)
    return _BARE_YEAR_RE.sub(blank_unless_dated, text)


def _clock_time(text: str, *, with_day: bool) -> tuple[time, str] | None:
    """The time of day the text names, if any: "18:30", "6pm", "в 7 вечера", "at 9"."""
    if match := _CLOCK.search(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        return _meridiem(hour, match.group(3)).replace(minute=minute), match.group(0)
    if match := _HOUR_WITH_PART.search(text):
        return _meridiem(int(match.group(1)), match.group(2)), match.group(0)
    if with_day and (match := _BARE_HOUR.search(text)):
        hour = int(match.group(1))
        # "в 3" of a day means the afternoon; nobody sets a reminder for 3 at night.
        return time(hour + 12 if 1 <= hour <= 7 else hour), match.group(0)
    if match := _PART_OF_DAY.search(text):
        return PART_OF_DAY[match.group(1).lower()], match.group(0)
    return None


def _meridiem(hour: int, part: str | None) -> time:
    part = (part or "").lower().replace(".", "")
    if part in ("pm", "дня", "вечера") and hour < 12:
        hour += 12
    if part in ("am", "ночи") and hour == 12:
        hour = 0
    return time(hour % 24)


def _aware(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=zone)


def _numeric_date(text: str, today: date) -> tuple[date, str] | None:
    for match in _NUMERIC_DATE.finditer(text):
        day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
        full_year = (int(year) + 2000 if len(year) == 2 else int(year)) if year else today.year
        try:
            found = date(full_year, month, day)
        except ValueError:
            continue
        if not year and found < today:
            found = found.replace(year=today.year + 1)
        return found, match.group(0)
    return None


def reminder_time_find(text: str, *, now: datetime, zone: ZoneInfo) -> Found | None:
    """The future moment ``text`` names, in ``zone``; None when it names none."""
    text = (text or "")[:MAX_CHARS]
    masked = _masked(text)
    if not masked.strip() or _PAST.search(masked):
        return None
    local_now = now.astimezone(zone)
    found = _from_dateparser(masked, local_now, zone) or _from_shapes(masked, local_now, zone)
    if found is None or found.at <= now:
        return None
    return found


def _from_dateparser(masked: str, local_now: datetime, zone: ZoneInfo) -> Found | None:
    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "RETURN_AS_TIMEZONE_AWARE": False,
        "DATE_ORDER": "DMY",
        "STRICT_PARSING": False,
    }
    # The phrases our patterns see, read alone, come first: dateparser's search over a
    # whole sentence sometimes joins words that do not belong together ("в понедельник в 9").
    results = []
    for pattern in (_RELATIVE, _DAY_WORD):
        for match in pattern.finditer(masked):
            moment = dateparser.parse(match.group(0), languages=LANGUAGES, settings=settings)
            if moment is not None:
                results.append((match.group(0), moment))
    results += search_dates(masked, languages=LANGUAGES, settings=settings) or []
    for phrase, moment in results:
        if _RELATIVE.search(phrase):
            return Found(_aware(moment, zone), phrase.strip())
        if _DAY_WORD.search(phrase):
            return _on_day(moment.date(), phrase, masked, local_now, zone)
    return None


def _on_day(
    day: date, phrase: str, masked: str, local_now: datetime, zone: ZoneInfo
) -> Found | None:
    """A named day: at the time the note gives, else in its morning."""
    clock = _clock_time(masked, with_day=True)
    at = clock[0] if clock else DEFAULT_TIME
    if day == local_now.date() and not clock and re.search(r"today|сегодня", phrase, re.I):
        return None  # "today" with no time is no moment to remind at
    return Found(_aware(datetime.combine(day, at), zone), phrase.strip())


def _from_shapes(masked: str, local_now: datetime, zone: ZoneInfo) -> Found | None:
    """What dateparser leaves: "15.12", "в 18:30", "at 6pm" alone."""
    if numeric := _numeric_date(masked, local_now.date()):
        return _on_day(numeric[0], numeric[1], masked, local_now, zone)
    clock = _clock_time(masked, with_day=False)
    if clock is None or _PART_OF_DAY.fullmatch(clock[1].strip()):
        return None
    at = datetime.combine(local_now.date(), clock[0])
    if at <= local_now.replace(tzinfo=None):
        at += timedelta(days=1)  # "в 10" said at noon: tomorrow's 10
    return Found(_aware(at, zone), clock[1].strip())
