"""The bounded engine of format templates: what it refuses, what it still renders, and the
admin's topic form refusing a costly template as the API does."""

from __future__ import annotations

import time

import pytest
from django.core.exceptions import ValidationError

from notes.ai.templates import format_note
from tests.factories import TopicFactory
from topics.formats import (
    DEFAULT_FORMAT_TEMPLATE,
    FAILED,
    compile_template,
    longest_variables,
    output_limit,
    validate_format_template,
)
from topics.models import Topic
from topics.templating import (
    MAX_STEPS,
    OUTPUT_MARGIN,
    Bound,
    TemplateTooCostly,
    render_bounded,
)

GUARD_SECONDS = 5


def refusal(template: str, variables: dict | None = None) -> str:
    """The bound ``template`` hits on the longest note (or ``variables``), within the guard."""
    variables = variables or longest_variables()
    started = time.monotonic()
    with pytest.raises(TemplateTooCostly) as error:
        render_bounded(compile_template(template), variables, limit=output_limit(variables))
    assert time.monotonic() - started < GUARD_SECONDS
    return error.value.reason


@pytest.mark.parametrize(
    ("template", "reason"),
    [
        ("{% for a in text %}x{% endfor %}", Bound.LOOP_OVER_TEXT),
        ("{% for a in body %}x{% endfor %}", Bound.LOOP_OVER_TEXT),
        ("{% with t=title %}{% for a in t %}x{% endfor %}{% endwith %}", Bound.LOOP_OVER_TEXT),
        ("{% for a in text|make_list %}{% endfor %}", Bound.LOOP_ITEMS),
        ("{{ text|make_list|join:text }}", Bound.VALUE),
        ("{% if text|make_list|join:text == 'x' %}y{% endif %}", Bound.VALUE),
        ("{{ tag_list|join:text|make_list|join:text }}", Bound.VALUE),
        ("{% filter ljust:100000000 %}x{% endfilter %}", Bound.WIDTH),
        ("{{ title|rjust:100000000 }}", Bound.WIDTH),
        ('{{ "1e999999999"|floatformat:2 }}', Bound.WIDTH),
        ('{{ 2|floatformat:"100000000" }}', Bound.WIDTH),
        ("{{ text }}" * 8, Bound.OUTPUT),
        (
            "{% for l in links %}{% for t in tag_list %}{% cycle text body %}"
            "{% endfor %}{% endfor %}",
            Bound.OUTPUT,
        ),
        ("{% for l in links %}{{ text|linenumbers|force_escape|escapejs }}{% endfor %}", None),
    ],
)
def test_a_costly_template_stops_at_its_bound(template, reason):
    got = refusal(template)
    assert got == reason or (reason is None and got in {Bound.OUTPUT, Bound.VALUE})


def test_steps_are_bounded_even_when_nothing_is_written():
    """100 × 100 rounds of an empty loop, many times: work without output stops too."""
    rounds = "{% for a in items %}{% for b in items %}{% endfor %}{% endfor %}"
    variables = {"items": list(range(100))}
    assert refusal(rounds * 3, variables) == Bound.STEPS
    assert MAX_STEPS < 3 * 100 * 100


@pytest.mark.parametrize(
    "template",
    [
        "{% for a in x %}{% for b in x %}{% for c in x %}{% endfor %}{% endfor %}{% endfor %}",
        "{% if 1 %}" * 20 + "{% endif %}" * 20,
        "{{ text.encode }}",
        "{{ title|default:text.expandtabs }}",
        "{% for l in links %}{{ l.title.zfill }}{% endfor %}",
        "x" * 8001,
    ],
)
def test_a_costly_template_is_refused_when_compiled(template):
    with pytest.raises(TemplateTooCostly):
        compile_template(template)


@pytest.mark.parametrize("tag", ["lorem 1000000 w", "partialdef p", "url 'admin:index'", "debug"])
def test_tags_that_reach_outside_the_note_or_make_text_from_nothing_are_not_available(tag):
    with pytest.raises(ValidationError) as error:
        validate_format_template("{% " + tag + " %}")

    name = tag.split()[0]
    assert error.value.messages == [
        f"The format template does not compile: The tag {{% {name} %}} is not available in "
        "format templates."
    ]


def test_the_output_is_capped_while_rendering_not_built_and_cut_after():
    """A loop of writes stops at the first write past the limit: what is built stays small."""
    variables = {"items": list(range(100)), "chunk": "y" * 1000}
    template = compile_template("{% for a in items %}{{ chunk }}{% endfor %}")

    assert len(render_bounded(template, variables, limit=100_000)) == 100_000
    with pytest.raises(TemplateTooCostly) as error:
        render_bounded(template, variables, limit=OUTPUT_MARGIN)
    assert error.value.reason == Bound.OUTPUT


def test_a_template_over_a_bound_on_a_note_gives_way_to_the_default_format():
    formatted = format_note(
        "{{ body }}" * 20, title="Список", body="молоко &amp; хлеб " * 100, text="молоко"
    )
    default = format_note(DEFAULT_FORMAT_TEMPLATE, title="Список", body="молоко &amp; хлеб " * 100)

    assert formatted.refusal == Bound.OUTPUT
    assert formatted.html == default.html
    assert default.refusal == ""


def test_a_broken_template_saved_before_it_was_checked_gives_way_to_the_default_too():
    formatted = format_note("{% if title %}{{ title }", title="T", body="b")

    assert formatted.refusal == FAILED
    assert formatted.html == "<b>T</b>\n\nb"


def test_everyday_templates_stay_well_inside_the_bounds():
    for template in [
        DEFAULT_FORMAT_TEMPLATE,
        '{{ date|date:"d.m.Y H:i" }} · <i>{{ topic }}</i>\n{{ body|truncatechars:200 }}',
        '{% for link in links %}🔗 <a href="{{ link.url }}">{{ link.title }}</a>\n{% endfor %}',
        "{% for tag in tag_list %}#{{ tag|lower|cut:' ' }} {% endfor %}{{ forloop.counter }}",
        "{{ text|linebreaksbr }}{% if summary %}\n<i>{{ summary|wordwrap:40 }}</i>{% endif %}",
        "{% with n=links|length %}{{ n }} link{{ n|pluralize }}{% endwith %}",
    ]:
        validate_format_template(template)


@pytest.mark.django_db
def test_the_admin_refuses_a_costly_template_on_a_topic_and_keeps_the_old_one(staff_client, alice):
    topic = TopicFactory(group__owner=alice, name="Книги", thread_id=11)
    form = {
        "group": topic.group.pk,
        "thread_id": 11,
        "name": "Книги",
        "description": "",
        "format_template": (
            "{% for a in text %}{% for b in text %}{% for c in text %}x"
            "{% endfor %}{% endfor %}{% endfor %}"
        ),
        "style_instructions": "",
        "icon_color": "",
        "icon_custom_emoji_id": "",
        "position": 0,
    }

    page = f"/admin/topics/topic/{topic.pk}/change/"
    assert staff_client.get(page).status_code == 200  # the form opened first (loads the site)
    started = time.monotonic()
    response = staff_client.post(page, form)

    assert time.monotonic() - started < GUARD_SECONDS
    assert response.status_code == 200  # the form again, with the error
    assert "Loops in the format template are nested too deep: at most 2." in (
        response.content.decode()
    )
    assert Topic.objects.get(pk=topic.pk).format_template == DEFAULT_FORMAT_TEMPLATE

    form["format_template"] = "<b>{{ title }}</b>\n{{ body }}"
    response = staff_client.post(page, form)

    assert response.status_code == 302
    assert Topic.objects.get(pk=topic.pk).format_template == form["format_template"]
