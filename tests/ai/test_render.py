"""note_render: the topic's template in code; a model rewrite only when style asks."""

from decimal import Decimal

import pytest

from notes.services.classification import note_classify, note_render
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


def test_a_note_is_rendered_with_its_topics_template_and_no_model_call(
    alice, topics, fake_openai, chain
):
    chain("openai")
    note = NoteFactory(
        owner=alice,
        text="Перечитать <Мастер и Маргарита> & не спешить",
        entities=[{"offset": 0, "length": 10, "type": "bold"}],
        title="Мастер и Маргарита",
        tags=["книги", "Булгаков"],
    )
    topics["books"].format_template = "{{ title }}\n{{ body }}\n{{ tags }}"
    topics["books"].save()

    rendered = note_render(note=note, topic=topics["books"])

    assert rendered.html == (
        "Мастер и Маргарита\n<b>Перечитать</b> &lt;Мастер и Маргарита&gt; &amp; не спешить\n"
        "#книги #Булгаков"
    )
    assert rendered.body == "<b>Перечитать</b> &lt;Мастер и Маргарита&gt; &amp; не спешить"
    assert (rendered.title, rendered.tags) == ("Мастер и Маргарита", ("книги", "Булгаков"))
    assert fake_openai.requests == []
    note.refresh_from_db()
    assert note.rendered_text == rendered.html


def test_one_model_call_classifies_and_titles_a_text_note(alice, topics, fake_openai, chain):
    chain("openai")
    note = NoteFactory(owner=alice, text="молоко, хлеб")

    note_classify(note=note)
    rendered = note_render(note=note, topic=note.topic)

    assert len(fake_openai.requests) == 1
    assert rendered.html == "<b>A title</b>\n\nмолоко, хлеб\n\n#fake"


def test_style_instructions_ask_for_a_rewrite_whose_cost_adds_up(alice, topics, fake_openai, chain):
    chain("openai", "local")
    topic = topics["books"]
    topic.style_instructions = "Пиши цитатой, одним предложением."
    topic.save()
    note = NoteFactory(owner=alice, text="<важно> перечитать", cost_usd=Decimal("0.000100"))
    fake_openai.answer_next({"title": "Перечитать", "body": "«Перечитать» — <важно> & срочно"})

    rendered = note_render(note=note, topic=topic)

    assert rendered.provider == "openai"
    assert rendered.html == "<b>Перечитать</b>\n\n«Перечитать» — &lt;важно&gt; &amp; срочно"
    [request] = fake_openai.requests
    system, user = (message["content"] for message in request.json["messages"])
    assert "Style instructions: Пиши цитатой, одним предложением." in system
    assert "<важно> перечитать" in user
    note.refresh_from_db()
    assert note.title == "Перечитать"
    assert note.input_tokens == 1200
    # 176 new × 0.15 + 1024 cached × 0.075 + 80 × 0.60 per million, plus what it cost before
    assert note.cost_usd == Decimal("0.000100") + Decimal("0.000151")


def test_a_failed_rewrite_keeps_the_owners_text(alice, topics, fake_openai, chain):
    chain("openai", "local")
    topic = topics["books"]
    topic.style_instructions = "Кратко."
    topic.save()
    fake_openai.answer_next({"title": "x", "body": ""})
    note = NoteFactory(owner=alice, text="перечитать", title="Книга")

    rendered = note_render(note=note, topic=topic)

    assert rendered.html == "<b>Книга</b>\n\nперечитать"
    assert rendered.provider == ""
    assert rendered.failures["openai"] == "InvalidAnswer: empty body"


def test_a_private_topic_is_never_rewritten_by_a_model(alice, topics, fake_openai, chain):
    chain("openai")
    topic = topics["books"]
    topic.style_instructions = "Кратко."
    topic.is_private = True
    topic.save()

    note_render(note=NoteFactory(owner=alice, text="личное"), topic=topic)

    assert fake_openai.requests == []


def test_a_bare_link_is_shown_once_with_its_title(alice, topics):
    note = NoteFactory(
        owner=alice,
        kind="link",
        text="https://kino.example/1",
        link_metadata=[{"url": "https://kino.example/1", "title": "Дюна & Co", "status": "ok"}],
    )

    rendered = note_render(note=note, topic=topics["movies"])

    assert rendered.html == "<b>Дюна &amp; Co</b>\n\n🔗 https://kino.example/1"


def test_a_voice_note_renders_its_transcript(alice, topics):
    note = NoteFactory(owner=alice, kind="voice", text="", transcript="купить <хлеб>")

    rendered = note_render(note=note, topic=topics["shopping"])

    assert rendered.html == "купить &lt;хлеб&gt;"


def test_the_date_is_the_owners_local_date(alice, topics):
    from datetime import UTC, datetime

    alice.preferences.time_zone = "Asia/Vladivostok"
    alice.preferences.save()
    note = NoteFactory(owner=alice, text="x")
    note.created_at = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)
    note.save()
    topics["books"].format_template = '{{ date|date:"d.m.Y H:i" }}'

    assert note_render(note=note, topic=topics["books"]).html == "02.03.2026 06:00"


def test_a_title_cut_from_the_notes_first_line_is_not_said_twice(alice, topics):
    note = NoteFactory(owner=alice, text="Купить молоко и хлеб", title="Купить молоко и хлеб")

    rendered = note_render(note=note, topic=topics["shopping"])

    assert rendered.html == "Купить молоко и хлеб"
    assert rendered.title == "Купить молоко и хлеб"


def test_a_truncated_first_line_title_is_not_said_twice_either(alice, topics):
    line = "Очень длинная первая строка заметки " * 4
    note = NoteFactory(owner=alice, text=f"{line}\nи вторая", title=line[:60].rstrip() + "…")

    rendered = note_render(note=note, topic=topics["shopping"])

    assert not rendered.html.startswith("<b>")


def test_a_title_of_its_own_is_shown_above_the_note(alice, topics):
    note = NoteFactory(owner=alice, text="молоко, яйца, хлеб", title="Покупки на неделю")

    rendered = note_render(note=note, topic=topics["shopping"])

    assert rendered.html == "<b>Покупки на неделю</b>\n\nмолоко, яйца, хлеб"


def test_a_link_already_in_the_text_is_not_repeated_below_it(alice, topics):
    text = "Идея: бот для счётчиков, см. docs"
    note = NoteFactory(
        owner=alice,
        kind="link",
        text=text,
        entities=[
            {"offset": 29, "length": 4, "type": "text_link", "url": "https://example.org/docs"}
        ],
        link_metadata=[{"url": "https://example.org/docs", "status": "ok"}],
        title="Бот для счётчиков",
    )

    rendered = note_render(note=note, topic=topics["shopping"])

    assert rendered.html == (
        "<b>Бот для счётчиков</b>\n\nИдея: бот для счётчиков, см. "
        '<a href="https://example.org/docs">docs</a>'
    )


def test_a_link_that_is_not_in_the_text_is_shown_below_it(alice, topics):
    note = NoteFactory(
        owner=alice,
        kind="link",
        text="Почитать потом",
        link_metadata=[{"url": "https://habr.com/ru/articles/700000/?a=1&b=2", "status": "ok"}],
        title="",
    )

    rendered = note_render(note=note, topic=topics["shopping"])

    assert rendered.html.endswith("🔗 https://habr.com/ru/articles/700000/?a=1&amp;b=2")
