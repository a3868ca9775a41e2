"""Telegram HTML: splitting to the limits without breaking tags, and message links."""

import logging
import re

from notes.telegram_html import split_html, truncate_html, visible_length
from telegram_bot.formatting import message_link
from telegram_bot.logs import TokenRedactingFormatter
from tests.fakes.telegram import TOKEN
from tests.fakes.telegram_rules import html_problem
from tests.fakes.telegram_rules import visible_length as telegram_length


def test_a_short_text_stays_whole():
    assert split_html("<b>Hi</b> there") == ["<b>Hi</b> there"]


def test_length_counts_what_telegram_counts():
    markup = '<a href="https://example.org">docs</a> &amp; 😀'

    assert visible_length(markup) == telegram_length(markup, "HTML") == 9


def test_a_long_text_is_split_on_paragraph_boundaries():
    paragraphs = [f"Paragraph {n}: " + "word " * 150 for n in range(12)]
    markup = "\n\n".join(paragraphs)

    parts = split_html(markup.strip())

    assert len(parts) > 1
    assert all(visible_length(part) <= 4096 for part in parts)
    assert all(part.startswith("Paragraph") for part in parts)
    assert "".join(parts).count("Paragraph") == 12


def test_a_paragraph_too_long_for_one_message_is_split_on_lines_then_spaces():
    lines = "\n".join("line " + "x" * 90 for _ in range(60))
    words = " ".join(["слово"] * 1500)

    line_parts = split_html(lines)
    word_parts = split_html(words)

    assert all(part.startswith("line ") for part in line_parts)
    assert all(visible_length(part) <= 4096 for part in line_parts + word_parts)
    assert len(word_parts) == 3
    assert all(set(part.split(" ")) == {"слово"} for part in word_parts)


def test_a_tag_open_across_a_cut_is_closed_and_reopened():
    markup = '<b>bold <a href="https://example.org/?a=1&amp;b=2">' + "link " * 1200 + "</a></b>"

    parts = split_html(markup)

    assert len(parts) == 2
    assert parts[0].endswith("</a></b>")
    assert parts[1].startswith('<b><a href="https://example.org/?a=1&amp;b=2">')
    assert [html_problem(part) for part in parts] == [None, None]


def test_a_text_without_any_break_is_cut_hard_but_never_inside_an_entity():
    markup = "&amp;" * 5000

    parts = split_html(markup)

    assert [visible_length(part) for part in parts] == [4096, 904]
    assert all(html_problem(part) is None for part in parts)


def test_the_first_part_may_have_its_own_limit_for_captions():
    markup = "\n\n".join(["a" * 900, "b" * 900, "c" * 900])

    parts = split_html(markup, first_limit=1024)

    assert [visible_length(part) for part in parts] == [900, 1802]


def test_a_truncated_text_ends_with_an_ellipsis_and_stays_valid():
    markup = "<i>" + "many words here " * 400 + "</i>"

    short = truncate_html(markup, 1000)

    assert visible_length(short) <= 1000
    assert short.endswith("</i>…")
    assert html_problem(short) is None


SENTENCES = (
    "Купить молоко и хлеб в магазине у дома.",
    "Не забыть сыр, яйца и немного зелени к ужину!",
    "Может быть, взять ещё кефир на блины?",
    "Он сказал: «Список покупок растёт с каждым днём…»",
)


def sentences(length: int) -> str:
    """One paragraph of whole sentences, at least ``length`` characters long."""
    taken = [SENTENCES[0]]
    while len(" ".join(taken)) < length:
        taken.append(SENTENCES[len(taken) % len(SENTENCES)])
    return " ".join(taken)


def ends_a_sentence(part: str) -> bool:
    text = re.sub(r"<[^>]+>", "", part).rstrip()
    return text.endswith((".", "!", "?", "…»"))


def test_a_title_stays_with_the_start_of_a_long_single_paragraph():
    body = sentences(4500)
    markup = f"<b>Длинная заметка</b>\n\n{body}"

    parts = split_html(markup)

    assert len(parts) == 2
    assert parts[0].startswith(f"<b>Длинная заметка</b>\n\n{SENTENCES[0]} ")
    assert visible_length(parts[0]) > 2048
    assert all(visible_length(part) <= 4096 for part in parts)
    assert all(ends_a_sentence(part) for part in parts)
    assert " ".join(parts).split() == markup.split()


def test_a_title_over_a_body_of_exactly_the_limit_is_not_left_alone():
    body = sentences(4096)[:4096]
    markup = f"<b>Title</b>\n\n{body}"

    parts = split_html(markup)

    assert len(parts) == 2
    assert re.sub(r"<[^>]+>", "", parts[0]).strip() != "Title"
    assert parts[0].startswith("<b>Title</b>\n\nКупить молоко")
    assert ends_a_sentence(parts[0])


def test_a_title_over_emoji_without_any_break_is_cut_by_utf16_units():
    markup = "<b>Смайлики</b>\n\n" + "😀" * 3000

    parts = split_html(markup)

    assert [visible_length(part) for part in parts] == [4096, 6010 - 4096]
    assert [telegram_length(part, "HTML") for part in parts] == [4096, 6010 - 4096]
    assert parts[0].startswith("<b>Смайлики</b>\n\n😀")
    assert all(html_problem(part) is None for part in parts)


def test_a_paragraph_or_line_break_is_taken_only_when_the_part_is_half_full():
    short, first, second = sentences(300), sentences(2500), sentences(5000)

    early = split_html(f"{short}\n\n{second}")
    early_line = split_html(f"{short}\n{second}")

    assert [len(parts) for parts in (early, early_line)] == [2, 2]
    assert all(visible_length(parts[0]) > 2048 for parts in (early, early_line))
    assert early[0].startswith(f"{short}\n\n")
    assert early_line[0].startswith(f"{short}\n")
    assert all(ends_a_sentence(parts[0]) for parts in (early, early_line))
    assert split_html(f"{first}\n\n{second}")[0] == first
    assert split_html(f"{first}\n{second}")[0] == first


def test_a_part_ends_after_a_russian_sentence_rather_than_between_words():
    markup = " ".join(["Сказал: «Нет!»", "Правда?!", "Ну и ну…", "Да, да — так и есть."] * 300)

    parts = split_html(markup)

    assert len(parts) > 1
    assert all(re.search(r"(»|\?!|…|\.)$", part) for part in parts)


def test_a_caption_keeps_the_title_with_the_start_of_the_text():
    body = sentences(1100)

    parts = split_html(f"<b>Рецепт</b>\n\n{body}", first_limit=1024)

    assert len(parts) == 2
    assert parts[0].startswith(f"<b>Рецепт</b>\n\n{SENTENCES[0]}")
    assert 512 <= visible_length(parts[0]) <= 1024
    assert ends_a_sentence(parts[0])


def test_a_title_and_formatting_open_across_a_cut_survive_it():
    markup = "<b>Заголовок</b>\n\n<i>" + sentences(6000) + "</i>"

    parts = split_html(markup)

    assert parts[0].startswith("<b>Заголовок</b>\n\n<i>Купить")
    assert parts[0].endswith("</i>")
    assert all(part.startswith("<i>") for part in parts[1:])
    assert all(html_problem(part) is None for part in parts)


def test_a_hard_cut_does_not_break_a_flag_or_a_family_apart():
    flags = split_html("a" * 4093 + "🇷🇺🇷🇺")
    family = split_html("a" * 4091 + "👨\u200d👩\u200d👧")

    assert flags == ["a" * 4093, "🇷🇺🇷🇺"]
    assert family == ["a" * 4091, "👨\u200d👩\u200d👧"]


def test_a_truncated_note_shows_its_title_and_the_beginning_of_its_body():
    markup = "<b>Длинная заметка</b>\n\n" + sentences(4500)

    short = truncate_html(markup, 1000)

    assert short.startswith(f"<b>Длинная заметка</b>\n\n{SENTENCES[0]} ")
    assert 500 <= visible_length(short) <= 1000
    assert short.endswith(("? …", ". …", "! …", "…» …"))
    assert html_problem(short) is None


def test_links_to_messages_in_private_and_public_groups():
    private = message_link(chat_id=-1002000000001, message_id=1001, thread_id=12)
    general = message_link(chat_id=-1002000000001, message_id=1001)
    public = message_link(chat_id=-1002000000001, message_id=5, thread_id=3, username="archive")

    assert private == "https://t.me/c/2000000001/12/1001"
    assert general == "https://t.me/c/2000000001/1001"
    assert public == "https://t.me/archive/3/5"


def test_the_bot_token_never_reaches_a_log_line(settings):
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    formatter = TokenRedactingFormatter("%(message)s")
    try:
        raise RuntimeError(f"GET https://api.telegram.org/file/bot{TOKEN}/voice/1.oga: 404")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    line = formatter.format(record)

    assert TOKEN not in line
    assert "file/bot<bot-token>/voice" in line
