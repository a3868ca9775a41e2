"""The corpus: what becomes a reminder, and what must not (a fixed "now" and zone)."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from notes.reminders.finding import reminder_time_find

ZONE = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 12, 8, 12, 0, tzinfo=ZONE)  # a Tuesday, noon

DATED = [
    ("Позвонить маме завтра в 10", "2026-12-09 10:00"),
    ("встреча с юристом в пятницу", "2026-12-11 09:00"),
    ("оплатить до 15 декабря", "2026-12-15 09:00"),
    ("через 2 часа проверить духовку", "2026-12-08 14:00"),
    ("через 45 минут выключить стиралку", "2026-12-08 12:45"),
    ("через полчаса созвон", "2026-12-08 12:30"),
    ("через 3 дня вернуть книгу", "2026-12-11 12:00"),
    ("через неделю продлить подписку", "2026-12-15 12:00"),
    ("послезавтра забрать посылку", "2026-12-10 09:00"),
    ("в пятницу в 19:00 кино", "2026-12-11 19:00"),
    ("в четверг в 15:00 стоматолог", "2026-12-10 15:00"),
    ("в понедельник в 9 планёрка", "2026-12-14 09:00"),
    ("в субботу утром на рынок", "2026-12-12 09:00"),
    ("завтра вечером позвонить брату", "2026-12-09 19:00"),
    ("15 декабря в 14:00 собеседование", "2026-12-15 14:00"),
    ("20 декабря день рождения Оли", "2026-12-20 09:00"),
    ("1 января поздравить всех", "2027-01-01 09:00"),
    ("5 мая 2027 техосмотр", "2027-05-05 09:00"),
    ("15.12 сдать отчёт", "2026-12-15 09:00"),
    ("31.12 в 23:00 загадать желание", "2026-12-31 23:00"),
    ("в 18:30 тренировка", "2026-12-08 18:30"),
    ("в 7 вечера ужин с Машей", "2026-12-08 19:00"),
    ("завтра в 7 утра самолёт", "2026-12-09 07:00"),
    ("к 10:00 прийти в банк", "2026-12-09 10:00"),
    ("во вторник в 11:30 вебинар", "2026-12-15 11:30"),
    ("в среду забрать ключи", "2026-12-09 09:00"),
    ("12 дек встреча выпускников", "2026-12-12 09:00"),
    ("Call mom tomorrow at 10", "2026-12-09 10:00"),
    ("tomorrow 9am dentist", "2026-12-09 09:00"),
    ("next Monday at 9 standup", "2026-12-14 09:00"),
    ("in 30 minutes call Bob", "2026-12-08 12:30"),
    ("in 2 hours take the pie out", "2026-12-08 14:00"),
    ("in 2 days send the invoice", "2026-12-10 12:00"),
    ("Dec 15 pay rent", "2026-12-15 09:00"),
    ("March 3 renew passport", "2027-03-03 09:00"),
    ("at 6pm dinner with Anna", "2026-12-08 18:00"),
    ("Friday 10:00 team review", "2026-12-11 10:00"),
    ("on Friday submit the report", "2026-12-11 09:00"),
    ("this Friday 5pm drinks", "2026-12-11 17:00"),
    ("tomorrow at noon lunch with Tom", "2026-12-09 12:00"),
    ("on the 20th book tickets", "2026-12-20 09:00"),
    ("Thursday evening call the plumber", "2026-12-10 19:00"),
    ("in an hour check the oven", "2026-12-08 13:00"),
    ("meeting on 18 December at 14:30", "2026-12-18 14:30"),
]

UNDATED = [
    "Купить молоко и хлеб",
    "Купить 3 яйца",
    "стоит 1500 рублей",
    "цена $25 за штуку",
    "версия 1.5 вышла",
    "обновить Python 3.12.1",
    "фильм 10/10",
    "позвонить +7 999 123-45-67",
    "телефон 8 (495) 123-45-67",
    "Бегущий по лезвию 2049",
    "1984 Оруэлла перечитать",
    "100 лет одиночества",
    "11 друзей Оушена",
    "я на 5 этаже",
    "купил 2 кг яблок",
    "счёт 2:1 в нашу пользу",
    "iPhone 15 Pro",
    "в 2 раза дешевле",
    "идея для стартапа: сервис заметок",
    "рецепт борща",
    "вчера был на концерте",
    "встреча была 3 дня назад",
    "Buy milk and bread",
    "Top 10 movies of all time",
    "Room 101",
    "4 mins read on Rust",
    "It costs 20 dollars",
    "v2.0.1 release notes",
    "Score was 3/5",
    "Call +1 (415) 555-0100",
    "Blade Runner 2049 rewatch",
    "Windows 11 tips",
    "2 kg of apples",
    "yesterday at the gym",
    "book: the 7 habits",
    "5 ideas for the garden",
    "https://example.com/2026/12/15/post",
    "Chapter 12 summary",
    "a cup of coffee",
    "playlist for the road",
]


@pytest.mark.parametrize("phrase", UNDATED)
def test_an_undated_phrase_gives_no_reminder(phrase):
    assert reminder_time_find(phrase, now=NOW, zone=ZONE) is None


def test_the_corpus_has_both_halves_in_both_languages():
    assert len(DATED) + len(UNDATED) >= 80
    assert len(DATED) >= 40
    assert len(UNDATED) >= 40


def test_at_least_95_percent_of_the_dated_half_is_found_within_a_minute():
    missed = []
    for phrase, expected in DATED:
        want = datetime.fromisoformat(expected).replace(tzinfo=ZONE)
        found = reminder_time_find(phrase, now=NOW, zone=ZONE)
        if found is None or abs(found.at - want) > timedelta(minutes=1):
            missed.append((phrase, expected, found and found.at.isoformat()))
    assert len(missed) <= len(DATED) * 0.05, missed


def test_a_date_in_the_past_gives_none():
    assert reminder_time_find("15 марта 2024 сдать", now=NOW, zone=ZONE) is None
    assert reminder_time_find("today", now=NOW, zone=ZONE) is None


def test_the_moment_is_in_the_owners_zone():
    tokyo = ZoneInfo("Asia/Tokyo")
    found = reminder_time_find("завтра в 10", now=NOW, zone=tokyo)
    assert found is not None
    assert found.at == datetime(2026, 12, 9, 10, 0, tzinfo=tokyo)


def test_hostile_text_is_read_only_up_to_its_cap_and_quickly():
    text = "1 " * 50_000 + " завтра в 10"
    started = time.monotonic()
    assert reminder_time_find(text, now=NOW, zone=ZONE) is None  # beyond the cap
    assert time.monotonic() - started < 2
