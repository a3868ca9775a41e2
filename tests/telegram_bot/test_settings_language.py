"""/settings: switching the language answers in the language just chosen, both ways."""

import pytest

from secretary.models import Preferences
from tests.telegram_bot.conftest import press, private_text

pytestmark = pytest.mark.django_db


def test_switching_the_language_answers_in_the_language_just_chosen_ru_en_ru(
    telegram, deliver, alice, archive
):
    deliver(private_text("/settings", message_id=22))
    assert telegram.calls("sendMessage")[0]["text"].startswith("<b>Настройки</b>")

    deliver(press("set:lang:en", message_id=1000))

    assert Preferences.objects.get(user=alice).language == "en"
    assert telegram.calls("editMessageText")[-1]["text"].startswith("<b>Settings</b>")
    assert telegram.calls("answerCallbackQuery")[-1]["text"] == "Saved."

    deliver(press("set:lang:ru", message_id=1000))

    assert Preferences.objects.get(user=alice).language == "ru"
    assert telegram.calls("editMessageText")[-1]["text"].startswith("<b>Настройки</b>")
    assert telegram.calls("answerCallbackQuery")[-1]["text"] == "Сохранено."

    deliver(press("set:lang:en", message_id=1000))

    assert telegram.calls("editMessageText")[-1]["text"].startswith("<b>Settings</b>")
    assert telegram.calls("answerCallbackQuery")[-1]["text"] == "Saved."
