"""Hostile format templates through the Mini App's API: the live preview and the topic save
answer at once with a 400 that says why, and nothing is saved."""

from __future__ import annotations

import json
import time

import pytest

from tests.factories import NoteFactory
from tests.webapp.initdata import ALICE, signed_init_data, tma
from topics.models import Topic

pytestmark = pytest.mark.django_db

NESTING = "Циклы в шаблоне оформления вложены слишком глубоко: не больше 2."
OVER_TEXT = (
    "Цикл в шаблоне оформления идёт по тексту буква за буквой; перебирайте tag_list или links."
)
TOO_MANY_ROUNDS = "Цикл в шаблоне оформления повторяется больше 100 раз."
TOO_LONG_VALUE = (
    "Шаблон оформления собирает слишком длинный текст (фильтр вроде join, make_list или add "
    "повторяет заметку)."
)
WIDTH = (
    "Ширина или точность в шаблоне оформления слишком велика (ljust, rjust, center, "
    "stringformat, floatformat)."
)
TOO_LONG_OUTPUT = (
    "Шаблон оформления делает заметки слишком длинными: не больше чем на 16384 символов "
    "длиннее самой заметки."
)
METHOD = "Шаблон оформления вызывает метод значения; используйте фильтр."

HOSTILE = [
    pytest.param(
        "{% for a in text %}{% for b in text %}{% for c in text %}x"
        "{% endfor %}{% endfor %}{% endfor %}",
        NESTING,
        id="three-loops-over-text",
    ),
    pytest.param(
        "{% for a in text %}{% for b in text %}{% for c in text %}{% for d in text %}x"
        "{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
        NESTING,
        id="four-loops-over-text",
    ),
    pytest.param(
        "{% for a in text %}{% for b in text %}x{% endfor %}{% endfor %}",
        OVER_TEXT,
        id="loops-over-text",
    ),
    pytest.param(
        "{% for a in text|make_list %}{% for b in text|make_list %}x{% endfor %}{% endfor %}",
        TOO_MANY_ROUNDS,
        id="loops-over-make_list",
    ),
    pytest.param(
        "{% for a in tag_list %}{% for b in tag_list %}{% for c in tag_list %}x"
        "{% endfor %}{% endfor %}{% endfor %}",
        NESTING,
        id="three-loops-over-a-list",
    ),
    pytest.param("{{ text|make_list|join:text }}", TOO_LONG_VALUE, id="join"),
    pytest.param(
        "{{ text|make_list|join:text|make_list|join:text|make_list|join:text }}",
        TOO_LONG_VALUE,
        id="join-chain",
    ),
    pytest.param(
        "{% widthratio 1 1 100000000 as width %}{{ text|ljust:width }}", WIDTH, id="widthratio"
    ),
    pytest.param("{{ title|center:100000000 }}", WIDTH, id="center"),
    pytest.param('{{ 1|stringformat:"0100000000d" }}', WIDTH, id="stringformat"),
    pytest.param(
        "{% with a=text|add:text %}{% with b=a|add:a %}{% with c=b|add:b %}"
        "{% with d=c|add:c %}{% with e=d|add:d %}{% with f=e|add:e %}{{ f }}"
        "{% endwith %}{% endwith %}{% endwith %}{% endwith %}{% endwith %}{% endwith %}",
        TOO_LONG_VALUE,
        id="add-doubling",
    ),
    pytest.param("{{ text.encode.hex.encode.hex.encode.hex }}", METHOD, id="method-chain"),
    pytest.param("{{ body }}" * 12, TOO_LONG_OUTPUT, id="body-twelve-times"),
]
# The bounded engine answers in milliseconds; this only catches one that does not stop.
GUARD_SECONDS = 5


@pytest.fixture
def api(client):
    """Alice's Mini App calling the API; every call but a first, warming one is guarded."""

    def call(method, path, body, *, guarded=True):
        started = time.monotonic()
        response = client.generic(
            method,
            f"/api/v1/{path}",
            data=json.dumps(body),
            content_type="application/json",
            headers=tma(signed_init_data(ALICE)),
        )
        assert not guarded or time.monotonic() - started < GUARD_SECONDS
        return response

    call("POST", "format-preview/", {"format_template": "{{ title }}"}, guarded=False)
    return call


@pytest.mark.parametrize(("template", "message"), HOSTILE)
def test_the_format_preview_refuses_a_costly_template_saying_why(
    api, telegram, archive, template, message
):
    response = api("POST", "format-preview/", {"format_template": template})

    assert response.status_code == 400
    assert response.json() == {"format_template": [message]}


@pytest.mark.parametrize(("template", "message"), HOSTILE)
def test_a_topic_with_a_costly_template_is_not_saved(api, telegram, archive, template, message):
    books = archive[1]["books"]
    before = books.format_template

    changed = api("PATCH", f"topics/{books.pk}/", {"format_template": template})
    created = api("POST", "topics/", {"name": "🎬 Фильмы", "format_template": template})

    assert (changed.status_code, created.status_code) == (400, 400)
    assert changed.json() == created.json() == {"format_template": [message]}
    books.refresh_from_db()
    assert books.format_template == before
    assert not Topic.objects.filter(name="🎬 Фильмы").exists()
    assert telegram.calls("createForumTopic") == []


def test_the_preview_over_a_long_note_refuses_a_template_fine_on_the_samples(
    api, telegram, archive
):
    """Six bodies pass on the longest message Telegram sends, not on a note of many."""
    template = "{{ body }}" * 6
    note = NoteFactory(owner=archive[0].owner, text="Длинная заметка. " * 800)

    short = api("POST", "format-preview/", {"format_template": template})
    long = api("POST", "format-preview/", {"format_template": template, "note": note.pk})

    assert short.status_code == 200
    assert long.status_code == 400
    assert long.json() == {"format_template": [TOO_LONG_OUTPUT]}


def test_a_rich_template_within_the_bounds_is_previewed_and_saved(api, telegram, archive):
    template = (
        '<b>{{ title|upper }}</b> · {{ date|date:"d.m.Y" }}\n<blockquote>{{ body }}</blockquote>'
        "{% for link in links %}\n🔗 {{ link.title|default:link.url|truncatechars:60 }}"
        "{% for tag in tag_list %} #{{ tag }}{% endfor %}{% endfor %}"
        "{% if tags %}\n{{ tag_list|join:' · ' }}{% endif %}"
    )
    books = archive[1]["books"]

    preview = api("POST", "format-preview/", {"format_template": template})
    saved = api("PATCH", f"topics/{books.pk}/", {"format_template": template})

    assert preview.status_code == 200
    assert preview.json()["html"].startswith("<b>ЗАМЕТКИ, КОТОРЫЕ ПЕРЕЧИТЫВАЕШЬ</b> · ")
    assert saved.status_code == 200
    books.refresh_from_db()
    assert books.format_template == template
