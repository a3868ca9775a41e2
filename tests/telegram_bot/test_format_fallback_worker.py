"""One owner's hostile format template does not take the worker: the measured pattern of
the report (three loops over the note's text, 27 million characters on a 300-character
note) falls back at once, and the note after it is previewed in time."""

import time

import pytest

from tests.telegram_bot.conftest import ALICE_CHAT, bot_env, post_update, private_text
from tests.worker import killable_worker, wait_for
from topics.models import Topic

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

THREE_LOOPS = (
    "{% for a in text %}{% for b in text %}{% for c in text %}x{% endfor %}{% endfor %}{% endfor %}"
)
SHOPPING = ("Купить молоко и хлеб, сыр, яйца, зелень, кефир и масло к ужину. " * 5)[:300]
BOOK = "Прочитать книгу «Дюна» Герберта"
# Both notes through one worker process; the unbounded engine needed 11.6 s for the first
# alone (and far longer to clean and split what it built).
GUARD_SECONDS = 10


def test_a_worker_stays_responsive_under_a_template_that_would_take_it(telegram, archive, client):
    Topic.objects.filter(pk=archive[1]["shopping"].pk).update(format_template=THREE_LOOPS)
    with killable_worker(bot_env(telegram)) as worker:
        warm_up = "Прочитать статью о заметках"  # into books: the worker loads its dictionaries
        post_update(client, private_text(warm_up, message_id=60))
        wait_for(lambda: previews(telegram, warm_up))
        started = time.monotonic()
        post_update(client, private_text(SHOPPING, message_id=70))
        post_update(client, private_text(BOOK, message_id=71))

        [book] = wait_for(lambda: previews(telegram, BOOK), timeout=GUARD_SECONDS)
        elapsed = time.monotonic() - started
        [shopping] = previews(telegram, SHOPPING.strip())
        assert worker.ping()

    assert elapsed < GUARD_SECONDS
    assert book["text"].startswith(BOOK)
    assert shopping["text"].startswith(SHOPPING.strip())
    assert "⚠️ Оформление темы «🛒 Покупки» не применено" in shopping["text"]
    assert len(shopping["text"]) < 4096


def previews(telegram, text: str) -> list:
    """The previews sent to alice of the note that starts with ``text``."""
    return [
        call
        for call in telegram.calls("sendMessage")
        if call["chat_id"] == ALICE_CHAT and call["text"].startswith(text)
    ]
