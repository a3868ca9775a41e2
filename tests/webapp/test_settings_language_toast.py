"""Settings in the Mini App: saving another language says "saved" in the language just
chosen, both ways (it used to say it in the one being left)."""

import pytest
from playwright.sync_api import expect

from secretary.models import Preferences

pytestmark = pytest.mark.usefixtures("transactional_db")


def save_with_telegrams_main_button(page):
    """Inside Telegram its MainButton is the settings' only save control."""
    page.wait_for_function("() => Telegram.WebApp.MainButton.isVisible")
    page.evaluate("() => Telegram.WebApp.MainButton.press()")


def test_saving_a_language_answers_in_that_language_ru_en_ru(open_miniapp, telegram, alice):
    page, problems = open_miniapp("#settings")
    language = page.get_by_test_id("settings-language")

    language.select_option("en")
    save_with_telegrams_main_button(page)
    expect(page.get_by_test_id("toast").last).to_have_text("Saved")
    expect(page.get_by_test_id("tab-settings")).to_contain_text("Settings")
    assert Preferences.objects.get(user=alice).language == "en"

    page.evaluate("() => document.getElementById('toasts').replaceChildren()")
    page.get_by_test_id("settings-language").select_option("ru")
    save_with_telegrams_main_button(page)
    expect(page.get_by_test_id("toast").last).to_have_text("Сохранено")
    expect(page.get_by_test_id("tab-settings")).to_contain_text("Настройки")
    assert Preferences.objects.get(user=alice).language == "ru"
    assert problems.errors == []
