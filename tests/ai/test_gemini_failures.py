"""Gemini fails the way Google's API fails; each failure hands over to the next provider."""

import pytest

from notes.services.classification import note_classify
from tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


def server_error(fake):
    fake.server_error_next(times=3)


def timeout(fake):
    fake.stall_next(2.0)


def garbage_body(fake):
    fake.fail_next(
        200, "<html>upstream gateway hiccup</html>", headers={"Content-Type": "text/html"}
    )


def garbage_answer(fake):
    fake.answer_next("Sure! The topic is books.")


def bad_key(fake):
    fake.fail_next(
        400,
        {"error": {"code": 400, "message": "API key not valid.", "status": "INVALID_ARGUMENT"}},
    )


@pytest.mark.parametrize(
    ("misbehave", "why"),
    [
        (server_error, "ServerError: HTTP 500"),
        (timeout, "ProviderTimeout: no answer within 1 s"),
        (garbage_body, "InvalidAnswer: malformed response"),
        (garbage_answer, "InvalidAnswer: not JSON: 'Sure! The topic is books.'"),
        (bad_key, "ProviderError: HTTP 400: API key not valid."),
    ],
)
def test_a_gemini_failure_falls_through_to_local(misbehave, why, alice, topics, fake_gemini, chain):
    chain("gemini", "local")
    misbehave(fake_gemini)

    result = note_classify(note=NoteFactory(owner=alice, text="Купить молоко и хлеб"))

    assert result.provider == "local"
    assert result.topic_key == str(topics["shopping"].pk)
    assert result.failures == {"gemini": why}


def test_an_openai_body_that_is_not_json_falls_through(alice, topics, fake_openai, chain):
    chain("openai", "local")
    fake_openai.fail_next(200, "<html>oops</html>", headers={"Content-Type": "text/html"})

    result = note_classify(note=NoteFactory(owner=alice, text="Купить молоко и хлеб"))

    assert result.provider == "local"
    assert result.failures["openai"].startswith("InvalidAnswer")
