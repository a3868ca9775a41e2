"""The Mini App's history search (``GET /api/v1/notes/?q=``): the one search behind it,
its bad input as field errors, and schemathesis on the endpoint's inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from notes.models import Note, NoteStatus
from notes.search.indexing import note_search_index
from tests.factories import NoteFactory, UserFactory
from tests.webapp.initdata import BOB, signed_init_data, tma

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def get(query: str, *, user=None):
        auth = tma(signed_init_data(user) if user else signed_init_data())
        return client.get("/api/v1/notes/", query, headers=auth)

    return get


@pytest.fixture
def notes(telegram, archive):
    group, _topics = archive
    alice = group.owner
    made = {
        "lease": NoteFactory(
            owner=alice, text="Подписать договор аренды", status=NoteStatus.PUBLISHED
        ),
        "titled": NoteFactory(
            owner=alice,
            text="Скан и копии",
            title="Аренда: документы",
            status=NoteStatus.AWAITING_CONFIRMATION,
        ),
        "cancelled": NoteFactory(owner=alice, text="Аренда гаража", status=NoteStatus.CANCELLED),
        "milk": NoteFactory(owner=alice, text="Купить молоко", status=NoteStatus.PUBLISHED),
        "strangers": NoteFactory(
            owner=UserFactory(telegram_id=7_770_001),
            text="Чужая аренда",
            status=NoteStatus.PUBLISHED,
        ),
    }
    for note in Note.objects.all():
        note_search_index(note=note)
    return made


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [note["id"] for note in response.json()["results"]]


def test_the_history_search_finds_word_forms_ranked_filed_and_pending_only(api, notes):
    assert ids(api({"q": "аренда"})) == [notes["titled"].pk, notes["lease"].pk]


def test_a_status_filter_reaches_the_other_statuses(api, notes):
    assert ids(api({"q": "аренда", "status": "cancelled"})) == [notes["cancelled"].pk]


def test_without_a_query_the_history_lists_everything_newest_first(api, notes):
    listed = ids(api({}))
    assert set(listed) == {n.pk for key, n in notes.items() if key != "strangers"}


def test_another_owner_finds_nothing_of_alices(api, notes):
    assert ids(api({"q": "аренда"}, user=BOB)) == []


@pytest.mark.parametrize("query", ["!!!", "🙂🙂🙂", "&|!():*'\"-"])
def test_a_query_without_a_word_is_a_field_error(api, notes, query):
    response = api({"q": query})

    assert response.status_code == 400
    assert response.json() == {
        "q": ["Напишите слово для поиска: буквы или цифры, а не только знаки или эмодзи."]
    }


def test_a_long_query_is_cut_not_refused_and_an_absurd_one_is_refused(api, notes):
    assert ids(api({"q": "аренда " + "ы" * 1000})) == []  # the 256 characters kept: no such word
    assert ids(api({"q": "аренда " + "!" * 1000})) == [notes["titled"].pk, notes["lease"].pk]

    response = api({"q": "a" * 5000})
    assert response.status_code == 400
    assert list(response.json()) == ["q"]


def test_schemathesis_finds_no_server_error_in_the_search(transactional_db, notes):
    schema: Any = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    operation = next(
        op for op in operations if op.path == "/api/v1/notes/" and op.method.upper() == "GET"
    )
    headers = tma(signed_init_data())
    codes: list[int] = []
    syntax = st.sampled_from(["&", "|", "!", "(", ")", ":", "*", "'", '"', "NEAR", "-", "🙂"])
    words = st.lists(st.one_of(syntax, st.text(min_size=1, max_size=12)), max_size=8)

    @given(case=operation.as_strategy(), extra=words)
    @settings(
        max_examples=80,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case, extra):
        case.query = {**(case.query or {}), "q": " ".join(["аренда", *extra])}
        response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
        codes.append(response.status_code)
        if response.status_code == 400:
            assert json.loads(response.content)  # field errors, never a page

    call()
    assert len(codes) == 80
    assert 200 in codes
