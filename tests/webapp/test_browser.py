"""The Mini App in headless chromium, against the live server and the fake Bot API.

``MINIAPP_SCREENSHOT=docs/miniapp.png`` also saves the topic edit screen with its live
preview there (light theme, 420×860): the picture in the docs comes from the real page.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from playwright.sync_api import Page, expect

from notes.models import NoteStatus
from secretary.models import Preferences
from tests.factories import NoteFactory, PendingConfirmationFactory
from tests.telegram_bot.conftest import ALICE_CHAT, GROUP_CHAT
from topics.models import Topic

pytestmark = pytest.mark.usefixtures("transactional_db")

SCREENSHOT = os.environ.get("MINIAPP_SCREENSHOT")


def awaiting_note(alice, topic):
    """A note the bot previewed in alice's chat, waiting for her ✅."""
    note = NoteFactory(
        owner=alice,
        source_chat_id=ALICE_CHAT,
        text="Прочитать «Мастера и Маргариту» Булгакова",
        title="Мастер и Маргарита",
        status=NoteStatus.AWAITING_CONFIRMATION,
        topic=topic,
        confidence=0.62,
        reason="Похоже на книгу, которую стоит прочитать",
        rendered_text="<b>Мастер и Маргарита</b>\n\nПрочитать «Мастера и Маргариту» Булгакова",
    )
    PendingConfirmationFactory(note=note, preview_chat_id=ALICE_CHAT, preview_message_id=4242)
    return note


def main_button(page: Page) -> dict:
    return page.evaluate(
        "() => { const b = Telegram.WebApp.MainButton;"
        " return {text: b.text, visible: b.isVisible, handlers: b.handlers.size}; }"
    )


def test_the_owner_manages_topics_confirms_a_note_and_switches_language(
    open_miniapp, telegram, archive, alice
):
    _group, topics = archive
    note = awaiting_note(alice, topics["books"])
    page, problems = open_miniapp("#topics")

    # Alice's language (ru), from the API; Telegram's theme applied; the app said ready.
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_test_id("tab-topics")).to_contain_text("Темы")
    expect(page.get_by_test_id("group-title")).to_have_text("Мой архив")
    expect(page.get_by_test_id("topic-list")).to_contain_text("📚 Книги")
    assert page.evaluate("() => window.__tg.ready && window.__tg.expanded")
    theme_bg = "getComputedStyle(document.documentElement).getPropertyValue('--tg-theme-bg-color')"
    assert page.evaluate(f"() => {theme_bg}").strip() == "#ffffff"

    # A new topic, added with Telegram's MainButton: it is created in the forum group.
    page.get_by_test_id("topic-add").click()
    page.get_by_test_id("topic-name").fill("🎬 Фильмы")
    page.get_by_test_id("topic-description").fill("Фильмы и сериалы: что посмотреть")
    # Inside Telegram its MainButton is the only save control; none of the page's own.
    expect(page.get_by_test_id("topic-create")).to_be_hidden()
    assert main_button(page) == {"text": "Добавить тему", "visible": True, "handlers": 1}
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("topic-list")).to_contain_text("🎬 Фильмы")
    created = telegram.calls("createForumTopic")
    assert [(call.params["chat_id"], call.params["name"]) for call in created] == [
        (GROUP_CHAT, "🎬 Фильмы")
    ]
    assert main_button(page)["visible"] is False
    assert main_button(page)["handlers"] == 0  # offClick when the form was left

    # Its edit form: each keystroke in the template re-renders the preview on the server.
    films = Topic.objects.get(name="🎬 Фильмы")
    page.get_by_test_id(f"topic-link-{films.pk}").click()
    expect(page.get_by_test_id("topic-name")).to_have_value("🎬 Фильмы")
    assert page.evaluate("() => Telegram.WebApp.BackButton.isVisible")
    expect(page.get_by_test_id("back")).to_be_hidden()
    assert main_button(page)["text"] == "Сохранить"
    assert main_button(page)["visible"] is False  # nothing to save yet
    template = page.get_by_test_id("topic-format-template")
    preview = page.get_by_test_id("format-preview")
    template.fill("")
    template.press_sequentially("<i>{{ title }}</i>")
    expect(preview.locator("i")).to_have_count(1, timeout=10_000)
    assert "<i>" in preview.inner_html()
    expect(page.get_by_test_id("format-error")).to_be_hidden()
    if SCREENSHOT:
        template.fill("<b>{{ title }}</b>\n\n{{ body }}\n\n<i>{{ tags }}</i>")
        expect(preview.locator("b")).to_have_count(1)
        page.evaluate("() => document.getElementById('toasts').replaceChildren()")
        page.get_by_text("Шаблон оформления", exact=True).evaluate(
            "label => window.scrollTo(0, label.getBoundingClientRect().top + scrollY - 72)"
        )
        page.screenshot(path=SCREENSHOT)

    # A broken template: the error shows, the last good preview stays, saving is refused.
    template.fill("{% if %}<i>{{ title }}</i>")
    expect(page.get_by_test_id("format-error")).to_be_visible()
    expect(page.get_by_test_id("format-error")).not_to_be_empty()
    expect(preview.locator("i, b").first).to_be_visible()
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("error-format_template")).to_be_visible()
    expect(page.get_by_test_id("error-format_template")).to_contain_text("строка 1")
    expect(template).to_have_value("{% if %}<i>{{ title }}</i>")  # what she typed stays
    films.refresh_from_db()
    assert "{% if %}" not in films.format_template

    template.fill("<i>{{ title }}</i>\n\n{{ body }}")
    page.get_by_test_id("topic-private").check()
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("toast").last).to_have_text("Сохранено")
    films.refresh_from_db()
    assert (films.format_template, films.is_private) == ("<i>{{ title }}</i>\n\n{{ body }}", True)
    page.evaluate("() => Telegram.WebApp.BackButton.press()")
    expect(page.get_by_test_id("topic-list")).to_be_visible()
    assert page.evaluate("() => Telegram.WebApp.BackButton.isVisible") is False

    # The pending note: confirmed in the app, it leaves the list and is filed.
    expect(page.get_by_test_id("pending-count")).to_have_text("1")
    page.get_by_test_id("tab-pending").click()
    card = page.get_by_test_id("pending-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Мастер и Маргарита")
    expect(card).to_contain_text("📚 Книги")
    expect(card).to_contain_text("Похоже на книгу")
    expect(card.locator("b")).to_have_text("Мастер и Маргарита")  # its Telegram HTML
    page.get_by_test_id(f"pending-confirm-{note.pk}").click()
    expect(card).to_have_count(0, timeout=15_000)
    expect(page.get_by_test_id("pending-empty")).to_be_visible()
    expect(page.get_by_test_id("pending-count")).to_be_hidden()
    note.refresh_from_db()
    assert note.status in {NoteStatus.PUBLISHING, NoteStatus.PUBLISHED}

    # English and back: the header switch re-renders at once and is saved.
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_test_id("tab-topics")).to_contain_text("Topics")
    expect(page.get_by_test_id("tab-pending")).to_contain_text("Pending")
    expect(page.get_by_test_id("pending-empty")).to_have_text("Nothing is waiting for you.")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _wait_for_language(alice, "en")
    page.get_by_test_id("lang-ru").click()
    expect(page.get_by_test_id("tab-topics")).to_contain_text("Темы")
    expect(page.get_by_test_id("tab-settings")).to_contain_text("Настройки")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    _wait_for_language(alice, "ru")

    # Telegram switches to its night theme: the page follows without a reload.
    page.evaluate(
        """() => {
        Object.assign(Telegram.WebApp, {colorScheme: "dark", themeParams: {
            bg_color: "#212121", text_color: "#ffffff", hint_color: "#aaaaaa",
            button_color: "#8774e1", button_text_color: "#ffffff", secondary_bg_color: "#0f0f0f"}});
        for (const handler of window.__tg.events.themeChanged ?? []) handler();
    }"""
    )
    assert page.evaluate(f"() => {theme_bg}").strip() == "#212121"
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert problems.errors == []


def _wait_for_language(user, language: str, timeout: float = 10.0) -> None:
    """The PATCH runs beside the re-render; wait (bounded) until it is stored."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Preferences.objects.get(user=user).language == language:
            return
        time.sleep(0.05)
    raise AssertionError(f"the language {language!r} was not saved within {timeout}s")


def test_outside_telegram_it_asks_to_be_opened_from_the_bot(open_miniapp, telegram):
    page, problems = open_miniapp("#settings", signed=False, in_telegram=False, locale="en-US")

    expect(page.get_by_test_id("outside-telegram")).to_contain_text(
        "Open this page from the bot in Telegram"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("tab-topics")).to_have_count(0)
    assert problems.errors == []


def test_settings_show_field_errors_under_their_fields_and_keep_the_input(
    open_miniapp, telegram, alice
):
    page, problems = open_miniapp("#settings")

    zone = page.get_by_test_id("settings-time-zone")
    expect(zone).to_have_value("UTC")
    assert main_button(page)["visible"] is False  # nothing changed, nothing to save
    zone.fill("Mars/Olympus")
    assert main_button(page)["visible"] is True
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("error-time_zone")).to_contain_text(re.compile("Mars/Olympus"))
    expect(zone).to_have_value("Mars/Olympus")
    # No network for a moment: said so, and what she typed stays.
    zone.fill("Europe/Moscow")
    page.route("**/api/v1/preferences/", lambda route: route.abort())
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("toast").last).to_have_text("Нет соединения, попробуйте ещё раз.")
    expect(zone).to_have_value("Europe/Moscow")
    page.unroute("**/api/v1/preferences/")
    page.evaluate("() => Telegram.WebApp.MainButton.press()")
    expect(page.get_by_test_id("toast").last).to_have_text("Сохранено")
    assert Preferences.objects.get(user=alice).time_zone == "Europe/Moscow"
    assert problems.errors == []


def test_server_html_is_sanitized_once_more_before_it_is_shown(open_miniapp, telegram):
    page, problems = open_miniapp(signed=False)

    shown = page.evaluate(
        """async (html) => {
        const { telegramFragment } = await import("/static/webapp/safehtml.js");
        const box = document.createElement("div");
        box.append(telegramFragment(html));
        return box.innerHTML;
    }""",
        '<b onclick="steal()">bold</b><script>steal()</script><img src=x onerror="steal()">'
        '<a href="javascript:steal()">js</a> <a href="https://t.me/x" style="color:red">ok</a>'
        '<span class="tg-spoiler toast">s</span><span>plain</span><div>block</div>'
        '<code class="language-python">x</code>',
    )

    assert shown == (
        "<b>bold</b>"
        '<a rel="noopener noreferrer" target="_blank">js</a> '
        '<a href="https://t.me/x" rel="noopener noreferrer" target="_blank">ok</a>'
        '<span class="tg-spoiler">s</span>plainblock'
        '<code class="language-python">x</code>'
    )
    assert problems.errors == []
