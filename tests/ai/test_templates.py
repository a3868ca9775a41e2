"""Format templates: escaped, Telegram-safe, validated when a topic is saved."""

import pytest
from django.core.exceptions import ValidationError

from notes.ai.templates import render_template, source_html, validate_format_template
from notes.ai.types import LinkInfo
from notes.telegram_html import entities_to_html, sanitize
from tests.factories import TopicFactory
from topics.models import DEFAULT_FORMAT_TEMPLATE


def render(template=DEFAULT_FORMAT_TEMPLATE, **variables):
    defaults = {"title": "", "body": ""}
    return render_template(template, **{**defaults, **variables})


def test_what_the_owner_wrote_is_escaped():
    html = render(
        title="<script>alert(1)</script> & co",
        body=entities_to_html("Tom & Jerry <b>not bold</b>", None),
        tags=("a&b",),
    )

    assert html == (
        "<b>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</b>\n\n"
        "Tom &amp; Jerry &lt;b&gt;not bold&lt;/b&gt;\n\n#a&amp;b"
    )


def test_a_template_cannot_smuggle_script_or_unknown_tags():
    html = render("<script>steal()</script><div>{{ title }}</div><p>x</p>", title="T")

    assert html == "T\nx"


def test_links_keep_only_safe_schemes_and_escaped_urls():
    assert sanitize('<a href="javascript:alert(1)">x</a>') == "x"
    assert sanitize('<a href="https://a.b/?q=1&amp;r=&quot;2">x</a>') == (
        '<a href="https://a.b/?q=1&amp;r=&quot;2">x</a>'
    )


def test_unclosed_and_stray_tags_are_balanced():
    assert sanitize("<b><i>a</b> c</i> </u>") == "<b><i>a</i></b> c "


def test_the_default_template_shows_title_body_link_source_and_tags():
    html = render(
        title="Дюна",
        body="<i>Посмотреть</i>",
        tags=("кино", "фантастика"),
        link=LinkInfo(url="https://kino.example/?a=1&b=2"),
        source_html=str(
            source_html(
                {
                    "type": "channel",
                    "chat": {"title": "Кино & ТВ", "username": "kino_tv"},
                    "message_id": 7,
                }
            )
        ),
    )

    assert html == (
        "<b>Дюна</b>\n\n<i>Посмотреть</i>\n\n🔗 https://kino.example/?a=1&amp;b=2\n\n"
        '↪️ <a href="https://t.me/kino_tv/7">Кино &amp; ТВ</a>\n\n#кино #фантастика'
    )


def test_a_hidden_forward_source_is_its_sender_name_escaped():
    assert source_html({"type": "hidden_user", "sender_user_name": "Мама <3"}) == "Мама &lt;3"


def test_the_owners_formatting_survives_as_telegram_html():
    text = "Идея: бот для счётчиков 👍\nсделать на выходных, см. docs"
    entities = [
        {"offset": 0, "length": 5, "type": "bold"},
        # After an emoji (two UTF-16 code units) offsets count in UTF-16, as Telegram sends them.
        {"offset": 52, "length": 4, "type": "text_link", "url": 'https://example.org/d?a=1&b="2"'},
    ]

    assert entities_to_html(text, entities) == (
        "<b>Идея:</b> бот для счётчиков 👍\nсделать на выходных, см. "
        '<a href="https://example.org/d?a=1&amp;b=&quot;2&quot;">docs</a>'
    )


def test_malformed_entities_keep_the_plain_text():
    assert entities_to_html("a < b", [{"type": "bold"}]) == "a &lt; b"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{% if title %}{{ title }}", "does not compile"),
        ("{{ title|nosuchfilter }}", "does not compile"),
        ("{% load static %}{{ title }}", "{% load %} is not available"),
        ("{% include 'x.html' %}", "{% include %} is not available"),
        ("<div>{{ body }}</div>", "Telegram does not support these tags: <div>"),
    ],
)
def test_a_template_that_does_not_work_is_rejected_with_a_clear_message(template, message):
    with pytest.raises(ValidationError) as error:
        validate_format_template(template)

    assert message in error.value.messages[0]


@pytest.mark.django_db
def test_saving_a_topic_with_a_broken_template_is_rejected(alice):
    topic = TopicFactory(group__owner=alice, format_template="{{ title }")
    topic.format_template = "{% for tag in tag_list %}#{{ tag }}"

    with pytest.raises(ValidationError) as error:
        topic.full_clean()

    assert "format_template" in error.value.message_dict


@pytest.mark.django_db
def test_the_default_and_a_rich_template_are_accepted(alice):
    topic = TopicFactory(group__owner=alice)
    topic.full_clean()
    topic.format_template = (
        '<b>{{ title|upper }}</b> · {{ date|date:"d.m.Y" }}\n<blockquote>{{ body }}</blockquote>'
        "{% for tag in tag_list %} #{{ tag }}{% endfor %}"
    )
    topic.full_clean()


def test_a_template_saved_before_validation_falls_back_to_the_default():
    assert render("{% if %}", title="T", body="b") == "<b>T</b>\n\nb"
